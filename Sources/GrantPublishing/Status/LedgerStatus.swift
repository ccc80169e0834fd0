public import GrantDomain
import LedgerCore

/// The French summary of a ledger's calls: budget, dossiers and states per call (`grant-ledger status` and `demo`).
///
/// Its counts are ``FundingFigures``, the published figures (`docs/PUBLISHING.md` §2), so « engagé » and « sans
/// décision » mean here what they mean in `stats` and on the site; the budget line is the call's own
/// (``FundingStatistics/CallBudget``).
///
/// ```swift
/// let state = try LedgerSnapshot.verifiedState(directory: "events")
/// print(LedgerStatus(state: state).text)
/// ```
public struct LedgerStatus: Sendable {
    public let state: GrantState
    /// Only this call, with one line per dossier; nil for every call with a short list of those awaiting a decision.
    public let callID: String?

    public init(state: GrantState, callID: String? = nil) {
        self.state = state
        self.callID = callID
    }

    /// The summary; the same state always gives the same bytes.
    public var text: String {
        var lines: [String] = []
        for id in state.callOrder where callID == nil || callID == id {
            guard let call = state.calls[id] else { continue }
            lines += Self.lines(
                id: id, call: call, applications: state.applications(ofCall: id), listingDossiers: callID != nil)
        }
        if lines.isEmpty {
            return callID.map { "Aucun appel \($0) dans ce registre." } ?? "Aucun appel publié dans ce registre."
        }
        return lines.joined(separator: "\n")
    }

    static func lines(id: String, call: CallState, applications apps: [ApplicationState], listingDossiers: Bool)
        -> [String]
    {
        let figures = FundingFigures(apps)
        var lines: [String] = []
        lines.append(
            "Appel \(id) — \(call.call.title) (version \(call.versions.count), seq \(call.current.seq))")
        lines.append(
            "  Enveloppe \(FrenchFormat.euros(call.envelopeCents)) · engagé \(FrenchFormat.euros(call.committedCents)) · versé \(FrenchFormat.euros(call.paidCents)) · disponible \(FrenchFormat.euros(call.remainingCents))"
        )
        // Withdrawn before any decision: neither decided nor pending.
        let withdrawnUndecided = figures.applications - figures.decided - figures.pending
        var dossiers = [
            FrenchFormat.quantity(figures.granted, "aidé", "aidés"),
            FrenchFormat.quantity(figures.rejected, "rejeté", "rejetés"),
            "\(FrenchFormat.integer(figures.pending)) sans décision",
        ]
        if withdrawnUndecided > 0 {
            dossiers.append(
                FrenchFormat.quantity(withdrawnUndecided, "retiré avant décision", "retirés avant décision"))
        }
        lines.append("  Dossiers \(FrenchFormat.integer(figures.applications)) : \(dossiers.joined(separator: ", "))")
        var byStatus: [ApplicationStatus: Int64] = [:]
        for app in apps { byStatus[app.status, default: 0] += 1 }
        let states = ApplicationStatus.allCases.compactMap { status in
            byStatus[status].map { "\(status.label) \(FrenchFormat.integer($0))" }
        }
        lines.append("  États : \(states.joined(separator: ", "))")
        let motives = figures.rejectedByMotive.filter { $0.count > 0 }.sorted { $0.motive < $1.motive }
        if !motives.isEmpty {
            lines.append(
                "  Motifs de rejet : "
                    + motives.map { "\($0.motive.label) \(FrenchFormat.integer($0.count))" }.joined(separator: ", "))
        }
        if listingDossiers {
            lines += dossierLines(apps)
        } else if figures.pending > 0 {
            let ids = apps.filter { $0.decision == nil && $0.withdrawal == nil }.map(\.id)
            let more = ids.count > 10 ? " et \(FrenchFormat.quantity(ids.count - 10, "autre", "autres"))" : ""
            lines.append("  Sans décision : " + ids.prefix(10).joined(separator: ", ") + more)
        }
        return lines
    }

    /// One line per dossier of a call: its id, its state, the amount granted, the applicant.
    static func dossierLines(_ apps: [ApplicationState]) -> [String] {
        let idWidth = apps.map(\.id.count).max() ?? 0
        let stateWidth = apps.map(\.status.label.count).max() ?? 0
        let amounts = apps.map { app in
            app.decision.flatMap { $0.outcome == .granted ? FrenchFormat.euros($0.amountCents) : nil } ?? "—"
        }
        let amountWidth = amounts.map(\.count).max() ?? 0
        var lines = ["  Dossiers (identifiant, état, montant accordé, demandeur) :"]
        for (app, amount) in zip(apps, amounts) {
            lines.append(
                "    " + FrenchFormat.padded(app.id, idWidth) + "  "
                    + FrenchFormat.padded(app.status.label, stateWidth) + "  "
                    + FrenchFormat.paddedLeft(amount, amountWidth) + "  " + app.application.applicant.name)
        }
        return lines
    }
}
