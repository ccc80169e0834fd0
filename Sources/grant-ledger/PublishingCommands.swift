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
                body to identify and the SIRET column empty (or filled from --identifiers).
                """)
        @OptionGroup var options: LedgerOptions
        @Option(help: "Write to this file instead of standard output.") var out: String?
        @Option(help: "CSV of SIRETs: type,cle,nom,siret (docs/PUBLISHING.md §4).") var identifiers: String?
        @Flag(help: "Write the identifiers file to fill in instead of the export.") var template = false

        func run() throws {
            try runPublishing {
                let snapshot = try LedgerSnapshot.verified(directory: options.directory)
                let (known, _) = try loadIdentifiers(identifiers, ledger: options.directory)
                if template {
                    try writeOutput(Array(SCDLExport.template(snapshot: snapshot, known: known).utf8), to: out)
                    return
                }
                let export = try SCDLExport(snapshot: snapshot, identifiers: known)
                try writeOutput(Array(export.csv.utf8), to: out)
            }
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
