import Foundation
import LedgerCore
import LedgerCrypto
import Testing

@Suite("grant-ledger bundle / verify-bundle (end to end)")
struct BundleCommandTests {
    /// The demo ledger in `D`, its note key, and the id of the first decided application.
    func setUp() throws -> (cli: CLIRunner, noteKey: String, application: String) {
        let cli = CLIRunner()
        let demo = try cli.demo("D")
        try #require(demo.status == 0, "\(demo.stderr)")
        let noteKey = try cli.run(["key", "note-key", "D/demo-keys/autorite.pub.pem", "--ledger", "D"])
        try #require(noteKey.status == 0, "\(noteKey.stderr)")
        let lines = String(decoding: try cli.read("D/ledger.jsonl"), as: UTF8.self).split(separator: "\n")
        let decision = try #require(
            lines.lazy.compactMap { try? Entry(line: Array($0.utf8)) }.first { $0.type == "decision.recorded" })
        let application = try #require(decision.payload["application_id"]?.stringValue)
        return (cli, noteKey.stdout.trimmingCharacters(in: .newlines), application)
    }

    @Test("a demo decision's bundle verifies in an empty directory with only the bundle and the note key")
    func offline() throws {
        let (cli, noteKey, application) = try setUp()
        let written = try cli.run(["bundle", application, "--ledger", "D", "--out", "b.json"])
        #expect(written.status == 0, "\(written.stderr)")
        #expect(written.stdout.contains("b.json : 11 entrées, "))

        let elsewhere = CLIRunner()
        try cli.read("b.json").write(to: URL(fileURLWithPath: elsewhere.path("b.json")))
        try noteKey.write(toFile: elsewhere.path("nk"), atomically: true, encoding: .utf8)
        let verified = try elsewhere.shell(#"$G verify-bundle b.json --trust "$(cat nk)""#)
        #expect(verified.status == 0, "\(verified.stdout)\(verified.stderr)")
        #expect(verified.stdout.contains("Résultat : bundle vérifié"))
        #expect(verified.stdout.contains("BUD-ENVELOPE"))
        #expect(verified.stdout.contains("AMT-GRID") || verified.stdout.contains("DEC-MOTIVE"))
        let contents = try FileManager.default.contentsOfDirectory(atPath: elsewhere.directory).filter {
            !$0.hasPrefix(".")
        }
        #expect(Set(contents) == ["b.json", "nk"])

        let json = try elsewhere.shell(#"$G verify-bundle b.json --json --trust "$(cat nk)""#)
        #expect(json.status == 0)
        let report = try JSONParser.parse(json.stdout.trimmingCharacters(in: .newlines))
        #expect(report["valid"] == .bool(true))
        #expect(report["application_id"]?.stringValue == application)
    }

    @Test("a changed byte, a wrong key or a file that is not a bundle fail with the documented exit codes")
    func failures() throws {
        let (cli, noteKey, application) = try setUp()
        try #require(try cli.run(["bundle", application, "--ledger", "D", "--out", "b.json"]).status == 0)
        var bytes = [UInt8](try cli.read("b.json"))
        // A byte inside an entry's line (a digit of its time): the inclusion proof fails, exit 1.
        let time = try #require(String(decoding: bytes, as: UTF8.self).range(of: #"\"time\":\"2021"#))
        let position =
            String(decoding: bytes, as: UTF8.self).utf8.distance(
                from: String(decoding: bytes, as: UTF8.self).startIndex, to: time.upperBound) - 1
        bytes[position] ^= 0x01
        try Data(bytes).write(to: URL(fileURLWithPath: cli.path("tampered.json")))
        let tampered = try cli.run(["verify-bundle", "tampered.json", "--trust", noteKey])
        #expect(tampered.status == 1, "\(tampered.stdout)")
        #expect(tampered.stdout.contains("ÉCHEC"))

        let other = try cli.run(["key", "note-key", "D/demo-keys/prefecture-du-cantal.pub.pem", "--ledger", "D"])
        let wrong = try cli.run(["verify-bundle", "b.json", "--trust", other.stdout.trimmingCharacters(in: .newlines)])
        #expect(wrong.status == 1)
        #expect(wrong.stdout.contains("TLOG-CHECKPOINT"))

        try "{}\n".write(toFile: cli.path("empty.json"), atomically: true, encoding: .utf8)
        expectOneSentence(
            try cli.run(["verify-bundle", "empty.json", "--trust", noteKey]), status: 2, mentioning: ["bundle"])
        expectOneSentence(try cli.run(["verify-bundle", "b.json", "--trust", "nonsense"]), status: 2)
    }

    @Test("a checkpoint that does not cover the application's events is refused at creation")
    func uncoveredCheckpoint() throws {
        let (cli, _, application) = try setUp()
        // An older checkpoint (size 100), signed by the authority, like `checkpoint` would have written then.
        let store = LedgerStore(directory: cli.path("D"))
        let root = try LedgerTree.withCurrent(store) { (tree) throws(LedgerError) -> Digest in try tree.root(size: 100)
        }
        let origin = try LedgerProofs.origin(of: store)
        let key = try KeyFiles.loadPrivateKey(cli.path("D/demo-keys/autorite.pem"), passphrase: { nil })
        let old = try SignedCheckpoint(
            Checkpoint(origin: origin, size: 100, rootHash: root), signer: NoteSigner(name: origin, privateKey: key))
        try old.text.write(toFile: cli.path("old.txt"), atomically: true, encoding: .utf8)
        let refused = try cli.run([
            "bundle", application, "--ledger", "D", "--checkpoint", "old.txt", "--out", "b.json",
        ])
        expectOneSentence(refused, status: 2, mentioning: ["couvre les entrées 0 à 99", "grant-ledger checkpoint"])
        #expect(!FileManager.default.fileExists(atPath: cli.path("b.json")))
        expectOneSentence(
            try cli.run(["bundle", "nope", "--ledger", "D", "--out", "b.json"]), status: 2, mentioning: ["nope"])
    }
}
