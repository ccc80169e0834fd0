public import LedgerCore
public import LedgerCrypto

/// The evidence for one decision (`grant-ledger explain`): its events, the call version applied, the
/// computations, and every rule evaluated with its result. This is what CRPA L. 311-3-1 asks of a decision
/// taken with an algorithmic treatment: the rules, data, parameters and weightings applied.
public struct DecisionExplanation: Sendable {
    public let application: ApplicationState
    public let call: CallState?
    public let evaluations: [RuleEvaluation]
    /// Failures found on the application's entries by the integrity and key rules.
    public let integrityFindings: [Finding]

    /// Replays and verifies the whole log, tracing `applicationID`.
    public static func explain(store: LedgerStore, applicationID: String, reference: ReferenceData?) throws(LedgerError)
        -> DecisionExplanation
    {
        var rules = GrantRules(reference: reference)
        rules.traceApplication = applicationID
        let (report, replayer) = try LedgerVerifier.verify(store: store, domain: rules)
        guard let app = replayer.domain.state.applications[applicationID] else {
            throw LedgerError(
                .badInput,
                "dossier \(applicationID) inconnu : aucun dépôt (application.submitted) ne porte cet identifiant")
        }
        let seqs = Set(app.history.map(\.seq))
        let integrity = report.outcomes.sortedFindings.filter { seqs.contains($0.seq) && $0.subject == nil }
        return DecisionExplanation(
            application: app, call: replayer.domain.state.calls[app.application.callID],
            evaluations: replayer.domain.trace, integrityFindings: integrity)
    }

    /// The explanation in French.
    public var text: String {
        let a = application.application
        var lines: [String] = []
        lines.append("Dossier \(a.applicationID) — \(a.title)")
        lines.append(
            "Demandeur : \(a.applicant.name) (\(a.applicant.kind.label), SIREN \(a.applicant.siren), département \(a.applicant.departement), population \(FrenchFormat.integer(a.applicant.population)) selon « \(a.applicant.populationSource) »)"
        )
        lines.append("État : \(application.status.label)")
        lines.append("")
        lines.append("Événements")
        for event in application.history {
            lines.append("  seq \(event.seq)  \(event.time)  \(event.type)  \(event.hash)")
        }
        if let call {
            let version =
                application.decision.flatMap { d in call.versions.first { $0.hash == d.callVersion } } ?? call.current
            let c = version.call
            lines.append("")
            lines.append(
                "Version de l'appel appliquée : \(c.callID), version \(call.versions.firstIndex { $0.hash == version.hash }.map { $0 + 1 } ?? 0) sur \(call.versions.count), seq \(version.seq), \(version.hash)"
            )
            lines.append(
                "  Critères publiés : "
                    + c.criteria.map { "\($0.label) (\($0.id), poids \($0.weight), note max \($0.max))" }.joined(
                        separator: " ; "))
            lines.append("  Seuil : note pondérée ≥ \(c.threshold) sur \(c.maximumScore)")
            lines.append("  Grille\(c.gridName.map { " « \($0) »" } ?? "") :")
            for (index, line) in c.grid.enumerated() {
                lines.append("    ligne \(index + 1) : \(line.label) → \(FrenchFormat.euros(line.amountCents))")
            }
            lines.append(
                "  Enveloppe : \(FrenchFormat.euros(c.envelopeCents)) ; règles : une aide par demandeur \(c.rules.oneAwardPerApplicant ? "oui" : "non"), notateur distinct du décideur \(c.rules.scorerDistinctFromDecider ? "oui" : "non"), ordre de mérite \(c.rules.meritOrder ? "oui" : "non")"
            )
            lines.append("")
            lines.append("Calculs")
            if let score = application.score, let weighted = application.weightedScore {
                let terms = c.criteria.map { "\($0.weight) × \(score.scores[$0.id] ?? 0)" }.joined(separator: " + ")
                lines.append(
                    "  Note pondérée = \(terms) = \(weighted) ; seuil \(c.threshold) : \(weighted >= c.threshold ? "atteint" : "non atteint")"
                )
            } else {
                lines.append("  Pas de notation enregistrée")
            }
            if let line = c.gridLine(kind: a.applicant.kind, population: a.applicant.population) {
                lines.append(
                    "  Grille : ligne \(line.number) (\(line.line.label), population \(FrenchFormat.integer(a.applicant.population))) → \(FrenchFormat.euros(line.line.amountCents))"
                )
            } else {
                lines.append("  Grille : aucune ligne ne s'applique")
            }
            if let d = application.decision {
                lines.append(
                    "  Décision : \(d.outcome == .granted ? "aide de \(FrenchFormat.euros(d.amountCents))" : "rejet, motif : \(d.motive.label)") — \(d.reference), le \(d.decidedOn.frenchLong)"
                )
                if let deviation = d.deviation { lines.append("  Écart déclaré : « \(deviation) »") }
            }
            for evaluation in evaluations
            where evaluation.result == nil && [RuleID.envelope, RuleID.merit].contains(evaluation.rule) {
                lines.append("  \(evaluation.message.prefix(1).uppercased() + evaluation.message.dropFirst())")
            }
            if application.paidCents > 0 {
                lines.append(
                    "  Versé : \(FrenchFormat.euros(application.paidCents)) en \(FrenchFormat.integer(Int64(application.payments.count))) versement\(application.payments.count > 1 ? "s" : "")"
                )
            }
        }
        lines.append("")
        lines.append("Règles évaluées")
        if integrityFindings.isEmpty {
            lines.append(
                "  INT-*, AUT-KEY, AUT-REVOKED, AUT-ROLE : conformes pour les \(application.history.count) événements (chaînage, signatures, clés)"
            )
        }
        for finding in integrityFindings {
            lines.append("  seq \(finding.seq)  \(finding.rule)  ÉCHEC  \(finding.message)")
        }
        for evaluation in evaluations {
            let result: String
            switch evaluation.result {
            case nil: result = "conforme"
            case .failed?: result = "ÉCHEC"
            case .notChecked?: result = "non vérifiée"
            case .deviation?: result = "écart déclaré"
            }
            lines.append(
                "  seq \(evaluation.seq)  \(evaluation.rule)  \(result)\(evaluation.message.isEmpty ? "" : "  \(evaluation.message)")"
            )
        }
        lines.append("")
        lines.append(
            "Cette décision repose sur un traitement algorithmique (note pondérée, grille de montants) : les règles, données, paramètres et pondérations appliqués sont ceux ci-dessus (CRPA L. 311-3-1)."
        )
        return lines.joined(separator: "\n")
    }
}
