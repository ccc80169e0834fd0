import Foundation
import GrantDomain
import GrantLedgerClient
import GrantService
import LedgerCore
import LedgerCrypto
import Logging
import ServiceLifecycle
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif
#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// `--service`: signed appends over HTTP to a `grant-ledger-server` running in this process on 127.0.0.1, through
/// the client library the CLI uses (`LedgerServerClient`: sign locally, POST with `If-Match`, re-sign after 412),
/// next to the local in-process append rate of the same run; then reading full entry bundles over HTTP.
///
/// Every entry is a `key.registered` signed by the log's authority (its payload prepared before the clock starts;
/// the signing, which depends on the head, is timed). Logs start empty but for their genesis.
enum ServiceBench {
    struct Scenario {
        let label: String
        let clients: Int
        let logs: Int
        let batch: Int
        /// Requests per client.
        let rounds: Int
    }

    /// The bench's logs: `l00`… under `root/logs`, each created by `authority`.
    static func makeLogs(root: String, count: Int, authority: Ed25519PrivateKey) throws -> [String] {
        guard mkdir(root + "/logs", 0o755) == 0 else { throw BenchFailure("cannot create \(root)/logs") }
        return try (0..<count).map { index in
            let name = index < 10 ? "l0\(index)" : "l\(index)"
            try Ledger(directory: root + "/logs/" + name, domain: { GrantRules() }).create(
                origin: "bench-\(name).grantledger.example/1", title: "Banc d'essai \(name)", authority: authority)
            return name
        }
    }

    /// `count` registration payloads, each for a fresh key (made before timing).
    static func payloads(_ count: Int) throws -> [JSONValue] {
        try (0..<count).map { index in
            let key = try Ed25519PrivateKey.generate()
            return [
                "key_id": .string(key.publicKey.keyID), "public_key": .string(PublicKeyText.encode(key.publicKey)),
                "role": "auditor", "territories": ["*"], "holder": .string("Auditeur \(index)"),
            ]
        }
    }

    /// The local rate: one write session on a log of this process, `entries` registrations flushed every `batch`
    /// (one `write` + `fsync` per flush), as an embedded writer would append.
    static func local(root: String, authority: Ed25519PrivateKey, entries: Int, batch: Int) throws -> Double {
        let directory = root + "/local-\(batch)"
        let ledger = Ledger(directory: directory, domain: { GrantRules() })
        try ledger.create(origin: "bench-local.grantledger.example/1", title: "Banc local", authority: authority)
        let prepared = try payloads(entries)
        let (_, seconds) = try Measure.time { () throws(LedgerError) in
            try ledger.write { (writer) throws(LedgerError) in
                for (index, payload) in prepared.enumerated() {
                    try writer.append(type: EventCatalog.keyRegistered, payload: payload, signer: authority)
                    if (index + 1) % batch == 0 { try writer.flush() }
                }
            }
        }
        return Double(entries) / seconds
    }

    /// The disk's bound for single entries: `count` appends of a 700-byte line to a file, each followed by `fsync`.
    static func fsyncs(root: String, count: Int) throws -> Double {
        let path = root + "/fsync-probe"
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        guard fd >= 0 else { throw BenchFailure("cannot create \(path)") }
        defer {
            close(fd)
            unlink(path)
        }
        let line = [UInt8](repeating: 0x61, count: 699) + [0x0A]
        let (_, seconds) = try Measure.time { () throws(BenchFailure) in
            for _ in 0..<count {
                let written = line.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
                guard written == line.count, fsync(fd) == 0 else { throw BenchFailure("cannot write \(path)") }
            }
        }
        return Double(count) / seconds
    }

    /// Runs one scenario against the server; appends/s and request latencies.
    static func http(_ scenario: Scenario, server: String, logs: [String], authority: Ed25519PrivateKey) async throws
        -> (json: ReportJSON, rate: Double)
    {
        try await http(scenario, servers: [server], logs: logs, authority: authority)
    }

    /// Runs one scenario, client `i` through `servers[i % servers.count]`; appends/s and request latencies.
    static func http(_ scenario: Scenario, servers: [String], logs: [String], authority: Ed25519PrivateKey)
        async throws -> (json: ReportJSON, rate: Double)
    {
        let prepared = try (0..<scenario.clients).map { _ in try payloads(scenario.rounds * scenario.batch) }
        let tally = Tally()
        let start = Measure.clock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<scenario.clients {
                let log = logs[index % scenario.logs]
                let mine = prepared[index]
                group.addTask {
                    // A session of its own, as a separate client has: a shared one opens at most
                    // `httpMaximumConnectionsPerHost` connections to a server (6 by default), and on Linux runs
                    // every transfer of its connections on one queue, so 16 clients would wait for each other.
                    let session = URLSession(configuration: .ephemeral)
                    defer { session.finishTasksAndInvalidate() }
                    var client = try LedgerServerClient(
                        server: servers[index % servers.count], log: log, session: session)
                    client.maxAttempts = 1_000
                    var head: LogHead? = nil
                    for round in 0..<scenario.rounds {
                        let events = mine[(round * scenario.batch)..<((round + 1) * scenario.batch)]
                        let began = Measure.clock.now
                        var attempts = 0
                        let result = try await client.append(from: head) { (current) throws(LedgerError) in
                            attempts += 1
                            return try current.sign(
                                events.map { (EventCatalog.keyRegistered, $0) }, signer: authority, time: nil)
                        }
                        head = result.head
                        let elapsed = Measure.seconds(Measure.clock.now - began)
                        tally.record(elapsed, retries: attempts - 1)
                    }
                }
            }
            try await group.waitForAll()
        }
        let seconds = Measure.seconds(Measure.clock.now - start)
        let (sorted, retries) = tally.results
        let entries = scenario.clients * scenario.rounds * scenario.batch
        var json = ReportJSON()
        json.add("clients", scenario.clients)
        json.add("logs", scenario.logs)
        json.add("batch", scenario.batch)
        json.add("entries", entries)
        json.add("appends_per_second", Double(entries) / seconds)
        json.add("requests_per_second", Double(sorted.count) / seconds)
        json.add("p50_ms", percentile(sorted, 0.50) * 1000, digits: 2)
        json.add("p99_ms", percentile(sorted, 0.99) * 1000, digits: 2)
        json.add("retries_after_412", retries)
        printError(
            "\(scenario.label): \(Int(Double(entries) / seconds)) appends/s, p50 \(Int(percentile(sorted, 0.5) * 1000)) ms, p99 \(Int(percentile(sorted, 0.99) * 1000)) ms"
        )
        return (json, Double(entries) / seconds)
    }

    /// Request latencies and 412 retries of a scenario's clients.
    final class Tally: Sendable {
        private let state = Mutex<(latencies: [Double], retries: Int)>(([], 0))
        func record(_ latency: Double, retries: Int) {
            state.withLock {
                $0.latencies.append(latency)
                $0.retries += retries
            }
        }
        var results: (sorted: [Double], retries: Int) { state.withLock { ($0.latencies.sorted(), $0.retries) } }
    }

    static func percentile(_ sorted: [Double], _ p: Double) -> Double {
        guard !sorted.isEmpty else { return 0 }
        return sorted[min(sorted.count - 1, Int((Double(sorted.count - 1) * p).rounded()))]
    }

    /// Full entry bundles of `log` over HTTP, one request after the other, `repeats` passes: MB/s.
    static func readBundles(server: String, log: String, bundles: Int, repeats: Int) async throws
        -> (json: ReportJSON, rate: Double)
    {
        let client = try LedgerServerClient(server: server, log: log)
        let fetcher = HTTPTileFetcher(prefix: client.tilesPrefix)
        var rates: [Double] = []
        var bytes = 0
        for _ in 0..<repeats {
            bytes = 0
            let start = Measure.clock.now
            for index in 0..<bundles {
                bytes += try await fetcher.fetch(TilePath.entries(try Tile(level: 0, index: UInt64(index))).description)
                    .count
            }
            rates.append(Double(bytes) / Measure.seconds(Measure.clock.now - start) / 1e6)
        }
        var json = ReportJSON()
        json.add("mb_per_second", Measure.median(rates), digits: 1)
        json.add("samples_mb_per_second", rates, digits: 1)
        json.add("bundles", bundles)
        json.add("bundle_bytes", bytes / max(1, bundles))
        printError("full entry bundles over HTTP: \(Int(Measure.median(rates))) MB/s")
        return (json, Measure.median(rates))
    }

    static func run(options: BenchOptions) throws {
        if let url = options.store {
            try DatabaseBench.run(options: options, url: url)
            return
        }
        let root = try Bench<NoDomainRules>.makeTemporaryDirectory(parent: options.parent)
        defer {
            if options.keep { printError("kept \(root)") } else { Bench<NoDomainRules>.removeTree(root) }
        }
        let authority = try Ed25519PrivateKey.generate()
        let singles = max(16, options.single)
        printError("local appends: \(singles) single entries, 1 600 in batches of 64")
        let fsyncRate = try fsyncs(root: root, count: singles)
        let localSingle = try local(root: root, authority: authority, entries: singles, batch: 1)
        let localBatched = try local(
            root: root, authority: authority, entries: singles * 8 - singles * 8 % 64, batch: 64)
        printError(
            "disk: \(Int(fsyncRate)) write + fsync/s; local: \(Int(localSingle)) single appends/s, \(Int(localBatched)) batched appends/s"
        )

        let logs = try makeLogs(root: root, count: 16, authority: authority)
        var configuration = ServiceConfiguration(logsDirectory: root + "/logs", checkpointKey: authority)
        configuration.limits.maxConcurrentRequestsPerClient = 1_000
        let logger = {
            var logger = Logger(label: "grant-ledger-bench")
            logger.logLevel = .critical
            return logger
        }()
        let service = try GrantLedgerService.open(configuration, logger: logger)
        let report = try Bench<NoDomainRules>.waitFor {
            try await withServer(service, logger: logger) { server in
                let scenarios = Self.scenarios(singles: singles)
                var results = ReportJSON()
                var rates: [String: Double] = [:]
                for scenario in scenarios {
                    let (json, rate) = try await http(scenario, server: server, logs: logs, authority: authority)
                    results.add(scenario.label, json)
                    rates[scenario.label] = rate
                }
                // Bundles: l00, which every scenario appended to, now holds thousands of entries; read its full
                // bundles, one request after the other.
                let size = Int(service.logs["l00"]!.head.size)
                let bundles = try await readBundles(
                    server: server, log: "l00", bundles: size / 256, repeats: options.repeats)
                var report = ReportJSON()
                var local = ReportJSON()
                local.add("fsync_per_second", fsyncRate)
                local.add("single_appends_per_second", localSingle)
                local.add("batched_64_appends_per_second", localBatched)
                local.add(
                    "note",
                    "one write session in this process: sign, validate, one write + fsync per flush; fsync_per_second: 700-byte appends to a plain file, each synced"
                )
                report.add("local", local)
                report.add("http", results)
                report.add("entry_bundles_over_http", bundles.json)
                var targets = ReportJSON()
                let batchedOneClient = rates["1 client, batches of 64, 1 log"] ?? 0
                targets.add("http_batches_of_64_at_least_half_local_batched", batchedOneClient >= 0.5 * localBatched)
                targets.add(
                    "sixteen_logs_above_one_log_single",
                    (rates["16 clients, single entries, 16 logs"] ?? 0)
                        > (rates["16 clients, single entries, 1 log"] ?? 0))
                targets.add("entry_bundles_over_http_at_least_50_mb_per_second", bundles.rate >= 50)
                report.add("targets", targets)
                return report
            }
        }
        print(report.text())
    }

    /// The six scenarios: 1 and 16 clients, single entries and batches of 64, one log and 16.
    static func scenarios(singles: Int) -> [Scenario] {
        let rounds = max(1, singles / 16)
        return [
            Scenario(label: "1 client, single entries, 1 log", clients: 1, logs: 1, batch: 1, rounds: singles),
            Scenario(label: "1 client, batches of 64, 1 log", clients: 1, logs: 1, batch: 64, rounds: 25),
            Scenario(
                label: "16 clients, single entries, 1 log", clients: 16, logs: 1, batch: 1, rounds: rounds),
            Scenario(label: "16 clients, batches of 64, 1 log", clients: 16, logs: 1, batch: 64, rounds: 2),
            Scenario(
                label: "16 clients, single entries, 16 logs", clients: 16, logs: 16, batch: 1, rounds: rounds),
            Scenario(label: "16 clients, batches of 64, 16 logs", clients: 16, logs: 16, batch: 64, rounds: 2),
        ]
    }

    /// Runs the service on 127.0.0.1 with a free port for the duration of `body`.
    static func withServer<T: Sendable>(
        _ service: GrantLedgerService, logger: Logger, _ body: @escaping @Sendable (String) async throws -> T
    ) async throws -> T {
        let (bound, continuation) = AsyncStream.makeStream(of: Int.self)
        let app = GrantLedgerServer.application(service: service, host: "127.0.0.1", port: 0, logger: logger) {
            continuation.yield($0)
        }
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask {
                try await app.run()
                return nil
            }
            var iterator = bound.makeAsyncIterator()
            guard let port = await iterator.next() else { throw BenchFailure("the server did not start") }
            let result = try await body("http://127.0.0.1:\(port)")
            group.cancelAll()
            return result
        }
    }
}
