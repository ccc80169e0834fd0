import ArgumentParser
import GrantDomain
import LedgerCore
import LedgerCrypto

struct BundleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bundle",
        abstract:
            "Écrire la preuve autonome, vérifiable hors ligne, d'une décision (docs/PROOFS.md, Decision bundles).",
        discussion: """
            Le bundle contient les entrées du dossier, les versions de son appel, ledger.created et les \
            événements de clé de chaque signataire, chacun avec sa preuve d'inclusion dans un même point de \
            contrôle signé. Refusé (code 2) quand le point de contrôle ne couvre pas les événements du dossier.
            """)

    @OptionGroup var options: LedgerOptions
    @Argument(help: "L'identifiant du dossier.") var application: String
    @Option(help: "Où écrire le bundle.") var out: String
    @Option(help: "Le point de contrôle signé de référence (par défaut : le checkpoint.txt du registre).")
    var checkpoint: String?

    func run() throws {
        try runReporting {
            let store = makeLedger(options).store
            let path = checkpoint ?? LedgerCheckpoints.latestPath(store)
            let bundle = try DecisionBundle.build(
                store: store, applicationID: application, checkpoint: try KeyFiles.read(path), label: path)
            let bytes = bundle.bytes
            try DurableFile.write(out, bytes)
            emit(
                "\(out) : \(FrenchFormat.quantity(bundle.items.count, "entrée", "entrées")), \(FrenchFormat.quantity(bytes.count, "octet", "octets")), prouvées par rapport à \(path)"
            )
        }
    }
}

struct VerifyBundle: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify-bundle",
        abstract:
            "Vérifier hors ligne, sans le registre, le bundle d'une décision, à partir d'une clé de note de confiance.",
        discussion: """
            Vérifie la signature du point de contrôle, la preuve d'inclusion, la forme canonique et la signature \
            de chaque entrée, les clés, rôles, territoires et validité des signataires, et les règles de critères \
            de la décision ; avec --witness, les cosignatures du point de contrôle (au moins --quorum, aucune \
            datée dans l'avenir). Les règles qui demandent le registre entier sont dites non vérifiées, jamais \
            conformes, et le rapport dit ce qu'un bundle ne peut pas prouver. Code 0 quand tout ce qui est \
            vérifiable est conforme, 1 dès qu'un point échoue, 2 pour une entrée inutilisable.
            """)

    @Argument(help: "Le fichier bundle (grant-ledger bundle).") var file: String
    @Option(help: "La clé de note du registre, nom+hex+base64 (grant-ledger key note-key).") var trust: String
    @Option(
        name: .customLong("witness"), parsing: .upToNextOption,
        help: "Clés de vérification des témoins (nom+hex+base64) dont les cosignatures du point de contrôle comptent.")
    var witnesses: [String] = []
    @Option(help: "Combien de ces témoins doivent avoir cosigné (défaut : tous).") var quorum: Int?
    @Flag(help: "Écrire le rapport en une ligne de JSON canonique.") var json = false

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
