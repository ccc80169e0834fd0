import ArgumentParser
import Foundation
import GrantDomain
import GrantPublishing
import LedgerCore
import LedgerCrypto

/// Writes `text` to `path`, or to stdout when there is no path.
func writeOutput(_ bytes: [UInt8], to path: String?) throws(PublishingError) {
    guard let path else {
        emitMachine(bytes)
        return
    }
    do {
        try Data(bytes).write(to: URL(fileURLWithPath: path), options: .atomic)
    } catch {
        throw PublishingError(.io, "impossible d'écrire \(path) : \(error.localizedDescription)", underlying: error)
    }
}

/// Reads the SCDL identifiers file: `--identifiers FILE`, else `<ledger>/identifiants-scdl.csv` when present.
func loadIdentifiers(_ given: String?, ledger: String) throws(PublishingError) -> (SCDLIdentifiers, [UInt8]?) {
    let beside = ledger + "/" + SCDLIdentifiers.defaultFileName
    guard let path = given ?? (FileManager.default.fileExists(atPath: beside) ? beside : nil) else {
        return (SCDLIdentifiers(), nil)
    }
    let bytes: [UInt8]
    do { bytes = try KeyFiles.read(path) } catch {
        throw PublishingError(.badInput, "le fichier des identifiants : \(error.message)", underlying: error)
    }
    return (try SCDLIdentifiers(csv: String(decoding: bytes, as: UTF8.self), source: path), bytes)
}

struct Stats: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats",
        abstract:
            "Statistiques des aides, recalculables depuis le registre, ou vérification (--check) d'un fichier publié.",
        discussion: """
            Chaque sortie nomme le registre dont elle est tirée (taille, hash de tête, racine RFC 6962) ; le même \
            registre donne les mêmes octets. Les chiffres sont définis dans docs/PUBLISHING.md. --check FICHIER \
            recalcule FICHIER (son format et sa portée sont lus dans le fichier) : code 0 s'il est identique octet \
            pour octet, 1 sinon, en listant les différences.
            """)
    @OptionGroup var options: LedgerOptions
    @OptionGroup var history: VerifierHistoryOptions
    @Option(help: "Seulement cet appel.") var call: String?
    @Option(
        help:
            "Regrouper par departement (département), applicant_kind (type de demandeur), action, month (mois de dépôt) ou population_band (tranche de population)."
    ) var by: String?
    @Option(help: "table (tableau), json ou csv.") var format = "table"
    @Option(help: "Écrire dans ce fichier plutôt que sur la sortie standard.") var out: String?
    @Option(help: "Recalculer ce fichier de statistiques publié et dire s'il correspond au registre.") var check:
        String?

    @OptionGroup var progress: ProgressOptions

    func run() throws {
        try progress.showing("statistiques") { try execute() }
    }

    private func execute() throws {
        try runReporting {
            if let check {
                guard call == nil, by == nil, out == nil else {
                    throw PublishingError(
                        .badInput,
                        "--check lit la portée dans le fichier ; ne donnez avec lui ni --call, ni --by, ni --out")
                }
                let published = try readInput(check)
                let snapshot = UntilExit.keep(
                    try LedgerSnapshot.load(directory: options.directory, history: history.directory()))
                let result = try StatsCheck(published: published, snapshot: snapshot)
                let id = snapshot.identity
                if result.matches {
                    emit(
                        "\(check) correspond au registre : \(FrenchFormat.quantity(id.size, "entrée", "entrées")), racine \(id.rootHash)."
                    )
                    return
                }
                for difference in result.differences { emit("  " + difference) }
                printError(
                    "\(check) ne correspond pas au registre (\(FrenchFormat.quantity(id.size, "entrée", "entrées")), racine \(id.rootHash)) : \(FrenchFormat.quantity(result.differences.count, "différence listée", "différences listées")) ci-dessus"
                )
                throw ExitCode(1)
            }
            let format = try StatsFormat.named(format, option: "--format")
            let grouping = try StatsGrouping.named(by, option: "--by")
            let snapshot = UntilExit.keep(
                try LedgerSnapshot.verified(directory: options.directory, history: history.directory()))
            let stats = try FundingStatistics(snapshot: snapshot, scope: StatsScope(callID: call, grouping: grouping))
            try writeOutput(Array(stats.render(format).utf8), to: out)
        }
    }
}

struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Exporter les aides en données ouvertes.", subcommands: [SCDL.self])

    struct SCDL: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "scdl",
            abstract: "Chaque aide comme une ligne du schéma national SCDL « Subventions » 2.1.1 (CSV).",
            discussion: """
                Le registre ne porte ni les SIRET des préfectures ni ceux des bénéficiaires, que le schéma exige : \
                donnez-les avec --identifiers FICHIER (docs/PUBLISHING.md §4). --template écrit ce fichier avec \
                chaque organisme à identifier et la colonne siret vide (ou remplie depuis --identifiers). Avec \
                --out X.csv, le descripteur X.resource.json est écrit à côté : le SHA-256 du fichier, la taille et \
                la racine du registre dont il est tiré. --check FICHIER recalcule FICHIER depuis le registre à cette \
                taille : code 0 s'il est identique, 1 en nommant la première ligne qui diffère.
                """)
        @OptionGroup var options: LedgerOptions
        @OptionGroup var history: VerifierHistoryOptions
        @Option(help: "Écrire dans ce fichier plutôt que sur la sortie standard.") var out: String?
        @Option(help: "CSV des SIRET : type,cle,nom,siret (docs/PUBLISHING.md §4).") var identifiers: String?
        @Flag(help: "Écrire le fichier des identifiants à remplir au lieu de l'export.") var template = false
        @Option(
            help: ArgumentHelp(
                "Le descripteur de l'export (défaut : à côté de --out, ou du fichier de --check, en .resource.json).",
                valueName: "fichier"))
        var resource: String?
        @Option(
            help: ArgumentHelp(
                "Recalcule ce fichier SCDL publié à partir du journal et dit s'il est identique.", valueName: "fichier")
        )
        var check: String?

        func run() throws {
            try runReporting {
                if let check { return try checkPublished(check) }
                let snapshot = UntilExit.keep(
                    try LedgerSnapshot.verified(directory: options.directory, history: history.directory()))
                let (known, identifiersFile) = try loadIdentifiers(identifiers, ledger: options.directory)
                if template {
                    try writeOutput(Array(SCDLExport.template(snapshot: snapshot, known: known).utf8), to: out)
                    return
                }
                let csv = Array(try SCDLExport(snapshot: snapshot, identifiers: known).csv.utf8)
                let descriptor = resource ?? out.map(SCDLResource.descriptorPath(forCSV:))
                let fileName = out.map { String($0.split(separator: "/").last ?? "") } ?? "subventions.csv"
                try writeOutput(csv, to: out)
                if let descriptor {
                    let described = SCDLResource(
                        csv: csv, fileName: fileName, identity: snapshot.identity, identifiers: identifiersFile)
                    try writeOutput(described.bytes, to: descriptor)
                }
            }
        }

        private func checkPublished(_ path: String) throws {
            guard out == nil, !template else {
                throw PublishingError(.badInput, "--check ne s'emploie ni avec --out ni avec --template")
            }
            guard let data = FileManager.default.contents(atPath: path) else {
                throw PublishingError(.badInput, "impossible de lire \(path)")
            }
            let descriptorPath = resource ?? SCDLResource.descriptorPath(forCSV: path)
            var described: SCDLResource? = nil
            if let bytes = FileManager.default.contents(atPath: descriptorPath) {
                described = try SCDLResource(parsing: [UInt8](bytes), source: descriptorPath)
            } else if resource != nil {
                throw PublishingError(.badInput, "impossible de lire le descripteur \(descriptorPath)")
            }
            let snapshot = UntilExit.keep(
                try LedgerSnapshot.load(directory: options.directory, history: history.directory()))
            let (known, identifiersFile) = try loadIdentifiers(identifiers, ledger: options.directory)
            let result = try SCDLCheck(
                published: [UInt8](data), resource: described, snapshot: snapshot, identifiers: known,
                identifiersFile: identifiersFile)
            let id = result.identity
            let against =
                described == nil
                ? "le journal entier (\(id.size) entrées, racine \(id.rootHash)), faute de descripteur \(descriptorPath)"
                : "le journal à \(id.size) entrées, racine \(id.rootHash), comme le dit \(descriptorPath)"
            if result.matches {
                emit("\(path) est identique à l'export recalculé depuis \(against).")
                return
            }
            for difference in result.differences { emit("  " + difference) }
            printError("\(path) n'est pas l'export recalculé depuis \(against) : voir ci-dessus")
            throw ExitCode(1)
        }
    }
}

struct Publish: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "publish",
        abstract:
            "Écrire le site public statique (en français, sans JavaScript ni ressource externe) dans un répertoire.",
        discussion: """
            Pages : vue d'ensemble, une par appel et par département, projets aidés, téléchargements \
            (statistiques JSON et CSV, CSV SCDL, le registre, checkpoint.txt s'il existe) et « Vérifier ». Le même \
            registre donne les mêmes octets. Un site précédent dans --out est remplacé ; tout autre répertoire non \
            vide est refusé.
            """)
    @OptionGroup var options: LedgerOptions
    @OptionGroup var history: VerifierHistoryOptions
    @Option(help: "Le répertoire du site.") var out: String
    @Option(help: "CSV des SIRET pour le fichier SCDL (docs/PUBLISHING.md §4).") var identifiers: String?

    @OptionGroup var progress: ProgressOptions

    func run() throws {
        try progress.showing("publication") { try execute() }
    }

    private func execute() throws {
        try runReporting {
            let snapshot = UntilExit.keep(
                try LedgerSnapshot.verified(directory: options.directory, history: history.directory()))
            let (known, bytes) = try loadIdentifiers(identifiers, ledger: options.directory)
            let written = try SiteBuilder.publish(
                snapshot: snapshot, identifiers: known, identifiersFile: bytes, ledgerDirectory: options.directory,
                to: out)
            emit(
                "Site écrit dans \(out) : \(FrenchFormat.quantity(written.pages, "page", "pages")), \(FrenchFormat.quantity(written.files, "fichier", "fichiers")), tiré de \(FrenchFormat.quantity(snapshot.identity.size, "entrée", "entrées")) (racine \(snapshot.identity.rootHash))."
            )
        }
    }
}
