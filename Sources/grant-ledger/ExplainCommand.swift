import ArgumentParser
import GrantDomain
import LedgerCore

struct Explain: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explain",
        abstract: "Les éléments d'une décision : événements, version de l'appel, calculs et chaque règle évaluée.")
    @OptionGroup var options: LedgerOptions
    @Argument(help: "L'identifiant du dossier.") var application: String

    func run() throws {
        try runReporting {
            let explanation = try DecisionExplanation.explain(
                store: makeLedger(options).store, applicationID: application, reference: try? ReferenceData.shared())
            emit(explanation.text)
        }
    }
}
