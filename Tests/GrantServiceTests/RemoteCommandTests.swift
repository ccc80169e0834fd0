import Foundation
import LedgerCore
import Testing

/// The `grant-ledger` binary with `--server`: the README's walkthrough run twice, once on a local copy of the demo
/// and once through a `grant-ledger-server` serving another copy. Every command prints the same, exits the same,
/// and the two logs end byte for byte the same (Ed25519 is deterministic and every time is given); then a mirror
/// of the served log, and `verify --server`.
@Suite(.serialized) struct RemoteCommandTests {
    struct Run: Equatable {
        let status: Int32
        let stdout: String
        let stderr: String
    }

    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    static func run(_ arguments: [String], in directory: String) throws -> Run {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: ServerProcess.binary("grant-ledger"))
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        var environment = ProcessInfo.processInfo.environment
        environment["GRANT_LEDGER"] = nil
        environment["GRANT_LEDGER_SERVER"] = nil
        // What verify remembers (docs/PROOFS.md §10) stays with this test's logs, not in the user's state directory.
        environment["GRANT_LEDGER_STATE_DIR"] = directory + "/.verifier-state"
        process.environment = environment
        let out = directory + "/.out-\(UUID().uuidString)", err = directory + "/.err-\(UUID().uuidString)"
        _ = FileManager.default.createFile(atPath: out, contents: nil)
        _ = FileManager.default.createFile(atPath: err, contents: nil)
        defer {
            try? FileManager.default.removeItem(atPath: out)
            try? FileManager.default.removeItem(atPath: err)
        }
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: out))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: err))
        process.standardInput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        return Run(
            status: process.terminationStatus, stdout: try String(contentsOfFile: out, encoding: .utf8),
            stderr: try String(contentsOfFile: err, encoding: .utf8))
    }

    @Test func theWalkthroughThroughAServerPrintsAndWritesWhatItDoesLocally() throws {
        let fixture = try ServiceFixture()
        defer { fixture.remove() }
        let local = fixture.root + "/local"
        try FileManager.default.copyItem(atPath: fixture.logs + "/demo", toPath: local)
        let keys = fixture.logs + "/demo/demo-keys"
        try FileManager.default.copyItem(atPath: keys, toPath: fixture.root + "/keys")
        let K = fixture.root + "/keys"
        let examples = Self.repository + "/docs/examples"
        let server = try ServerProcess(logs: fixture.logs, checkpointKey: K + "/autorite.pem")
        defer { server.stop() }
        let auditor = fixture.root + "/auditeur.pem"
        _ = try Self.run(["key", "generate", "--out", auditor], in: fixture.root)

        let steps: [[String]] = [
            [
                "call", "publish", "--file", examples + "/call.json", "--key", K + "/prefecture-du-cantal.pem",
                "--time", "2024-12-01T09:00:00Z",
            ],
            [
                "application", "submit", "--file", examples + "/application.json",
                "--key", K + "/prefecture-du-cantal-instruction.pem", "--time", "2025-01-11T10:00:00Z",
            ],
            [
                "import", examples + "/applications.csv", "--call", "15-2025-01",
                "--key", K + "/prefecture-du-cantal-instruction.pem", "--time", "2025-01-15T10:00:00Z",
            ],
            [
                "score", "15-2025-01-0001", "--criterion", "impact=4", "--criterion", "need=3",
                "--criterion", "local_provider=5", "--key", K + "/prefecture-du-cantal-instruction.pem",
                "--time", "2025-05-03T09:00:00Z",
            ],
            // Refused: a second score of the same application.
            [
                "score", "15-2025-01-0001", "--criterion", "impact=1", "--criterion", "need=1",
                "--criterion", "local_provider=1", "--key", K + "/prefecture-du-cantal-instruction.pem",
                "--time", "2025-05-04T09:00:00Z",
            ],
            [
                "decide", "15-2025-01-0001", "--grant", "--reference", "Arrêté n° 2025-15-0001",
                "--key", K + "/prefecture-du-cantal.pem", "--time", "2025-05-10T09:00:00Z",
            ],
            // Refused: the payer's key cannot decide.
            [
                "decide", "15-2025-01-0002", "--reject", "--motive", "below_threshold",
                "--key", K + "/drfip-paiement.pem", "--time", "2025-05-10T10:00:00Z",
            ],
            [
                "pay", "15-2025-01-0001", "--amount", "2 500,00", "--reference", "DRFIP-2025-000001",
                "--key", K + "/drfip-paiement.pem", "--time", "2025-06-01T09:00:00Z",
            ],
            [
                "withdraw", "15-2025-01-0001", "--grant", "--reason", "Conditions non remplies",
                "--reference", "Arrêté n° 2025-15-0099", "--key", K + "/prefecture-du-cantal.pem",
                "--time", "2025-06-02T09:00:00Z",
            ],
            [
                "key", "register", "--public-key", fixture.root + "/auditeur.pub.pem", "--role", "auditor",
                "--territory", "*", "--holder", "Cour des comptes, chambre 2", "--key", K + "/autorite.pem",
                "--time", "2025-06-03T09:00:00Z",
            ],
        ]
        var refusals = 0
        for step in steps {
            let here = try Self.run(step + ["--ledger", local], in: fixture.root)
            let there = try Self.run(step + ["--server", server.url, "--log", "demo"], in: fixture.root)
            #expect(here == there, "\(step.prefix(2).joined(separator: " ")): local \(here), server \(there)")
            if here.status == 1 {
                refusals += 1
                #expect(here.stderr.hasPrefix("grant-ledger: refusé ("))
            } else {
                #expect(here.status == 0, "\(step.prefix(2).joined(separator: " ")): \(here.stderr)")
            }
        }
        #expect(refusals == 2)
        #expect(
            FileManager.default.contents(atPath: local + "/ledger.jsonl")
                == FileManager.default.contents(atPath: fixture.logs + "/demo/ledger.jsonl"))

        // An auditor: a mirror through the tiles, then verify it; and verify --server in one step.
        let trust = try Self.run(["key", "note-key", K + "/autorite.pub.pem", "--ledger", local], in: fixture.root)
        #expect(trust.status == 0)
        let key = trust.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        Thread.sleep(forTimeInterval: 0.5)  // the next checkpoint, at most --checkpoint-interval after the appends
        let mirror = try Self.run(
            ["mirror", "--server", server.url, "--log", "demo", "--out", fixture.root + "/copie", "--trust", key],
            in: fixture.root)
        #expect(mirror.status == 0, "\(mirror.stderr)")
        #expect(mirror.stdout.hasPrefix("miroir de demo dans "))
        let verified = try Self.run(["verify", "--ledger", fixture.root + "/copie"], in: fixture.root)
        #expect(verified.status == 0, "\(verified.stdout)")
        let remote = try Self.run(
            ["verify", "--server", server.url, "--log", "demo", "--trust", key], in: fixture.root)
        #expect(remote.status == 0, "\(remote.stderr)")
        #expect(remote.stdout.contains("Résultat : registre valide"))
        // A wrong key: the mirror refuses the checkpoint (exit 1), and writes nothing.
        let otherKey = try Self.run(["key", "note-key", auditor, "--ledger", local], in: fixture.root)
        let refused = try Self.run(
            [
                "mirror", "--server", server.url, "--log", "demo", "--out", fixture.root + "/autre", "--trust",
                otherKey.stdout.trimmingCharacters(in: .whitespacesAndNewlines),
            ],
            in: fixture.root)
        #expect(refused.status == 1)
        #expect(!FileManager.default.fileExists(atPath: fixture.root + "/autre/ledger.jsonl"))
        // Options that do not go together, and a server that is not there: one sentence, exit 2.
        let noLog = try Self.run(
            ["key", "revoke", "abc", "--reason", "x", "--key", K + "/autorite.pem", "--server", server.url],
            in: fixture.root)
        #expect(noLog.status == 2)
        #expect(noLog.stderr.split(separator: "\n").count == 1)
        let absent = try Self.run(
            [
                "key", "revoke", "abc", "--reason", "x", "--key", K + "/autorite.pem", "--server",
                "http://127.0.0.1:9", "--log", "demo",
            ],
            in: fixture.root)
        #expect(absent.status == 2)
        #expect(absent.stderr.contains("ne répond pas"))
    }
}
