import Foundation
import GrantDomain
import GrantService
import LedgerCore
import LedgerCrypto
import LedgerPostgres
import Logging
import Testing

/// The PostgreSQL store on a real server: schema, the head lock, the database refusing a fork, the stored Merkle
/// hashes, and copies to and from a ledger directory that are byte-identical.
@Suite(.enabled(if: PostgresCluster.enabled)) struct PostgresStoreTests {
    static let logger = Logger(label: "test")

    @Test func copyToTheDatabaseAndBackIsByteIdenticalAndVerifies() async throws {
        let cluster = try PostgresCluster.shared.get()
        let url = try cluster.createDatabase()
        let fixture = try ServiceFixture()
        defer { fixture.remove() }
        let source = fixture.logs + "/demo"
        let back = fixture.root + "/back"
        let count = try await PostgresLedgerDatabase.with(url: url, logger: Self.logger) { database in
            try await database.migrate()
            try await database.migrate()
            let copied = try await LogCopy.toDatabase(directory: source, database: database, name: "demo")
            _ = try await LogCopy.toDirectory(database: database, name: "demo", directory: back)
            return copied
        }
        let original = try #require(FileManager.default.contents(atPath: source + "/ledger.jsonl"))
        #expect(count == Int64(original.split(separator: 0x0A).count))
        #expect(FileManager.default.contents(atPath: back + "/ledger.jsonl") == original)
        let (report, _) = try LedgerVerifier.verify(store: LedgerStore(directory: back), domain: GrantRules())
        #expect(report.isValid)
        // A second copy into the same database is refused: the log is there already.
        await #expect(throws: LedgerError.self) {
            try await PostgresLedgerDatabase.with(url: url, logger: Self.logger) { database in
                try await LogCopy.toDatabase(directory: source, database: database, name: "demo")
            }
        }
    }

    @Test func appendsAreACompareAndSetAndTheDatabaseRefusesAFork() async throws {
        let cluster = try PostgresCluster.shared.get()
        let url = try cluster.createDatabase()
        let fixture = try ServiceFixture()
        defer { fixture.remove() }
        try fixture.addLog("p")
        let directory = fixture.logs + "/p"
        let authority = fixture.authority
        try await PostgresLedgerDatabase.with(url: url, logger: Self.logger) { database in
            try await database.migrate()
            _ = try await LogCopy.toDatabase(directory: directory, database: database, name: "p")
            let store = try await database.log("p")
            // Two "nodes" over the same log.
            let other = try await database.log("p")
            var head = try await store.head()
            #expect(head.count == 1)
            // A batch from one node, then one from the other that still expects the old head: stale, not written.
            let first = try Entries.registrations(3, after: (UInt64(head.count), head.hash), signer: authority)
            let fork = try Entries.registrations(2, after: (UInt64(head.count), head.hash), signer: authority)
            #expect(
                try await store.appendVerified(first, expecting: head)
                    == .appended(LogStoreHead(count: 4, hash: first[2].hash)))
            let stale = try await other.appendVerified(fork, expecting: head)
            #expect(stale == .stale(LogStoreHead(count: 4, hash: first[2].hash)))
            head = try await other.head()
            #expect(head.count == 4)
            // The other node catches up on the entries it did not write, then appends after them.
            let fresh = try await other.catchUp()
            #expect(fresh.map(\.seq) == [1, 2, 3])
            let next = try Entries.registrations(64, after: (UInt64(head.count), head.hash), signer: authority)
            #expect(
                try await other.appendVerified(next, expecting: head)
                    == .appended(LogStoreHead(count: 68, hash: next[63].hash)))
            // Eight openings race on the same head, each with its own batch, at once: exactly one moves it.
            head = try await other.head()
            var racers: [PostgresLogStore] = []
            for _ in 0..<8 { racers.append(try await database.log("p")) }
            let batches = try (0..<8).map { index in
                try Entries.registrations(1 + index % 3, after: (UInt64(head.count), head.hash), signer: authority)
            }
            let outcomes = try await withThrowingTaskGroup(of: LogStoreAppend.self) { group in
                for (racer, batch) in zip(racers, batches) {
                    group.addTask { [head] in try await racer.appendVerified(batch, expecting: head) }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            let winners = outcomes.filter { if case .appended = $0 { true } else { false } }
            #expect(winners.count == 1, "\(outcomes)")
            head = try await other.head()
            #expect(outcomes.allSatisfy { $0 == .appended(head) || $0 == .stale(head) })
            try await store.catchUp()
            try await other.catchUp()
            // Both trees, and the hashes stored in merkle_nodes (read by a third opening), give the root of the lines.
            let lines = try await store.lines(from: 0, limit: 1_000)
            var expected = try MerkleTree(store: InMemoryMerkleHashStore())
            for line in lines { try expected.append(leaf: line) }
            let reopened = try await database.log("p")
            #expect(try store.merkleTree().root == expected.root)
            #expect(try other.merkleTree().root == expected.root)
            #expect(try reopened.merkleTree().root == expected.root)
            #expect(
                try await reopened.tileBytes(Tile(level: 0, index: 0, width: lines.count))
                    == expected.tileBytes(Tile(level: 0, index: 0, width: lines.count)))
        }
        // Behind the service's back: a second entry after the same one, at a new seq, is refused by the database.
        let name = PostgresCluster.databaseName(url)
        #expect(throws: ServiceTestError.self) {
            try cluster.psql(
                name,
                "INSERT INTO entries (log, seq, prev, hash, line) SELECT log, 1000, prev, hash, line FROM entries WHERE log = 'p' AND seq = 5"
            )
        }
        let (count, distinct, last) = try Self.counts(
            cluster.psql(
                name, "SELECT count(*), count(DISTINCT seq), max(seq) FROM entries WHERE log = 'p'"))
        #expect(count == distinct && last == count - 1 && (69...71).contains(count))
        let nodes = try cluster.psql(name, "SELECT count(*) FROM merkle_nodes WHERE log = 'p' AND level = 0")
        #expect(Int(nodes.trimmingCharacters(in: .whitespacesAndNewlines)) == count)
    }

    /// A node on the database serves every decision bundle of the demo, byte for byte the file store's.
    @Test func decisionBundlesFromTheDatabaseAreTheFileStoresBytes() async throws {
        let cluster = try PostgresCluster.shared.get()
        let url = try cluster.createDatabase()
        let fixture = try ServiceFixture()
        defer { fixture.remove() }
        let files = try fixture.service()
        let decided = try Ledger<GrantRules>(directory: fixture.logs + "/demo", domain: { GrantRules() }).replay()
            .domain.state.applications.values.filter { $0.decision != nil }.map(\.application.applicationID).sorted()
        #expect(decided.count > 10)
        let logs = fixture.logs
        let authority = fixture.authority
        try await PostgresLedgerDatabase.with(url: url, logger: Self.logger) { database in
            try await database.migrate()
            _ = try await LogCopy.toDatabase(directory: logs + "/demo", database: database, name: "demo")
            let node = try await GrantLedgerService.open(
                ServiceConfiguration(logsDirectory: logs, checkpointKey: authority), database: database,
                logger: Self.logger)
            for id in decided {
                let fromDatabase = try await node.bundle(log: "demo", id: id)
                #expect(fromDatabase.body == (try await files.bundle(log: "demo", id: id)).body, "\(id)")
            }
            await #expect(throws: ServiceError.self) { try await node.bundle(log: "demo", id: "inconnu") }
        }
    }

    /// The three integers of a `psql` row `a|b|c`.
    static func counts(_ row: String) throws -> (Int, Int, Int) {
        let values = row.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "|").compactMap { Int($0) }
        guard values.count == 3 else { throw ServiceTestError("not three integers: \(row)") }
        return (values[0], values[1], values[2])
    }

    @Test func aConnectionStringIsNeverRepeatedInAnError() throws {
        for bad in ["mysql://user:secret@host/db", "postgres://user:secret@/db", "postgres://u:secret@h/db?sslmode=x"] {
            do {
                _ = try PostgresLedgerDatabase.configuration(bad)
                Issue.record("\(bad) was accepted")
            } catch {
                #expect(!error.message.contains("secret"))
            }
        }
        _ = try PostgresLedgerDatabase.configuration("postgres://ledger:pw@localhost/base?host=/run/pg")
        _ = try PostgresLedgerDatabase.configuration("postgresql://ledger@127.0.0.1:6543/base?sslmode=require")
    }
}
