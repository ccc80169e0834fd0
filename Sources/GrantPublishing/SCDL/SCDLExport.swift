import GrantDomain
import LedgerCore

/// Every grant of the log as a row of the national open-data schema SCDL « Subventions » 2.1.1
/// (`grant-ledger export scdl`, `docs/PUBLISHING.md` §4).
///
/// Beneficiaries are local authorities, public bodies: nothing personal is published (CRPA L. 312-1-2); the
/// provider, who may be a sole trader, is left out. A row per granted decision, in call order then submission
/// order; withdrawn grants stay (the convention existed) and the site shows the withdrawal.
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
            for app in state.applications(ofCall: callID) {
                guard let decision = app.decision, decision.outcome == .granted else { continue }
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
                    Money.formatDecimal(cents: decision.amountCents),
                    "aide en numéraire",
                    conditions,
                    dates,
                    "",
                    "non",
                    "1",
                    "",
                ])
                ids.append(app.id)
            }
        }
        if !missingCalls.isEmpty || !missingSIRENs.isEmpty {
            func list(_ items: [String]) -> String {
                items.prefix(3).joined(separator: ", ") + (items.count > 3 ? " and \(items.count - 3) more" : "")
            }
            var parts: [String] = []
            if !missingCalls.isEmpty { parts.append("the granting body of call \(list(missingCalls))") }
            if !missingSIRENs.isEmpty { parts.append("the beneficiary SIREN \(list(missingSIRENs))") }
            throw PublishingError(
                .missingIdentifier,
                "the SCDL export needs SIRETs the log does not carry (\(parts.joined(separator: "; "))); give them with --identifiers FILE (grant-ledger export scdl --template writes the file to fill in)"
            )
        }
        self.rows = rows
        self.applicationIDs = ids
    }

    /// The CSV: the header, then one line per grant.
    public var csv: String {
        CSV.row(SCDLExport.columns) + rows.map(CSV.row).joined()
    }

    /// `conditionsVersement` and `datesPeriodeVersement` from the payments: one payment → `unique` and its date;
    /// several → `échelonné` and first/last dates; none yet → a free description (« autre ») and the period from
    /// the decision to the log's last entry, in which nothing was paid.
    static func payment(_ app: ApplicationState, decision: GrantDecision, headDate: String) -> (String, String) {
        let dates = app.payments.map(\.paidOn).sorted()
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
            let granted = state.applications(ofCall: callID).filter { $0.decision?.outcome == .granted }
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
