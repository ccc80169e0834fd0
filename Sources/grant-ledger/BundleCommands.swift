import ArgumentParser
import GrantDomain
import LedgerCore

struct BundleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bundle",
        abstract:
            "Write the self-contained, offline-verifiable proof of one decision (docs/PROOFS.md, Decision bundles).",
        discussion: """
            The bundle holds the application's entries, its call's versions, ledger.created and the key events of \
            every signer, each with an inclusion proof against one signed checkpoint. Refused (exit 2) when the \
            checkpoint does not cover the application's events.
            """)

    @OptionGroup var options: LedgerOptions
    @Argument(help: "The application id.") var application: String
    @Option(help: "Where to write the bundle.") var out: String
    @Option(help: "The signed checkpoint to prove against (default: the ledger's checkpoint.txt).")
    var checkpoint: String?

    func run() throws {
        try runTransparency {
            let store = makeLedger(options).store
            let path = checkpoint ?? LedgerCheckpoints.latestPath(store)
            let bundle = try DecisionBundle.build(
                store: store, applicationID: application, checkpoint: try KeyFiles.read(path), label: path)
            let bytes = bundle.bytes
            try DurableFile.write(out, bytes)
            emit(
                "\(out): \(bundle.items.count) entries, \(FrenchFormat.integer(Int64(bytes.count))) bytes, against \(path)"
            )
        }
    }
}

struct VerifyBundle: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify-bundle",
        abstract: "Check a decision bundle offline, with no log, from a trusted note key.",
        discussion: """
            Checks the checkpoint's signature, each entry's inclusion proof, canonical form and signature, the \
            signers' keys, roles, territories and validity, and the decision's criteria rules; with --witness, the \
            checkpoint's cosignatures (at least --quorum, none dated in the future). Rules that need the whole log \
            are reported as not checked, never as passed, and the report says what a bundle cannot prove. Exit 0 \
            when everything checkable passes, 1 when anything fails, 2 for unusable input.
            """)

    @Argument(help: "The bundle file (grant-ledger bundle).") var file: String
    @Option(help: "The log's note verifier key, name+hex+base64 (grant-ledger key note-key).") var trust: String
    @Option(
        name: .customLong("witness"), parsing: .upToNextOption,
        help: "Clés de vérification des témoins (nom+hex+base64) dont les cosignatures du point de contrôle comptent.")
    var witnesses: [String] = []
    @Option(help: "Combien de ces témoins doivent avoir cosigné (défaut : tous).") var quorum: Int?
    @Flag(help: "Print the report as one line of canonical JSON.") var json = false

    func run() throws {
        let report: BundleReport
        do {
            report = try BundleVerifier.verify(
                try readInput(file), trust: trust, reference: try? ReferenceData.shared(), witnesses: witnesses,
                quorum: quorum)
        } catch {
            printError(error.message)
            throw ExitCode(2)
        }
        if json { emitMachine(Array((report.json + "\n").utf8)) } else { emit(report.text) }
        if !report.isValid { throw ExitCode(1) }
    }
}
