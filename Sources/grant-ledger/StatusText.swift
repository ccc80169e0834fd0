import ArgumentParser
import GrantDomain
import LedgerCore

/// The French summary of calls and budgets shared by `status` and `demo`.
enum StatusText {
    /// The state of a log that verifies completely, as `stats` and `publish` require: a log that fails any rule
    /// gives no figures (exit 1), only the first failure and the advice to run `verify`.
    static func verifiedState(_ store: LedgerStore) throws -> GrantState {
        let (report, replayer) = try LedgerVerifier.verify(store: store, domain: CLIDomain())
        if let first = report.outcomes.failures.first {
            let count = report.outcomes.failures.count
            printError(
                "le registre ne se vérifie pas (\(quantity(count, "échec", "échecs")), le premier à la seq \(first.seq), \(first.rule) : \(first.message)) ; aucun chiffre n'en est donné, lancez grant-ledger verify"
            )
            throw ExitCode(1)
        }
        return replayer.domain.state
    }

    static func render(_ state: GrantState, callID: String? = nil) -> String {
        var lines: [String] = []
        for id in state.callOrder where callID == nil || callID == id {
            guard let call = state.calls[id] else { continue }
            let apps = state.applications(ofCall: id)
            var counts: [ApplicationStatus: Int] = [:]
            for app in apps { counts[app.status, default: 0] += 1 }
            var motives: [DecisionMotive: Int] = [:]
            for app in apps where app.decision?.outcome == .rejected { motives[app.decision!.motive, default: 0] += 1 }
            lines.append("Appel \(id) — \(call.call.title) (version \(call.versions.count), seq \(call.current.seq))")
            lines.append(
                "  Enveloppe \(FrenchFormat.euros(call.envelopeCents)) · engagé \(FrenchFormat.euros(call.committedCents)) · versé \(FrenchFormat.euros(call.paidCents)) · disponible \(FrenchFormat.euros(call.remainingCents))"
            )
            // The definitions of docs/PUBLISHING.md §2: « sans décision » is `pending`, as in `stats`.
            let granted = apps.filter { $0.decision?.outcome == .granted }.count
            let rejected = apps.filter { $0.decision?.outcome == .rejected }.count
            let pending = apps.filter { $0.decision == nil && $0.withdrawal == nil }.count
            let withdrawnUndecided = apps.filter { $0.decision == nil && $0.withdrawal != nil }.count
            var dossiers = [
                quantity(granted, "aidé", "aidés"), quantity(rejected, "rejeté", "rejetés"),
                "\(FrenchFormat.integer(Int64(pending))) sans décision",
            ]
            if withdrawnUndecided > 0 {
                dossiers.append(quantity(withdrawnUndecided, "retiré avant décision", "retirés avant décision"))
            }
            lines.append("  Dossiers \(FrenchFormat.integer(Int64(apps.count))) : \(dossiers.joined(separator: ", "))")
            let statusText = ApplicationStatus.allCases.compactMap { s in
                counts[s].map { "\(s.label) \(FrenchFormat.integer(Int64($0)))" }
            }.joined(separator: ", ")
            lines.append("  États : \(statusText)")
            if !motives.isEmpty {
                lines.append(
                    "  Motifs de rejet : "
                        + motives.keys.sorted().map { "\($0.label) \(FrenchFormat.integer(Int64(motives[$0]!)))" }
                        .joined(separator: ", "))
            }
            if callID != nil {
                lines += dossierLines(apps)
            } else if pending > 0 {
                let ids = apps.filter { $0.decision == nil && $0.withdrawal == nil }.map(\.id)
                let more = ids.count > 10 ? " et \(quantity(ids.count - 10, "autre", "autres"))" : ""
                lines.append("  Sans décision : " + ids.prefix(10).joined(separator: ", ") + more)
            }
        }
        if lines.isEmpty {
            return callID.map { "Aucun appel \($0) dans ce registre." } ?? "Aucun appel publié dans ce registre."
        }
        return lines.joined(separator: "\n")
    }

    /// One line per dossier of a call (`status --call ID`): its id, its state, the amount granted, the applicant.
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
                "    " + VerificationReportText.pad(app.id, idWidth) + "  "
                    + VerificationReportText.pad(app.status.label, stateWidth) + "  "
                    + VerificationReportText.padLeft(amount, amountWidth) + "  "
                    + app.application.applicant.name)
        }
        return lines
    }
}
