import LedgerCore

extension ApplicationState {
    /// The dossier for people, in French (`grant-ledger show`): applicant, action, state, weighted score, grid line,
    /// decision, payments, withdrawal and history. `call` is the dossier's call, for the score and the grid.
    public func text(call: CallState?) -> String {
        let app = self
        let a = app.application
        var lines = [
            "Dossier \(a.applicationID) — \(a.title)",
            "  Demandeur : \(a.applicant.name) (\(a.applicant.kind.label), SIREN \(a.applicant.siren)\(a.applicant.insee.map { ", INSEE \($0)" } ?? ""), département \(a.applicant.departement), \(FrenchFormat.integer(a.applicant.population)) habitants)",
            "  Action : \(a.action.label) · prestataire \(a.provider.name) (SIRET \(a.provider.siret), département \(a.provider.departement))",
            "  Appel \(a.callID) · déposé le \(a.submittedOn.frenchLong) · demandé \(FrenchFormat.euros(a.requestedCents))",
            "  État : \(app.status.label)",
        ]
        if let call {
            let c = call.call
            if let score = app.score, let weighted = app.weightedScore {
                let detail = c.criteria.map { "\($0.label) \(score.scores[$0.id] ?? 0)/\($0.max) × \($0.weight)" }
                    .joined(separator: " + ")
                lines.append("  Note pondérée : \(weighted) / \(c.maximumScore) (\(detail)) ; seuil \(c.threshold)")
            }
            if let line = c.gridLine(kind: a.applicant.kind, population: a.applicant.population) {
                lines.append(
                    "  Grille : ligne \(line.number), \(line.line.label) → \(FrenchFormat.euros(line.line.amountCents))"
                )
            } else {
                lines.append("  Grille : aucune ligne ne s'applique")
            }
        }
        if let d = app.decision {
            lines.append(
                "  Décision : \(d.outcome == .granted ? "aide de \(FrenchFormat.euros(d.amountCents))" : "rejet (\(d.motive.label))"), \(d.reference), le \(d.decidedOn.frenchLong)"
            )
            if let deviation = d.deviation { lines.append("  Écart déclaré : \(deviation)") }
        }
        if !app.payments.isEmpty {
            lines.append(
                "  Versé : \(FrenchFormat.euros(app.paidCents)) en \(FrenchFormat.quantity(app.payments.count, "versement", "versements"))"
            )
        }
        if let w = app.withdrawal { lines.append("  Retrait le \(w.withdrawnOn.frenchLong) : \(w.reason)") }
        lines.append("  Historique :")
        for event in app.history {
            lines.append("    seq \(event.seq)  \(event.time)  \(event.type)  hash \(event.hash.prefix(16))…")
        }
        return lines.joined(separator: "\n")
    }
}
