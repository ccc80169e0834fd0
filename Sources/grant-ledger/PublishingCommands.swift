import ArgumentParser
import Foundation
import GrantDomain
import GrantPublishing
import LedgerCore

/// Runs a publishing command: library errors become one sentence and an exit code (1 when the log does not
/// verify, 2 for unusable input).
func runPublishing(_ body: () throws -> Void) throws {
    try runReporting {
        do {
            try body()
        } catch let error as PublishingError {
            printError(error.message)
            throw ExitCode(error.code == .logInvalid ? 1 : 2)
        }
    }
}

/// Writes `text` to `path`, or to stdout when there is no path.
func writeOutput(_ bytes: [UInt8], to path: String?) throws(PublishingError) {
    guard let path else {
        emitMachine(bytes)
        return
    }
    do {
        try Data(bytes).write(to: URL(fileURLWithPath: path), options: .atomic)
    } catch {
        throw PublishingError(.io, "cannot write \(path): \(error.localizedDescription)")
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
        throw PublishingError(.badInput, "the identifiers file: \(error.message)")
    }
    return (try SCDLIdentifiers(csv: String(decoding: bytes, as: UTF8.self), source: path), bytes)
}

struct Stats: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Funding statistics recomputable from the log, or --check a published statistics file.",
        discussion: """
            Every output names the log it was computed from (size, head hash, RFC 6962 root); the same log gives \
            the same bytes. Figures are defined in docs/PUBLISHING.md. --check FILE recomputes FILE (its format and \
            scope are read from it) and exits 0 when it matches the log byte for byte, 1 otherwise, listing what differs.
            """)
    @OptionGroup var options: LedgerOptions
    @Option(help: "Only this call.") var call: String?
    @Option(help: "Group by departement, applicant_kind, action, month or population_band.") var by: String?
    @Option(help: "table, json or csv.") var format = "table"
    @Option(help: "Write to this file instead of standard output.") var out: String?
    @Option(help: "Recompute this published statistics file and say whether it matches the log.") var check: String?

    func run() throws {
        try runPublishing {
            if let check {
                guard call == nil, by == nil, out == nil else {
                    throw PublishingError(
                        .badInput, "--check reads the scope from the file; give no --call, --by or --out with it")
                }
                let published = try readInput(check)
                let snapshot = try LedgerSnapshot.load(directory: options.directory)
                let result = try StatsCheck(published: published, snapshot: snapshot)
                let id = snapshot.identity
                if result.matches {
                    emit("\(check) matches the log: \(id.size) entries, root \(id.rootHash).")
                    return
                }
                for difference in result.differences { emit("  " + difference) }
                printError(
                    "\(check) does not match the log (\(id.size) entries, root \(id.rootHash)): \(result.differences.count) difference\(result.differences.count == 1 ? "" : "s") listed above"
                )
                throw ExitCode(1)
            }
            guard let format = StatsFormat(rawValue: format) else {
                throw PublishingError(.badInput, "--format must be table, json or csv, not \(format)")
            }
            var grouping: StatsGrouping? = nil
            if let by {
                guard let value = StatsGrouping(rawValue: by) else {
                    throw PublishingError(
                        .badInput,
                        "--by must be departement, applicant_kind, action, month or population_band, not \(by)")
                }
                grouping = value
            }
            let snapshot = try LedgerSnapshot.verified(directory: options.directory)
            let stats = try FundingStatistics(snapshot: snapshot, scope: StatsScope(callID: call, grouping: grouping))
            try writeOutput(Array(stats.render(format).utf8), to: out)
        }
    }
}

struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Export the grants as open data.", subcommands: [SCDL.self])

    struct SCDL: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "scdl",
            abstract: "Every grant as a row of the national schema SCDL « Subventions » 2.1.1 (CSV).",
            discussion: """
                The log carries neither the prefectures' nor the beneficiaries' SIRETs, which the schema requires: \
                give them with --identifiers FILE (docs/PUBLISHING.md §4). --template writes that file with every \
                body to identify and the SIRET column empty (or filled from --identifiers). With --out X.csv, the \
                descriptor X.resource.json is written beside it: the file's SHA-256 and the log's size and root it \
                was computed from. --check FILE recomputes FILE from the log at that size and exits 0 when it is \
                identical, 1 naming the first row that differs.
                """)
        @OptionGroup var options: LedgerOptions
        @Option(help: "Write to this file instead of standard output.") var out: String?
        @Option(help: "CSV of SIRETs: type,cle,nom,siret (docs/PUBLISHING.md §4).") var identifiers: String?
        @Flag(help: "Write the identifiers file to fill in instead of the export.") var template = false
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
            try runPublishing {
                if let check { return try checkPublished(check) }
                let snapshot = try LedgerSnapshot.verified(directory: options.directory)
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
            let snapshot = try LedgerSnapshot.load(directory: options.directory)
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
        abstract: "Write the static public website (French, no JavaScript, no external asset) into a directory.",
        discussion: """
            Pages: overview, one per call and per département, granted projects, downloads (statistics JSON and \
            CSV, SCDL CSV, the log, checkpoint.txt when the ledger has one) and « Vérifier ». The same log gives \
            the same bytes. A previous site in --out is replaced; any other non-empty directory is refused.
            """)
    @OptionGroup var options: LedgerOptions
    @Option(help: "The site's directory.") var out: String
    @Option(help: "CSV of SIRETs for the SCDL file (docs/PUBLISHING.md §4).") var identifiers: String?

    func run() throws {
        try runPublishing {
            let snapshot = try LedgerSnapshot.verified(directory: options.directory)
            let (known, bytes) = try loadIdentifiers(identifiers, ledger: options.directory)
            let site = try SiteBuilder(snapshot: snapshot, identifiers: known, identifiersFile: bytes)
            try SiteBuilder.write(site.files, to: out)
            let pages = site.files.keys.filter { $0.hasSuffix(".html") }.count
            emit(
                "Site written to \(out): \(pages) pages, \(site.files.count) files, from \(snapshot.identity.size) entries (root \(snapshot.identity.rootHash))."
            )
        }
    }
}
