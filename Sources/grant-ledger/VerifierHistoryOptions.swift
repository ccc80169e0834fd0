import ArgumentParser
import Foundation
import GrantDomain
import LedgerCore

/// Where `verify` remembers the logs it verified (docs/PROOFS.md §9), and how it tells the person about it.
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

    /// Saves `state` after a verification that passed, and says in one French line what the verifier remembers.
    func remember(
        _ state: VerifierState?, replacing previous: VerifierState?, in directory: VerifierStateDirectory?,
        passed: Bool
    ) throws(LedgerError) -> String {
        guard let directory else {
            return
                "Historique : non retenu (ni --state-dir, ni \(VerifierStateDirectory.environmentVariable), ni XDG_STATE_HOME, ni HOME)."
        }
        let before =
            previous.map {
                "cohérent avec les \(FrenchFormat.integer(Int64(clamping: $0.size))) entrées vérifiées le \($0.verifiedAt.date)"
            } ?? "première vérification de ce registre par ce vérificateur"
        guard passed else {
            return
                "Historique : \(previous == nil ? "aucun" : "inchangé") ; une vérification en échec ne s'y inscrit pas."
        }
        guard let state else {
            return "Historique : \(before) ; le registre a changé pendant la vérification, rien n'est retenu."
        }
        let file = directory.filePath(origin: state.origin)
        guard try directory.save(state, replacing: previous) else {
            return "Historique : \(file) a été modifié par une autre vérification en cours ; il est laissé tel quel."
        }
        return
            "Historique : \(before) ; \(FrenchFormat.integer(Int64(clamping: state.size))) entrées retenues dans \(file)."
    }
}
