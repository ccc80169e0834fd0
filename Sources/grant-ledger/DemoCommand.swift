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
            try DemoDirectory.prepare(out)
            let reference: ReferenceData
            do { reference = try ReferenceData.shared() } catch {
                throw LedgerError(.io, "the bundled reference data cannot be read: \(error)")
            }
            let summary = try DemoBuilder(seed: seed, applications: applications, reference: reference).build(into: out)
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
    static func prepare(_ path: String) throws(LedgerError) {
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
        let fm = FileManager.default
        for name in [
            LedgerStore.logFileName, LedgerStore.lockFileName, "merkle", "checkpoints", "checkpoint.txt", "demo-keys",
            "identifiants-scdl.csv",
        ] {
            let item = path + "/" + name
            if fm.fileExists(atPath: item) {
                do { try fm.removeItem(atPath: item) } catch {
                    throw LedgerError(.io, "cannot remove the previous demo's \(item): \(error.localizedDescription)")
                }
            }
        }
    }
}
