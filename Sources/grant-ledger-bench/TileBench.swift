import LedgerCore
import LedgerCrypto
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// `--tiles`: the read side of a log as C2SP tlog-tiles (docs/PROOFS.md §9): how fast a ledger directory serves full
/// entry bundles and hash tiles, and how fast a mirror copies it through them, proving every entry.
extension Bench {
    func runTiles() throws {
        let root = try Bench.makeTemporaryDirectory(parent: options.parent)
        defer {
            if options.keep { printError("kept \(root)") } else { Bench.removeTree(root) }
        }
        let corpus = try Corpus(kind: options.corpus)
        let n = options.entries
        let directory = root + "/ledger"
        printError("building \(n) entries (\(options.corpus.rawValue) corpus) in \(root)")
        _ = try build(directory: directory, corpus: corpus, entries: n, batch: options.batch)
        let ledger = Ledger(directory: directory, domain: makeDomain)
        _ = try LedgerCheckpoints.sign(ledger, key: corpus.authority)
        let fullBundles = UInt64(n) / UInt64(Tile.fullWidth)
        guard fullBundles > 0 else { throw BenchFailure("--tiles needs at least 256 entries") }

        /// Reads every full bundle (or tile) once per run; bytes/s and resources/s, median of the runs.
        func timed(_ label: String, _ read: (Tile) throws -> [UInt8]) throws -> (json: ReportJSON, median: Double) {
            var rates: [Double] = []
            var perSecond: [Double] = []
            var total = 0
            for run in 1...options.repeats {
                total = 0
                let (_, seconds) = try Measure.time { () throws in
                    for index in 0..<fullBundles { total += try read(Tile(level: 0, index: index)).count }
                }
                rates.append(Double(total) / seconds / 1e6)
                perSecond.append(Double(fullBundles) / seconds)
                printError("\(label) run \(run): \(Int(Double(total) / seconds / 1e6)) MB/s")
            }
            var json = ReportJSON()
            json.add("mb_per_second", Measure.median(rates), digits: 1)
            json.add("samples_mb_per_second", rates, digits: 1)
            json.add("per_second", Measure.median(perSecond))
            json.add("resources", Int(fullBundles))
            json.add("bytes", total)
            return (json, Measure.median(rates))
        }

        let reader = try TileReader.open(ledger.store)
        let bundles = try timed("full entry bundles, one reader") { try reader.read(.entries($0)) }
        let bundlesFresh = try timed("full entry bundles, a reader opened per bundle") {
            try TileReader.open(ledger.store).read(.entries($0))
        }
        let tiles = try timed("full level-0 hash tiles, one reader") { try reader.read(.hashes($0)) }

        // A first mirror of the whole log through the file fetcher: fetch, prove, parse, write, fsync.
        printError("mirroring the \(n) entries through the tiles")
        let key = try NoteVerifier(name: corpus.origin, publicKey: corpus.authority.publicKey)
        let mirrorSeconds = try Bench.waitFor {
            let start = Measure.clock.now
            let result = try await LogMirror.sync(
                fetcher: FileTileFetcher(directory: directory), into: root + "/mirror", trustedKey: key)
            guard result.appended == n else { throw BenchFailure("the mirror copied \(result.appended) entries") }
            return Measure.seconds(Measure.clock.now - start)
        }
        let bytes = try Bench.fileSize(directory + "/" + LedgerStore.logFileName)
        guard try Bench.fileSize(root + "/mirror/" + LedgerStore.logFileName) == bytes else {
            throw BenchFailure("the mirror's log differs in size from the source's")
        }

        var report = ReportJSON()
        report.add("corpus", options.corpus.rawValue)
        report.add("entries", n)
        report.add("bytes", bytes)
        report.add("mean_line_bytes", Double(bytes) / Double(n), digits: 1)
        report.add("repeats", options.repeats)
        report.add("entry_bundles", bundles.json)
        report.add("entry_bundles_reader_per_request", bundlesFresh.json)
        report.add("hash_tiles_level_0", tiles.json)
        var mirror = ReportJSON()
        mirror.add("entries_per_second", Double(n) / mirrorSeconds)
        mirror.add("mb_per_second", Double(bytes) / mirrorSeconds / 1e6, digits: 1)
        mirror.add("seconds", mirrorSeconds, digits: 3)
        mirror.add(
            "note",
            "LogMirror.sync into an empty directory through FileTileFetcher: checkpoint signature, right edge, every tile and entry proven, entries parsed, one write + fsync"
        )
        report.add("mirror_first_sync", mirror)
        var targets = ReportJSON()
        targets.add("entry_bundles_mb_per_second_at_least_50", bundles.median >= 50)
        report.add("targets", targets)
        print(report.text())
    }

    /// Runs an async body from this synchronous program and waits for it.
    static func waitFor<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) throws -> T {
        let outcome = AsyncOutcome<T>()
        Task {
            let result: Result<T, any Error>
            do { result = .success(try await body()) } catch { result = .failure(error) }
            outcome.result.withLock { $0 = result }
        }
        while true {
            if let result = outcome.result.withLock({ $0 }) { return try result.get() }
            usleep(1000)
        }
    }

    /// Removes `path` and everything under it.
    static func removeTree(_ path: String) {
        if let directory = opendir(path) {
            while let entry = readdir(directory) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) {
                    String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self)
                }
                if name == "." || name == ".." { continue }
                removeTree(path + "/" + name)
            }
            closedir(directory)
            rmdir(path)
        } else {
            unlink(path)
        }
    }
}

/// Where a task leaves its result for the synchronous bench to pick up.
private final class AsyncOutcome<T: Sendable>: Sendable {
    let result = Mutex<Result<T, any Error>?>(nil)
}
