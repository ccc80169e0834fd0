import ArgumentParser
import Foundation
import GrantDomain
import LedgerCore
import LedgerCrypto

struct Verify: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Rejouer tout le registre : intégrité, signatures, clés et chaque règle de docs/RULES.md.",
        discussion: "Code 0 quand tout tient, 1 dès qu'un point échoue, 2 quand le registre ne peut pas être lu.")

    @OptionGroup var options: LedgerOptions
    @Flag(help: "Écrire le rapport en JSON (docs/FORMAT.md §7).") var json = false
    @Flag(help: "Échouer aussi (code 1) sur les écarts déclarés.") var strict = false
    // Transparency (docs/PROOFS.md §5): checkpoints/ and checkpoint.txt are always checked against the log.
    @Option(help: "Vérifier aussi ce point de contrôle signé par rapport au registre (TLOG-CHECKPOINT).")
    var checkpoint: String?
    @Option(name: .customLong("witness"), parsing: .upToNextOption, help: "Les clés des témoins (cosignataires).")
    var witnesses: [String] = []
    @Option(help: "Combien de cosignatures --witness le point de contrôle exige (par défaut : toutes).") var quorum:
        Int?
    @Option(
        help: ArgumentHelp(
            "Clé de note du registre à épingler (nom+hex+base64) : sa racine et ses points de contrôle doivent être les siens.",
            valueName: "clé-de-note"))
    var trust: String?
    @Flag(help: "Échoue si le registre ne publie aucun point de contrôle signé.") var requireCheckpoint = false
    @OptionGroup var history: VerifierHistoryOptions
    // A server's log (docs/SERVICE.md): mirrored through its tiles into a temporary directory, then verified here.
    @OptionGroup var remote: RemoteOptions

    @OptionGroup var progress: ProgressOptions

    func run() throws {
        try progress.showing("vérification") { try execute() }
    }

    private func execute() throws {
        var options = self.options
        if remote.server != nil || remote.log != nil {
            let temporary = FileManager.default.temporaryDirectory.appendingPathComponent(
                "grant-ledger-verify-\(UUID().uuidString)"
            ).path
            defer { try? FileManager.default.removeItem(atPath: temporary) }
            try runReporting {
                guard let client = try remote.client() else { return }
                guard let trust else {
                    throw LedgerError(.badInput, "verify --server demande --trust, la clé de note du registre")
                }
                _ = try mirrorLog(client, into: temporary, trust: trust)
            }
            options.ledger = temporary
            try verify(options)
            return
        }
        try verify(options)
    }

    private func verify(_ options: LedgerOptions) throws {
        let report: VerificationReport
        var note: String
        do {
            var checks = CheckpointAudit.Options(
                checkpoint: checkpoint, witnesses: witnesses, quorum: quorum, trust: trust,
                requireCheckpoint: requireCheckpoint)
            try CheckpointAudit.validate(checks)
            let store = makeLedger(options).store
            // The checkpoints' roots are taken as the replay reads the log: one pass over it, not two.
            let roots = CheckpointAudit.LineRoots(
                sizes: try CheckpointAudit.plannedSizes(store: store, options: checks))
            let (verified, replayer) = try LedgerVerifier.verify(
                store: store, domain: CLIDomain(), eachLine: roots.observe)
            UntilExit.keep(replayer)
            let states = history.directory()
            if let states, let origin = replayer.keys.origin {
                checks.remembered = try states.load(origin: origin)
                checks.verifiedSize = UInt64(max(0, verified.entries))
                checks.verifiedHead = verified.headHash
            }
            let remembered = checks.remembered
            let audit = try CheckpointAudit.audit(store: store, keys: replayer.keys, options: checks, roots: roots)
            report = verified.merging(audit.outcomes)
            note = try history.remember(
                audit.newState, replacing: remembered, in: states, passed: passes(report))
        } catch {
            printError(error.message)
            throw ExitCode(2)
        }
        if json {
            emitMachine(report.canonicalJSON + [0x0A])
        } else {
            emit(report.text(directory: options.directory, strict: strict) + "\n" + note)
        }
        if !passes(report) { throw ExitCode(1) }
    }

    /// Exit 0: nothing failed, and with --strict no declared deviation either.
    private func passes(_ report: VerificationReport) -> Bool {
        report.isValid && !(strict && report.outcomes.findings.contains { $0.kind == .deviation })
    }
}
