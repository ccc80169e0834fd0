import LedgerCore

#if canImport(Glibc)
    import Glibc
#endif

/// The bench's command line, parsed by hand (the bench depends on nothing but the ledger's own modules).
///
/// ```
/// grant-ledger-bench [--entries N] [--batch B] [--workers W] [--single S] [--repeat R]
///                    [--corpus keys|events] [--dir PARENT] [--no-openssl] [--keep] [--tiles] [--service]
/// grant-ledger-bench --corpus grant [--applications N] [--timeout S] [--dir PARENT] [--no-openssl] [--keep]
/// ```
struct BenchOptions {
    /// Entries in the ledger, genesis included.
    var entries = 100_000
    /// Entries per `flush()` (one `write` + one `fsync`) while building the ledger.
    var batch = 1_000
    /// Threads for signature checks in the full verification.
    var workers = ProcessInfoCores.active
    /// Single-entry appends, each flushed and fsynced on its own.
    var single = 200
    /// Runs of each verification mode; the median is reported.
    var repeats = 3
    /// What the entries are (see `CorpusKind`).
    var corpus = CorpusKind.keys
    /// `--corpus grant`: the real grant domain, built by `grant-ledger demo` and measured through the CLI
    /// (`GrantBench`) instead of a corpus of `Corpus` items.
    var grantCorpus = false
    /// `--applications`: the demo's applications with `--corpus grant` (about 3.3 entries each).
    var applications = 100_000
    /// Where the temporary directory is made; it must be a real disk for the fsync figures to mean anything.
    var parent = BenchOptions.defaultParent
    var runOpenSSL = true
    var keep = false
    /// Measure the tlog-tiles read side (entry bundles, hash tiles, a mirror) instead of appends and verification.
    var tiles = false
    /// Measure signed appends over HTTP to a server in this process (docs/SERVICE.md) instead.
    var service = false
    /// `--store`: the service on this PostgreSQL database (an empty one) instead of ledger directories.
    var store: String? = nil
    /// `--nodes`: services on the database, each with its own connections and state.
    var nodes = 1
    /// Internal: verify the ledger in this directory and print the memory figures (run as a child process).
    var childVerify: String? = nil
    /// Internal: the child skips signatures (to profile the rest of verification on its own).
    var childSignatures = true
    /// `--timeout`: with `--corpus grant`, seconds after which a figure's command is killed and reported as timed out.
    var timeout = 900
    /// Internal: `--child-write-like SOURCE TARGET`, the files of SOURCE created again in TARGET (``FilesFloor``).
    var childWriteLike: (source: String, target: String)? = nil
    /// Internal: `--child-signatures LEDGER`, every signature of LEDGER checked on all cores, alone
    /// (``SignaturesFloor``).
    var childSignaturesFloor: String? = nil
    /// Internal: `--child-run RESULT -- PROGRAM …`, run PROGRAM and write its figures into RESULT (`ChildRun`).
    var childRun: (result: String, command: [String])? = nil

    static var defaultParent: String {
        if let tmp = getenv("TMPDIR"), tmp.pointee != 0 { return String(cString: tmp) }
        return "/tmp"
    }

    static let usage = """
        usage: grant-ledger-bench [--entries N] [--batch B] [--workers W] [--single S] [--repeat R]
                                  [--corpus keys|events] [--dir PARENT] [--no-openssl] [--keep] [--tiles]
                                  [--service [--store postgres://… [--nodes N]]]
               grant-ledger-bench --corpus grant [--applications N] [--timeout S] [--dir PARENT] [--no-openssl] [--keep]
          --entries N   entries in the ledger, genesis included (default 100000)
          --batch B     entries per flush (one write + fsync) while building (default 1000)
          --workers W   threads for signature checks (default: the number of online cores)
          --single S    single-entry appends, each fsynced, on a fresh ledger (default 200)
          --repeat R    runs of each verification mode, median reported (default 3)
          --corpus C    keys: every entry registers a new key (core types only, default);
                        events: 16 keys, then bench.note events signed by them (a bench-local domain);
                        grant: instead, the real grant domain: `grant-ledger demo --applications N`, then verify,
                        verify without signatures, state rebuild, two one-entry appends, stats and publish, each
                        the real command in a fresh child process (wall time, peak RSS), next to openssl speed and
                        the Python eventsourcing replay of the same log (scripts/eventsourcing-replay.py)
          --applications N  with --corpus grant: the demo's applications, 3 to 1000000 (default 100000)
          --timeout S   with --corpus grant: kill a figure's command after S seconds, report it timed out (default 900)
          --dir PARENT  where the temporary ledger directory is made (default $TMPDIR or /tmp)
          --no-openssl  skip `openssl speed` (the ratio and the full-verification target are then omitted)
          --keep        leave the temporary directory in place and print its path on stderr
          --tiles       instead: time serving full entry bundles and hash tiles (tlog-tiles), and a first mirror
          --service     instead: signed appends over HTTP (1 and 16 clients, single entries and batches of 64, one
                        log and 16 logs) next to the local append rate, and full entry bundles over HTTP
          --store URL   with --service: the logs in this PostgreSQL database (empty; copied in first), then
                        pgbench on it with the store's statement and the row-lock pattern (when pgbench is found)
          --nodes N     with --store: N services on the database in this process, clients spread over them
        """

    /// Parses `arguments` (without the program name); a bad argument ends the process with status 2.
    static func parse(_ arguments: [String]) -> BenchOptions {
        var options = BenchOptions()
        var rest = arguments[...]
        func fail(_ sentence: String) -> Never {
            printError("grant-ledger-bench: \(sentence)\n\(usage)")
            exit(2)
        }
        func value(_ name: String) -> String {
            guard let text = rest.popFirst() else { fail("\(name) needs a value.") }
            return text
        }
        func positive(_ name: String, minimum: Int = 1) -> Int {
            let text = value(name)
            guard let number = Int(text), number >= minimum else {
                fail("\(name) takes an integer of at least \(minimum), not \"\(text)\".")
            }
            return number
        }
        while let argument = rest.popFirst() {
            switch argument {
            case "--entries": options.entries = positive(argument, minimum: 20)
            case "--batch": options.batch = positive(argument)
            case "--workers": options.workers = positive(argument)
            case "--single": options.single = positive(argument, minimum: 0)
            case "--repeat": options.repeats = positive(argument)
            case "--corpus":
                let text = value(argument)
                if text == "grant" {
                    options.grantCorpus = true
                } else if let kind = CorpusKind(rawValue: text) {
                    options.corpus = kind
                } else {
                    fail("--corpus is keys, events or grant, not \"\(text)\".")
                }
            case "--applications":
                options.applications = positive(argument, minimum: 3)
                if options.applications > 1_000_000 { fail("--applications takes at most 1000000.") }
            case "--dir": options.parent = value(argument)
            case "--no-openssl": options.runOpenSSL = false
            case "--keep": options.keep = true
            case "--tiles": options.tiles = true
            case "--service": options.service = true
            case "--store": options.store = value(argument)
            case "--nodes": options.nodes = positive(argument)
            case "--child-verify": options.childVerify = value(argument)
            case "--child-no-signatures": options.childSignatures = false
            case "--child-write-like": options.childWriteLike = (value(argument), value(argument))
            case "--child-signatures": options.childSignaturesFloor = value(argument)
            case "--timeout": options.timeout = positive(argument)
            case "--child-run":
                let result = value(argument)
                guard rest.popFirst() == "--timeout", let text = rest.popFirst(), let seconds = Int(text),
                    rest.popFirst() == "--", !rest.isEmpty
                else { fail("--child-run needs RESULT --timeout S -- PROGRAM …") }
                options.timeout = seconds
                options.childRun = (result, Array(rest))
                rest = []
            case "-h", "--help":
                print(usage)
                exit(0)
            default: fail("unknown argument \"\(argument)\".")
            }
        }
        return options
    }
}

/// Writes one line to stderr (progress and errors; stdout carries only the JSON report).
func printError(_ text: String) {
    let bytes = Array((text + "\n").utf8)
    _ = bytes.withUnsafeBytes { write(STDERR_FILENO, $0.baseAddress, $0.count) }
}
