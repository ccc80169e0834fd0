import Foundation
import LedgerCore
import LedgerCrypto

#if canImport(Glibc)
    import Glibc
#endif

/// A failure that stops the bench: a refused append, a ledger that does not verify, a file that cannot be made.
struct BenchFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// The benchmark of issue 2 item 11, for one corpus: build a ledger of N signed entries, then time appends and
/// the three verification modes, and compare with `openssl speed`.
struct Bench<Domain: DomainRules> {
    let options: BenchOptions
    let makeDomain: @Sendable () -> Domain
    /// The domain for the no-signature figure: "parse + canonical + chain" (issue 2), no payload decoding.
    let makeIntegrityDomain: @Sendable () -> Domain

    /// What building the ledger measured.
    struct AppendFigures {
        let entries: Int
        let seconds: Double
        let flushes: Int
        var rate: Double { Double(entries) / seconds }
    }

    /// Runs everything and prints the JSON report on stdout; progress goes to stderr.
    func run() throws {
        let loadBefore = Measure.loadAverage()
        let root = try Bench.makeTemporaryDirectory(parent: options.parent)
        defer {
            if options.keep {
                printError("kept \(root)")
            } else {
                Bench.removeTemporaryDirectory(root)
            }
        }
        let corpus = try Corpus(kind: options.corpus)
        let cores = ProcessInfoCores.active
        let n = options.entries
        let mainDirectory = root + "/ledger"

        printError("building \(n) entries (\(options.corpus.rawValue) corpus, \(options.batch) per flush) in \(root)")
        let append = try build(directory: mainDirectory, corpus: corpus, entries: n, batch: options.batch)
        let bytes = try Bench.fileSize(mainDirectory + "/" + LedgerStore.logFileName)

        var single: AppendFigures? = nil
        if options.single > 0 {
            printError("\(options.single) single-entry appends, each fsynced")
            single = try buildSingles(directory: root + "/single", corpus: corpus, count: options.single)
        }

        /// Entries/s of each run, and the CPU seconds per wall second it got (at most the threads it uses).
        func timed(_ label: String, signatures: Bool, workers: Int, integrityOnly: Bool = false) throws -> (
            rates: [Double], cores: [Double]
        ) {
            var rates: [Double] = []
            var coresUsed: [Double] = []
            for run in 1...options.repeats {
                let cpuBefore = Measure.cpuSeconds()
                let seconds = try verify(
                    directory: mainDirectory, checkSignatures: signatures, workers: workers, expected: n,
                    domain: integrityOnly ? makeIntegrityDomain() : makeDomain())
                rates.append(Double(n) / seconds)
                coresUsed.append((Measure.cpuSeconds() - cpuBefore) / seconds)
                printError("\(label) run \(run): \(Int(Double(n) / seconds)) entries/s")
            }
            return (rates, coresUsed)
        }
        let full = try timed(
            "full verification, \(options.workers) workers", signatures: true, workers: options.workers)
        let noSignatures = try timed(
            "verification without signatures", signatures: false, workers: 1, integrityOnly: true)
        let noSignaturesWithPayloads = try timed(
            "verification without signatures, payloads decoded", signatures: false, workers: 1)
        let singleThread = try timed("full verification, 1 thread", signatures: true, workers: 1)

        // Memory: a fresh child process per size, so each peak belongs to one verification and nothing else.
        let tenth = max(2, n / 10)
        try Bench.copyPrefix(from: mainDirectory, to: root + "/tenth", lines: tenth)
        printError("memory: full verification in a child process at \(tenth) and \(n) entries")
        let memoryTenth = try child(directory: root + "/tenth", expected: tenth)
        let memoryFull = try child(directory: mainDirectory, expected: n)

        let (openssl, opensslMulti) = options.runOpenSSL ? OpenSSLSpeed.measureBoth(cores: cores) : (nil, nil)

        // Last, because it grows the log: what one `Ledger.append` (a new session: lock, replay, append,
        // fsync) costs on a log of N entries, as `grant-ledger append` pays it.
        printError("3 appends through Ledger.append (one session each) on the \(n)-entry log")
        let sessionSeconds = try sessionAppends(directory: mainDirectory, corpus: corpus, from: n, count: 3)
        let loadAfter = Measure.loadAverage()

        // The report.
        var report = ReportJSON()
        report.add("corpus", options.corpus.rawValue)
        report.add("entries", n)
        report.add("bytes", bytes)
        report.add("mean_line_bytes", Double(bytes) / Double(n), digits: 1)
        report.add("cores", cores)
        report.add("repeats", options.repeats)
        report.add("load_average_before", loadBefore, digits: 2)
        report.add("load_average_after", loadAfter, digits: 2)

        var appendJSON = ReportJSON()
        appendJSON.add("entries_per_second", append.rate)
        appendJSON.add("entries", append.entries)
        appendJSON.add("entries_per_flush", options.batch)
        appendJSON.add("flushes", append.flushes)
        appendJSON.add("seconds", append.seconds, digits: 3)
        appendJSON.add(
            "note",
            "one write session; each flush is one write + one fsync; includes signing, canonical encoding and rule checks, excludes building the payloads"
        )
        report.add("append", appendJSON)
        if let single {
            var singleJSON = ReportJSON()
            singleJSON.add("entries_per_second", single.rate)
            singleJSON.add("entries", single.entries)
            singleJSON.add("entries_per_flush", 1)
            singleJSON.add("ms_per_entry", 1000 * single.seconds / Double(single.entries), digits: 3)
            singleJSON.add(
                "note",
                "one write session on a fresh ledger, flush (write + fsync) after every entry: the fsync-bound rate")
            report.add("append_single", singleJSON)
        }
        var sessionJSON = ReportJSON()
        sessionJSON.add("ms_per_entry_median", 1000 * Measure.median(sessionSeconds), digits: 1)
        sessionJSON.add("samples_ms", sessionSeconds.map { $0 * 1000 }, digits: 1)
        sessionJSON.add("log_entries", n)
        sessionJSON.add(
            "note",
            "Ledger.append: a new session per entry (lock, replay of the whole log without signatures, append, fsync), as grant-ledger append does"
        )
        report.add("append_new_session", sessionJSON)

        func rateJSON(_ runs: (rates: [Double], cores: [Double]), workers: Int) -> ReportJSON {
            var json = ReportJSON()
            json.add("entries_per_second", Measure.median(runs.rates))
            json.add("samples", runs.rates)
            json.add("cpu_seconds_per_second", runs.cores, digits: 2)
            json.add("workers", workers)
            return json
        }
        report.add("verify_full", rateJSON(full, workers: options.workers))
        report.add("verify_no_signatures", rateJSON(noSignatures, workers: 1))
        report.add("verify_no_signatures_payloads_decoded", rateJSON(noSignaturesWithPayloads, workers: 1))
        report.add("verify_single_thread", rateJSON(singleThread, workers: 1))

        var memory = ReportJSON()
        memory.add(
            "method",
            "full verification (signatures on \(options.workers) workers) in a fresh child process per size; max_rss_kib is its getrusage ru_maxrss, rss_before_verify_kib its /proc/self/statm resident size just before verifying"
        )
        memory.add("at_n_div_10", memoryTenth.json)
        memory.add("at_n", memoryFull.json)
        let growth = memoryFull.maxRSS - memoryTenth.maxRSS
        let ratio = Double(memoryFull.maxRSS) / Double(max(1, memoryTenth.maxRSS))
        memory.add("growth_kib", growth)
        memory.add("growth_bytes_per_entry", Double(growth * 1024) / Double(n - tenth), digits: 1)
        memory.add("ratio", ratio, digits: 3)
        report.add("memory", memory)

        var targets = ReportJSON()
        let fullMedian = Measure.median(full.rates)
        if let openssl {
            var json = ReportJSON()
            json.add("command", OpenSSLSpeed.command)
            json.add("version", openssl.version)
            json.add("ed25519_verify_per_second", openssl.verifiesPerSecond, digits: 1)
            json.add("ed25519_sign_per_second", openssl.signsPerSecond, digits: 1)
            json.add("line", openssl.line)
            report.add("openssl", json)
            let ceiling = Double(cores) * openssl.verifiesPerSecond
            report.add("ratio_full_to_cores_x_openssl", fullMedian / ceiling, digits: 3)
            report.add(
                "ratio_single_thread_to_openssl", Measure.median(singleThread.rates) / openssl.verifiesPerSecond,
                digits: 3)
            if let opensslMulti {
                var multi = ReportJSON()
                multi.add("command", OpenSSLSpeed.multiCommand(cores))
                multi.add("ed25519_verify_per_second", opensslMulti.verifiesPerSecond, digits: 1)
                multi.add(
                    "note",
                    "all cores at once: the parallel ceiling this machine gives now, for reference; the target uses cores x the single-core rate"
                )
                report.add("openssl_multi", multi)
                report.add("ratio_full_to_openssl_multi", fullMedian / opensslMulti.verifiesPerSecond, digits: 3)
            }
            var target = ReportJSON()
            target.add("rule", "full verification >= 0.9 x cores x openssl ed25519 verify/s")
            target.add("required", 0.9 * ceiling)
            target.add("measured", fullMedian)
            target.add("pass", fullMedian >= 0.9 * ceiling)
            targets.add("full_verify", target)
        }
        var noSig = ReportJSON()
        noSig.add("rule", "verification without signatures >= 300000 entries/s on one core")
        noSig.add("required", 300_000)
        noSig.add("measured", Measure.median(noSignatures.rates))
        noSig.add("pass", Measure.median(noSignatures.rates) >= 300_000)
        targets.add("no_signature_verify", noSig)
        var flat = ReportJSON()
        flat.add("rule", "peak RSS of verifying N entries <= 1.25 x that of verifying N/10")
        flat.add("ratio", ratio, digits: 3)
        flat.add("pass", ratio <= 1.25)
        targets.add("memory_flat", flat)
        report.add("targets", targets)

        print(report.text())
    }

    // MARK: Building

    /// Creates the ledger and appends entries 1..<`entries` in one write session, flushing every `batch`.
    func build(directory: String, corpus: Corpus, entries: Int, batch: Int) throws -> AppendFigures {
        let ledger = Ledger(directory: directory, domain: makeDomain)
        try ledger.create(origin: corpus.origin, title: corpus.title, authority: corpus.authority, time: Corpus.time(0))
        var untimed = 0.0
        var flushes = 0
        let (_, total) = try Measure.time { () throws(LedgerError) in
            try ledger.write { (writer) throws(LedgerError) in
                var seq = 1
                while seq < entries {
                    let end = min(entries, seq + batch)
                    let (items, making) = try Measure.time { () throws(LedgerError) in try corpus.items(seq..<end) }
                    untimed += making
                    for item in items {
                        try writer.append(type: item.type, payload: item.payload, signer: item.signer, time: item.time)
                    }
                    try writer.flush()
                    flushes += 1
                    seq = end
                }
            }
        }
        return AppendFigures(entries: entries - 1, seconds: total - untimed, flushes: flushes)
    }

    /// A fresh ledger, then `count` appends in one session, each flushed (written and fsynced) on its own.
    func buildSingles(directory: String, corpus: Corpus, count: Int) throws -> AppendFigures {
        let ledger = Ledger(directory: directory, domain: makeDomain)
        try ledger.create(origin: corpus.origin, title: corpus.title, authority: corpus.authority, time: Corpus.time(0))
        let items = try corpus.items(1..<(count + 1))
        let (_, seconds) = try Measure.time { () throws(LedgerError) in
            try ledger.write { (writer) throws(LedgerError) in
                for item in items {
                    try writer.append(type: item.type, payload: item.payload, signer: item.signer, time: item.time)
                    try writer.flush()
                }
            }
        }
        return AppendFigures(entries: count, seconds: seconds, flushes: count)
    }

    /// Times `count` calls of `Ledger.append`, each its own session, on the existing log.
    func sessionAppends(directory: String, corpus: Corpus, from seq: Int, count: Int) throws -> [Double] {
        let ledger = Ledger(directory: directory, domain: makeDomain)
        let items = try corpus.items(seq..<(seq + count))
        var samples: [Double] = []
        for item in items {
            let (_, seconds) = try Measure.time { () throws(LedgerError) in
                try ledger.append(type: item.type, payload: item.payload, signer: item.signer, time: item.time)
            }
            samples.append(seconds)
        }
        return samples
    }

    // MARK: Verifying

    /// One verification; fails unless every entry is valid. Returns the seconds it took.
    func verify(directory: String, checkSignatures: Bool, workers: Int, expected: Int, domain: Domain) throws
        -> Double
    {
        let store = LedgerStore(directory: directory)
        let ((report, _), seconds) = try Measure.time { () throws(LedgerError) in
            try LedgerVerifier.verify(store: store, domain: domain, checkSignatures: checkSignatures, workers: workers)
        }
        guard report.isValid, report.entries == Int64(expected) else {
            let first = report.outcomes.failures.prefix(3).map { "seq \($0.seq) \($0.rule): \($0.message)" }
            throw BenchFailure(
                "the bench ledger did not verify (\(report.entries) entries, expected \(expected)): \(first.joined(separator: "; "))"
            )
        }
        return seconds
    }

    /// Memory figures of one child verification.
    struct ChildMemory {
        let entries: Int
        let rssBefore: Int
        let maxRSS: Int

        var json: ReportJSON {
            var json = ReportJSON()
            json.add("entries", entries)
            json.add("rss_before_verify_kib", rssBefore)
            json.add("max_rss_kib", maxRSS)
            return json
        }
    }

    /// Runs this executable as `--child-verify DIR` and reads the figures it prints. Through `ChildRun`'s runner: a
    /// child spawned straight from this process would count this process's peak as its own (see `ChildRun`), and
    /// the runner does not depend on a shell that forks.
    func child(directory: String, expected: Int) throws -> ChildMemory {
        let command = [
            Measure.executablePath(), "--child-verify", directory, "--corpus", options.corpus.rawValue,
            "--workers", String(options.workers),
        ]
        let run = try ChildRun.run(command, scratch: directory + ".child", timeout: 24 * 3600)
        let (output, status) = (run.output, run.status)
        let fields = Measure.fields(in: output).compactMapValues { Int(exactly: $0) }
        guard status == 0, let entries = fields["entries"], entries == expected,
            let before = fields["rss_before_verify_kib"], let peak = fields["max_rss_kib"]
        else {
            throw BenchFailure("the child verification of \(directory) failed (status \(status)): \(output)")
        }
        return ChildMemory(entries: entries, rssBefore: before, maxRSS: peak)
    }

    /// The child's side: verify with signatures, print `entries=… rss_before_verify_kib=… max_rss_kib=…`.
    func childMain(directory: String) throws {
        let before = Measure.currentRSSKiB()
        let store = LedgerStore(directory: directory)
        let (report, _) = try LedgerVerifier.verify(
            store: store, domain: makeDomain(), checkSignatures: options.childSignatures,
            workers: options.workers)
        guard report.isValid else { throw BenchFailure("the ledger at \(directory) does not verify") }
        print("entries=\(report.entries) rss_before_verify_kib=\(before) max_rss_kib=\(Measure.maxRSSKiB())")
    }

    // MARK: Files

    static func makeTemporaryDirectory(parent: String) throws -> String {
        var template = Array((parent + "/grant-ledger-bench.XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else {
            throw BenchFailure("cannot make a temporary directory in \(parent): \(String(cString: strerror(errno)))")
        }
        return String(cString: made)
    }

    static func fileSize(_ path: String) throws -> Int {
        // lseek rather than stat: with the server's modules in the graph, `struct stat` belongs to CDispatch.
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw BenchFailure("cannot open \(path)") }
        defer { close(fd) }
        let size = lseek(fd, 0, SEEK_END)
        guard size >= 0 else { throw BenchFailure("cannot read the size of \(path)") }
        return Int(size)
    }

    /// Writes the first `lines` lines of the ledger in `source` as a new ledger in `destination`.
    static func copyPrefix(from source: String, to destination: String, lines: Int) throws {
        guard mkdir(destination, 0o755) == 0 else { throw BenchFailure("cannot make \(destination)") }
        let reader = try LedgerStore(directory: source).lines()
        var bytes: [UInt8] = []
        var count = 0
        while count < lines, let line = reader.next() {
            bytes.append(contentsOf: line)
            bytes.append(0x0A)
            count += 1
        }
        let path = destination + "/" + LedgerStore.logFileName
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw BenchFailure("cannot create \(path)") }
        defer { close(fd) }
        var written = 0
        while written < bytes.count {
            let result = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + written, $0.count - written) }
            guard result > 0 else { throw BenchFailure("cannot write \(path)") }
            written += result
        }
    }

    /// Removes the temporary directory the bench made, with everything in it (the ledgers' logs, locks, commit
    /// points and Merkle hash files, a published site).
    static func removeTemporaryDirectory(_ root: String) {
        if (try? FileManager.default.removeItem(atPath: root)) == nil {
            printError("could not remove \(root) entirely")
        }
    }
}

extension Corpus {
    /// Items for `seqs`, as a `LedgerError` when a key cannot be derived (so it can be thrown from a session).
    func items(_ seqs: Range<Int>) throws(LedgerError) -> [Item] {
        var items: [Item] = []
        items.reserveCapacity(seqs.count)
        for seq in seqs {
            do throws(KeyError) {
                items.append(try item(seq))
            } catch {
                throw LedgerError(.key, error.message, underlying: error)
            }
        }
        return items
    }
}
