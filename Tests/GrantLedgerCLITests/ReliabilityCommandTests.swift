import Foundation
import LedgerCore
import LedgerCrypto
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Running a shell script as root in a private mount namespace (`unshare -m`): mounts made there vanish with it.
enum Isolation {
    /// Whether file systems can be mounted here (root with `unshare` and `mount`, as on CI).
    static let canMount: Bool = {
        guard geteuid() == 0 else { return false }
        let cli = CLIRunner()
        defer { try? FileManager.default.removeItem(atPath: cli.directory) }
        try? FileManager.default.createDirectory(atPath: cli.path("m"), withIntermediateDirectories: true)
        let probe = try? cli.shell("unshare -m sh -c 'mount -t tmpfs -o size=64k tmpfs m && touch m/x'")
        return probe?.status == 0
    }()

    /// Runs `script` with `sh` in a new mount namespace, in the test directory, with the binary as `$G`.
    static func run(_ cli: CLIRunner, _ script: String) throws -> CLIRunner.Result {
        try script.write(toFile: cli.path("namespace.sh"), atomically: true, encoding: .utf8)
        return try cli.shell("unshare -m sh ./namespace.sh")
    }
}

@Suite("Reliability from the command line: read-only copies, full disks, links, inputs, exit codes, terminals")
struct ReliabilityCommandTests {
    /// Every file of a directory tree with its bytes.
    static func snapshot(_ path: String) throws -> [String: Data] {
        var files: [String: Data] = [:]
        let enumerator = FileManager.default.enumerator(atPath: path)
        while let name = enumerator?.nextObject() as? String {
            var isDirectory: ObjCBool = false
            _ = FileManager.default.fileExists(atPath: path + "/" + name, isDirectory: &isDirectory)
            files[name] = isDirectory.boolValue ? Data() : try Data(contentsOf: URL(fileURLWithPath: path + "/" + name))
        }
        return files
    }

    static let readers: [[String]] = [
        ["verify"], ["verify", "--json"], ["status"], ["log"], ["log", "--json"], ["stats"],
        ["stats", "--format", "json"], ["prove", "inclusion", "--seq", "3"], ["show", "15-2021-01-0001"],
        ["explain", "15-2021-01-0001"], ["export", "scdl"],
    ]

    @Test("readers work on a read-only copy without creating or opening ledger.lock for writing; writers refuse")
    func readOnlyCopy() throws {
        let fixture = try CrashFixture()
        let cli = fixture.cli
        #expect(try cli.shell("cp -R L A && rm -rf A/ledger.lock A/merkle").status == 0)
        let before = try Self.snapshot(cli.path("A"))
        // The strongest form that works here: a read-only bind mount (root), else another user, else permissions.
        var script = "set -u\n"
        let runner: String
        if Isolation.canMount {
            script += "mount --bind A A && mount -o remount,bind,ro A A || exit 99\n"
            runner = "\"$G\""
        } else if geteuid() == 0 {
            script += "chmod -R a-w A && chmod 755 . || exit 99\n"
            runner = "setpriv --reuid=65534 --regid=65534 --clear-groups \"$G\""
        } else {
            script += "chmod -R a-w A || exit 99\n"
            runner = "\"$G\""
        }
        for (index, arguments) in Self.readers.enumerated() {
            let quoted = arguments.map { "'\($0)'" }.joined(separator: " ")
            script += "\(runner) \(quoted) --ledger A > out.\(index) 2> err.\(index); echo $? > rc.\(index)\n"
        }
        script += "\(runner) repair --ledger A > out.w1 2> err.w1; echo $? > rc.w1\n"
        script += "\(runner) checkpoint --ledger A --key L/demo-keys/autorite.pem > out.w2 2> err.w2; echo $? > rc.w2\n"
        let result =
            Isolation.canMount
            ? try Isolation.run(cli, script)
            : try cli.shell(script.replacingOccurrences(of: "set -u\n", with: "set -u\numask 022\n"))
        defer { _ = try? cli.shell("chmod -R u+w A") }
        #expect(result.status == 0, "\(result.stderr)")
        for (index, arguments) in Self.readers.enumerated() {
            let status = String(decoding: try cli.read("rc.\(index)"), as: UTF8.self)
            let stderr = String(decoding: try cli.read("err.\(index)"), as: UTF8.self)
            #expect(status == "0\n", "\(arguments): \(stderr)")
        }
        let reference = try cli.run(["verify", "--json", "--ledger", "L"])
        #expect(try cli.read("out.1") == Data(reference.stdout.utf8))
        for writer in ["w1", "w2"] {
            #expect(String(decoding: try cli.read("rc.\(writer)"), as: UTF8.self) == "2\n")
            let stderr = String(decoding: try cli.read("err.\(writer)"), as: UTF8.self)
            #expect(stderr.split(separator: "\n").count == 1, "\(stderr)")
        }
        #expect(try Self.snapshot(cli.path("A")) == before)
        #expect(!FileManager.default.fileExists(atPath: cli.path("A/ledger.lock")))
    }

    @Test("a full disk (a small tmpfs): import, checkpoint and publish fail in one sentence and change nothing")
    func diskFull() throws {
        guard Isolation.canMount else {
            // Without mounts, CommitPointTests' simulated ENOSPC covers the store.
            return
        }
        let fixture = try CrashFixture()
        let cli = fixture.cli
        try fixture.writeCSV("big.csv", first: 1, count: 1500)
        let script = """
            set -u
            mkdir T && mount -t tmpfs -o size=3m tmpfs T || exit 99
            cp -R L T/L && "$G" publish --ledger T/L --out T/site > /dev/null || exit 98
            (cd T && find site -type f | sort | xargs sha256sum) > site.before
            cp T/L/ledger.jsonl log.before; cp T/L/ledger.head head.before; cp T/L/checkpoint.txt cp.before
            dd if=/dev/zero of=T/fill bs=4096 2> /dev/null
            "$G" import --ledger T/L big.csv --call 15-2025-01 --key \(fixture.instruction) --time 2025-01-10T10:00:00Z 2> err.import; echo $? > rc.import
            "$G" checkpoint --ledger T/L --key \(fixture.authority) 2> err.checkpoint; echo $? > rc.checkpoint
            "$G" publish --ledger T/L --out T/site 2> err.publish; echo $? > rc.publish
            cmp -s T/L/ledger.jsonl log.before; echo $? > same.log
            cmp -s T/L/ledger.head head.before; echo $? > same.head
            cmp -s T/L/checkpoint.txt cp.before; echo $? > same.checkpoint
            (cd T && find site -type f | sort | xargs sha256sum) > site.after
            ls -a T > listing
            rm T/fill
            "$G" verify --ledger T/L > /dev/null; echo $? > rc.verify
            "$G" import --ledger T/L big.csv --call 15-2025-01 --key \(fixture.instruction) --time 2025-01-10T10:00:00Z > /dev/null 2> err.after; echo $? > rc.after
            """
        let result = try Isolation.run(cli, script)
        #expect(result.status == 0, "\(result.stderr)")
        func text(_ name: String) throws -> String { String(decoding: try cli.read(name), as: UTF8.self) }
        for command in ["import", "checkpoint", "publish"] {
            let stderr = try text("err.\(command)")
            #expect(try text("rc.\(command)") == "2\n", "\(command): \(stderr)")
            #expect(stderr.split(separator: "\n").count == 1, "\(stderr)")
            #expect(stderr.contains("No space left on device"), "\(stderr)")
        }
        #expect(try text("same.log") == "0\n")
        #expect(try text("same.head") == "0\n")
        #expect(try text("same.checkpoint") == "0\n")
        #expect(try cli.read("site.after") == (try cli.read("site.before")))
        #expect(try text("site.before").contains("site/index.html"))
        #expect(!(try text("listing")).contains(".publish-"))
        #expect(try text("rc.verify") == "0\n")
        let after = try text("err.after")
        #expect(try text("rc.after") == "0\n", "\(after)")
    }

    @Test("a symbolic link at ledger.jsonl is refused in one sentence by readers, writers and repair")
    func symlinkedLog() throws {
        let fixture = try CrashFixture()
        let cli = fixture.cli
        try Data("victim\n".utf8).write(to: URL(fileURLWithPath: cli.path("victim")))
        #expect(try cli.shell("cp -R L S && rm S/ledger.jsonl && ln -s ../victim S/ledger.jsonl").status == 0)
        for arguments in [["verify"], ["repair"], ["log"], ["checkpoint", "--key", fixture.authority]] {
            expectOneSentence(try cli.run(arguments + ["--ledger", "S"]), status: 2, mentioning: ["lien symbolique"])
        }
        try fixture.writeCSV("some.csv", first: 1, count: 3)
        expectOneSentence(
            try cli.run(fixture.importArguments("some.csv").map { $0 == "L" ? "S" : $0 }), status: 2,
            mentioning: ["lien symbolique"])
        #expect(try cli.read("victim") == Data("victim\n".utf8))
        #expect(try cli.shell("rm L/ledger.lock && ln -s ../missing L/ledger.lock").status == 0)
        expectOneSentence(try cli.run(["verify", "--ledger", "L"]), status: 2, mentioning: ["lien symbolique"])
        #expect(!FileManager.default.fileExists(atPath: cli.path("missing")))
    }

    @Test("a damaged encrypted key is refused in one sentence; OpenSSL never prompts for a passphrase (a fuzz finding)")
    func damagedEncryptedKey() throws {
        var cli = CLIRunner()
        // Found by FuzzKeys: with no passphrase callback, OpenSSL asked « Enter PEM pass phrase: » for this key.
        let damaged = """
            -----BEGIN ENCRYPTED PRIVATE KEY-----
            MIGbMFcGCSqGSIb3DQEFDTBKMCkGCSqGSIb3DQEFDDAcBAh5MfUDaYsDNwICCAAw
            DAIIKoZIhvcNAgkFADAdBglghkgBZQMEASoEEEfRV2kSTkZcgiE0t5VHvf4EQAEq
            EtOqtwR6XmcgmulnwOnmnx4Znd/6PEEjYdir/K5WRQE2Rnak3ppNpdg/xRKCEjl2
            EEYQtaWjXdKgHnx8QVo=
            -----END ENCRYPTED PRIVATE KEY-----

            """
        try damaged.write(toFile: cli.path("damaged.pem"), atomically: true, encoding: .utf8)
        cli.environment["GRANT_LEDGER_PASSPHRASE"] = "fuzz"
        let result = try cli.run(["key", "show", "damaged.pem"], stdin: "secret\n")
        expectOneSentence(result, status: 2)
        #expect(!result.stderr.contains("pass phrase"), "\(result.stderr)")
    }

    @Test("argument errors exit 2 with one sentence; help exits 0")
    func exitCodes() throws {
        let cli = CLIRunner()
        for arguments in [
            ["verify", "--no-such-option"], ["import"], ["prove", "inclusion", "--seq", "abc"], ["no-such-command"],
            ["score", "x", "--key"],
        ] {
            expectOneSentence(try cli.run(arguments), status: 2)
        }
        #expect(try cli.run(["--help"]).status == 0)
        #expect(try cli.run(["verify", "--help"]).status == 0)
    }

    @Test("--file reads pipes and /dev/stdin; a UTF-8 BOM is accepted; stdin is capped like files")
    func inputs() throws {
        let fixture = try CrashFixture()
        let cli = fixture.cli
        func application(_ number: Int) -> String {
            """
            {"application_id":"\(CrashFixture.id(number))","call_id":"15-2025-01","action":"strategy_study","title":"Étude","summary":"Schéma",
             "applicant":{"kind":"commune","name":"Vernols","siren":"211502539","insee":"15253","departement":"15","population":59,"population_source":"INSEE"},
             "requested_cents":500000,"provider":{"name":"Conseil","siret":"73282932000074","departement":"15"},"submitted_on":"2025-01-10"}
            """
        }
        for (number, file) in [(1, "/dev/stdin"), (2, "-")] {
            try application(number).write(toFile: cli.path("app\(number).json"), atomically: true, encoding: .utf8)
            let piped = try cli.shell(
                "cat app\(number).json | \"$G\" application submit --ledger L --file \(file) --key \(fixture.instruction) --time 2025-01-10T10:00:00Z"
            )
            #expect(piped.status == 0, "\(file): \(piped.stderr)")
        }
        try ("\u{FEFF}" + application(3)).write(toFile: cli.path("bom.json"), atomically: true, encoding: .utf8)
        let bom = try cli.run([
            "application", "submit", "--ledger", "L", "--file", "bom.json", "--key", fixture.instruction, "--time",
            "2025-01-10T10:00:00Z",
        ])
        #expect(bom.status == 0, "\(bom.stderr)")
        let before = try cli.read("L/ledger.jsonl")
        let huge = try cli.shell(
            "head -c 17000000 /dev/zero | tr '\\0' ' ' | \"$G\" application submit --ledger L --file - --key \(fixture.instruction)"
        )
        expectOneSentence(huge, status: 2, mentioning: ["dépasse 16 Mio"])
        #expect(try cli.read("L/ledger.jsonl") == before)
    }

    @Test(
        "CSV import: duplicate empty headers are fine; repeated columns, bad UTF-8 and controls are refused by line and column"
    )
    func csvText() throws {
        let fixture = try CrashFixture()
        let cli = fixture.cli
        let row =
            "15-2025-01-0001,commune,Vernols,211502539,15253,15,59,INSEE,strategy_study,Étude,Schéma,5000,Conseil,73282932000074,15,2025-01-10"
        let before = try cli.read("L/ledger.jsonl")
        func importing(_ bytes: [UInt8]) throws -> CLIRunner.Result {
            try Data(bytes).write(to: URL(fileURLWithPath: cli.path("in.csv")))
            return try cli.run(fixture.importArguments("in.csv"))
        }
        let cases: [(String, [UInt8], [String])] = [
            (
                "repeated column", Array((CrashFixture.header + ",title\n" + row + ",Autre\n").utf8),
                ["title", "deux fois"]
            ),
            (
                "Latin-1", Array((CrashFixture.header + "\n").utf8) + Array(row.utf8).map { $0 == 0x56 ? 0xC9 : $0 },
                ["ligne 2, colonne 3 (applicant_name)", "UTF-8"]
            ),
            (
                "ESC",
                Array((CrashFixture.header + "\n" + row.replacingOccurrences(of: "Étude", with: "\u{1B}[2J")).utf8),
                ["ligne 2, colonne 10 (title)", "U+001B"]
            ),
            (
                "NUL",
                Array((CrashFixture.header + "\n" + row.replacingOccurrences(of: "Schéma", with: "S\u{0}")).utf8),
                ["colonne 11 (summary)", "U+0000"]
            ),
            (
                "C1",
                Array((CrashFixture.header + "\n" + row.replacingOccurrences(of: "Conseil", with: "C\u{9B}1m")).utf8),
                ["colonne 13 (provider_name)", "U+009B"]
            ),
            (
                "quoted line break",
                Array((CrashFixture.header + "\n" + row.replacingOccurrences(of: "Schéma", with: "\"a\nb\"")).utf8),
                ["U+000A"]
            ),
        ]
        for (name, bytes, words) in cases {
            let result = try importing(bytes)
            expectOneSentence(result, status: 2, mentioning: words)
            #expect(!result.stderr.contains("\u{1B}"), "\(name)")
            #expect(try cli.read("L/ledger.jsonl") == before, "\(name)")
        }
        // Spreadsheets add empty trailing columns: two headers named "" are not an error.
        let trailing = try importing(Array((CrashFixture.header + ",,\n" + row + ",,\n").utf8))
        #expect(trailing.status == 0, "\(trailing.stderr)")
    }

    @Test("untrusted text never reaches the terminal raw: log, show and error messages escape controls")
    func terminalEscapes() throws {
        let fixture = try CrashFixture()
        let cli = fixture.cli
        // A hostile but well-formed, signed entry whose holder carries escape sequences, appended as a crash-free
        // writer that knows no rules would (the head is removed so that every complete line counts).
        let key = try KeyFiles.loadPrivateKey(cli.path(fixture.authority), passphrase: { nil })
        let lines = String(decoding: try cli.read("L/ledger.jsonl"), as: UTF8.self).split(separator: "\n")
        let last = try Entry(line: Array(lines.last!.utf8))
        let hostile = "Préfecture\u{1B}[2J\u{9B}31m\u{202E}txt.exe"
        let stranger = try Ed25519PrivateKey(seed: [UInt8](repeating: 7, count: 32))
        let entry = try Entry.make(
            seq: last.seq + 1, prev: last.hash, time: last.time, type: EventCatalog.keyRegistered,
            payload: [
                "key_id": .string(stranger.publicKey.keyID),
                "public_key": .string(PublicKeyText.encode(stranger.publicKey)),
                "role": "auditor", "territories": ["*"], "holder": .string(hostile),
            ], signer: key)
        // An entry signed by that key, so that `log` names its holder.
        let signed = try Entry.make(
            seq: entry.seq + 1, prev: entry.hash, time: entry.time, type: EventCatalog.keyRevoked,
            payload: ["key_id": .string(stranger.publicKey.keyID), "reason": "x"], signer: stranger)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: cli.path("L/ledger.jsonl")))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(entry.line + [0x0A] + signed.line + [0x0A]))
        try handle.close()
        try FileManager.default.removeItem(atPath: cli.path("L/ledger.head"))
        let log = try cli.run(["log", "--ledger", "L"])
        #expect(log.status == 0)
        for raw in ["\u{1B}", "\u{9B}", "\u{202E}"] { #expect(!log.stdout.contains(raw)) }
        #expect(log.stdout.contains("Préfecture\\u{1B}[2J\\u{9B}31m\\u{202E}txt.exe"))
        // Machine output that is not a terminal keeps its exact bytes.
        let json = try cli.run(["log", "--ledger", "L", "--json"])
        #expect(json.stdout.contains(String(decoding: entry.line, as: UTF8.self) + "\n"))
        let error = try cli.run(["show", "--ledger", "L", "x\u{1B}]0;pwned\u{7}"])
        expectOneSentence(error, status: 2, mentioning: ["x\\u{1B}]0;pwned\\u{7}"])
    }
}
