import Foundation
import GrantDomain
import GrantLedgerClient
import LedgerCore
import LedgerCrypto
import LedgerPostgres
import Logging
import Synchronization
import Testing

/// Two `grant-ledger-server` processes on one PostgreSQL database, sixteen clients spread over both and over four
/// logs; one node killed with `kill -9` mid-load and restarted, the database crashed (`pg_ctl -m immediate`) and
/// restarted mid-load. Nothing acknowledged is lost, no log forks, every log verifies, and a mirror of each log
/// through either node holds the same bytes as the database. Each node runs on one CPU, so one thread that waits
/// where it should not (a handler behind a writer that waits for the reconnecting database) stops it.
@Suite(.serialized, .enabled(if: PostgresCluster.enabled)) struct PostgresLiveTests {
    /// The nodes' addresses, replaced when a node restarts on a new port.
    final class Nodes: Sendable {
        let urls: Mutex<[String]>
        init(_ urls: [String]) { self.urls = Mutex(urls) }
        subscript(index: Int) -> String { urls.withLock { $0[index % $0.count] } }
        func replace(_ index: Int, with url: String) { urls.withLock { $0[index] = url } }
    }

    /// `clients` tasks, client `i` writing to log `i % logs.count` through node `i % 2`, `rounds` appends each (a
    /// batch of 1 or 3 registrations); an append that fails (node down, database down: 503) is retried for at most
    /// 90 s, then reported.
    static func load(
        nodes: Nodes, logs: [String], clients: Int, rounds: Int, signer: Ed25519PrivateKey,
        acknowledged: LiveServerTests.Acknowledged
    ) async -> (appended: Int, failures: [String], retries: Int) {
        await withTaskGroup(of: (Int, String?, Int).self) { group in
            for index in 0..<clients {
                let log = logs[index % logs.count]
                let batch = index % 3 == 0 ? 3 : 1
                group.addTask {
                    var appended = 0
                    var retries = 0
                    for _ in 0..<rounds {
                        let deadline = ContinuousClock.now + .seconds(90)
                        while true {
                            do {
                                var client = try LedgerServerClient(server: nodes[index], log: log)
                                client.maxAttempts = 64
                                let entries = try await client.append { (head) throws(LedgerError) -> [Entry] in
                                    do {
                                        return try Entries.registrations(
                                            batch, after: (head.size, head.hash), signer: signer)
                                    } catch {
                                        throw LedgerError(.key, "\(error)")
                                    }
                                }
                                acknowledged.record(log, entries)
                                appended += entries.count
                                break
                            } catch {
                                retries += 1
                                guard ContinuousClock.now < deadline else { return (appended, "\(error)", retries) }
                                try? await Task.sleep(for: .milliseconds(100))
                            }
                        }
                    }
                    return (appended, nil, retries)
                }
            }
            var total = 0
            var failures: [String] = []
            var retries = 0
            for await (count, failure, tries) in group {
                total += count
                retries += tries
                if let failure { failures.append(failure) }
            }
            return (total, failures, retries)
        }
    }

    @Test func twoNodesSurviveAKillNineAndADatabaseCrash() async throws {
        let cluster = try PostgresCluster()
        defer { cluster.remove() }
        let url = try cluster.createDatabase()
        let fixture = try ServiceFixture()
        defer { fixture.remove() }
        let logs = ["demo", "p0", "p1", "p2"]
        for name in logs.dropFirst() { try fixture.addLog(name) }
        let directories = logs.map { fixture.logs + "/" + $0 }
        try await PostgresLedgerDatabase.with(url: url, logger: Logger(label: "test")) { database in
            try await database.migrate()
            for (name, directory) in zip(logs, directories) {
                _ = try await LogCopy.toDatabase(directory: directory, database: database, name: name)
            }
        }
        let key = fixture.logs + "/demo/demo-keys/autorite.pem"
        var first = try ServerProcess(logs: fixture.logs, checkpointKey: key, store: url, oneCore: true)
        let second = try ServerProcess(logs: fixture.logs, checkpointKey: key, store: url, oneCore: true)
        defer {
            first.stop()
            second.stop()
        }
        let nodes = Nodes([first.url, second.url])
        let acknowledged = LiveServerTests.Acknowledged()
        let signer = fixture.authority
        let load = Task {
            await Self.load(
                nodes: nodes, logs: logs, clients: 16, rounds: 5, signer: signer, acknowledged: acknowledged)
        }
        func waitForAcknowledged(_ count: Int) async throws {
            let deadline = ContinuousClock.now + .seconds(120)
            while acknowledged.snapshot.values.reduce(0, { $0 + $1.count }) < count, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(20))
            }
        }
        // One node dies mid-load, with requests (perhaps a transaction) in flight, and comes back on a new port.
        try await waitForAcknowledged(20)
        first.kill()
        first = try ServerProcess(logs: fixture.logs, checkpointKey: key, store: url, oneCore: true)
        nodes.replace(0, with: first.url)
        // The database crashes mid-load and restarts (recovery from its WAL).
        try await waitForAcknowledged(50)
        try cluster.stop(immediate: true)
        try await Task.sleep(for: .milliseconds(300))
        try cluster.start()
        let result = await load.value
        #expect(result.failures.isEmpty, "\(result.failures.prefix(3))")
        #expect(result.retries > 0, "no append failed: the node and the database never went away under load")

        // Every log: no duplicate seq, every acknowledged entry at its seq, and a copy out of the database verifies.
        let database = PostgresCluster.databaseName(url)
        let ledger = acknowledged.snapshot
        var copies: [String: [UInt8]] = [:]
        try await PostgresLedgerDatabase.with(url: url, logger: Logger(label: "test")) { database in
            for name in logs {
                _ = try await LogCopy.toDirectory(
                    database: database, name: name, directory: fixture.root + "/copy-" + name)
            }
        }
        for name in logs {
            let counts = try cluster.psql(
                database,
                "SELECT count(*) = count(DISTINCT seq) AND count(*) = max(seq) + 1 FROM entries WHERE log = '\(name)'")
            #expect(counts.trimmingCharacters(in: .whitespacesAndNewlines) == "t", "\(name): seqs not 0..<n")
            let copy = fixture.root + "/copy-" + name
            try LiveServerTests.check(copy, acknowledged: ledger[name] ?? [:])
            copies[name] = try #require(FileManager.default.contents(atPath: copy + "/ledger.jsonl")).map { $0 }
        }
        #expect(ledger.values.reduce(0) { $0 + $1.count } == result.appended)

        // A mirror through either node, trusting only the checkpoint key, holds the database's bytes.
        for name in logs {
            let origin = name == "demo" ? DemoBuilder.origin : "\(name).test.grantledger.example/1"
            let verifier = try NoteVerifier(name: origin, publicKey: fixture.authority.publicKey)
            let size = UInt64(copies[name]!.split(separator: 0x0A).count)
            for (index, node) in [first, second].enumerated() {
                let mirror = fixture.root + "/mirror-\(name)-\(index)"
                let client = try LedgerServerClient(server: node.url, log: name)
                // The nodes sign a checkpoint of what they have within a few tenths of a second.
                let deadline = ContinuousClock.now + .seconds(60)
                var mirrored: UInt64 = 0
                while mirrored < size, ContinuousClock.now < deadline {
                    let synced = try await LogMirror.sync(
                        fetcher: HTTPTileFetcher(prefix: client.tilesPrefix), into: mirror, trustedKey: verifier)
                    mirrored = synced.checkpoint.checkpoint.size
                    if mirrored < size { try await Task.sleep(for: .milliseconds(200)) }
                }
                #expect(mirrored == size, "\(name) through node \(index): checkpoint \(mirrored), log \(size)")
                #expect(
                    FileManager.default.contents(atPath: mirror + "/ledger.jsonl").map { Array($0) } == copies[name],
                    "\(name) through node \(index)")
            }
        }
    }
}
