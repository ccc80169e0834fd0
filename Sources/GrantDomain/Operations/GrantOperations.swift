public import LedgerCore
public import LedgerCrypto

/// What prefectures do, as library calls: each one validates through `GrantRules` and appends one signed
/// entry (or, for an import, all entries or none). The CLI only parses arguments and prints.
public struct GrantOperations: Sendable {
    public let ledger: Ledger<GrantRules>
    private let loadReference: @Sendable () -> ReferenceData?
    /// The reference dataset, read only by the operations that need it (publishing a call): parsing the bundled
    /// one is most of the start-up of a short command, which its rules may never need either.
    var reference: ReferenceData? { loadReference() }

    /// - Parameter reference: evaluated when an operation first needs it (each time; pass a stored value or
    ///   ``ReferenceData/shared()``, which is loaded once).
    public init(ledger: Ledger<GrantRules>, reference: @escaping @autoclosure @Sendable () -> ReferenceData?) {
        self.ledger = ledger
        self.loadReference = reference
    }

    /// Reads a call file: the `call.published` payload, where `grid` and `criteria` may also be the preset
    /// name `"national"` and `reference_data` may be omitted (the bundled dataset is then pinned).
    public func callPayload(fromFile json: JSONValue) throws(LedgerError) -> GrantCall {
        guard var object = json.objectValue else {
            throw LedgerError(.badInput, "le fichier de l'appel doit contenir un objet JSON")
        }
        if object["grid"] == "national" {
            object["grid"] = .array(GrantCall.nationalGrid.map(\.payload))
            object["grid_name"] = object["grid_name"] ?? "national"
        }
        if object["criteria"] == "national" {
            object["criteria"] = .array(
                GrantCall.nationalCriteria.map {
                    [
                        "id": .string($0.id), "label": .string($0.label), "weight": .integer($0.weight),
                        "max": .integer($0.max),
                    ]
                })
        }
        if object["reference_data"] == nil, let reference {
            object["reference_data"] = ["name": "collectivites-cog-2026", "sha256": .string(reference.datasetID)]
        }
        if object["rules"] == nil {
            object["rules"] = [
                "one_award_per_applicant": true, "scorer_distinct_from_decider": true, "merit_order": true,
            ]
        }
        do throws(PayloadError) {
            return try GrantCall(payload: .object(object))
        } catch {
            throw LedgerError(
                .badInput, "le fichier n'est pas un appel valide : \(error.description)", underlying: error)
        }
    }

    @discardableResult
    public func publish(_ call: GrantCall, amend: Bool, signer: Ed25519PrivateKey, time: Timestamp? = nil)
        throws(LedgerError) -> Entry
    {
        try ledger.append(
            type: amend ? GrantEventType.callAmended : GrantEventType.callPublished, payload: call.payload,
            signer: signer, time: time)
    }

    public func application(fromFile json: JSONValue) throws(LedgerError) -> GrantApplication {
        do throws(PayloadError) {
            return try GrantApplication(payload: json)
        } catch {
            throw LedgerError(
                .badInput, "le fichier n'est pas un dossier valide : \(error.description)", underlying: error)
        }
    }

    @discardableResult
    public func submit(_ application: GrantApplication, signer: Ed25519PrivateKey, time: Timestamp? = nil)
        throws(LedgerError) -> Entry
    {
        try ledger.append(
            type: GrantEventType.applicationSubmitted, payload: application.payload, signer: signer, time: time)
    }

    @discardableResult
    public func score(_ score: ApplicationScore, signer: Ed25519PrivateKey, time: Timestamp? = nil) throws(LedgerError)
        -> Entry
    {
        try ledger.append(type: GrantEventType.applicationScored, payload: score.payload, signer: signer, time: time)
    }

    /// What `decide` recorded, with the grid line that fixed a default amount.
    public struct DecisionResult: Sendable {
        public let entry: Entry
        public let decision: GrantDecision
        /// « ligne 1 : commune de moins de 5 000 habitants → 5 000,00 € ».
        public let gridLine: String?

        public init(entry: Entry, decision: GrantDecision, gridLine: String?) {
            self.entry = entry
            self.decision = decision
            self.gridLine = gridLine
        }
    }

    /// Records a decision. A grant's amount defaults to the call's grid amount for this applicant; the call
    /// version is the current one.
    public func decide(
        applicationID: String, grant: Bool, motive: DecisionMotive?, amountCents: Int64?, motiveText: String?,
        reference: String?, decidedOn: CalendarDate?, deviation: String?, signer: Ed25519PrivateKey,
        time: Timestamp? = nil
    ) throws(LedgerError) -> DecisionResult {
        try ledger.write { (w) throws(LedgerError) -> DecisionResult in
            let state = w.state.domain.state
            let app = state.applications[applicationID]
            let current = app.flatMap { state.calls[$0.application.callID]?.current }
            let draft = try GrantOperations.draftDecision(
                applicationID: applicationID, application: app?.application,
                call: current.map { ($0.call, $0.hash) }, grant: grant, motive: motive, amountCents: amountCents,
                motiveText: motiveText, reference: reference, decidedOn: decidedOn, deviation: deviation, time: time,
                lastTime: w.state.lastTime)
            let entry = try w.append(
                type: GrantEventType.decisionRecorded, payload: draft.decision.payload, signer: signer, time: time)
            return DecisionResult(entry: entry, decision: draft.decision, gridLine: draft.gridLine)
        }
    }

    /// A decision not yet signed, and the grid line that fixed its default amount.
    public struct DecisionDraft: Sendable {
        public let decision: GrantDecision
        /// « ligne 1 : commune de moins de 5 000 habitants → 5 000,00 € ».
        public let gridLine: String?
    }

    /// Builds a decision from what it needs of the log: the application and its call's current version (with that
    /// version's hash), wherever they were read from (the local state, or a server). Only what the decision needs is
    /// looked up here; whether the application and its call exist, and every other rule, is the engine's
    /// (SEQ-APP-KNOWN, …), with the same messages as `verify`.
    public static func draftDecision(
        applicationID: String, application: GrantApplication?, call: (call: GrantCall, version: String)?, grant: Bool,
        motive: DecisionMotive?, amountCents: Int64?, motiveText: String?, reference: String?,
        decidedOn: CalendarDate?, deviation: String?, time: Timestamp?, lastTime: Timestamp?
    ) throws(LedgerError) -> DecisionDraft {
        let line = application.flatMap { a in
            call?.call.gridLine(kind: a.applicant.kind, population: a.applicant.population)
        }
        let lineText = line.map {
            "ligne \($0.number) : \($0.line.label) → \(FrenchFormat.euros($0.line.amountCents))"
        }
        var amount: Int64 = 0
        if grant {
            guard let chosen = amountCents ?? line?.line.amountCents ?? (application == nil ? 1 : nil) else {
                let a = application?.applicant
                throw LedgerError(
                    .badInput,
                    "aucune ligne de la grille de l'appel \(call?.call.callID ?? "") ne s'applique à \(a?.name ?? applicationID) (\(a?.kind.label ?? ""), population \(FrenchFormat.integer(a?.population ?? 0))) : le montant doit être donné, avec un écart déclaré et justifié"
                )
            }
            amount = chosen
        }
        guard grant || motive != nil else {
            throw LedgerError(.badInput, "un rejet doit indiquer son motif")
        }
        let outcomeMotive = grant ? DecisionMotive.criteriaMet : (motive ?? .belowThreshold)
        let date = decidedOn ?? GrantOperations.entryDate(time, after: lastTime)
        let callID = application?.callID ?? ""
        let decision = GrantDecision(
            applicationID: applicationID, outcome: grant ? .granted : .rejected, amountCents: amount,
            motive: outcomeMotive,
            motiveText: motiveText
                ?? (grant
                    ? "Projet retenu au vu des critères publiés de l'appel \(callID)."
                    : "Rejet : \(outcomeMotive.label)."),
            callVersion: call?.version ?? Digest.zero.hex,
            reference: reference ?? "Décision \(applicationID)",
            decidedOn: date, deviation: deviation)
        return DecisionDraft(decision: decision, gridLine: lineText)
    }

    @discardableResult
    public func pay(_ payment: GrantPayment, signer: Ed25519PrivateKey, time: Timestamp? = nil) throws(LedgerError)
        -> Entry
    {
        try ledger.append(type: GrantEventType.paymentRecorded, payload: payment.payload, signer: signer, time: time)
    }

    /// Records a payment dated `paidOn`, or by default the date of the entry (now, or the last entry's time
    /// if that is later).
    @discardableResult
    public func pay(
        applicationID: String, amountCents: Int64, reference: String, paidOn: CalendarDate?, signer: Ed25519PrivateKey,
        time: Timestamp? = nil
    ) throws(LedgerError) -> (Entry, GrantPayment) {
        try ledger.write { (w) throws(LedgerError) -> (Entry, GrantPayment) in
            let payment = GrantPayment(
                applicationID: applicationID, amountCents: amountCents, reference: reference,
                paidOn: paidOn ?? GrantOperations.entryDate(time, after: w.state.lastTime))
            return (
                try w.append(
                    type: GrantEventType.paymentRecorded, payload: payment.payload, signer: signer, time: time), payment
            )
        }
    }

    @discardableResult
    public func withdraw(_ withdrawal: Withdrawal, byApplicant: Bool, signer: Ed25519PrivateKey, time: Timestamp? = nil)
        throws(LedgerError) -> Entry
    {
        try ledger.append(
            type: byApplicant ? GrantEventType.applicationWithdrawn : GrantEventType.decisionWithdrawn,
            payload: withdrawal.payload, signer: signer, time: time)
    }

    /// Records a withdrawal dated `on`, or by default the date of the entry.
    @discardableResult
    public func withdraw(
        applicationID: String, reason: String, reference: String?, on date: CalendarDate?, byApplicant: Bool,
        signer: Ed25519PrivateKey, time: Timestamp? = nil
    ) throws(LedgerError) -> Entry {
        try ledger.write { (w) throws(LedgerError) -> Entry in
            let withdrawal = Withdrawal(
                applicationID: applicationID, reason: reason, reference: reference,
                withdrawnOn: date ?? GrantOperations.entryDate(time, after: w.state.lastTime))
            return try w.append(
                type: byApplicant ? GrantEventType.applicationWithdrawn : GrantEventType.decisionWithdrawn,
                payload: withdrawal.payload, signer: signer, time: time)
        }
    }

    /// The date an entry will carry: that of `time`, else of now or the last entry's time, whichever is later.
    public static func entryDate(_ time: Timestamp?, after last: Timestamp?) -> CalendarDate {
        let when = time ?? max(Timestamp.now(), last ?? Timestamp.now())
        return CalendarDate(when)
    }

    /// The columns of an applications spreadsheet (`docs/EVENTS.md`, "Importing applications").
    public static let importColumns = [
        "application_id", "applicant_kind", "applicant_name", "siren", "insee", "departement", "population",
        "population_source", "action", "title", "summary", "requested", "provider_name", "provider_siret",
        "provider_departement", "submitted_on",
    ]

    /// Imports a prefecture's CSV of applications to `callID`: every row is checked as it would be alone, and
    /// either all are appended (one write, one fsync, one commit) or none.
    public func importApplications(csv: [UInt8], callID: String, signer: Ed25519PrivateKey, time: Timestamp? = nil)
        throws(LedgerError) -> [Entry]
    {
        let rows = try GrantOperations.importRows(csv: csv, callID: callID)
        return try ledger.write { (w) throws(LedgerError) -> [Entry] in
            var entries: [Entry] = []
            for row in rows {
                do throws(LedgerError) {
                    entries.append(
                        try w.append(
                            type: GrantEventType.applicationSubmitted, payload: row.application.payload, signer: signer,
                            time: time))
                } catch {
                    throw GrantOperations.importRefusal(error, row: row)
                }
            }
            return entries
        }
    }

    /// One application of an import, with its line in the CSV file (for messages).
    public struct ImportRow: Sendable {
        public let line: Int
        public let application: GrantApplication
    }

    /// A refusal of an import's row, naming the row: nothing was imported.
    public static func importRefusal(_ error: LedgerError, row: ImportRow) -> LedgerError {
        LedgerError(
            error.code,
            "line \(row.line) (\(row.application.applicationID)): \(error.message); nothing was imported",
            underlying: error)
    }

    /// Reads a prefecture's CSV of applications to `callID` (columns in docs/EVENTS.md), checking each row's form;
    /// the rules are the engine's, when the rows are appended.
    public static func importRows(csv: [UInt8], callID: String) throws(LedgerError) -> [ImportRow] {
        let table: CSVTable
        do throws(CSVTable.Failure) { table = try CSVTable(bytes: csv) } catch {
            throw LedgerError(
                .badInput, "le fichier CSV est mal formé à \(error.location) : \(error.reason) ; rien n'a été importé")
        }
        let missing = importColumns.filter { !table.header.contains($0) }
        guard missing.isEmpty else {
            throw LedgerError(
                .badInput,
                "il manque au fichier CSV les colonnes \(missing.joined(separator: ", ")) ; rien n'a été importé")
        }
        // Other columns are ignored (spreadsheets add empty ones); a column we read must be unambiguous.
        var column: [String: Int] = [:]
        for (index, name) in table.header.enumerated() where importColumns.contains(name) {
            if let first = column[name] {
                throw LedgerError(
                    .badInput,
                    "le fichier CSV a deux fois la colonne \(name) (colonnes \(first + 1) et \(index + 1)) ; rien n'a été importé"
                )
            }
            column[name] = index
        }
        var rows: [ImportRow] = []
        for index in 0..<table.lines.count {
            let row = table.row(index)
            func field(_ name: String) -> String { row[column[name]!].trimmingSpaces }
            let line = table.lines[index]
            guard let kind = ApplicantKind(rawValue: field("applicant_kind")) else {
                throw LedgerError(
                    .badInput,
                    "ligne \(line) : type de demandeur (applicant_kind) « \(field("applicant_kind")) » inconnu ; rien n'a été importé"
                )
            }
            guard let action = GrantAction(rawValue: field("action")) else {
                throw LedgerError(
                    .badInput, "ligne \(line) : action « \(field("action")) » inconnue ; rien n'a été importé")
            }
            guard let population = Int64(field("population")), population >= 0 else {
                throw LedgerError(
                    .badInput,
                    "ligne \(line) : la population « \(field("population")) » n'est pas un nombre entier ; rien n'a été importé"
                )
            }
            let requested: Int64
            do throws(InputError) { requested = try Money.parse(field("requested")) } catch {
                throw LedgerError(
                    .badInput, "ligne \(line) : \(error.message) ; rien n'a été importé", underlying: error)
            }
            let submittedOn: CalendarDate
            do throws(InputError) { submittedOn = try CalendarDate(iso: field("submitted_on")) } catch {
                throw LedgerError(
                    .badInput, "ligne \(line) : \(error.message) ; rien n'a été importé", underlying: error)
            }
            let insee = field("insee")
            let application = GrantApplication(
                applicationID: field("application_id"), callID: callID,
                applicant: Applicant(
                    kind: kind, name: field("applicant_name"), siren: field("siren"),
                    insee: insee.isEmpty ? nil : insee,
                    departement: field("departement"), population: population,
                    populationSource: field("population_source")),
                action: action, title: field("title"), summary: field("summary"), requestedCents: requested,
                provider: Provider(
                    name: field("provider_name"), siret: field("provider_siret"),
                    departement: field("provider_departement")),
                submittedOn: submittedOn)
            rows.append(ImportRow(line: line, application: application))
        }
        guard !rows.isEmpty else {
            throw LedgerError(.badInput, "le fichier CSV n'a aucune ligne de dossier ; rien n'a été importé")
        }
        return rows
    }
}
