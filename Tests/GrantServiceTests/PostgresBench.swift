import Foundation
import GrantDomain
import GrantLedgerClient
import LedgerCore
import LedgerCrypto
import LedgerPostgres
import Logging
import Synchronization
import Testing

/// The measurements of docs/PERFORMANCE.md §PostgreSQL, run on demand (`GRANT_LEDGER_PG_BENCH=1 swift test --filter
/// PostgresBench`), never in CI: appends/s and latency through one and two `grant-ledger-server` nodes on a durable
/// throwaway cluster (`fsync` on), then `pgbench` on the same cluster with the store's locking pattern.
@Suite(.serialized, .enabled(if: ProcessInfo.processInfo.environment["GRANT_LEDGER_PG_BENCH"] != nil))
struct PostgresBench {
    @Test func appendsThroughTheServiceNextToPgbench() async throws {
        let cluster = try PostgresCluster(durable: true)
        defer { cluster.remove() }
        let url = try cluster.createDatabase()
        let fixture = try ServiceFixture()
        defer { fixture.remove() }
        let logs = (0..<16).map { "l\($0)" }
        for name in logs { try fixture.addLog(name) }
        try await PostgresLedgerDatabase.with(url: url, logger: Logger(label: "bench")) { database in
            try await database.migrate()
            for name in logs {
                _ = try await LogCopy.toDatabase(directory: fixture.logs + "/" + name, database: database, name: name)
            }
        }
        let key = fixture.logs + "/demo/demo-keys/autorite.pem"
        var report: [String] = []
        for nodeCount in [1, 2] {
            let servers = try (0..<nodeCount).map { _ in
                try ServerProcess(logs: fixture.logs, checkpointKey: key, store: url)
            }
            defer { for server in servers { server.stop() } }
            for (logCount, batch) in Self.scenarios {
                let line = try await Self.measure(
                    servers: servers.map(\.url), logs: Array(logs.prefix(logCount)), batch: batch,
                    rounds: batch == 1 ? 8 : 1, signer: fixture.authority)
                report.append("service nodes=\(nodeCount) logs=\(logCount) batch=\(batch): \(line)")
                FileHandle.standardError.write(Data(("PGBENCH-REPORT " + report.last! + "\n").utf8))
            }
        }
        for line in try Self.pgbench(cluster, database: PostgresCluster.databaseName(url)) {
            FileHandle.standardError.write(Data(("PGBENCH-REPORT " + line + "\n").utf8))
        }
    }

    /// (logs, batch) pairs: `GRANT_LEDGER_PG_BENCH=all` for the four of docs/PERFORMANCE.md; 16 clients
    /// re-signing batches of 64 for one log is slow on a loaded machine, so the default leaves it out.
    static var scenarios: [(Int, Int)] {
        ProcessInfo.processInfo.environment["GRANT_LEDGER_PG_BENCH"] == "all"
            ? [(1, 1), (16, 1), (1, 64), (16, 64)] : [(1, 1), (16, 1), (16, 64)]
    }

    /// 16 clients over `servers` and `logs`, `rounds` appends of `batch` entries each: appends/s and request
    /// latency (p50, p99), 412 re-signs included.
    static func measure(servers: [String], logs: [String], batch: Int, rounds: Int, signer: Ed25519PrivateKey)
        async throws -> String
    {
        let started = ContinuousClock.now
        let latencies = try await withThrowingTaskGroup(of: [Duration].self) { group in
            for index in 0..<16 {
                group.addTask {
                    var client = try LedgerServerClient(
                        server: servers[index % servers.count], log: logs[index % logs.count])
                    // (The client's pause between attempts overflows past 63 attempts.)
                    client.maxAttempts = 60
                    var times: [Duration] = []
                    for _ in 0..<rounds {
                        let start = ContinuousClock.now
                        for attempt in 1...20 {
                            do {
                                _ = try await client.append { (head) throws(LedgerError) -> [Entry] in
                                    do {
                                        return try Entries.registrations(
                                            batch, after: (head.size, head.hash), signer: signer)
                                    } catch {
                                        throw LedgerError(.key, "\(error)")
                                    }
                                }
                                break
                            } catch  where attempt < 20 {
                                continue
                            }
                        }
                        times.append(ContinuousClock.now - start)
                    }
                    return times
                }
            }
            var all: [Duration] = []
            for try await times in group { all += times }
            return all.sorted()
        }
        let seconds = Self.seconds(ContinuousClock.now - started)
        let entries = Double(latencies.count * batch)
        func percentile(_ p: Double) -> String {
            String(
                format: "%.1f ms",
                Self.seconds(latencies[min(latencies.count - 1, Int(Double(latencies.count) * p))]) * 1000)
        }
        return String(format: "%.0f appends/s", entries / seconds) + ", p50 \(percentile(0.5)), p99 \(percentile(0.99))"
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    /// `pgbench`, 16 clients, 200 transactions each (20 for batches), one log or 16, one row or 64 (576-byte lines), with two transactions written
    /// by hand: the store's own (one statement: a compare-and-set of the head row from the size read in its
    /// snapshot, and the inserts it conditions; a stale snapshot moves nothing, as a 412 does), and the row-lock
    /// pattern it replaced (`SELECT … FOR UPDATE`, insert, update, `COMMIT`). Rows/s are rows inserted (counted).
    static func pgbench(_ cluster: PostgresCluster, database: String) throws -> [String] {
        _ = try cluster.psql(
            database,
            """
            CREATE TABLE bh (id int PRIMARY KEY, size bigint NOT NULL);
            CREATE TABLE be (log int, seq bigint, prev bytea, hash bytea, line bytea, PRIMARY KEY (log, seq), UNIQUE (log, prev));
            INSERT INTO bh SELECT g, 0 FROM generate_series(1, 16) g;
            """)
        func rows(_ size: String, _ batch: Int) -> String {
            "SELECT :log, \(size) + g, sha256(((\(size) + g) || '-' || :log)::bytea), sha256(((\(size) + g + 1) || '-' || :log)::bytea), convert_to(repeat('x', 576), 'UTF8') FROM generate_series(0, \(batch - 1)) g"
        }
        var lines: [String] = []
        for (logs, batch) in [(1, 1), (16, 1), (1, 64), (16, 64)] {
            let patterns = [
                (
                    "compare-and-set",
                    """
                    \\set log random(1, \(logs))
                    WITH cur AS (SELECT size FROM bh WHERE id = :log), moved AS (UPDATE bh SET size = cur.size + \(batch) FROM cur WHERE bh.id = :log AND bh.size = cur.size RETURNING cur.size AS old), ins AS (INSERT INTO be \(rows("moved.old", batch).replacingOccurrences(of: "FROM generate_series", with: "FROM moved, generate_series"))) SELECT count(*) FROM moved;
                    """
                ),
                (
                    "row lock",
                    """
                    \\set log random(1, \(logs))
                    BEGIN;
                    SELECT size FROM bh WHERE id = :log FOR UPDATE \\gset
                    INSERT INTO be \(rows(":size", batch));
                    UPDATE bh SET size = size + \(batch) WHERE id = :log;
                    COMMIT;
                    """
                ),
            ]
            for (label, script) in patterns {
                let path = cluster.directory + "/bench-\(logs)-\(batch)-\(label.prefix(3)).sql"
                try script.write(toFile: path, atomically: true, encoding: .utf8)
                if getuid() == 0 { try PostgresCluster.run("/bin/chown", ["postgres", path]) }
                let before = Int(try cluster.psql(database, "SELECT count(*) FROM be").trimmed) ?? 0
                let started = ContinuousClock.now
                let output = try PostgresCluster.run(
                    cluster.bin + "/pgbench",
                    [
                        "-h", cluster.directory, "-U", "postgres", "-n", "-c", "16", "-j", "2", "-t",
                        batch == 1 ? "200" : "20",
                        "-f", path,
                        database,
                    ])
                let elapsed = Self.seconds(ContinuousClock.now - started)
                let after = Int(try cluster.psql(database, "SELECT count(*) FROM be").trimmed) ?? 0
                let tps = output.split(separator: "\n").first { $0.hasPrefix("tps = ") } ?? "?"
                let latency = output.split(separator: "\n").first { $0.hasPrefix("latency average") } ?? "?"
                lines.append(
                    "pgbench \(label) logs=\(logs) batch=\(batch): "
                        + String(format: "%.0f rows/s in %.1f s", Double(after - before) / elapsed, elapsed)
                        + " (\(tps); \(latency))")
            }
        }
        return lines
    }
}

extension String {
    fileprivate var trimmed: String { trimmingCharacters(in: .whitespacesAndNewlines) }
}
