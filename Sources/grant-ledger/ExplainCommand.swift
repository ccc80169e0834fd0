import ArgumentParser
import GrantDomain
import LedgerCore

struct Explain: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The evidence for one decision: events, call version, computations, and every rule evaluated.")
    @OptionGroup var options: LedgerOptions
    @Argument(help: "The application id.") var application: String

    func run() throws {
        try runReporting {
            let explanation = try DecisionExplanation.explain(
                store: makeLedger(options).store, applicationID: application, reference: try? ReferenceData.shared())
            emit(explanation.text)
        }
    }
}
