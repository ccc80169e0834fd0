import Foundation
@testable import GrantDomain
import LedgerCore
import LedgerCrypto
import Testing

/// Random sequences of signed events, valid and hostile, written without append-time checks.
///
/// Each intent is a plausible event with a random flaw or none: wrong signer, wrong territory, unknown
/// application, back-dated or future-dated dates, amounts off the grid or above the cap, invisible text,
/// duplicate references, double decisions… The generator is deterministic for a seed.
struct HostileLog {
    struct Intent {
        let type: String
        let payload: JSONValue
        let signer: Ed25519PrivateKey
        let time: Timestamp
        /// For a decision naming a published version: the call and the version's index, so that the same
        /// decision can be replayed on another ledger (whose entry hashes differ).
        let version: (call: String, index: Int)?

        /// The payload with `call_version` naming the same version in `state`.
        func payload(in state: GrantState) -> JSONValue {
            guard let version, let hash = state.calls[version.call]?.versions.dropFirst(version.index).first?.hash,
                var object = payload.objectValue
            else { return payload }
            object["call_version"] = .string(hash)
            return .object(object)
        }
    }

    let fixture: GrantFixture
    private(set) var intents: [Intent] = []

    /// Generates `count` events and writes them, unchecked, as they are generated.
    init(seed: UInt64, count: Int, write: Bool = true) throws {
        let fixture = try GrantFixture()
        var generator = Generator(seed: seed, fixture: fixture)
        var intents: [Intent] = []
        if write {
            try fixture.ledger.write { (w) throws(LedgerError) in
                for step in 0..<count {
                    let intent = generator.next(step: step, state: w.state.domain.state)
                    intents.append(intent)
                    try w.appendWithoutValidation(
                        type: intent.type, payload: intent.payload, signer: intent.signer, time: intent.time)
                }
            }
        } else {
            for step in 0..<count { intents.append(generator.next(step: step, state: GrantState())) }
        }
        self.fixture = fixture
        self.intents = intents
    }
}

/// The random events of a ``HostileLog``: mostly the honest next step of the process (publish a call, submit
/// within its window, score, decide by the grid, pay, withdraw), and in about a third of the cases a flaw.
struct Generator {
    var random: SplitMix64
    let f: GrantFixture
    var clock = GrantFixture.time("2021-02-01T09:00:00Z")
    var calls = 0

    init(seed: UInt64, fixture: GrantFixture) {
        random = SplitMix64(seed: seed)
        f = fixture
    }

    mutating func pick<T>(_ items: [T]) -> T { items[Int(random.next() % UInt64(items.count))] }
    mutating func chance(_ percent: UInt64) -> Bool { random.next() % 100 < percent }

    static let applicants = [
        GrantFixture.vernols, GrantFixture.aurillac, GrantFixture.hautesTerres, GrantFixture.saintFlour,
    ]
    static let texts = [
        "\u{200B}\u{200B}", "ok", "\u{3164}\u{3164}\u{3164}", "Titre\u{1B}[2J", "vu",
    ]

    mutating func next(step: Int, state: GrantState) -> HostileLog.Intent {
        clock = clock.adding(seconds: Int64(random.next() % (3 * 86_400)) + 60)
        let today = CalendarDate(clock)
        let flawed = chance(30)
        var time = clock
        var date = today
        var signer = f.prefect
        var type = GrantEventType.callPublished
        var payload: JSONValue = [:]
        var version: (call: String, index: Int)? = nil
        let apps = state.applications.values.sorted { $0.id < $1.id }
        let open = state.callOrder.compactMap { state.calls[$0] }.filter {
            $0.call.opensAt <= today && today <= $0.call.closesAt
        }
        var choice = state.calls.isEmpty || chance(4) ? 0 : (random.next() % 5) + 1
        if apps.isEmpty && choice > 2 { choice = 1 }
        switch choice {
        case 0:
            var call = f.call(envelope: pick([1_000_000, 2_000_000, 3_000_000]))
            let amend = !state.calls.isEmpty && chance(30)
            call.callID = amend ? pick(state.callOrder) : "15-2021-\(calls)"
            if !amend { calls += 1 }
            call.opensAt = today.adding(days: Int(random.next() % 10) + 1)
            call.closesAt = call.opensAt.adding(days: Int(random.next() % 60) + 30)
            type = amend ? GrantEventType.callAmended : GrantEventType.callPublished
            payload = call.payload
        case 1, 2:
            var application = f.application("A\(step)", pick(Self.applicants), submitted: today.iso)
            application.callID = open.isEmpty ? pick(state.callOrder) : pick(open).call.callID
            type = GrantEventType.applicationSubmitted
            payload = application.payload
            signer = f.instructor
        case 3:
            let candidates = apps.filter { $0.score == nil && $0.decision == nil && $0.withdrawal == nil }
            let target = candidates.isEmpty ? pick(apps) : pick(candidates)
            type = GrantEventType.applicationScored
            payload =
                f.score(target.id, Int64(random.next() % 6), Int64(random.next() % 6), Int64(random.next() % 6))
                .payload
            signer = f.instructor
        case 4:
            let candidates = apps.filter { $0.score != nil && $0.decision == nil && $0.withdrawal == nil }
            let target = candidates.isEmpty ? pick(apps) : pick(candidates)
            let call = state.calls[target.application.callID]
            let grid = call?.call.gridLine(
                kind: target.application.applicant.kind, population: target.application.applicant.population)
            let grant = (target.weightedScore ?? 0) >= 15 && chance(80)
            let motive: DecisionMotive =
                grant ? .criteriaMet : (target.score == nil ? .incompleteFile : .belowThreshold)
            if let versions = call?.versions { version = (target.application.callID, versions.count - 1) }
            payload =
                GrantDecision(
                    applicationID: target.id, outcome: grant ? .granted : .rejected,
                    amountCents: grant ? grid?.line.amountCents ?? 500_000 : 0, motive: motive,
                    motiveText: "Décision motivée au vu des critères publiés.",
                    callVersion: call?.current.hash ?? String(repeating: "0", count: 64),
                    reference: "Arrêté \(step)", decidedOn: today, deviation: nil
                ).payload
            type = GrantEventType.decisionRecorded
        default:
            let granted = apps.filter { $0.isStandingGrant }
            if let target = granted.isEmpty ? nil : pick(granted), chance(75) {
                let left = (target.decision?.amountCents ?? 0) - target.paidCents
                payload =
                    GrantPayment(
                        applicationID: target.id, amountCents: max(1, chance(50) ? left : left / 2),
                        reference: "DRFIP-\(step)", paidOn: today
                    ).payload
                type = GrantEventType.paymentRecorded
                signer = f.payer
            } else {
                let target = pick(apps)
                let byApplicant = !target.isStandingGrant
                payload =
                    Withdrawal(
                        applicationID: target.id, reason: "Les conditions de l'aide ne sont pas remplies.",
                        reference: byApplicant ? nil : "Retrait \(step)", withdrawnOn: today
                    ).payload
                type = byApplicant ? GrantEventType.applicationWithdrawn : GrantEventType.decisionWithdrawn
            }
        }
        if flawed, var object = payload.objectValue {
            switch random.next() % 9 {
            case 0: signer = pick([f.gironde, f.payer, f.authority, GrantFixture.key(99), f.instructor, f.prefect])
            case 1: time = clock.adding(seconds: -10 * 86_400)
            case 2: time = GrantFixture.time("2099-01-01T00:00:00Z")
            case 3:
                date = today.adding(days: Int(random.next() % 120) - 90)
                for key in ["submitted_on", "decided_on", "paid_on", "withdrawn_on"] where object[key] != nil {
                    object[key] = .string(date.iso)
                }
            case 4:
                if object["amount_cents"] != nil {
                    object["amount_cents"] = .integer(pick([600_000, 1_000_000_000_001]))
                }
            case 5:
                for key in ["motive_text", "reason", "title", "summary"] where object[key] != nil {
                    object[key] = .string(pick(Self.texts))
                }
            case 6:
                if object["application_id"] != nil { object["application_id"] = .string(pick(["Z\(step)", "A0"])) }
            case 7:
                if object["reference"] != nil { object["reference"] = "drfip-0" }
                if object["motive"] != nil { object["motive"] = .string(pick(DecisionMotive.allCases).rawValue) }
            default:
                if object["decided_on"] != nil { object["deviation"] = ["justification": .string(pick(Self.texts))] }
                if object["population"] == nil, var applicant = object["applicant"]?.objectValue {
                    applicant["population"] = .integer((applicant["population"]?.integerValue ?? 0) + 1)
                    object["applicant"] = .object(applicant)
                }
            }
            payload = .object(object)
        }
        return HostileLog.Intent(type: type, payload: payload, signer: signer, time: time, version: version)
    }
}

@Suite("Verifier properties: random signed trails, valid and hostile")
struct VerifierPropertyTests {
    /// Which entries a report refuses, by seq.
    static func refused(_ outcomes: RuleOutcomes) -> Set<Int64> {
        Set(outcomes.findings.filter(\.refuses).map(\.seq))
    }

    /// verify never crashes; the parallel, pipelined verifier gives exactly the findings of a serial replay that
    /// checks each signature before its entry; and append-time validation accepts an event exactly when
    /// `verify` accepts it in the log.
    @Test("verify agrees with a serial replay and with append-time validation", arguments: [UInt64(11), 12, 13])
    func agreement(seed: UInt64) throws {
        let log = try HostileLog(seed: seed, count: 130, write: true)
        let store = log.fixture.ledger.store
        var lines = try CorpusBuilder.lines(of: store)
        let base = lines.count - log.intents.count
        // Change one base64 character of a few signatures: those entries are refused once, and the next line's
        // prev depends on them.
        var random = SplitMix64(seed: seed &* 7)
        var damaged: Set<Int> = []
        for _ in 0..<3 {
            let index = base + Int(random.next() % UInt64(log.intents.count))
            let marker = Array("\"sig\":\"".utf8)
            guard let at = lines[index].firstRange(of: marker)?.upperBound else { continue }
            lines[index][at] = lines[index][at] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
            damaged.insert(index)
        }
        try CorpusBuilder.write(lines, to: store)

        let reference = log.fixture.reference
        let clock = Timestamp.now()
        // The verifier decodes payloads on its parsing threads (GrantRules.payloadDecoder); the serial replay below
        // parses with Entry(line:), which decodes nothing, so the rules decode each payload themselves.
        let (report, parallel) = try LedgerVerifier.verify(
            store: store, domain: GrantRules(reference: reference), workers: 2, clock: clock)
        #expect(!report.isValid, "a hostile trail is not valid")

        // The serial reference: one line at a time, its signature checked before it is replayed.
        var replayer = Replayer(domain: GrantRules(reference: reference), clock: clock)
        var serial = RuleOutcomes()
        var keys = SigningKeys()
        for line in lines {
            do throws(EntryError) {
                let entry = try Entry(line: line)
                keys.learn(from: entry)
                replayer.apply(entry, signature: keys.check(entry), outcomes: &serial)
            } catch {
                replayer.applyUnparseable(line: line, error: error, outcomes: &serial)
            }
        }
        replayer.finish(outcomes: &serial)
        let parallelFindings = report.outcomes.sortedFindings
        let serialFindings = serial.sortedFindings
        let firstDifference = zip(parallelFindings, serialFindings).enumerated().first { $0.element.0 != $0.element.1 }?
            .offset
        #expect(
            parallelFindings == serialFindings,
            "\(parallelFindings.count) against \(serialFindings.count) findings; first difference: \(firstDifference.map { "\(parallelFindings[$0]) / \(serialFindings[$0])" } ?? "none")"
        )
        #expect(report.outcomes.tallies == serial.tallies)
        #expect(parallel.domain.state == replayer.domain.state)

        // Append-time validation, event by event, on a ledger that holds only what it accepted. A damaged line
        // and the line after it are refused by the chain, which validation never sees: they are skipped.
        let honest = try GrantFixture()
        let verdicts = Self.refused(report.outcomes)
        let skipped = damaged.union(damaged.map { $0 + 1 })
        var compared = 0
        for (index, intent) in log.intents.enumerated() where !skipped.contains(base + index) {
            let seq = Int64(base + index)
            let state = try honest.ledger.replay().domain.state
            let accepted: Bool
            do {
                try honest.ledger.append(
                    type: intent.type, payload: intent.payload(in: state), signer: intent.signer, time: intent.time)
                accepted = true
            } catch {
                accepted = false
            }
            #expect(
                accepted == !verdicts.contains(seq), "seq \(seq) \(intent.type): append-time accepted = \(accepted)")
            compared += 1
            if accepted == verdicts.contains(seq) { break }  // the two states part ways after a disagreement
        }
        #expect(compared > 80)
        #expect(verdicts.count > 20, "the generator makes hostile trails")
    }

    /// Whatever valid events the generator manages to append with validation, the log verifies with no finding.
    @Test("what append-time validation accepts verifies", arguments: [UInt64(21), 22])
    func acceptedVerifies(seed: UInt64) throws {
        let log = try HostileLog(seed: seed, count: 200, write: true)
        let honest = try GrantFixture()
        var accepted = 0
        for intent in log.intents {
            do {
                let state = try honest.ledger.replay().domain.state
                try honest.ledger.append(
                    type: intent.type, payload: intent.payload(in: state), signer: intent.signer, time: intent.time)
                accepted += 1
            } catch {}
        }
        let report = try LedgerVerifier.verify(
            store: honest.ledger.store, domain: GrantRules(reference: honest.reference)
        ).0
        #expect(accepted > 20)
        #expect(report.isValid)
        #expect(report.outcomes.findings.allSatisfy { $0.kind == .deviation }, "\(report.outcomes.sortedFindings)")
    }
}
