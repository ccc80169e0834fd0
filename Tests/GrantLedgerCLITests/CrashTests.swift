import Foundation
import LedgerCore
import LedgerCrypto
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// A ledger to crash: the demo (12 applications) and an open call of the Cantal, 15-2025-01.
struct CrashFixture {
    let cli = CLIRunner()
    let ledger = "L"
    var instruction: String { "L/demo-keys/prefecture-du-cantal-instruction.pem" }
    var authority: String { "L/demo-keys/autorite.pem" }

    static let header =
        "application_id,applicant_kind,applicant_name,siren,insee,departement,population,population_source,action,title,summary,requested,provider_name,provider_siret,provider_departement,submitted_on"

    init() throws {
        let demo = try cli.demo("L", ["--applications", "12"])
        #expect(demo.status == 0, "\(demo.stderr)")
        let call = """
            {"call_id":"15-2025-01","title":"Appel 2025","territories":["15"],"opens_at":"2025-01-01","closes_at":"2025-03-31",
             "envelope_cents":1500000,"eligible_actions":["strategy_study","project_support","deployment_support"],
             "eligible_applicants":["commune","communaute_de_communes"],"grid":"national","criteria":"national","threshold":15}
            """
        try call.write(toFile: cli.path("call.json"), atomically: true, encoding: .utf8)
        let published = try cli.run([
            "call", "publish", "--ledger", "L", "--file", "call.json", "--key", "L/demo-keys/prefecture-du-cantal.pem",
            "--time", "2024-12-01T09:00:00Z",
        ])
        #expect(published.status == 0, "\(published.stderr)")
    }

    /// A CSV of applications `first..<first + count` to call 15-2025-01.
    func writeCSV(_ name: String, first: Int, count: Int) throws {
        var rows = [Self.header]
        for number in first..<(first + count) {
            rows.append(
                "\(Self.id(number)),commune,Vernols,211502539,15253,15,59,INSEE,strategy_study,Étude \(number),Schéma directeur numérique,5000,Conseil,73282932000074,15,2025-01-10"
            )
        }
        try (rows.joined(separator: "\n") + "\n").write(toFile: cli.path(name), atomically: true, encoding: .utf8)
    }

    static func id(_ number: Int) -> String {
        let digits = String(number)
        return "15-2025-01-" + String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }

    func importArguments(_ csv: String) -> [String] {
        [
            "import", "--ledger", ledger, csv, "--call", "15-2025-01", "--key", instruction, "--time",
            "2025-01-10T10:00:00Z",
        ]
    }

    /// Starts the binary with `arguments`, its stdout in a file.
    func start(_ arguments: [String], stdout: String) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CLIRunner.binary)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: cli.directory)
        var environment = ProcessInfo.processInfo.environment
        environment["GRANT_LEDGER"] = nil
        process.environment = environment
        _ = FileManager.default.createFile(atPath: cli.path(stdout), contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: cli.path(stdout)))
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        return process
    }

    var logSize: Int {
        (try? FileManager.default.attributesOfItem(atPath: cli.path("L/ledger.jsonl"))[.size] as? Int) ?? 0
    }

    /// The committed lines, read as `grant-ledger log --json` reads them.
    func committedLines() throws -> [String] {
        let result = try cli.run(["log", "--ledger", ledger, "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        return result.stdout.split(separator: "\n").map(String.init)
    }

    /// How many of the application ids `first..<first + count` are in the log.
    func present(_ lines: [String], first: Int, count: Int) -> Int {
        let wanted = Set((first..<(first + count)).map { "\"application_id\":\"\(Self.id($0))\"" })
        return lines.filter { line in
            line.contains("\"type\":\"application.submitted\"")
                && wanted.contains { line.contains($0) }
        }.count
    }

    /// `repair`, then `verify` passes, and the Merkle cache holds nothing the log does not: its leaves are a prefix of
    /// the log's leaf hashes, and a checkpoint signed from it verifies against the log.
    func repairAndCheck(checkpoint: Bool, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let repair = try cli.run(["repair", "--ledger", ledger])
        #expect(repair.status == 0, "\(repair.stderr)", sourceLocation: sourceLocation)
        let verify = try cli.run(["verify", "--ledger", ledger])
        #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)", sourceLocation: sourceLocation)
        let log = try cli.read("L/ledger.jsonl")
        let leaves = Array(log).split(separator: 0x0A).map { RFC6962.leafHash($0) }
        if let cache = try? cli.read("L/merkle/level-00.hashes") {
            let stored = Array(cache)
            let whole = stored.count / 32
            #expect(whole <= leaves.count, "the cache has leaves the log has not", sourceLocation: sourceLocation)
            for index in 0..<min(whole, leaves.count) {
                guard Array(stored[(index * 32)..<(index * 32 + 32)]) == leaves[index].bytes else {
                    Issue.record("cache leaf \(index) differs from the log", sourceLocation: sourceLocation)
                    break
                }
            }
        }
        if checkpoint {
            let signed = try cli.run(["checkpoint", "--ledger", ledger, "--key", authority])
            #expect(signed.status == 0, "\(signed.stderr)", sourceLocation: sourceLocation)
            let again = try cli.run(["verify", "--ledger", ledger])
            #expect(again.status == 0, "\(again.stdout)", sourceLocation: sourceLocation)
        }
    }
}

@Suite("Crashes: kill -9 during writes never leaves part of a batch, never loses an acknowledged entry")
struct CrashTests {
    @Test("kill -9 of an import during its large write: after repair the batch is there whole or not at all")
    func killDuringLargeImport() throws {
        let fixture = try CrashFixture()
        let rows = 1500
        for attempt in 0..<3 {
            let first = 1 + attempt * rows
            try fixture.writeCSV("big-\(attempt).csv", first: first, count: rows)
            let before = try fixture.committedLines().count
            let sizeBefore = fixture.logSize
            let process = try fixture.start(fixture.importArguments("big-\(attempt).csv"), stdout: "out-\(attempt)")
            // Wait for the batch's write to start, then kill at once or a moment later (bounded: 60 s).
            let deadline = Date().addingTimeInterval(60)
            while process.isRunning, fixture.logSize == sizeBefore, Date() < deadline { usleep(50) }
            if attempt > 0 { usleep(UInt32.random(in: 0...2000)) }
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            let acknowledged = String(decoding: try fixture.cli.read("out-\(attempt)"), as: UTF8.self).contains(
                "imported \(rows) applications")
            if process.terminationReason == .uncaughtSignal {
                // Killed: never acknowledged. Before repair, readers see the batch whole (committed just before the
                // kill) or not at all.
                #expect(!acknowledged)
                let seen = fixture.present(try fixture.committedLines(), first: first, count: rows)
                #expect(seen == 0 || seen == rows, "attempt \(attempt): readers see \(seen) of \(rows) rows")
            }
            try fixture.repairAndCheck(checkpoint: attempt == 2)
            let lines = try fixture.committedLines()
            let found = fixture.present(lines, first: first, count: rows)
            #expect(found == 0 || found == rows, "attempt \(attempt): \(found) of \(rows) rows of a killed import")
            if acknowledged { #expect(found == rows) }
            #expect(lines.count == before + found)
        }
    }

    @Test("a bounded kill -9 loop over appends and imports: every acknowledged entry kept, no partial batch")
    func killLoop() throws {
        let fixture = try CrashFixture()
        let clock = ContinuousClock()
        let started = clock.now
        var acknowledgedIDs: [String] = []
        var batches: [(first: Int, count: Int, acknowledged: Bool)] = []
        var next = 5000
        var round = 0
        while round < 40, clock.now - started < .seconds(40) {
            defer { round += 1 }
            let isImport = round % 2 == 0
            let out = "round-\(round)"
            let process: Process
            if isImport {
                let count = 25
                try fixture.writeCSV("batch-\(round).csv", first: next, count: count)
                process = try fixture.start(fixture.importArguments("batch-\(round).csv"), stdout: out)
                batches.append((next, count, false))
                next += count
            } else {
                let id = CrashFixture.id(next)
                let application = """
                    {"application_id":"\(id)","call_id":"15-2025-01","action":"strategy_study","title":"Étude","summary":"Schéma",
                     "applicant":{"kind":"commune","name":"Vernols","siren":"211502539","insee":"15253","departement":"15","population":59,"population_source":"INSEE"},
                     "requested_cents":500000,"provider":{"name":"Conseil","siret":"73282932000074","departement":"15"},"submitted_on":"2025-01-10"}
                    """
                try application.write(toFile: fixture.cli.path("app-\(round).json"), atomically: true, encoding: .utf8)
                process = try fixture.start(
                    [
                        "application", "submit", "--ledger", "L", "--file", "app-\(round).json", "--key",
                        fixture.instruction, "--time", "2025-01-10T10:00:00Z",
                    ], stdout: out)
                batches.append((next, 1, false))
                next += 1
            }
            usleep(UInt32.random(in: 0...900_000))
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            let output = String(decoding: try fixture.cli.read(out), as: UTF8.self)
            let acknowledged = process.terminationStatus == 0 && process.terminationReason == .exit && !output.isEmpty
            if acknowledged {
                batches[batches.count - 1].acknowledged = true
                let batch = batches[batches.count - 1]
                acknowledgedIDs += (batch.first..<(batch.first + batch.count)).map(CrashFixture.id)
            }
            try fixture.repairAndCheck(checkpoint: round % 8 == 7)
            let lines = try fixture.committedLines()
            for batch in batches {
                let found = fixture.present(lines, first: batch.first, count: batch.count)
                #expect(
                    found == 0 || found == batch.count, "round \(round): a partial batch of \(found)/\(batch.count)")
                if batch.acknowledged { #expect(found == batch.count, "round \(round): an acknowledged batch is gone") }
            }
        }
        #expect(round >= 4)
        // Every acknowledged entry, once more at the end.
        let text = try fixture.committedLines().joined(separator: "\n")
        for id in acknowledgedIDs { #expect(text.contains("\"application_id\":\"\(id)\"")) }
    }
}
