import ArgumentParser
import Foundation
import GrantDomain
import GrantPublishing
import LedgerCore
import LedgerCrypto

struct Demo: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Construire le registre de démonstration déterministe, le vérifier et en afficher le résumé.",
        discussion: """
            La démonstration a une autorité, trois préfectures (dont une avec sa propre grille), un payeur et un \
            auditeur ; de vraies communes et de vrais EPCI ; des notes, des aides et des rejets de chaque motif, des \
            versements, des retraits, une clé révoquée et un écart déclaré. Ses clés (DÉMONSTRATION SEULEMENT) sont \
            écrites sous <out>/demo-keys/ pour que vous puissiez continuer à enregistrer des événements. Un registre \
            de démonstration déjà présent dans <out> est reconstruit ; tout autre registre est laissé intact.
            """)

    @Option(help: "Où écrire le registre de démonstration.") var out = "events"
    @Option(help: "Nombre de dossiers.") var applications = 60
    @Option(help: "Graine du générateur déterministe.") var seed: UInt64 = 2021

    @OptionGroup var progress: ProgressOptions

    func run() throws {
        try progress.showing("démonstration") { try execute() }
    }

    private func execute() throws {
        try runReporting {
            guard applications >= 3 && applications <= 1_000_000 else {
                throw LedgerError(.badInput, "--applications doit être entre 3 et 1 000 000, pas \(applications)")
            }
            try DemoDirectory.check(out)
            let reference: ReferenceData
            do { reference = try ReferenceData.shared() } catch {
                throw LedgerError(
                    .io, "les données de référence embarquées ne peuvent pas être lues : \(error)", underlying: error)
            }
            // Built aside, then moved in: a demo that fails half-way (a full disk) leaves the previous one whole.
            let staging = try DemoDirectory.staging(for: out)
            defer { try? FileManager.default.removeItem(atPath: staging) }
            let summary = try DemoBuilder(seed: seed, applications: applications, reference: reference).build(
                into: staging)
            try DemoDirectory.install(staging, into: out)
            let ledger = Ledger(directory: out, domain: { GrantRules(reference: reference) })
            let (report, replayer) = try LedgerVerifier.verify(
                store: ledger.store, domain: GrantRules(reference: reference))
            let state = replayer.domain.state
            emit(
                "Registre de démonstration écrit dans \(out)/\(LedgerStore.logFileName) : \(FrenchFormat.quantity(summary.entries, "entrée", "entrées")), \(FrenchFormat.quantity(summary.applications, "dossier", "dossiers")), \(FrenchFormat.quantity(state.calls.count, "appel", "appels"))."
            )
            emit(
                "Clés de démonstration (DÉMONSTRATION SEULEMENT) dans \(out)/demo-keys/ : "
                    + summary.keys.map(\.file).joined(separator: ", ") + ".")
            emit("")
            emit(LedgerStatus(state: state).text)
            emit("")
            let failures = report.outcomes.failures.count
            let deviations = report.outcomes.findings.filter { $0.kind == .deviation }.count
            emit(
                "Vérification : \(failures == 0 ? "registre intègre, toutes les décisions suivent les critères publiés" : FrenchFormat.quantity(failures, "anomalie", "anomalies"))"
                    + (deviations > 0
                        ? " ; \(FrenchFormat.quantity(deviations, "écart déclaré", "écarts déclarés"))" : "") + ".")
            emit(
                "Ensuite : \(invocation) verify --ledger \(out)   ·   \(invocation) status --ledger \(out)"
            )
            if failures > 0 { throw ExitCode(1) }
        }
    }

    private var invocation: String { Demo.invocation(CommandLine.arguments.first ?? "grant-ledger") }

    /// How to run this binary again, for the next-step hints: `swift run NAME` when it is a SwiftPM build product
    /// (in a `.build` directory), else the command as it was typed (`grant-ledger` found on the PATH, or a path).
    static func invocation(_ argument0: String) -> String {
        let name = argument0.split(separator: "/").last.map(String.init) ?? "grant-ledger"
        if argument0.contains("/.build/") { return "swift run \(name)" }
        // Quoted for the shell unless made of letters, digits and `/._+-` only.
        let plain =
            !argument0.isEmpty
            && argument0.unicodeScalars.allSatisfy {
                "/._+-".unicodeScalars.contains($0) || ($0.isASCII && $0.properties.isAlphabetic)
                    || ("0"..."9").contains($0)
            }
        return plain ? argument0 : "'" + argument0.replacing("'", with: "'\\''") + "'"
    }
}

/// Preparing the demo's output directory without ever touching a ledger that is not a demo.
enum DemoDirectory {
    /// What a demo writes into its directory; anything else there (`events/schema/`) is left alone.
    static let items = [
        LedgerStore.logFileName, LedgerStore.headFileName, LedgerStore.lockFileName, "merkle", "checkpoints",
        "checkpoint.txt", "demo-keys", "identifiants-scdl.csv", StateSnapshot.fileName,
    ]

    /// Refuses a directory that holds a ledger other than the demo.
    static func check(_ path: String) throws(LedgerError) {
        let store = LedgerStore(directory: path)
        guard store.exists else { return }
        let first: Entry?
        do {
            let reader = try store.lines()
            first = reader.next().flatMap { try? Entry(line: $0) }
        }
        guard let first, first.type == EventCatalog.ledgerCreated,
            first.payload["origin"]?.stringValue == DemoBuilder.origin
        else {
            throw LedgerError(
                .alreadyExists,
                "\(path) contient un registre qui n'est pas celui de la démonstration ; choisissez un autre --out (rien n'a été modifié)"
            )
        }
    }

    /// A new hidden directory beside `path` to build the demo in.
    static func staging(for path: String) throws(LedgerError) -> String {
        let trimmed = path.count > 1 && path.hasSuffix("/") ? String(path.dropLast()) : path
        let slash = trimmed.lastIndex(of: "/")
        let parent = slash.map { $0 == trimmed.startIndex ? "/" : String(trimmed[..<$0]) } ?? "."
        let name = slash.map { String(trimmed[trimmed.index(after: $0)...]) } ?? trimmed
        do { try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true) } catch {
            throw LedgerError(.io, "impossible de créer \(parent) : \(error.localizedDescription)", underlying: error)
        }
        var generator = SystemRandomNumberGenerator()
        while true {
            let candidate = parent + "/." + name + ".demo-" + String(generator.next() as UInt64, radix: 16)
            if mkdir(candidate, 0o755) == 0 { return candidate }
            guard errno == EEXIST else {
                throw LedgerError(.io, "impossible de créer \(candidate) : \(String(cString: strerror(errno)))")
            }
        }
    }

    /// Moves the demo built in `staging` into `path`, item by item: each previous item is renamed aside into
    /// `staging` (removed with it), then the new one renamed in.
    static func install(_ staging: String, into path: String) throws(LedgerError) {
        let fm = FileManager.default
        do { try fm.createDirectory(atPath: path, withIntermediateDirectories: true) } catch {
            throw LedgerError(.io, "impossible de créer \(path) : \(error.localizedDescription)", underlying: error)
        }
        for name in items {
            let target = path + "/" + name
            var info = stat()
            if lstat(target, &info) == 0, rename(target, staging + "/.previous-" + name) != 0 {
                throw LedgerError(
                    .io,
                    "impossible de remplacer \(target) de la démonstration précédente : \(String(cString: strerror(errno)))"
                )
            }
            if lstat(staging + "/" + name, &info) == 0, rename(staging + "/" + name, target) != 0 {
                throw LedgerError(
                    .io,
                    "impossible de placer \(name) de la démonstration dans \(path) : \(String(cString: strerror(errno)))"
                )
            }
        }
    }
}
