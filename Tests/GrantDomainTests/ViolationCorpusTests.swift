import Foundation
import GrantDomain
import LedgerCore
import LedgerCrypto
import Testing
import GrantLedgerTestSupport

/// One ledger of the violation corpus: it breaks exactly one rule of `docs/RULES.md`.
struct ViolationCase: Sendable, CustomTestStringConvertible {
    enum Expected: Sendable {
        /// The rule fails, and nothing else is reported.
        case fails
        /// These rules are reported as declared deviations, and nothing else.
        case deviations([RuleID])
        /// The rule is reported as not checked (never passed), and nothing else.
        case notChecked
    }

    /// The rule this ledger is about.
    let rule: RuleID
    let label: String
    let expected: Expected
    /// Writes the ledger into the directory and returns its store.
    let build: @Sendable (String) throws -> LedgerStore

    init(
        _ rule: RuleID, _ label: String, _ expected: Expected = .fails,
        _ build: @escaping @Sendable (String) throws -> LedgerStore
    ) {
        self.rule = rule
        self.label = label
        self.expected = expected
        self.build = build
    }

    var testDescription: String { "\(rule) — \(label)" }
}

private typealias B = CorpusBuilder

private let communes = CorpusBuilder.communes
/// 3×1 + 2×1 + 1×1 = 6, below the threshold of 15.
private let lowScores: [String: Int64] = ["impact": 1, "need": 1, "local_provider": 1]
/// 3×3 + 2×2 + 1×3 = 16.
private let fairScores: [String: Int64] = ["impact": 3, "need": 2, "local_provider": 3]
/// 3×5 + 2×5 + 1×0 = 25.
private let topScores: [String: Int64] = ["impact": 5, "need": 5, "local_provider": 0]
private let justification = "Surcoût validé par le comité départemental du 1er juillet 2021 (test)."

private func d(_ iso: String) -> CalendarDate { CorpusBuilder.date(iso) }

/// A raw entry after `previous`: next seq, chained, a minute later, signed by the authority.
private func rawAfter(
    _ previous: Entry, version: Int64 = Entry.formatVersion, seq: Int64? = nil, prev: String? = nil,
    time: Timestamp? = nil, type: String = EventCatalog.keyRegistered,
    payload: JSONValue = CorpusBuilder.Signer.auditor.registration
) throws -> [UInt8] {
    try CorpusBuilder.signedLine(
        version: version, seq: seq ?? previous.seq + 1, prev: prev ?? previous.hash.hex,
        time: (time ?? previous.time.adding(seconds: 60)).description, type: type, payload: payload,
        signer: CorpusBuilder.Signer.authority.key)
}

enum ViolationCorpus {
    static let cases: [ViolationCase] = integrity + authority + process + eligibility + scoring + budget + payments

    // MARK: Integrity (INT-*)

    static let integrity: [ViolationCase] = [
        ViolationCase("INT-CANONICAL", "a space between tokens in the last line") { dir in
            try B().write(into: dir, editingLastLine: { $0.replacingFirst("\"payload\":{", with: "\"payload\": {") })
        },
        ViolationCase("INT-CANONICAL", "an escaped é in the last line") { dir in
            try B().write(into: dir, editingLastLine: { $0.replacingFirst("é", with: "\\u00e9") })
        },
        ViolationCase("INT-VERSION", "an entry of format version 2") { dir in
            try B().write(into: dir, appendingRaw: { try rawAfter($0, version: 2) })
        },
        ViolationCase("INT-SEQ", "a seq that skips one") { dir in
            try B().write(into: dir, appendingRaw: { try rawAfter($0, seq: $0.seq + 2) })
        },
        ViolationCase("INT-PREV", "a prev that is not the previous line's hash") { dir in
            try B().write(into: dir, appendingRaw: { try rawAfter($0, prev: String(repeating: "0", count: 64)) })
        },
        ViolationCase("INT-TIME", "an entry a minute earlier than the previous one") { dir in
            try B().write(into: dir, appendingRaw: { try rawAfter($0, time: $0.time.adding(seconds: -60)) })
        },
        ViolationCase("INT-GENESIS", "a second ledger.created") { dir in
            try B().write(
                into: dir,
                appendingRaw: { try rawAfter($0, type: EventCatalog.ledgerCreated, payload: B().genesisPayload) })
        },
        // Without a trust root the signer is not judged (no AUT-KEY as well).
        ViolationCase("INT-GENESIS", "a one-line log whose first entry is a key registration") { dir in
            let store = LedgerStore(directory: dir)
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            let entry = try Entry.make(
                seq: 0, prev: .zero, time: Timestamp(rfc3339: "2021-01-04T09:00:00Z")!,
                type: EventCatalog.keyRegistered, payload: B.Signer.instructor.registration,
                signer: B.Signer.authority.key)
            try CorpusBuilder.write([entry.line], to: store)
            return store
        },
        ViolationCase("INT-TYPE", "an event type the verifier does not know") { dir in
            try B().write(
                into: dir, appendingRaw: { try rawAfter($0, type: "grant.unknown", payload: ["note": "inconnu"]) })
        },
        ViolationCase("INT-SIGNATURE", "the last entry's signature made over other bytes") { dir in
            try B().write(
                into: dir,
                editingLastLine: { line in
                    let entry = try Entry(line: line)
                    let forged = try CorpusBuilder.Signer.decider.key.signature(for: Array("autre chose".utf8))
                    return line.replacingFirst(Base64.encode(entry.signature), with: Base64.encode(forged))
                })
        },
        ViolationCase("INT-CANONICAL", "a holder's name in NFD (e + U+0301) instead of NFC") { dir in
            try B().write(
                into: dir,
                appendingRaw: {
                    var payload = B.Signer.auditor.registration.objectValue!
                    payload["holder"] = .string("Cour re\u{301}gionale des comptes (test)")
                    return try rawAfter($0, payload: .object(payload))
                })
        },
        // A file defect is one fault: CRLF on every line gives one finding.
        ViolationCase("INT-CANONICAL", "a log saved with Windows line endings") { dir in
            let store = try B().granted("A").write(into: dir)
            try CorpusBuilder.write(try CorpusBuilder.lines(of: store).map { $0 + [0x0D] }, to: store)
            return store
        },
        ViolationCase("INT-CANONICAL", "a log starting with a UTF-8 byte-order mark") { dir in
            let store = try B().granted("A").write(into: dir)
            var lines = try CorpusBuilder.lines(of: store)
            lines[0] = [0xEF, 0xBB, 0xBF] + lines[0]
            try CorpusBuilder.write(lines, to: store)
            return store
        },
        ViolationCase("INT-GENESIS", "an empty ledger.jsonl") { dir in
            let store = try B().write(into: dir)
            try CorpusBuilder.write([], to: store)
            return store
        },
        ViolationCase("INT-FUTURE", "an entry dated 2099") { dir in
            try B().write(
                into: dir, appendingRaw: { try rawAfter($0, time: Timestamp(rfc3339: "2099-01-01T00:00:00Z")!) })
        },
        // A forged amount: the signature fails, the decision is not applied; the payment that follows depends on
        // that one fault (no AMT-GRID, no PAY-STANDING of its own).
        ViolationCase("INT-SIGNATURE", "a decision's amount changed after signing, then a payment") { dir in
            let store = try B().granted("A").pay("A").write(into: dir)
            var lines = try CorpusBuilder.lines(of: store)
            let decision = lines.firstIndex { (try? Entry(line: $0))?.type == GrantEventType.decisionRecorded }!
            lines[decision] = lines[decision].replacingFirst("\"amount_cents\":500000", with: "\"amount_cents\":900000")
            try CorpusBuilder.write(lines, to: store)
            return store
        },
        // One changed byte in a call: its signature fails, the next line's prev follows from it, and every event
        // of the call's applications depends on it.
        ViolationCase("INT-SIGNATURE", "one byte of the call changed, with three applications after it") { dir in
            let store = try B().granted("A", applicant: communes[0]).granted("B", applicant: communes[1])
                .submit("C", applicant: communes[2]).write(into: dir)
            var lines = try CorpusBuilder.lines(of: store)
            let call = lines.firstIndex { (try? Entry(line: $0))?.type == GrantEventType.callPublished }!
            lines[call] = lines[call].replacingFirst("\"envelope_cents\":2000000", with: "\"envelope_cents\":9000000")
            try CorpusBuilder.write(lines, to: store)
            return store
        },
        ViolationCase("INT-TORN", "the log ends with half a line") { dir in
            let store = try B().write(into: dir)
            let lines = try CorpusBuilder.lines(of: store)
            let next = try rawAfter(try Entry(line: lines[lines.count - 1]))
            try CorpusBuilder.write(lines, tail: Array(next.prefix(next.count / 2)), to: store)
            return store
        },
    ]

    // MARK: Authority (AUT-*, KEY-*)

    static let authority: [ViolationCase] = [
        ViolationCase("AUT-KEY", "an application signed by a key never registered") { dir in
            try B().submit("A", by: .stranger).write(into: dir)
        },
        ViolationCase("AUT-REVOKED", "an application signed by the instructor after its revocation") { dir in
            try B().revoke(keyID: B.Signer.instructor.keyID, on: d("2021-03-02")).submit("A").write(into: dir)
        },
        ViolationCase("AUT-ROLE", "an application signed by the payer") { dir in
            try B().submit("A", by: .payer).write(into: dir)
        },
        ViolationCase("AUT-TERRITORY", "a Cantal application signed by the Puy-de-Dôme prefecture") { dir in
            try B().register(.puyDeDome).submit("A", by: .puyDeDome).write(into: dir)
        },
        ViolationCase("AUT-TERRITORY", "a call of the Puy-de-Dôme published by the Cantal prefecture") { dir in
            var call = B.baseCall()
            call.callID = "63-2021-01"
            call.territories = ["63"]
            return try B().publish(call).write(into: dir)
        },
        ViolationCase("AUT-SEPARATION", "the instructor that scored also decides") { dir in
            try B().submit("A").score("A").grant("A", by: .instructor).write(into: dir)
        },
        ViolationCase("KEY-GENESIS", "an origin with a space") { dir in
            var builder = B()
            builder.genesisPayload = [
                "origin": "corpus grantledger", "title": .string(B.title),
                "public_key": .string(PublicKeyText.encode(B.Signer.authority.key.publicKey)),
            ]
            return try builder.write(into: dir)
        },
        // The signature of a genesis that is not self-signed is not checked against another key.
        ViolationCase("KEY-GENESIS", "ledger.created signed by another key than the one it names") { dir in
            var builder = B()
            builder.genesisSigner = .stranger
            return try builder.write(into: dir)
        },
        ViolationCase("AUT-TERRITORY", "the Puy-de-Dôme prefecture amends the Cantal call onto its own territory") {
            dir in
            var call = B.baseCall()
            call.territories = ["63"]
            return try B().register(.puyDeDome).amend(call, by: .puyDeDome, on: d("2021-02-10")).write(into: dir)
        },
        ViolationCase(
            "AUT-TERRITORY", "a Puy-de-Dôme commune admitted into the Cantal call by the Puy-de-Dôme prefecture"
        ) { dir in
            let outsider = B.reference.communes.values.filter {
                $0.departement.rawValue == "63" && $0.population < 5000
            }
            .min { $0.insee < $1.insee }!
            let applicant = Applicant(
                kind: .commune, name: outsider.name, siren: outsider.siren!.rawValue, insee: outsider.insee.rawValue,
                departement: "63", population: Int64(outsider.population), populationSource: "INSEE")
            return try B().register(.puyDeDome).submit("A", applicant: applicant, by: .puyDeDome)
                .score("A", by: .puyDeDome).grant("A", deviation: justification, by: .puyDeDome).write(into: dir)
        },
        ViolationCase("KEY-REVOKE", "a revocation whose reason is a blank Braille pattern") { dir in
            try B().revoke(keyID: B.Signer.payer.keyID, reason: "\u{2800}\u{2800}\u{2800}", on: d("2021-02-01"))
                .write(into: dir)
        },
        ViolationCase("KEY-REGISTER", "the payer's key registered twice") { dir in
            try B().register(.payer).write(into: dir)
        },
        ViolationCase("KEY-REVOKE", "the revocation of a key never registered") { dir in
            try B().revoke(keyID: B.Signer.stranger.keyID, on: d("2021-02-01")).write(into: dir)
        },
        // A small-order key signs for anyone: the identity point verifies R = identity, S = 0 on every message.
        ViolationCase("KEY-REGISTER", "the identity point registered as a payer key") { dir in
            let der = Ed25519PublicKey.spkiPrefix + [1] + [UInt8](repeating: 0, count: 31)
            let payload: JSONValue = [
                "key_id": .string(SHA256.hash(der).hex), "public_key": .string(Base64.encode(der)), "role": "payer",
                "territories": ["*"], "holder": "Clé d'ordre faible (test)",
            ]
            return try B().raw(EventCatalog.keyRegistered, payload, by: .authority, .on(d("2021-02-01"))).write(
                into: dir)
        },
        ViolationCase("KEY-GENESIS", "ledger.created naming the identity point, with the signature anyone can make") {
            dir in
            let store = LedgerStore(directory: dir)
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            let identity = [1] + [UInt8](repeating: 0, count: 31)
            let der = Ed25519PublicKey.spkiPrefix + identity
            let line = CanonicalJSON.encode([
                "v": .integer(Entry.formatVersion), "seq": 0, "prev": .string(Digest.zero.hex),
                "time": "2021-01-04T09:00:00Z", "type": .string(EventCatalog.ledgerCreated),
                "actor": .string(SHA256.hash(der).hex),
                "sig": .string(Base64.encode(identity + [UInt8](repeating: 0, count: 32))),
                "payload": [
                    "origin": .string(B.origin), "title": .string(B.title), "public_key": .string(Base64.encode(der)),
                ],
            ])
            try CorpusBuilder.write([line], to: store)
            return store
        },
    ]

    // MARK: Process order (EVT-*, SEQ-*)

    static let process: [ViolationCase] = [
        ViolationCase("EVT-PAYLOAD", "a score with an unknown member") { dir in
            try B().submit("A")
                .raw(
                    GrantEventType.applicationScored,
                    [
                        "application_id": "A", "scores": ["impact": 4, "need": 3, "local_provider": 4],
                        "comment": "Notation.",
                        "bonus": 2,
                    ], by: .instructor, .on(B.scoredOn)
                )
                .write(into: dir)
        },
        ViolationCase("SEQ-CALL-UNIQUE", "the call published twice") { dir in
            try B().publish(B.baseCall()).write(into: dir)
        },
        ViolationCase("SEQ-CALL-KNOWN", "an application to a call never published") { dir in
            try B().submit("A", callID: "15-2021-99").write(into: dir)
        },
        // A refused application's later events are not judged again (GrantRules.refusedApplications).
        ViolationCase("SEQ-CALL-KNOWN", "an application to a call never published, then scored, decided and paid") {
            dir in
            try B().submit("A", callID: "15-2021-99").score("A").grant("A").pay("A").write(into: dir)
        },
        ViolationCase("EVT-PAYLOAD", "an application with nothing but its id, then scored") { dir in
            try B()
                .raw(GrantEventType.applicationSubmitted, ["application_id": "B"], by: .instructor, .on(B.submittedOn))
                .score("B").write(into: dir)
        },
        ViolationCase("SEQ-CALL-AMEND", "the call amended after it opened") { dir in
            var call = B.baseCall()
            call.title += " (version 2)"
            return try B().amend(call, on: d("2021-03-10")).write(into: dir)
        },
        ViolationCase("SEQ-CALL-VERSION", "a decision applying a replaced version of the call") { dir in
            var call = B.baseCall()
            call.title += " (version 2)"
            return try B().amend(call, on: d("2021-02-10")).submit("A").score("A").grant("A", version: .first).write(
                into: dir)
        },
        ViolationCase("SEQ-CALL-VERSION", "a decision naming no version of the call") { dir in
            try B().submit("A").score("A").grant("A", version: .unknown).write(into: dir)
        },
        ViolationCase("SEQ-APP-UNIQUE", "two applications with the same id") { dir in
            try B().submit("A").submit("A", applicant: communes[1]).write(into: dir)
        },
        ViolationCase("SEQ-APP-KNOWN", "a score for an application never submitted") { dir in
            try B().score("Z").write(into: dir)
        },
        ViolationCase("SEQ-WINDOW", "an application submitted before the call opens") { dir in
            try B().submit("A", on: d("2021-02-15")).write(into: dir)
        },
        ViolationCase("SEQ-WINDOW", "an application dated after it was recorded") { dir in
            try B().submit("A", on: d("2021-03-20"), recordedOn: d("2021-03-15")).write(into: dir)
        },
        ViolationCase("SEQ-WINDOW", "an application dated before its call was published (criteria not public)") {
            dir in
            var call = B.baseCall()
            call.callID = "15-2021-02"
            call.opensAt = d("2021-01-01")
            return try B().publish(call, on: d("2021-02-01"))
                .submit("A", callID: "15-2021-02", on: d("2021-01-20"), recordedOn: d("2021-02-05")).write(into: dir)
        },
        ViolationCase("SEQ-WINDOW", "an application recorded more than 30 days after the call closed") { dir in
            try B().submit("A", on: d("2021-05-20"), recordedOn: d("2021-07-15")).write(into: dir)
        },
        ViolationCase("SEQ-WINDOW", "an application recorded after the close and after the first decisions") { dir in
            try B().submit("B", applicant: communes[1]).score("B", on: d("2021-06-01"))
                .grant("B", decidedOn: d("2021-06-02"))
                .submit("A", on: d("2021-05-20"), recordedOn: d("2021-06-10")).write(into: dir)
        },
        ViolationCase("SEQ-CALL-AMEND", "a new version that opens before its own publication") { dir in
            var call = B.baseCall()
            call.opensAt = d("2021-02-01")
            return try B().amend(call, on: d("2021-02-10")).write(into: dir)
        },
        ViolationCase("SEQ-SCORE-ONCE", "an application scored twice") { dir in
            try B().submit("A").score("A").score("A").write(into: dir)
        },
        ViolationCase("SEQ-SCORE-FIRST", "a grant without a score") { dir in
            try B().submit("A").grant("A").write(into: dir)
        },
        ViolationCase("SEQ-DECISION-ONCE", "an application granted twice") { dir in
            try B().granted("A").grant("A").write(into: dir)
        },
        ViolationCase("SEQ-WITHDRAWN", "a score after the applicant withdrew") { dir in
            try B().submit("A").withdrawApplication("A").score("A").write(into: dir)
        },
        ViolationCase("SEQ-GRANT-STANDING", "the withdrawal of a grant that was never made") { dir in
            try B().submit("A").score("A", lowScores).reject("A", motive: .belowThreshold).withdrawGrant("A").write(
                into: dir)
        },
        ViolationCase("SEQ-DATES", "a decision dated before the application") { dir in
            try B().submit("A").score("A").grant("A", decidedOn: d("2021-03-10"), recordedOn: B.decidedOn).write(
                into: dir)
        },
        ViolationCase("SEQ-DATES", "a payment dated before the decision") { dir in
            try B().granted("A").pay("A", paidOn: d("2021-07-01"), recordedOn: B.paidOn).write(into: dir)
        },
        ViolationCase("SEQ-DATES", "a decision dated before its score was recorded") { dir in
            try B().submit("A").score("A").grant("A", decidedOn: d("2021-06-10"), recordedOn: B.decidedOn).write(
                into: dir)
        },
        ViolationCase("SEQ-DATES", "a withdrawal recorded after a payment but dated before it") { dir in
            try B().granted("A").pay("A", paidOn: d("2021-10-15"))
                .withdrawGrant("A", on: d("2021-10-01"), recordedOn: d("2021-11-17")).write(into: dir)
        },
        ViolationCase("SEQ-DATES", "a grant withdrawal dated after it was recorded") { dir in
            try B().granted("A").withdrawGrant("A", on: d("2021-12-01"), recordedOn: d("2021-11-17")).write(into: dir)
        },
    ]

    // MARK: Eligibility (ELG-*)

    static let eligibility: [ViolationCase] = [
        ViolationCase("ELG-IDENTIFIERS", "a provider SIRET failing the Luhn check") { dir in
            try B().submit("A") { application in
                let valid = application.provider.siret
                let last = valid.last!.wholeNumberValue!
                application.provider.siret = String(valid.dropLast()) + String((last + 1) % 10)
            }.write(into: dir)
        },
        // ELG-REFERENCE is not evaluated on an applicant whose identifiers are invalid.
        ViolationCase("ELG-IDENTIFIERS", "a commune's INSEE code in another département") { dir in
            try B().submit("A") { $0.applicant.insee = "16" + $0.applicant.insee!.dropFirst(2) }.write(into: dir)
        },
        ViolationCase("ELG-REFERENCE", "a commune's population one above the reference data") { dir in
            try B().submit("A") { $0.applicant.population += 1 }.write(into: dir)
        },
        // A check must not be switchable off by the data it checks: the call itself fails.
        ViolationCase("ELG-REFERENCE", "a call pinning another dataset") { dir in
            try B {
                $0.referenceData = ReferencePin(name: "collectivites-autre", sha256: String(repeating: "0", count: 64))
            }
            .granted("A").write(into: dir)
        },
        ViolationCase("ELG-REFERENCE", "a commune named otherwise than in the reference data") { dir in
            try B().submit("A") { $0.applicant.name += "-le-Grand" }.write(into: dir)
        },
        ViolationCase("ELG-REFERENCE", "the Département du Cantal under a second, Luhn-valid SIREN") { dir in
            var call = B.baseCall()
            call.callID = "15-2021-03"
            call.eligibleApplicants = [.commune, .departement]
            var applicant = B.cantal
            applicant.siren = "22150002" + String(CorpusBuilder.luhnCheckDigit("22150002"))
            return try B().publish(call).submit("A", applicant: applicant, callID: "15-2021-03").write(into: dir)
        },
        ViolationCase("ELG-REFERENCE", "a département's population inflated") { dir in
            var call = B.baseCall()
            call.callID = "15-2021-03"
            call.eligibleApplicants = [.commune, .departement]
            var applicant = B.cantal
            applicant.population *= 2
            return try B().publish(call).submit("A", applicant: applicant, callID: "15-2021-03").write(into: dir)
        },
        ViolationCase("ELG-APPLICANT", "a communauté de communes granted by a call for communes") { dir in
            try B().granted("A", applicant: B.communaute).write(into: dir)
        },
        ViolationCase("ELG-APPLICANT", "the same, with a declared deviation", .deviations(["ELG-APPLICANT"])) { dir in
            try B().submit("A", applicant: B.communaute).score("A").grant("A", deviation: justification).write(
                into: dir)
        },
        ViolationCase("ELG-ACTION", "a deployment granted by a call for studies and projects") { dir in
            try B().submit("A", action: .deploymentSupport).score("A").grant("A").write(into: dir)
        },
        ViolationCase("ELG-TERRITORY", "a Cantal commune granted by a call for the Puy-de-Dôme") { dir in
            var call = B.baseCall()
            call.callID = "63-2021-01"
            call.territories = ["63"]
            // Decided by a key covering the call's territory too: only the call's owner may admit an outsider.
            return try B().register(.auvergne).publish(call, by: .authority).submit("A", callID: "63-2021-01")
                .score("A").grant("A", by: .auvergne).write(into: dir)
        },
    ]

    // MARK: Scoring and amounts (SCO-*, AMT-*)

    static let scoring: [ViolationCase] = [
        ViolationCase("SCO-COMPLETE", "a criterion left unscored") { dir in
            try B().submit("A").score("A", ["impact": 4, "need": 3]).write(into: dir)
        },
        ViolationCase("SCO-COMPLETE", "a score above the criterion's maximum") { dir in
            try B().submit("A").score("A", ["impact": 6, "need": 3, "local_provider": 4]).write(into: dir)
        },
        ViolationCase("SCO-THRESHOLD", "a grant scored 6 where the threshold is 15") { dir in
            try B().submit("A").score("A", lowScores).grant("A").write(into: dir)
        },
        ViolationCase("SCO-THRESHOLD", "the same, with a declared deviation", .deviations(["SCO-THRESHOLD"])) { dir in
            try B().submit("A").score("A", lowScores).grant("A", deviation: justification).write(into: dir)
        },
        ViolationCase("AMT-GRID", "6 000 € where the grid fixes 5 000 €") { dir in
            try B().submit("A").score("A").grant("A", amount: 600_000).write(into: dir)
        },
        ViolationCase("AMT-GRID", "the same, with a declared deviation", .deviations(["AMT-GRID"])) { dir in
            try B().submit("A").score("A").grant("A", amount: 600_000, deviation: justification).write(into: dir)
        },
    ]

    // MARK: Envelope and decisions (BUD-*, DEC-*, DEV-*)

    static let budget: [ViolationCase] = [
        ViolationCase("BUD-ENVELOPE", "a third grant of 5 000 € on an envelope of 10 000 €") { dir in
            try B { $0.envelopeCents = 1_000_000 }
                .granted("A", applicant: communes[0]).granted("B", applicant: communes[1]).granted(
                    "C", applicant: communes[2]
                )
                .write(into: dir)
        },
        ViolationCase("BUD-ENVELOPE", "a grant dated before the withdrawal that freed the money") { dir in
            try B { $0.envelopeCents = 500_000 }
                .submit("A", applicant: communes[0]).submit("B", applicant: communes[1])
                .score("A").score("B")
                .grant("A")
                .withdrawGrant("A", on: d("2021-08-01"))
                .grant("B", decidedOn: d("2021-07-20"), recordedOn: d("2021-08-02"))
                .write(into: dir)
        },
        ViolationCase("BUD-ONE-AWARD", "a second grant to the same commune") { dir in
            try B().granted("A").granted("B").write(into: dir)
        },
        ViolationCase(
            "BUD-MERIT", "a better-scored application rejected as envelope exhausted after a lower one was granted"
        ) { dir in
            try B { $0.envelopeCents = 500_000 }
                .submit("A", applicant: communes[0]).submit("B", applicant: communes[1])
                .score("A").score("B", fairScores)
                .grant("B").reject("A", motive: .envelopeExhausted)
                .write(into: dir)
        },
        ViolationCase(
            "BUD-MERIT", "a lower-scored application granted after a better one was rejected as envelope exhausted"
        ) { dir in
            // C takes the envelope, A is rightly refused for lack of funds, C's grant is withdrawn, which frees
            // the envelope, and B, scored below A, gets it.
            try B { $0.envelopeCents = 700_000 }
                .submit("A", applicant: communes[0]).submit("B", applicant: communes[1]).submit(
                    "C", applicant: communes[2]
                )
                .score("A").score("B", fairScores).score("C", topScores)
                .grant("C").reject("A", motive: .envelopeExhausted)
                .withdrawGrant("C", on: d("2021-07-07"))
                .grant("B", decidedOn: d("2021-07-08"))
                .write(into: dir)
        },
        ViolationCase("DEC-MOTIVE", "a rejection below_threshold for a score above the threshold") { dir in
            try B().submit("A").score("A").reject("A", motive: .belowThreshold).write(into: dir)
        },
        ViolationCase("DEC-MOTIVE", "a grant with the motive duplicate_award") { dir in
            try B().submit("A").score("A").grant("A", motive: .duplicateAward).write(into: dir)
        },
        ViolationCase("DEC-MOTIVE", "a rejection envelope_exhausted with the envelope untouched") { dir in
            try B().submit("A").score("A").reject("A", motive: .envelopeExhausted).write(into: dir)
        },
        // A false envelope_exhausted is DEC-MOTIVE's alone: BUD-MERIT judges only true ones.
        ViolationCase("DEC-MOTIVE", "envelope_exhausted with funds left, after a lower-scored grant") { dir in
            try B().submit("A", applicant: communes[0]).submit("B", applicant: communes[1])
                .score("A").score("B", fairScores)
                .grant("B").reject("A", motive: .envelopeExhausted)
                .write(into: dir)
        },
        ViolationCase("DEC-MOTIVE", "envelope_exhausted with funds left, before a lower-scored grant") { dir in
            try B().submit("A", applicant: communes[0]).submit("B", applicant: communes[1])
                .score("A").score("B", fairScores)
                .reject("A", motive: .envelopeExhausted).grant("B")
                .write(into: dir)
        },
        // incomplete_file cannot be checked against the file: it is admissible only before any score.
        ViolationCase("DEC-MOTIVE", "a scored application rejected as incomplete") { dir in
            try B().submit("A").score("A").reject("A", motive: .incompleteFile).write(into: dir)
        },
        ViolationCase("EVT-PAYLOAD", "a deviation justified by zero-width spaces") { dir in
            try B().submit("A").score("A", lowScores)
                .grant("A", deviation: String(repeating: "\u{200B}", count: 30)).write(into: dir)
        },
        ViolationCase("EVT-PAYLOAD", "a deviation justified in three letters") { dir in
            try B().submit("A").score("A", lowScores).grant("A", deviation: "vu.").write(into: dir)
        },
        ViolationCase("EVT-PAYLOAD", "a motive text of Hangul fillers (U+3164)") { dir in
            try B().submit("A").score("A", lowScores)
                .decide(
                    "A", outcome: .rejected, amount: 0, motive: .belowThreshold,
                    motiveText: String(repeating: "\u{3164}", count: 10)
                ).write(into: dir)
        },
        ViolationCase("EVT-PAYLOAD", "a title with a terminal escape sequence") { dir in
            try B().submit("A") { $0.title = "Étude\u{1B}[2J\u{1B}[H" }.write(into: dir)
        },
        ViolationCase("EVT-PAYLOAD", "an application id with a Cyrillic look-alike letter") { dir in
            try B().submit("\u{0410}-0001").write(into: dir)
        },
        ViolationCase("EVT-PAYLOAD", "a grant above the cap of ten billion euros") { dir in
            try B().submit("A").score("A").grant("A", amount: 1_000_000_000_001).write(into: dir)
        },
        ViolationCase(
            "DEV-DECLARED", "a deviation declared on a grant that follows every rule", .deviations(["DEV-DECLARED"])
        ) { dir in
            try B().submit("A").score("A").grant("A", deviation: justification).write(into: dir)
        },
    ]

    // MARK: Payments (PAY-*)

    static let payments: [ViolationCase] = [
        ViolationCase("PAY-STANDING", "a payment on a rejected application") { dir in
            try B().submit("A").score("A", lowScores).reject("A", motive: .belowThreshold).pay("A", amount: 500_000)
                .write(into: dir)
        },
        ViolationCase("PAY-STANDING", "a payment after the grant was withdrawn") { dir in
            try B().granted("A").withdrawGrant("A").pay("A", paidOn: d("2021-12-01")).write(into: dir)
        },
        ViolationCase("PAY-CEILING", "6 000 € paid on a grant of 5 000 €") { dir in
            try B().granted("A").pay("A", amount: 600_000).write(into: dir)
        },
        ViolationCase("PAY-REFERENCE", "two instalments with the same payment reference") { dir in
            try B().granted("A").pay("A", amount: 250_000, reference: "DRFIP-2021-000001")
                .pay("A", amount: 250_000, reference: "DRFIP-2021-000001", paidOn: d("2021-10-15")).write(into: dir)
        },
    ]
}

@Suite("Violation corpus: each ledger breaks exactly one rule")
struct ViolationCorpusTests {
    static func temporaryDirectory() -> String {
        TestDirectory.path("grantledger-corpus")
    }

    static func verify(_ store: LedgerStore) throws -> VerificationReport {
        try LedgerVerifier.verify(store: store, domain: GrantRules(reference: try ReferenceData.shared())).0
    }

    static func describe(_ findings: [Finding]) -> String {
        findings.map { "seq \($0.seq) \($0.rule) [\($0.kind.rawValue)] \($0.message)" }.joined(separator: "\n")
    }

    @Test("the ledger is flagged with exactly its rule", arguments: ViolationCorpus.cases)
    func flagged(_ violation: ViolationCase) throws {
        let directory = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let report = try Self.verify(try violation.build(directory))
        let findings = report.outcomes.sortedFindings
        let failed = Set(report.outcomes.failures.map(\.rule))
        switch violation.expected {
        case .fails:
            // One fault, one finding: what follows from it is reported as depending on its seq.
            #expect(failed == [violation.rule], "\(Self.describe(findings))")
            let own = findings.filter { $0.dependsOn == nil }
            #expect(own.count == 1, "one fault, one finding:\n\(Self.describe(findings))")
            #expect(
                findings.allSatisfy { $0.dependsOn == nil || $0.dependsOn == own.first?.seq },
                "dependent findings name the fault:\n\(Self.describe(findings))")
            #expect(!report.isValid)
        case .deviations(let rules):
            #expect(failed.isEmpty, "\(Self.describe(findings))")
            #expect(findings.allSatisfy { $0.kind == .deviation }, "\(Self.describe(findings))")
            #expect(findings.map(\.rule).sorted() == rules.sorted(), "\(Self.describe(findings))")
            #expect(report.isValid)
        case .notChecked:
            #expect(failed.isEmpty, "\(Self.describe(findings))")
            #expect(
                !findings.isEmpty && findings.allSatisfy { $0.kind == .notChecked && $0.rule == violation.rule },
                "\(Self.describe(findings))")
            let tally = report.outcomes.tallies[violation.rule]
            #expect(tally?.notChecked ?? 0 > 0)
            #expect(tally?.passed ?? 0 == 0, "a rule that cannot be checked is never passed")
            #expect(report.isValid)
        }
    }

    /// The rule ids of `docs/RULES.md`: the first code span of every table row. The `TLOG-*` rules judge
    /// checkpoint files, not entries: their corpus is `TransparencyCommandTests` in the CLI tests.
    static func documentedRules() throws -> [RuleID] {
        let doc = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("docs/RULES.md")
        let text = try String(contentsOf: doc, encoding: .utf8)
        var rules: [RuleID] = []
        for line in text.split(separator: "\n") where line.hasPrefix("| `") {
            let rest = line.dropFirst(3)
            guard let end = rest.firstIndex(of: "`") else { continue }
            let rule = RuleID(String(rest[..<end]))
            if rule.family != "TLOG" { rules.append(rule) }
        }
        return rules
    }

    @Test("every rule of docs/RULES.md has a case, and every case a documented rule")
    func everyRuleIsCovered() throws {
        let documented = try Self.documentedRules()
        #expect(documented.count >= 40, "parsed \(documented.count) rule ids from docs/RULES.md")
        #expect(Set(documented).count == documented.count, "rule ids are unique")
        let covered = Set(ViolationCorpus.cases.map(\.rule))
        #expect(Set(documented).subtracting(covered).sorted() == [], "rules without a case")
        #expect(covered.subtracting(documented).sorted() == [], "cases for undocumented rules")
    }

    @Test("a clean small ledger passes with no finding")
    func cleanLedger() throws {
        let directory = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try B()
            .granted("A", applicant: communes[0])
            .submit("B", applicant: communes[1], action: .projectSupport).score("B", fairScores).grant("B")
            .submit("C", applicant: communes[2]).score("C", lowScores).reject("C", motive: .belowThreshold)
            .submit("D", applicant: B.communaute).score("D").reject("D", motive: .ineligibleApplicant)
            .submit("E", applicant: communes[3], action: .deploymentSupport).score("E").reject(
                "E", motive: .ineligibleAction
            )
            .submit("F", applicant: communes[4]).withdrawApplication("F")
            .submit("G", applicant: communes[5]).reject("G", motive: .incompleteFile)
            .submit("H", applicant: communes[0]).score("H").reject("H", motive: .duplicateAward)
            .pay("A")
            .pay("B", amount: 250_000)
            .withdrawGrant("B", on: d("2021-10-01"))
            .write(into: directory)
        let report = try Self.verify(store)
        #expect(report.outcomes.findings.isEmpty, "\(Self.describe(report.outcomes.sortedFindings))")
        #expect(report.isValid)
        #expect(report.entries > 20)
    }

    @Test("the demo ledger passes")
    func demoLedger() throws {
        let directory = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        _ = try DemoBuilder(reference: try ReferenceData.shared()).build(into: directory)
        let report = try Self.verify(LedgerStore(directory: directory))
        #expect(report.outcomes.failures.isEmpty, "\(Self.describe(report.outcomes.failures))")
        #expect(report.isValid)
        #expect(
            report.outcomes.findings.allSatisfy { $0.kind == .deviation },
            "\(Self.describe(report.outcomes.sortedFindings))")
    }
}
