import ArgumentParser
import Foundation
import GrantDomain
import LedgerCore

struct Demo: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Build the deterministic demo ledger, verify it and print a summary.",
        discussion: """
            The demo has an authority, three prefectures (one with its own grid), a payer and an auditor; real \
            communes and EPCIs; scores, grants and rejections with every motive, payments, withdrawals, a revoked key \
            and a declared deviation. Its keys (DEMO ONLY) are written under <out>/demo-keys/ so that you can go on \
            recording events. An existing demo ledger in <out> is rebuilt; any other ledger is left alone.
            """)

    @Option(help: "Where to write the demo ledger.") var out = "events"
    @Option(help: "Number of applications.") var applications = 60
    @Option(help: "Seed of the deterministic generator.") var seed: UInt64 = 2021

    func run() throws {
        try runReporting {
            guard applications >= 3 && applications <= 1_000_000 else {
                throw LedgerError(.badInput, "--applications must be between 3 and 1 000 000, not \(applications)")
            }
            try DemoDirectory.check(out)
            let reference: ReferenceData
            do { reference = try ReferenceData.shared() } catch {
                throw LedgerError(.io, "the bundled reference data cannot be read: \(error)")
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
                "Demo ledger written to \(out)/\(LedgerStore.logFileName): \(FrenchFormat.integer(summary.entries)) entries, \(summary.applications) applications, \(state.calls.count) calls."
            )
            emit(
                "Demo keys (DEMO ONLY) in \(out)/demo-keys/: " + summary.keys.map(\.file).joined(separator: ", ") + ".")
            emit("")
            emit(StatusText.render(state))
            emit("")
            let failures = report.outcomes.failures.count
            let deviations = report.outcomes.findings.filter { $0.kind == .deviation }.count
            emit(
                "Vérification : \(failures == 0 ? "registre intègre, toutes les décisions suivent les critères publiés" : "\(failures) anomalie(s)")"
                    + (deviations > 0 ? " ; \(deviations) écart(s) déclaré(s)" : "") + ".")
            emit(
                "Next: swift run grant-ledger verify --ledger \(out)   ·   swift run grant-ledger status --ledger \(out)"
            )
            if failures > 0 { throw ExitCode(1) }
        }
    }
}

/// Preparing the demo's output directory without ever touching a ledger that is not a demo.
enum DemoDirectory {
    /// What a demo writes into its directory; anything else there (`events/schema/`) is left alone.
    static let items = [
        LedgerStore.logFileName, LedgerStore.headFileName, LedgerStore.lockFileName, "merkle", "checkpoints",
        "checkpoint.txt", "demo-keys", "identifiants-scdl.csv",
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
                "\(path) holds a ledger that is not the demo; choose another --out (nothing was touched)")
        }
    }

    /// A new hidden directory beside `path` to build the demo in.
    static func staging(for path: String) throws(LedgerError) -> String {
        let trimmed = path.count > 1 && path.hasSuffix("/") ? String(path.dropLast()) : path
        let slash = trimmed.lastIndex(of: "/")
        let parent = slash.map { $0 == trimmed.startIndex ? "/" : String(trimmed[..<$0]) } ?? "."
        let name = slash.map { String(trimmed[trimmed.index(after: $0)...]) } ?? trimmed
        do { try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true) } catch {
            throw LedgerError(.io, "cannot create \(parent): \(error.localizedDescription)")
        }
        var generator = SystemRandomNumberGenerator()
        while true {
            let candidate = parent + "/." + name + ".demo-" + String(generator.next() as UInt64, radix: 16)
            if mkdir(candidate, 0o755) == 0 { return candidate }
            guard errno == EEXIST else {
                throw LedgerError(.io, "cannot create \(candidate): \(String(cString: strerror(errno)))")
            }
        }
    }

    /// Moves the demo built in `staging` into `path`, item by item: each previous item is renamed aside into
    /// `staging` (removed with it), then the new one renamed in.
    static func install(_ staging: String, into path: String) throws(LedgerError) {
        let fm = FileManager.default
        do { try fm.createDirectory(atPath: path, withIntermediateDirectories: true) } catch {
            throw LedgerError(.io, "cannot create \(path): \(error.localizedDescription)")
        }
        for name in items {
            let target = path + "/" + name
            var info = stat()
            if lstat(target, &info) == 0, rename(target, staging + "/.previous-" + name) != 0 {
                throw LedgerError(
                    .io, "cannot replace the previous demo's \(target): \(String(cString: strerror(errno)))")
            }
            if lstat(staging + "/" + name, &info) == 0, rename(staging + "/" + name, target) != 0 {
                throw LedgerError(
                    .io, "cannot move the demo's \(name) into \(path): \(String(cString: strerror(errno)))")
            }
        }
    }
}
