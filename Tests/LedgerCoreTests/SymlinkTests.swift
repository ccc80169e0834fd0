import Foundation
import LedgerCrypto
import Testing

@testable import LedgerCore

/// Planted symbolic links never make the store write outside its directory (docs/FORMAT.md §5.4).
@Suite("Planted symbolic links: nothing is written outside the ledger directory")
struct SymlinkTests {
    /// A ledger of a few entries with a checkpoint, and a victim directory outside it holding one file.
    struct Setup {
        let ledger: Ledger<NoDomainRules>
        let victimDirectory: String
        var victim: String { victimDirectory + "/victim.txt" }
        var missing: String { victimDirectory + "/created-by-link.txt" }
        var directory: String { ledger.store.directory }

        init() throws {
            ledger = try TestLedgers.make(count: 3)
            _ = try LedgerCheckpoints.sign(ledger, key: TestLedgers.key(1))
            victimDirectory = TestLedgers.temporaryDirectory()
            try Data("victim\n".utf8).write(to: URL(fileURLWithPath: victimDirectory + "/victim.txt"))
        }

        func plant(_ name: String, to target: String) throws {
            let path = directory + "/" + name
            if FileManager.default.fileExists(atPath: path) || FileIO.isSymbolicLink(path) {
                try FileManager.default.removeItem(atPath: path)
            }
            try FileManager.default.createSymbolicLink(atPath: path, withDestinationPath: target)
        }

        /// The victim is unchanged, no file appeared where a dangling link pointed, and the victim directory holds
        /// nothing else.
        func expectUntouched(sourceLocation: SourceLocation = #_sourceLocation) throws {
            #expect(
                try String(contentsOfFile: victim, encoding: .utf8) == "victim\n", sourceLocation: sourceLocation)
            #expect(!FileManager.default.fileExists(atPath: missing), sourceLocation: sourceLocation)
            #expect(
                try FileManager.default.contentsOfDirectory(atPath: victimDirectory) == ["victim.txt"],
                sourceLocation: sourceLocation)
        }

        func append(_ seed: UInt8) throws(LedgerError) {
            try ledger.append(
                type: EventCatalog.keyRegistered,
                payload: TestLedgers.registration(
                    TestLedgers.key(seed), role: .payer, territories: ["15"], holder: "P"),
                signer: TestLedgers.key(1))
        }
    }

    /// Runs `body`, which may fail; a failure must be one sentence that names the link.
    static func attempt(_ body: () throws -> Void, sourceLocation: SourceLocation = #_sourceLocation) {
        do { try body() } catch let error as LedgerError {
            #expect(!error.message.contains("\n"), sourceLocation: sourceLocation)
        } catch {
            Issue.record("unexpected \(error)", sourceLocation: sourceLocation)
        }
    }

    @Test(
        "a link at ledger.jsonl or ledger.head is refused by writers, readers and repair",
        arguments: [
            "ledger.jsonl", "ledger.head",
        ])
    func logAndHead(name: String) throws {
        let setup = try Setup()
        try setup.plant(name, to: setup.victim)
        do {
            try setup.append(40)
            Issue.record("an append through a link must be refused")
        } catch {
            #expect(error.message.contains("lien symbolique"), "\(error.message)")
        }
        #expect(throws: LedgerError.self) { try setup.ledger.store.repair() }
        #expect(throws: LedgerError.self) { try TestLedgers.verify(setup.ledger) }
        Self.attempt { _ = try LedgerCheckpoints.sign(setup.ledger, key: TestLedgers.key(1)) }
        try setup.expectUntouched()
    }

    @Test("a link at ledger.lock, dangling or not, is never created, opened for writing or followed")
    func lock() throws {
        let setup = try Setup()
        for target in [setup.missing, setup.victim] {
            try setup.plant("ledger.lock", to: target)
            Self.attempt { _ = try TestLedgers.verify(setup.ledger) }
            Self.attempt { _ = try setup.ledger.store.lines() }
            #expect(throws: LedgerError.self) { try setup.append(40) }
            #expect(throws: LedgerError.self) { try setup.ledger.store.repair() }
            Self.attempt {
                _ = try LedgerTree.withCurrent(setup.ledger.store) { (tree) throws(LedgerError) in tree.size }
            }
            try setup.expectUntouched()
        }
    }

    @Test("links at merkle/, its level files or offsets: the cache is refused, proofs come from the log")
    func merkleCache() throws {
        for (name, target) in [
            ("merkle", "dir"), ("merkle/level-00.hashes", "file"), ("merkle/level-01.hashes", "missing"),
            ("merkle/offsets", "file"),
        ] {
            let setup = try Setup()
            try setup.plant(
                name, to: target == "dir" ? setup.victimDirectory : target == "file" ? setup.victim : setup.missing)
            Self.attempt { try setup.append(40) }
            Self.attempt { try setup.append(41) }
            let size = try LedgerTree.withCurrent(setup.ledger.store) { (tree) throws(LedgerError) in tree.size }
            #expect(size == UInt64(try TestLedgers.lines(setup.ledger).count), "\(name)")
            Self.attempt { _ = try LedgerCheckpoints.sign(setup.ledger, key: TestLedgers.key(1)) }
            try setup.expectUntouched()
        }
    }

    @Test("links at checkpoints/, checkpoint.txt or the old temporary name are never written through")
    func checkpoints() throws {
        for (name, target) in [
            ("checkpoints", "dir"), ("checkpoint.txt", "file"), ("checkpoint.txt.tmp-\(getpid())", "missing"),
            ("checkpoints/4.txt", "missing"),
        ] {
            let setup = try Setup()
            try setup.plant(
                name, to: target == "dir" ? setup.victimDirectory : target == "file" ? setup.victim : setup.missing)
            try setup.append(40)
            Self.attempt { _ = try LedgerCheckpoints.sign(setup.ledger, key: TestLedgers.key(1)) }
            try setup.expectUntouched()
        }
    }

    @Test("a link at a side file's name does not receive the torn bytes")
    func sideFile() throws {
        let setup = try Setup()
        let now = Timestamp(rfc3339: "2030-01-01T00:00:00Z")!
        let stamp = now.description.split(separator: ":").joined()
        try setup.plant("ledger.jsonl.torn-" + stamp, to: setup.victim)
        try setup.plant("ledger.jsonl.torn-" + stamp + "-0000000000000000", to: setup.missing)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: setup.ledger.store.logPath))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data("{\"torn".utf8))
        try handle.close()
        let result = try setup.ledger.store.repair(now: now)
        let side = try #require(result.sideFile)
        #expect(!FileIO.isSymbolicLink(side))
        #expect(try String(contentsOfFile: side, encoding: .utf8) == "{\"torn")
        try setup.expectUntouched()
    }
}
