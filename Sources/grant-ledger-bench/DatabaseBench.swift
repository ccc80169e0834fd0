import Foundation
import GrantDomain
import GrantService
import LedgerCore
import LedgerCrypto
import LedgerPostgres
import Logging
import PostgresNIO

/// `--service --store postgres://…`: the scenarios of ``ServiceBench`` with the logs in a PostgreSQL database, through
/// `--nodes` services in this process (each with its own connection pool, replayed states and writer queues, as
/// separate servers would have), then `pgbench` on the same database with the store's own statement and with the
/// row-lock pattern it replaced, so that the service's rate can be read against the database's.
enum DatabaseBench {
    static func run(options: BenchOptions, url: String) throws {
        let root = try Bench<NoDomainRules>.makeTemporaryDirectory(parent: options.parent)
        defer {
            if options.keep { printError("kept \(root)") } else { Bench<NoDomainRules>.removeTree(root) }
        }
        let authority = try Ed25519PrivateKey.generate()
        let logs = try ServiceBench.makeLogs(root: root, count: 16, authority: authority)
        var configuration = ServiceConfiguration(logsDirectory: root + "/logs", checkpointKey: authority)
        configuration.limits.maxConcurrentRequestsPerClient = 1_000
        var logger = Logger(label: "grant-ledger-bench")
        logger.logLevel = .critical
        let quiet = logger
        let databases = try (0..<options.nodes).map { _ in try PostgresLedgerDatabase(url: url, logger: quiet) }
        let configured = configuration
        let singles = max(16, options.single)
        let report = try Bench<NoDomainRules>.waitFor {
            try await withThrowingTaskGroup(of: ReportJSON?.self) { group in
                for database in databases {
                    group.addTask {
                        await database.run()
                        return nil
                    }
                }
                group.addTask {
                    let first = databases[0]
                    try await first.migrate()
                    guard try await first.logNames().isEmpty else {
                        throw BenchFailure("the database already holds logs: give the bench an empty one")
                    }
                    for name in logs {
                        _ = try await LogCopy.toDatabase(directory: root + "/logs/" + name, database: first, name: name)
                    }
                    var services: [GrantLedgerService] = []
                    for database in databases {
                        services.append(
                            try await GrantLedgerService.open(configured, database: database, logger: quiet))
                    }
                    let results = try await withServers(services[...], logger: quiet) { servers in
                        var results = ReportJSON()
                        for scenario in ServiceBench.scenarios(singles: singles) {
                            let (json, _) = try await ServiceBench.http(
                                scenario, servers: servers, logs: logs, authority: authority)
                            results.add(scenario.label, json)
                        }
                        return results
                    }
                    var report = ReportJSON()
                    report.add("store", "postgresql")
                    report.add("nodes", options.nodes)
                    report.add("http", results)
                    report.add("pgbench", try await pgbench(url: url, database: first))
                    return report
                }
                defer { group.cancelAll() }
                while let result = try await group.next() {
                    if let result { return result }
                }
                throw BenchFailure("the database client stopped")
            }
        }
        print(report.text())
    }

    /// Runs one server per service on 127.0.0.1 for the duration of `body`, which gets their addresses.
    static func withServers<T: Sendable>(
        _ services: ArraySlice<GrantLedgerService>, logger: Logger, addresses: [String] = [],
        _ body: @escaping @Sendable ([String]) async throws -> T
    ) async throws -> T {
        guard let service = services.first else { return try await body(addresses) }
        return try await ServiceBench.withServer(service, logger: logger) { address in
            try await withServers(services.dropFirst(), logger: logger, addresses: addresses + [address], body)
        }
    }

    /// `pgbench` on the database, 16 clients (two threads), one log or 16, one row or 64 (576-byte lines), with two
    /// transactions: the store's (one statement, a compare-and-set of the head row from the size in its snapshot,
    /// and the inserts it conditions: a stale snapshot moves nothing, as a 412 does) and the row-lock pattern
    /// (`SELECT … FOR UPDATE`, insert, update, `COMMIT`); for single rows on 16 logs also the store's statement with a
    /// `pg_notify` in it. Rows/s counts the rows inserted, over the wall time.
    static func pgbench(url: String, database: PostgresLedgerDatabase) async throws -> ReportJSON {
        var report = ReportJSON()
        guard let binary = pgbenchBinary() else {
            report.add("note", "pgbench not found (PATH, /usr/lib/postgresql/*/bin): not run")
            return report
        }
        let client = database.client
        let logger = Logger(label: "grant-ledger-bench")
        func execute(_ sql: String) async throws {
            try await client.query(PostgresQuery(unsafeSQL: sql), logger: logger)
        }
        func rows() async throws -> Int64 {
            var count: Int64 = 0
            let result = try await client.query("SELECT count(*) FROM bench_entries", logger: logger)
            for try await value in result.decode(Int64.self) { count = value }
            return count
        }
        try await execute("DROP TABLE IF EXISTS bench_heads, bench_entries")
        try await execute("CREATE TABLE bench_heads (id int PRIMARY KEY, size bigint NOT NULL)")
        try await execute(
            "CREATE TABLE bench_entries (log int, seq bigint, prev bytea, hash bytea, line bytea, PRIMARY KEY (log, seq), UNIQUE (log, prev))"
        )
        try await execute("INSERT INTO bench_heads SELECT g, 0 FROM generate_series(1, 16) g")
        func inserted(_ size: String, _ batch: Int, from: String) -> String {
            "INSERT INTO bench_entries SELECT :log, \(size) + g, sha256(((\(size) + g) || '-' || :log)::bytea), sha256(((\(size) + g + 1) || '-' || :log)::bytea), convert_to(repeat('x', 576), 'UTF8') FROM \(from)generate_series(0, \(batch - 1)) g"
        }
        let directory = NSTemporaryDirectory() + "grant-ledger-pgbench-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        for (logs, batch) in [(1, 1), (16, 1), (1, 64), (16, 64)] {
            var scripts = [
                (
                    "compare_and_set",
                    """
                    \\set log random(1, \(logs))
                    WITH cur AS (SELECT size FROM bench_heads WHERE id = :log), moved AS (UPDATE bench_heads SET size = cur.size + \(batch) FROM cur WHERE bench_heads.id = :log AND bench_heads.size = cur.size RETURNING cur.size AS old), ins AS (\(inserted("moved.old", batch, from: "moved, "))) SELECT count(*) FROM moved;
                    """
                ),
                (
                    "row_lock",
                    """
                    \\set log random(1, \(logs))
                    BEGIN;
                    SELECT size FROM bench_heads WHERE id = :log FOR UPDATE \\gset
                    \(inserted(":size", batch, from: ""));
                    UPDATE bench_heads SET size = size + \(batch) WHERE id = :log;
                    COMMIT;
                    """
                ),
            ]
            if logs == 16 && batch == 1 {
                // The store's statement with a NOTIFY in its transaction: PostgreSQL serialises the commits of the
                // transactions that notify, which is why the store notifies after the commit (docs/SERVICE.md §6).
                scripts.append(
                    (
                        "compare_and_set_notify_in_transaction",
                        """
                        \\set log random(1, \(logs))
                        WITH cur AS (SELECT size FROM bench_heads WHERE id = :log), moved AS (UPDATE bench_heads SET size = cur.size + 1 FROM cur WHERE bench_heads.id = :log AND bench_heads.size = cur.size RETURNING cur.size AS old), ins AS (\(inserted("moved.old", batch, from: "moved, "))) SELECT count(*) FROM (SELECT pg_notify('grant_ledger_bench', :log || ' ' || (moved.old + 1)) FROM moved) n;
                        """
                    ))
            }
            for (label, script) in scripts {
                let path = directory + "/\(label)-\(logs)-\(batch).sql"
                try script.write(toFile: path, atomically: true, encoding: .utf8)
                let before = try await rows()
                let started = Measure.clock.now
                // 16 clients, 1 000 transactions each (100 with 64 rows): a fixed amount of work, timed here.
                let output = try runProcess(
                    binary, ["-n", "-c", "16", "-j", "2", "-t", batch == 1 ? "1000" : "100", "-f", path, url])
                let seconds = Measure.seconds(Measure.clock.now - started)
                let count = try await rows() - before
                var json = ReportJSON()
                json.add("rows_per_second", Double(count) / seconds)
                json.add("seconds", seconds, digits: 2)
                let latency = output.split(separator: "\n").first { $0.hasPrefix("latency average") }
                json.add("pgbench_latency", latency.map(String.init) ?? "?")
                report.add("\(label), \(logs == 1 ? "1 log" : "16 logs"), batch \(batch)", json)
                printError("pgbench \(label), \(logs) logs, batch \(batch): \(Int(Double(count) / seconds)) rows/s")
            }
        }
        try await execute("DROP TABLE bench_heads, bench_entries")
        return report
    }

    static func pgbenchBinary() -> String? {
        let manager = FileManager.default
        for directory in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
            let path = String(directory) + "/pgbench"
            if manager.isExecutableFile(atPath: path) { return path }
        }
        let versions = (try? manager.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []
        for version in versions.sorted(by: { (Int($0) ?? 0) > (Int($1) ?? 0) }) {
            let path = "/usr/lib/postgresql/\(version)/bin/pgbench"
            if manager.isExecutableFile(atPath: path) { return path }
        }
        return nil
    }

    /// Runs `binary` and returns its standard output; a failure names its standard error.
    static func runProcess(_ binary: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let failure = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw BenchFailure("pgbench failed: \(String(decoding: failure, as: UTF8.self))")
        }
        return String(decoding: data, as: UTF8.self)
    }
}
