import Foundation
import GrantDomain
import LedgerCore
import LedgerCrypto

/// Small grant ledgers for the violation corpus (`docs/RULES.md`), written through the library with
/// append-time checks bypassed (`appendWithoutValidation`), so that a ledger may break a rule on purpose.
///
/// A builder starts from a clean base: the authority's `ledger.created`, the Cantal prefecture's instructor
/// and decider keys, a payer key, and one call (`15-2021-01`, national grid and criteria). Steps are added
/// fluently and written in order by `write(into:)`:
///
/// ```swift
/// let store = try CorpusBuilder()
///     .submit("A")
///     .score("A")
///     .grant("A")
///     .pay("A")
///     .write(into: directory)
/// ```
///
/// Every entry is recorded at 09:00 UTC on its business date (the date of submission, decision, payment…),
/// or a minute after the previous entry if that is later, so entry times never go backwards unless a step
/// says so; steps are written in the order of those dates (stable), so that a chain of steps reads as the
/// process it describes. Keys derive from fixed seeds; applicants are real small communes of the Cantal.
struct CorpusBuilder: Sendable {
    // MARK: - Keys

    /// The keys a corpus ledger may use, each from a fixed seed.
    enum Signer: String, Sendable, CaseIterable {
        case authority, instructor, decider, payer, auditor, puyDeDome, stranger, auvergne

        var key: Ed25519PrivateKey { CorpusBuilder.keys[self]! }
        var keyID: String { key.publicKey.keyID }

        var role: Role {
            switch self {
            case .authority: return .authority
            case .instructor, .decider, .puyDeDome, .auvergne, .stranger: return .prefecture
            case .payer: return .payer
            case .auditor: return .auditor
            }
        }

        var territories: [String] {
            switch self {
            case .authority, .payer, .auditor: return ["*"]
            case .instructor, .decider, .stranger: return ["15"]
            case .puyDeDome: return ["63"]
            case .auvergne: return ["15", "63"]
            }
        }

        var holder: String {
            switch self {
            case .authority: return "Autorité de gestion (corpus de test)"
            case .instructor: return "Préfecture du Cantal, service instructeur (test)"
            case .decider: return "Préfecture du Cantal (test)"
            case .payer: return "DRFIP, paiement (test)"
            case .auditor: return "Auditeur (test)"
            case .puyDeDome: return "Préfecture du Puy-de-Dôme (test)"
            case .auvergne: return "Préfecture de la région Auvergne-Rhône-Alpes (test)"
            case .stranger: return "Clé jamais enregistrée (test)"
            }
        }

        /// The payload of this key's `key.registered`.
        var registration: JSONValue {
            KeyRegistry.registrationPayload(key.publicKey, role: role, territories: territories, holder: holder)
        }
    }

    static let keys: [Signer: Ed25519PrivateKey] = {
        var keys: [Signer: Ed25519PrivateKey] = [:]
        for (index, signer) in Signer.allCases.enumerated() {
            keys[signer] = try! Ed25519PrivateKey(seed: [UInt8](repeating: UInt8(0x41 + index), count: 32))
        }
        return keys
    }()

    static func signer(forKeyID keyID: String) -> Ed25519PrivateKey? {
        Signer.allCases.first { $0.keyID == keyID }?.key
    }

    // MARK: - Reference data and fixtures

    static let reference: ReferenceData = try! ReferenceData.shared()

    static let origin = "corpus.grantledger.example/test"
    static let title = "Relance numérique — corpus de violations"
    static let callID = "15-2021-01"

    static func date(_ iso: String) -> CalendarDate { try! CalendarDate(iso: iso) }

    static let opens = date("2021-03-01")
    static let closes = date("2021-05-31")
    static let submittedOn = date("2021-03-15")
    static let scoredOn = date("2021-06-14")
    static let decidedOn = date("2021-07-06")
    static let paidOn = date("2021-09-15")
    static let withdrawnOn = date("2021-11-17")

    /// The dataset pin of the bundled reference data.
    static let pin = ReferencePin(name: "collectivites-cog-2026", sha256: reference.datasetID)

    /// The base call: the Cantal, the national grid and criteria (threshold 15 of 30), communes only,
    /// studies and project support only, 20 000 € of envelope, every process rule on.
    static func baseCall() -> GrantCall {
        GrantCall(
            callID: callID, title: "Accompagnement numérique des communes du Cantal", territories: ["15"],
            opensAt: opens, closesAt: closes, envelopeCents: 2_000_000,
            eligibleActions: [.strategyStudy, .projectSupport], eligibleApplicants: [.commune],
            threshold: 15, referenceData: pin)
    }

    /// Small communes of the Cantal (fewer than 5 000 inhabitants, with a SIREN), by INSEE code.
    static let communes: [Applicant] = {
        let source = "INSEE, populations légales (COG 2026)"
        return reference.communes.values
            .filter { $0.departement.rawValue == "15" && $0.siren != nil && $0.population < 5_000 }
            .sorted { $0.insee < $1.insee }
            .prefix(6)
            .map {
                Applicant(
                    kind: .commune, name: $0.name, siren: $0.siren!.rawValue, insee: $0.insee.rawValue,
                    departement: "15", population: Int64($0.population), populationSource: source)
            }
    }()

    /// A communauté de communes seated in the Cantal.
    static let communaute: Applicant = {
        let epci = reference.epcis.values
            .filter { $0.departement.rawValue == "15" && $0.applicantKind == .communauteDeCommunes }
            .sorted { $0.siren < $1.siren }
            .first!
        return Applicant(
            kind: .communauteDeCommunes, name: epci.name, siren: epci.siren.rawValue, insee: nil,
            departement: "15", population: Int64(epci.population), populationSource: "DGCL 2025")
    }()

    /// The Département du Cantal as an applicant, as the reference data describes it.
    static let cantal: Applicant = {
        let collectivite = reference.collectivite(SIREN("221500010")!, level: .departement)!
        return Applicant(
            kind: .departement, name: collectivite.name, siren: collectivite.siren.rawValue, insee: nil,
            departement: "15", population: Int64(collectivite.population), populationSource: "INSEE (COG 2026)")
    }()

    /// A provider with a valid SIRET (Luhn on the SIREN and on the whole SIRET).
    static let provider = Provider(
        name: "Conseil numérique du Cantal (test)", siret: siret(siren: "12345678", nic: "0001"),
        departement: "15")

    /// Appends Luhn check digits: 8 digits → SIREN, then 4 digits of NIC → SIRET.
    static func siret(siren: String, nic: String) -> String {
        let siren = siren + String(luhnCheckDigit(siren))
        let body = siren + nic
        return body + String(luhnCheckDigit(body))
    }

    static func luhnCheckDigit(_ digits: String) -> Int {
        var sum = 0
        for (index, character) in digits.reversed().enumerated() {
            var value = character.wholeNumberValue!
            if index % 2 == 0 {
                value *= 2
                if value > 9 { value -= 9 }
            }
            sum += value
        }
        return (10 - sum % 10) % 10
    }

    /// Scores that clear the threshold: 3×4 + 2×3 + 1×4 = 22.
    static let goodScores: [String: Int64] = ["impact": 4, "need": 3, "local_provider": 4]

    // MARK: - Steps

    /// When an entry is recorded.
    enum When: Sendable {
        /// 09:00 UTC on that date, or a minute after the previous entry if later.
        case on(CalendarDate)
        /// Exactly this time (may go backwards).
        case at(Timestamp)
    }

    /// What a step can read of the ledger written so far.
    struct Context: Sendable {
        /// Call id → entry hashes of its versions, in order.
        var callVersions: [String: [String]] = [:]
    }

    /// Which call version a decision names.
    enum Version: Sendable {
        case current, first, unknown
    }

    struct Step: Sendable {
        let type: String
        let signer: Signer
        let when: When
        let payload: @Sendable (Context) -> JSONValue
    }

    /// The `ledger.created` payload; tests may replace it.
    var genesisPayload: JSONValue = [
        "origin": .string(CorpusBuilder.origin), "title": .string(CorpusBuilder.title),
        "public_key": .string(PublicKeyText.encode(Signer.authority.key.publicKey)),
    ]
    /// The key that signs `ledger.created`; tests may replace it.
    var genesisSigner: Signer = .authority
    private(set) var steps: [Step] = []
    /// Applications added so far, by id (for default amounts).
    private(set) var applications: [String: GrantApplication] = [:]
    /// Calls published so far, by id.
    private(set) var calls: [String: GrantCall] = [:]

    /// The base ledger: keys of the instructor, the decider and the payer, then the base call (possibly
    /// changed by `call`), published by the decider.
    init(call: (inout GrantCall) -> Void = { _ in }) {
        let jan = CorpusBuilder.date("2021-01-04")
        self = CorpusBuilder(empty: ())
            .register(.instructor, on: jan)
            .register(.decider, on: jan)
            .register(.payer, on: jan)
        var base = CorpusBuilder.baseCall()
        call(&base)
        self = publish(base)
    }

    /// Only the genesis entry.
    init(empty: Void) {}

    // MARK: - Fluent steps

    /// Adds any entry (payload fixed).
    func raw(_ type: String, _ payload: JSONValue, by signer: Signer, _ when: When) -> CorpusBuilder {
        var copy = self
        copy.steps.append(Step(type: type, signer: signer, when: when, payload: { _ in payload }))
        return copy
    }

    func register(
        _ key: Signer, on date: CalendarDate = CorpusBuilder.date("2021-01-04"), by signer: Signer = .authority
    )
        -> CorpusBuilder
    {
        raw(EventCatalog.keyRegistered, key.registration, by: signer, .on(date))
    }

    func revoke(keyID: String, reason: String = "Changement de titulaire (test).", on date: CalendarDate)
        -> CorpusBuilder
    {
        raw(EventCatalog.keyRevoked, ["key_id": .string(keyID), "reason": .string(reason)], by: .authority, .on(date))
    }

    func publish(
        _ call: GrantCall, by signer: Signer = .decider, on date: CalendarDate = CorpusBuilder.date("2021-01-15")
    )
        -> CorpusBuilder
    {
        var copy = raw(GrantEventType.callPublished, call.payload, by: signer, .on(date))
        if copy.calls[call.callID] == nil { copy.calls[call.callID] = call }
        return copy
    }

    func amend(_ call: GrantCall, by signer: Signer = .decider, on date: CalendarDate) -> CorpusBuilder {
        var copy = raw(GrantEventType.callAmended, call.payload, by: signer, .on(date))
        copy.calls[call.callID] = call
        return copy
    }

    /// Submits application `id` (by default: the first small commune, a strategy study, to the base call).
    func submit(
        _ id: String, applicant: Applicant = CorpusBuilder.communes[0], action: GrantAction = .strategyStudy,
        callID: String = CorpusBuilder.callID, on date: CalendarDate = CorpusBuilder.submittedOn,
        recordedOn: CalendarDate? = nil, by signer: Signer = .instructor,
        edit: (inout GrantApplication) -> Void = { _ in }
    ) -> CorpusBuilder {
        let amount =
            (calls[callID] ?? CorpusBuilder.baseCall()).gridLine(
                kind: applicant.kind, population: applicant.population)?
            .line.amountCents ?? 500_000
        var application = GrantApplication(
            applicationID: id, callID: callID, applicant: applicant, action: action,
            title: "\(action.label) — \(applicant.name)", summary: "Dossier du corpus de test.",
            requestedCents: amount, provider: CorpusBuilder.provider, submittedOn: date)
        edit(&application)
        var copy = raw(GrantEventType.applicationSubmitted, application.payload, by: signer, .on(recordedOn ?? date))
        if copy.applications[id] == nil { copy.applications[id] = application }
        return copy
    }

    func score(
        _ id: String, _ scores: [String: Int64] = CorpusBuilder.goodScores, by signer: Signer = .instructor,
        on date: CalendarDate = CorpusBuilder.scoredOn
    ) -> CorpusBuilder {
        raw(
            GrantEventType.applicationScored,
            ApplicationScore(applicationID: id, scores: scores, comment: "Notation du corpus de test.").payload,
            by: signer, .on(date))
    }

    /// The grid amount of application `id` under its call.
    func gridAmount(_ id: String) -> Int64 {
        guard let application = applications[id] else { return 500_000 }
        let call = calls[application.callID] ?? CorpusBuilder.baseCall()
        return call.gridLine(kind: application.applicant.kind, population: application.applicant.population)?
            .line.amountCents ?? 500_000
    }

    func decide(
        _ id: String, outcome: DecisionOutcome, amount: Int64, motive: DecisionMotive, version: Version = .current,
        decidedOn: CalendarDate = CorpusBuilder.decidedOn, recordedOn: CalendarDate? = nil,
        deviation: String? = nil, reference: String? = nil, motiveText: String? = nil, by signer: Signer = .decider
    ) -> CorpusBuilder {
        let callID = applications[id]?.callID ?? CorpusBuilder.callID
        let text =
            motiveText
            ?? (outcome == .granted ? "Projet retenu au vu des critères publiés." : "Rejet : \(motive.label).")
        let reference = reference ?? "Arrêté n° 2021-15-\(id)-\(steps.count)"
        var copy = self
        copy.steps.append(
            Step(type: GrantEventType.decisionRecorded, signer: signer, when: .on(recordedOn ?? decidedOn)) { context in
                let versions = context.callVersions[callID] ?? []
                let hash: String
                switch version {
                case .current: hash = versions.last ?? String(repeating: "0", count: 64)
                case .first: hash = versions.first ?? String(repeating: "0", count: 64)
                case .unknown: hash = String(repeating: "ab", count: 32)
                }
                return GrantDecision(
                    applicationID: id, outcome: outcome, amountCents: amount, motive: motive, motiveText: text,
                    callVersion: hash, reference: reference, decidedOn: decidedOn, deviation: deviation
                ).payload
            })
        return copy
    }

    /// Grants application `id`, by default the grid amount with motive `criteria_met`.
    func grant(
        _ id: String, amount: Int64? = nil, motive: DecisionMotive = .criteriaMet, version: Version = .current,
        decidedOn: CalendarDate = CorpusBuilder.decidedOn, recordedOn: CalendarDate? = nil, deviation: String? = nil,
        by signer: Signer = .decider
    )
        -> CorpusBuilder
    {
        decide(
            id, outcome: .granted, amount: amount ?? gridAmount(id), motive: motive, version: version,
            decidedOn: decidedOn, recordedOn: recordedOn, deviation: deviation, by: signer)
    }

    func reject(
        _ id: String, motive: DecisionMotive, decidedOn: CalendarDate = CorpusBuilder.decidedOn,
        deviation: String? = nil, by signer: Signer = .decider
    ) -> CorpusBuilder {
        decide(
            id, outcome: .rejected, amount: 0, motive: motive, decidedOn: decidedOn, deviation: deviation, by: signer)
    }

    func pay(
        _ id: String, amount: Int64? = nil, reference: String? = nil, paidOn: CalendarDate = CorpusBuilder.paidOn,
        recordedOn: CalendarDate? = nil, by signer: Signer = .payer
    ) -> CorpusBuilder {
        let payment = GrantPayment(
            applicationID: id, amountCents: amount ?? gridAmount(id),
            reference: reference ?? "DRFIP-2021-\(id)-\(steps.count)", paidOn: paidOn)
        return raw(GrantEventType.paymentRecorded, payment.payload, by: signer, .on(recordedOn ?? paidOn))
    }

    /// The applicant withdraws its application (`application.withdrawn`).
    func withdrawApplication(
        _ id: String, on date: CalendarDate = CorpusBuilder.date("2021-06-02"),
        by signer: Signer = .instructor
    ) -> CorpusBuilder {
        raw(
            GrantEventType.applicationWithdrawn,
            Withdrawal(
                applicationID: id, reason: "Le conseil municipal renonce au projet (test).", reference: nil,
                withdrawnOn: date
            ).payload,
            by: signer, .on(date))
    }

    /// The prefecture withdraws a grant (`decision.withdrawn`).
    func withdrawGrant(
        _ id: String, on date: CalendarDate = CorpusBuilder.withdrawnOn, recordedOn: CalendarDate? = nil,
        by signer: Signer = .decider
    ) -> CorpusBuilder {
        raw(
            GrantEventType.decisionWithdrawn,
            Withdrawal(
                applicationID: id, reason: "Conditions de l'aide non remplies (test).",
                reference: "Arrêté de retrait \(id)", withdrawnOn: date
            ).payload,
            by: signer, .on(recordedOn ?? date))
    }

    /// A full clean path for application `id`: submitted, scored, granted at the grid amount.
    func granted(
        _ id: String, applicant: Applicant = CorpusBuilder.communes[0],
        scores: [String: Int64] = CorpusBuilder.goodScores
    )
        -> CorpusBuilder
    {
        submit(id, applicant: applicant).score(id, scores).grant(id)
    }

    // MARK: - Writing

    /// Writes the ledger into `directory` (created if needed; must not hold a ledger) and returns its store.
    @discardableResult
    func write(into directory: String) throws -> LedgerStore {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let reference = CorpusBuilder.reference
        let ledger = Ledger(directory: directory, domain: { GrantRules(reference: reference) })
        var clock = Timestamp(rfc3339: "2021-01-04T09:00:00Z")!
        let genesis = try Entry.make(
            seq: 0, prev: .zero, time: clock, type: EventCatalog.ledgerCreated,
            payload: genesisPayload, signer: genesisSigner.key)
        try ledger.store.create(genesis: genesis)
        // Steps are recorded in the order of their recording dates (stable for equal dates), as a prefecture
        // records them: `.granted("A").granted("B")` submits both before deciding either.
        func day(_ when: When) -> String {
            switch when {
            case .on(let date): return date.iso
            case .at(let time): return time.date
            }
        }
        let steps = self.steps.enumerated().sorted {
            (day($0.element.when), $0.offset) < (day($1.element.when), $1.offset)
        }
        .map(\.element)
        try ledger.write { (writer) throws(LedgerError) in
            var context = Context()
            for step in steps {
                switch step.when {
                case .on(let date):
                    clock = max(clock.adding(seconds: 60), Timestamp(date: date.iso)!.adding(seconds: 9 * 3600))
                case .at(let time): clock = time
                }
                let payload = step.payload(context)
                let entry = try writer.appendWithoutValidation(
                    type: step.type, payload: payload, signer: step.signer.key, time: clock)
                if step.type == GrantEventType.callPublished || step.type == GrantEventType.callAmended,
                    let callID = payload["call_id"]?.stringValue
                {
                    context.callVersions[callID, default: []].append(entry.hash.hex)
                }
            }
        }
        return ledger.store
    }

    // MARK: - Byte-level tampering (integrity rules)

    /// The lines of a log, without their `\n`; a torn tail is dropped.
    static func lines(of store: LedgerStore) throws -> [[UInt8]] {
        let data = try Data(contentsOf: URL(fileURLWithPath: store.logPath))
        var lines = Array(data).split(separator: 0x0A, omittingEmptySubsequences: false).map(Array.init)
        lines.removeLast()  // what follows the last `\n`
        return lines
    }

    /// Replaces the log with `lines`, each followed by `\n`, then `tail` (a torn write when not empty). The log is
    /// written by hand, so it has no commit point: `ledger.head` goes, and every complete line counts
    /// (docs/FORMAT.md §5.2).
    static func write(_ lines: [[UInt8]], tail: [UInt8] = [], to store: LedgerStore) throws {
        var bytes: [UInt8] = []
        for line in lines { bytes += line + [0x0A] }
        bytes += tail
        try Data(bytes).write(to: URL(fileURLWithPath: store.logPath))
        try? FileManager.default.removeItem(atPath: store.directory + "/" + LedgerStore.headFileName)
    }

    /// Signs an entry object whose members are given as is (any `v`, `seq`, `prev`, `time`), the way
    /// `Entry.make` does, and returns its canonical line.
    static func signedLine(
        version: Int64 = Entry.formatVersion, seq: Int64, prev: String, time: String, type: String,
        payload: JSONValue, signer: Ed25519PrivateKey
    ) throws -> [UInt8] {
        var object: [String: JSONValue] = [
            "v": .integer(version), "seq": .integer(seq), "prev": .string(prev), "time": .string(time),
            "type": .string(type), "actor": .string(signer.publicKey.keyID), "payload": payload,
        ]
        let signature = try signer.signature(for: CanonicalJSON.encode(.object(object)))
        object["sig"] = .string(Base64.encode(signature))
        return CanonicalJSON.encode(.object(object))
    }

    /// Writes the ledger, then appends one entry built by `last` from the previous entry (seq, hash, time),
    /// signed by hand, so that its members may break the format's rules.
    @discardableResult
    func write(into directory: String, appendingRaw last: (Entry) throws -> [UInt8]) throws -> LedgerStore {
        let store = try write(into: directory)
        var lines = try CorpusBuilder.lines(of: store)
        let previous = try Entry(line: lines[lines.count - 1])
        lines.append(try last(previous))
        try CorpusBuilder.write(lines, to: store)
        return store
    }

    /// Writes the ledger, then replaces its last line by `edit(lastLine)`.
    @discardableResult
    func write(into directory: String, editingLastLine edit: ([UInt8]) throws -> [UInt8]) throws -> LedgerStore {
        let store = try write(into: directory)
        var lines = try CorpusBuilder.lines(of: store)
        lines[lines.count - 1] = try edit(lines[lines.count - 1])
        try CorpusBuilder.write(lines, to: store)
        return store
    }
}

extension [UInt8] {
    /// Replaces the first occurrence of `target` by `replacement` (both UTF-8); the bytes must contain it.
    func replacingFirst(_ target: String, with replacement: String) -> [UInt8] {
        let needle = Array(target.utf8)
        guard needle.count <= count else { return self }
        for start in 0...(count - needle.count) where self[start..<(start + needle.count)].elementsEqual(needle) {
            return Array(self[..<start]) + Array(replacement.utf8) + Array(self[(start + needle.count)...])
        }
        preconditionFailure("\(target) not found")
    }
}
