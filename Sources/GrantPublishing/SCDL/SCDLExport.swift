import GrantDomain
import LedgerCore
public import LedgerCrypto

/// Every grant of the log as a row of the national open-data schema SCDL « Subventions » 2.1.1
/// (`grant-ledger export scdl`, `docs/PUBLISHING.md` §4).
///
/// Beneficiaries are local authorities, public bodies: nothing personal is published (CRPA L. 312-1-2); the
/// provider, who may be a sole trader, is left out. A row per grant, in call order then submission order, for the
/// amount it commits: a withdrawn grant keeps a row only if something was paid before the withdrawal, for the
/// amount paid (``montant(_:)``), so the `montant` column sums to the « engagé » of `status` and the statistics.
///
/// ```swift
/// let csv = try SCDLExport(snapshot: snapshot, identifiers: identifiers).csv
/// ```
public struct SCDLExport: Sendable {
    /// The 16 columns, in the schema's order.
    public static let columns = [
        "nomAttribuant", "idAttribuant", "dateConvention", "referenceDecision", "nomBeneficiaire", "idBeneficiaire",
        "rnaBeneficiaire", "objet", "montant", "nature", "conditionsVersement", "datesPeriodeVersement", "idRAE",
        "notificationUE", "pourcentageSubvention", "dispositifAide",
    ]
    /// `objet` is at most 256 characters (Unicode code points, as the schema's validators count them).
    public static let objetMaxLength = 256

    /// One row per grant, each with the 16 fields.
    public let rows: [[String]]
    /// The application id of each row.
    public let applicationIDs: [String]

    public init(snapshot: LedgerSnapshot, identifiers: SCDLIdentifiers) throws(PublishingError) {
        let state = snapshot.state
        var rows: [[String]] = []
        var ids: [String] = []
        var missingCalls: [String] = []
        var missingSIRENs: [String] = []
        for callID in state.callOrder {
            for app in state.applications(ofCall: callID, where: { SCDLExport.montant($0) != nil }) {
                guard let decision = app.decision, let montant = SCDLExport.montant(app) else { continue }
                let applicant = app.application.applicant
                let attribuant =
                    identifiers.attribuants[callID]
                    ?? state.calls[callID]?.call.attribuant.map {
                        SCDLIdentifiers.Attribuant(name: $0.name, siret: $0.siret)
                    }
                if attribuant == nil, !missingCalls.contains(callID) { missingCalls.append(callID) }
                let beneficiary = identifiers.beneficiaries[applicant.siren]
                if beneficiary == nil, !missingSIRENs.contains(applicant.siren) {
                    missingSIRENs.append(applicant.siren)
                }
                guard let attribuant, let beneficiary else { continue }
                let holder = app.decider.flatMap { snapshot.keys[$0]?.holder } ?? ""
                let (conditions, dates) = SCDLExport.payment(
                    app, decision: decision, headDate: snapshot.identity.headDate)
                rows.append([
                    attribuant.name.isEmpty ? holder : attribuant.name,
                    attribuant.siret,
                    decision.decidedOn.iso,
                    decision.reference,
                    applicant.name,
                    beneficiary,
                    "",
                    SCDLExport.objet(app.application.title),
                    Money.formatDecimal(cents: montant),
                    "aide en numéraire",
                    conditions,
                    dates,
                    "",
                    "non",
                    "1",
                    state.calls[callID]?.call.dispositif?.scdlValue ?? "",
                ])
                ids.append(app.id)
            }
        }
        if !missingCalls.isEmpty || !missingSIRENs.isEmpty {
            func list(_ items: [String]) -> String {
                items.prefix(3).joined(separator: ", ")
                    + (items.count > 3 ? " et \(items.count - 3) autre\(items.count - 3 > 1 ? "s" : "")" : "")
            }
            var parts: [String] = []
            if !missingCalls.isEmpty { parts.append("l'attribuant de l'appel \(list(missingCalls))") }
            if !missingSIRENs.isEmpty { parts.append("le bénéficiaire de SIREN \(list(missingSIRENs))") }
            throw PublishingError(
                .missingIdentifier,
                "l'export SCDL demande des SIRET que le registre ne porte pas (\(parts.joined(separator: " ; ")))"
            )
        }
        self.rows = rows
        self.applicationIDs = ids
    }

    /// The CSV: the header, then one line per grant.
    public var csv: String {
        CSV.row(SCDLExport.columns) + rows.map(CSV.row).joined()
    }

    /// The amount a grant commits, published as `montant`, or nil when it has no row: the granted amount, or for a
    /// withdrawn grant what was paid before the withdrawal (nil if nothing was). Not a grant: nil.
    static func montant(_ app: ApplicationState) -> Int64? {
        guard let decision = app.decision, decision.outcome == .granted else { return nil }
        guard app.withdrawal != nil else { return decision.amountCents }
        return app.paidCents > 0 ? app.paidCents : nil
    }

    /// `conditionsVersement` and `datesPeriodeVersement` from the payments: one payment → `unique` and its date;
    /// several → `échelonné` and first/last dates; none yet → a free description (« autre ») and the period from
    /// the decision to the log's last entry, in which nothing was paid. A withdrawn grant (which has a row only
    /// if paid) → « autre » saying so, and the date or first/last dates of its payments.
    static func payment(_ app: ApplicationState, decision: GrantDecision, headDate: String) -> (String, String) {
        let dates = app.payments.map(\.paidOn).sorted()
        if let withdrawal = app.withdrawal, let first = dates.first, let last = dates.last {
            let period = dates.count == 1 ? first.iso : "\(first.iso)/\(last.iso)"
            return (
                "autre : subvention retirée le \(withdrawal.withdrawnOn.iso), montant ramené aux versements effectués",
                period
            )
        }
        guard let first = dates.first, let last = dates.last else {
            let end = max(decision.decidedOn.iso, headDate)
            return ("autre : aucun versement enregistré au \(end)", "\(decision.decidedOn.iso)/\(end)")
        }
        if dates.count == 1 { return ("unique", first.iso) }
        return ("échelonné", "\(first.iso)/\(last.iso)")
    }

    /// The title, cut to 256 code points with « … » when longer.
    static func objet(_ title: String) -> String {
        let scalars = Array(title.unicodeScalars)
        guard scalars.count > objetMaxLength else { return title }
        var text = String.UnicodeScalarView()
        text.append(contentsOf: scalars.prefix(objetMaxLength - 1))
        text.append("…")
        return String(text)
    }

    /// The identifiers file to fill in: every granting body and beneficiary of a grant, SIRET empty
    /// (or already filled from `known`).
    public static func template(snapshot: LedgerSnapshot, known: SCDLIdentifiers = SCDLIdentifiers()) -> String {
        let state = snapshot.state
        var out =
            "# Identifiants SIRET pour grant-ledger export scdl (docs/PUBLISHING.md §4). Remplir la colonne siret.\n"
        out += CSV.row(SCDLIdentifiers.header)
        var seen: Set<String> = []
        var beneficiaries: [(siren: String, name: String)] = []
        for callID in state.callOrder {
            let granted = state.applications(ofCall: callID) { SCDLExport.montant($0) != nil }
            guard let first = granted.first else { continue }
            let holder = first.decider.flatMap { snapshot.keys[$0]?.holder } ?? ""
            let attribuant =
                known.attribuants[callID]
                ?? snapshot.state.calls[callID]?.call.attribuant.map {
                    SCDLIdentifiers.Attribuant(name: $0.name, siret: $0.siret)
                }
            out += CSV.row(["attribuant", callID, attribuant?.name ?? holder, attribuant?.siret ?? ""])
            for app in granted where seen.insert(app.application.applicant.siren).inserted {
                beneficiaries.append((app.application.applicant.siren, app.application.applicant.name))
            }
        }
        for b in beneficiaries.sorted(by: { $0.siren < $1.siren }) {
            out += CSV.row(["beneficiaire", b.siren, b.name, known.beneficiaries[b.siren] ?? ""])
        }
        return out
    }
}
