import Foundation
@testable import GrantDomain
import LedgerCore
import LedgerCrypto
import Testing

@Suite("The life of a call: events, projections, refusals")
struct GrantLifecycleTests {
    @Test("the projections' figures on a hand-computed ledger")
    func handComputedFigures() throws {
        let fixture = try GrantFixture()
        try fixture.buildScenario()
        let state = try fixture.state
        let call = try #require(state.calls["15-2021-01"])
        // Grants: A 5 000 € (commune of 59 inhabitants, grid line 1) and B 10 000 € (26 189 inhabitants, line 2).
        #expect(call.committedCents == 1_500_000)
        #expect(call.paidCents == 900_000)
        #expect(call.remainingCents == 500_000)
        #expect(state.applications["A"]?.status == .fullyPaid)
        #expect(state.applications["B"]?.status == .partlyPaid)
        #expect(state.applications["C"]?.status == .rejected)
        #expect(state.applications["D"]?.decision?.motive == .belowThreshold)
        #expect(state.applications["A"]?.weightedScore == 30)
        #expect(state.applications["B"]?.weightedScore == 24)
        #expect(state.applications["C"]?.weightedScore == 18)
        #expect(state.applications["D"]?.weightedScore == 10)  // 3×1 + 2×2 + 1×3
        #expect(state.applications["A"]?.gridLineNumber == 1)
        #expect(state.applications["B"]?.decision?.amountCents == 1_000_000)
        let report = try LedgerVerifier.verify(
            store: fixture.ledger.store, domain: GrantRules(reference: fixture.reference)
        ).0
        #expect(report.isValid, "\(report.outcomes.failures)")
        #expect(report.outcomes.findings.isEmpty)
    }

    @Test("withdrawals: a withdrawn grant frees its unpaid part and takes no more payments")
    func withdrawals() throws {
        let fixture = try GrantFixture()
        try fixture.buildScenario()
        try fixture.operations.withdraw(
            Withdrawal(
                applicationID: "B", reason: "non réalisé", reference: "R1", withdrawnOn: GrantFixture.date("2021-10-01")
            ),
            byApplicant: false, signer: fixture.prefect, time: GrantFixture.time("2021-10-01T09:00:00Z"))
        let state = try fixture.state
        #expect(state.applications["B"]?.status == .grantWithdrawn)
        #expect(state.calls["15-2021-01"]?.committedCents == 900_000)  // A 5 000 € + the 4 000 € paid on B
        #expect(throws: LedgerError.self) {
            try fixture.operations.pay(
                GrantPayment(
                    applicationID: "B", amountCents: 100, reference: "P3", paidOn: GrantFixture.date("2021-10-02")),
                signer: fixture.payer, time: GrantFixture.time("2021-10-02T09:00:00Z"))
        }
        // After the close and the first decisions, the list of applications is closed (SEQ-WINDOW).
        #expect(throws: LedgerError.self) {
            try fixture.operations.submit(
                fixture.application("E", GrantFixture.saintFlour, submitted: "2021-05-01"), signer: fixture.instructor,
                time: GrantFixture.time("2021-10-03T09:00:00Z"))
        }
    }

    @Test("an applicant's withdrawal: nothing happens to the application afterwards")
    func applicantWithdrawal() throws {
        let fixture = try GrantFixture()
        try fixture.operations.publish(
            fixture.call(), amend: false, signer: fixture.prefect, time: GrantFixture.time("2021-01-15T09:00:00Z"))
        try fixture.operations.submit(
            fixture.application("E", GrantFixture.saintFlour, submitted: "2021-05-01"), signer: fixture.instructor,
            time: GrantFixture.time("2021-05-03T09:00:00Z"))
        try fixture.operations.withdraw(
            Withdrawal(
                applicationID: "E", reason: "Le conseil municipal renonce au projet.", reference: nil,
                withdrawnOn: GrantFixture.date("2021-05-20")),
            byApplicant: true, signer: fixture.instructor, time: GrantFixture.time("2021-05-20T09:01:00Z"))
        let state = try fixture.state
        #expect(state.applications["E"]?.status == .withdrawn)
        #expect(throws: LedgerError.self) {
            try fixture.operations.score(
                fixture.score("E", 1, 1, 1), signer: fixture.instructor, time: GrantFixture.time("2021-06-04T09:00:00Z")
            )
        }
    }

    /// Each refused event names its rule, and leaves the file as it was.
    @Test("refusals name the rule and write nothing")
    func refusals() throws {
        let fixture = try GrantFixture()
        try fixture.operations.publish(
            fixture.call(envelope: 1_000_000), amend: false, signer: fixture.prefect,
            time: GrantFixture.time("2021-01-15T09:00:00Z"))
        try fixture.operations.submit(
            fixture.application("A", GrantFixture.vernols), signer: fixture.instructor,
            time: GrantFixture.time("2021-03-16T09:00:00Z"))
        try fixture.operations.submit(
            fixture.application("B", GrantFixture.hautesTerres), signer: fixture.instructor,
            time: GrantFixture.time("2021-03-16T09:01:00Z"))
        try fixture.operations.submit(
            fixture.application("L", GrantFixture.saintFlour), signer: fixture.instructor,
            time: GrantFixture.time("2021-03-16T09:02:00Z"))
        try fixture.operations.score(
            fixture.score("B", 5, 5, 5), signer: fixture.instructor, time: GrantFixture.time("2021-06-01T09:00:00Z"))
        try fixture.operations.score(
            fixture.score("L", 1, 1, 1), signer: fixture.instructor, time: GrantFixture.time("2021-06-01T09:01:00Z"))

        func expectRefused(_ rule: RuleID, _ body: () throws -> Void, sourceLocation: SourceLocation = #_sourceLocation)
            throws
        {
            let before = try fixture.bytes
            do {
                try body()
                Issue.record("expected a refusal by \(rule)", sourceLocation: sourceLocation)
            } catch let error as LedgerError {
                #expect(
                    error.code == .ruleViolated && error.rule == rule, "\(error.message)",
                    sourceLocation: sourceLocation)
            }
            #expect(try fixture.bytes == before, sourceLocation: sourceLocation)
        }
        let t = GrantFixture.time("2021-07-01T09:00:00Z")
        try expectRefused(RuleID.scoreBeforeDecision) {
            try fixture.decide("A", grant: true, at: "2021-07-01T09:00:00Z")
        }
        try expectRefused(RuleID.applicationKnown) { try fixture.decide("ZZ", grant: true, at: "2021-07-01T09:00:00Z") }
        // 20 000 € > 10 000 €
        try expectRefused(RuleID.envelope) { try fixture.decide("B", grant: true, at: "2021-07-01T09:00:00Z") }
        try expectRefused(RuleID.grid) {
            try fixture.decide("B", grant: true, amount: 1_000_000, at: "2021-07-01T09:00:00Z")
        }
        try expectRefused(RuleID.threshold) { try fixture.decide("L", grant: true, at: "2021-07-01T09:00:00Z") }
        try expectRefused(RuleID.separation) {
            try fixture.decide(
                "L", grant: false, motive: .belowThreshold, signer: fixture.instructor, at: "2021-07-01T09:00:00Z")
        }
        try expectRefused(RuleID.motive) {
            try fixture.decide("B", grant: false, motive: .belowThreshold, at: "2021-07-01T09:00:00Z")
        }
        try expectRefused(RuleID.territory) {
            try fixture.decide(
                "L", grant: false, motive: .belowThreshold, signer: fixture.gironde, at: "2021-07-01T09:00:00Z")
        }
        try expectRefused(RuleID.scoreOnce) {
            try fixture.operations.score(fixture.score("B", 1, 1, 1), signer: fixture.instructor, time: t)
        }
        try expectRefused(RuleID.scoreComplete) {
            try fixture.operations.score(
                ApplicationScore(applicationID: "A", scores: ["impact": 9], comment: "x"), signer: fixture.instructor,
                time: t)
        }
        try expectRefused(RuleID.applicationUnique) {
            try fixture.operations.submit(
                fixture.application("A", GrantFixture.vernols), signer: fixture.instructor, time: t)
        }
        try expectRefused(RuleID.window) {
            try fixture.operations.submit(
                fixture.application("W", GrantFixture.vernols, submitted: "2021-06-15"), signer: fixture.instructor,
                time: t)
        }
        var wrongPopulation = GrantFixture.vernols
        wrongPopulation.population = 5_000
        try expectRefused(RuleID.reference) {
            try fixture.operations.submit(
                fixture.application("P", wrongPopulation), signer: fixture.instructor, time: t)
        }
        var badSIREN = GrantFixture.vernols
        badSIREN.siren = "211502538"
        try expectRefused(RuleID.identifiers) {
            try fixture.operations.submit(fixture.application("S", badSIREN), signer: fixture.instructor, time: t)
        }
        try expectRefused(RuleID.paymentStanding) {
            try fixture.operations.pay(
                GrantPayment(
                    applicationID: "A", amountCents: 100, reference: "P", paidOn: GrantFixture.date("2021-07-01")),
                signer: fixture.payer, time: t)
        }
        try expectRefused("AUT-ROLE") {
            try fixture.operations.pay(
                GrantPayment(
                    applicationID: "A", amountCents: 100, reference: "P", paidOn: GrantFixture.date("2021-07-01")),
                signer: fixture.prefect, time: t)
        }
        try expectRefused(RuleID.callAmendment) {
            try fixture.operations.publish(
                fixture.call(envelope: 5_000_000), amend: true, signer: fixture.prefect, time: t)
        }
        try expectRefused(RuleID.callUnique) {
            try fixture.operations.publish(fixture.call(), amend: false, signer: fixture.prefect, time: t)
        }

        // A declared deviation is accepted and reported as such.
        let result = try fixture.decide(
            "B", grant: true, amount: 1_000_000, deviation: "Enveloppe complétée par décision du préfet",
            at: "2021-07-01T09:00:00Z")
        #expect(result.decision.deviation != nil)
        let report = try LedgerVerifier.verify(
            store: fixture.ledger.store, domain: GrantRules(reference: fixture.reference)
        ).0
        #expect(report.isValid)
        #expect(report.outcomes.findings.filter { $0.kind == .deviation }.map(\.rule) == [RuleID.grid])
    }

    @Test("a call may be amended before it opens; decisions name the version in force")
    func amendment() throws {
        let fixture = try GrantFixture()
        try fixture.operations.publish(
            fixture.call(), amend: false, signer: fixture.prefect, time: GrantFixture.time("2021-01-15T09:00:00Z"))
        var amended = fixture.call(envelope: 3_000_000)
        amended.threshold = 12
        let version2 = try fixture.operations.publish(
            amended, amend: true, signer: fixture.prefect, time: GrantFixture.time("2021-02-01T09:00:00Z"))
        try fixture.operations.submit(
            fixture.application("A", GrantFixture.saintFlour), signer: fixture.instructor,
            time: GrantFixture.time("2021-03-16T09:00:00Z"))
        try fixture.operations.score(
            // 12
            fixture.score("A", 2, 2, 2), signer: fixture.instructor, time: GrantFixture.time("2021-06-01T09:00:00Z"))
        let result = try fixture.decide("A", grant: true, at: "2021-07-01T09:00:00Z")
        #expect(result.decision.callVersion == version2.hash.hex)
        #expect(result.decision.amountCents == 1_000_000)
        let state = try fixture.state
        #expect(state.calls["15-2021-01"]?.versions.count == 2)
        #expect(state.calls["15-2021-01"]?.envelopeCents == 3_000_000)
    }

    @Test("a call may name its granting body; its SIRET must pass the Luhn check")
    func callAttribuant() throws {
        let fixture = try GrantFixture()
        var call = fixture.call()
        call.attribuant = Attribuant(name: "Préfecture du Cantal", siret: "73282932000074")
        let decoded = try GrantCall(payload: call.payload)
        #expect(decoded.attribuant == call.attribuant)
        var bad = call.payload.objectValue!
        bad["attribuant"] = ["name": "Préfecture du Cantal", "siret": "73282932000075"]
        #expect(throws: PayloadError.self) { try GrantCall(payload: .object(bad)) }
        bad["attribuant"] = ["name": "Préfecture du Cantal"]
        #expect(throws: PayloadError.self) { try GrantCall(payload: .object(bad)) }
        bad["attribuant"] = nil
        #expect(try GrantCall(payload: .object(bad)).attribuant == nil)
    }

    @Test("import: all rows or none")
    func importAllOrNothing() throws {
        let fixture = try GrantFixture()
        try fixture.operations.publish(
            fixture.call(), amend: false, signer: fixture.prefect, time: GrantFixture.time("2021-01-15T09:00:00Z"))
        let header = GrantOperations.importColumns.joined(separator: ",")
        let good = """
            \(header)
            I1,commune,Vernols,211502539,15253,15,59,INSEE,strategy_study,Étude,"Une étude, pour voir",5000,Conseil,73282932000074,15,2021-03-10
            I2,communaute_de_communes,CC Hautes Terres,200066637,,15,11118,DGCL,project_support,Projet,Accompagnement,"20 000,00",Conseil,73282932000074,15,2021-03-11
            """
        let bad =
            good
            + "\nI3,commune,Vernols,211502538,15253,15,59,INSEE,strategy_study,Étude,x,5000,Conseil,73282932000074,15,2021-03-12\n"
        let before = try fixture.bytes
        #expect(throws: LedgerError.self) {
            try fixture.operations.importApplications(
                csv: Array(bad.utf8), callID: "15-2021-01", signer: fixture.instructor,
                time: GrantFixture.time("2021-03-20T09:00:00Z"))
        }
        #expect(try fixture.bytes == before)
        let entries = try fixture.operations.importApplications(
            csv: Array(good.utf8), callID: "15-2021-01", signer: fixture.instructor,
            time: GrantFixture.time("2021-03-20T09:00:00Z"))
        #expect(entries.count == 2)
        #expect(try fixture.state.applications["I2"]?.application.requestedCents == 2_000_000)
    }

    /// Property: folding the log from scratch gives the state the writer maintained incrementally, whatever
    /// the events (valid or not).
    @Test("incremental projection equals a rebuild from scratch", arguments: [UInt64(1), 2, 3])
    func incrementalEqualsRebuild(seed: UInt64) throws {
        let fixture = try GrantFixture()
        try fixture.buildScenario()
        var random = SplitMix64(seed: seed)
        let ids = ["A", "B", "C", "D", "X"]
        var clock = GrantFixture.time("2021-09-02T09:00:00Z")
        try fixture.ledger.write { (w) throws(LedgerError) in
            for step in 0..<60 {
                clock = clock.adding(seconds: 3600)
                let id = ids[Int(random.next() % UInt64(ids.count))]
                let payload: JSONValue
                let type: String
                let signer: Ed25519PrivateKey
                switch random.next() % 5 {
                case 0:
                    type = GrantEventType.paymentRecorded
                    payload =
                        GrantPayment(
                            applicationID: id, amountCents: Int64(random.next() % 600_000 + 1), reference: "R\(step)",
                            paidOn: GrantFixture.date(clock.date)
                        ).payload
                    signer = fixture.payer
                case 1:
                    type = GrantEventType.decisionWithdrawn
                    payload =
                        Withdrawal(
                            applicationID: id, reason: "r", reference: "W\(step)",
                            withdrawnOn: GrantFixture.date(clock.date)
                        ).payload
                    signer = fixture.prefect
                case 2:
                    type = GrantEventType.applicationScored
                    payload = fixture.score(id, 1, 2, 3).payload
                    signer = fixture.instructor
                case 3:
                    type = GrantEventType.applicationSubmitted
                    payload = fixture.application("N\(step)", GrantFixture.vernols, submitted: "2021-04-01").payload
                    signer = fixture.instructor
                default:
                    type = GrantEventType.decisionRecorded
                    payload =
                        GrantDecision(
                            applicationID: id, outcome: .granted, amountCents: 500_000, motive: .criteriaMet,
                            motiveText: "m",
                            callVersion: String(repeating: "0", count: 64), reference: "D\(step)",
                            decidedOn: GrantFixture.date(clock.date)
                        ).payload
                    signer = fixture.prefect
                }
                try w.appendWithoutValidation(type: type, payload: payload, signer: signer, time: clock)
                try w.flush()
                let incremental = Fingerprint.of(w.state.domain.state)
                let rebuilt =
                    (try? fixture.ledger.store.replayForTests(reference: fixture.reference)).map(Fingerprint.of)
                    ?? "unreadable"
                #expect(incremental == rebuilt, "after step \(step)")
            }
        }
    }
}

/// A canonical summary of a state, for equality checks.
enum Fingerprint {
    static func of(_ state: GrantState) -> String {
        var lines: [String] = []
        for id in state.callOrder {
            let c = state.calls[id]!
            lines.append(
                "call \(id) v\(c.versions.count) env \(c.envelopeCents) com \(c.committedCents) paid \(c.paidCents) apps \(c.applicationIDs)"
            )
        }
        for id in state.applications.keys.sorted() {
            let a = state.applications[id]!
            lines.append(
                "app \(id) \(a.status) \(a.weightedScore ?? -1) \(a.decision?.amountCents ?? -1) \(a.paidCents) \(a.history.map(\.seq))"
            )
        }
        lines.append("refs \(state.paymentReferences.sorted())")
        return lines.joined(separator: "\n")
    }
}

extension LedgerStore {
    /// A from-scratch fold of the file, read without the writer lock (the test holds it).
    func replayForTests(reference: ReferenceData) throws -> GrantState {
        let data = try Data(contentsOf: URL(fileURLWithPath: logPath))
        var replayer = Replayer(domain: GrantRules(reference: reference))
        var outcomes = RuleOutcomes()
        for line in Array(data).split(separator: 0x0A) {
            replayer.apply(try Entry(line: Array(line)), outcomes: &outcomes)
        }
        return replayer.domain.state
    }
}
