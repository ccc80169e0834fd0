import Foundation
import Testing

/// The libraries state a fault; the CLI adds the command or option to use next (`advice(for:)`), in the same one
/// sentence.
@Suite("grant-ledger: what to do next is the CLI's part of an error sentence (end to end)")
struct AdviceTests {
    @Test("missing SIRETs name --identifiers, an occupied --out names --out, an invalid log names verify")
    func adviceFollowsTheFault() throws {
        let cli = CLIRunner()
        defer { try? FileManager.default.removeItem(atPath: cli.directory) }
        #expect(try cli.demo("L").status == 0)
        try FileManager.default.createDirectory(atPath: cli.path("occupied"), withIntermediateDirectories: true)
        try Data("x".utf8).write(to: URL(fileURLWithPath: cli.path("occupied/note.txt")))
        let publish = try cli.run(["publish", "--ledger", "L", "--out", "occupied"])
        expectOneSentence(publish, status: 2, mentioning: ["rien n'a été modifié", "choisissez un autre --out"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: cli.path("occupied")) == ["note.txt"])

        try FileManager.default.removeItem(atPath: cli.path("L/identifiants-scdl.csv"))
        let export = try cli.run(["export", "scdl", "--ledger", "L", "--out", "s.csv"])
        expectOneSentence(export, status: 2, mentioning: ["SIRET", "SIREN", "--identifiers FICHIER", "--template"])
        #expect(!FileManager.default.fileExists(atPath: cli.path("s.csv")))

        // One byte of a signed entry changed: no figure, and the advice to run verify.
        var log = [UInt8](try cli.read("L/ledger.jsonl"))
        let marker = Array("\"reference\":\"".utf8)
        let at = try #require(log.indices.first { log[$0..<min($0 + marker.count, log.count)].elementsEqual(marker) })
        log.insert(UInt8(ascii: "X"), at: at + marker.count)
        try Data(log).write(to: URL(fileURLWithPath: cli.path("L/ledger.jsonl")))
        for command in [["status"], ["stats"]] {
            let refused = try cli.run(command + ["--ledger", "L"])
            expectOneSentence(refused, status: 1, mentioning: ["ne se vérifie pas", "lancez grant-ledger verify"])
            #expect(refused.stdout.isEmpty)
        }
    }
}
