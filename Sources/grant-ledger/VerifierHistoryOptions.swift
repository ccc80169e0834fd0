import ArgumentParser
import Foundation
import GrantDomain
import LedgerCore

/// Where `verify` remembers the logs it verified (docs/PROOFS.md §10), and how it tells the person about it.
struct VerifierHistoryOptions: ParsableArguments {
    @Option(
        name: .customLong("state-dir"),
        help: ArgumentHelp(
            "Répertoire où le vérificateur retient, par registre, le plus grand historique vérifié (défaut : $GRANT_LEDGER_STATE_DIR, sinon $XDG_STATE_HOME/grant-ledger, sinon ~/.local/state/grant-ledger).",
            valueName: "répertoire"))
    var stateDirectory: String?

    /// The state directory in force; nil when neither the option, the environment nor a home directory names one.
    func directory() -> VerifierStateDirectory? {
        (stateDirectory ?? VerifierStateDirectory.defaultPath(environment: ProcessInfo.processInfo.environment))
            .map(VerifierStateDirectory.init(path:))
    }

    /// Saves `state` after a verification that passed, and says in one French line where the verifier keeps it.
    ///
    /// The line depends on the log and the directory only, not on what was remembered before, so verifying the same
    /// log twice prints the same report.
    func remember(
        _ state: VerifierState?, replacing previous: VerifierState?, in directory: VerifierStateDirectory?,
        passed: Bool
    ) throws(LedgerError) -> String {
        guard let directory else {
            return
                "Historique : non retenu (ni --state-dir, ni \(VerifierStateDirectory.environmentVariable), ni XDG_STATE_HOME, ni HOME)."
        }
        guard let state else {
            return passed
                ? "Historique : le registre a changé pendant la vérification, rien n'est retenu."
                : "Historique : rien n'est retenu d'une vérification en échec."
        }
        let file = directory.filePath(origin: state.origin)
        guard passed else { return "Historique : \(file) est laissé tel quel, la vérification a échoué." }
        guard try directory.save(state, replacing: previous) else {
            return "Historique : \(file) a été modifié par une autre vérification en cours ; il est laissé tel quel."
        }
        return "Historique : \(FrenchFormat.integer(Int64(clamping: state.size))) entrées retenues dans \(file)."
    }
}
