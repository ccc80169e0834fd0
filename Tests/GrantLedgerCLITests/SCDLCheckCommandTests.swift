import Foundation
import LedgerCore
import Testing

@Suite("grant-ledger export scdl: the descriptor beside the file, and --check (end to end)")
struct SCDLCheckCommandTests {
    @Test("the export names its log; --check finds it identical, names a changed byte's row, and survives growth")
    func exportAndCheck() throws {
        let cli = CLIRunner()
        defer { try? FileManager.default.removeItem(atPath: cli.directory) }
        #expect(try cli.demo("L").status == 0)
        let export = try cli.run(["export", "scdl", "--ledger", "L", "--out", "s.csv"])
        #expect(export.status == 0, "\(export.stderr)")
        let descriptor = try JSONParser.parse(try cli.read("s.resource.json"))
        let lines = String(decoding: try cli.read("L/ledger.jsonl"), as: UTF8.self).split(separator: "\n")
        #expect(descriptor["path"] == "s.csv")
        #expect(descriptor["grantledger"]?["size"] == .integer(Int64(lines.count)))

        let same = try cli.run(["export", "scdl", "--ledger", "L", "--check", "s.csv"])
        #expect(same.status == 0, "\(same.stdout)\(same.stderr)")
        #expect(
            same.stdout.contains("s.csv est identique à l'export recalculé depuis le journal à \(lines.count) entrées"))

        // One changed byte: a digit of the first amount.
        var bytes = [UInt8](try cli.read("s.csv"))
        let marker = Array(".00,aide".utf8)
        let at = try #require(
            bytes.indices.first { bytes[$0..<min($0 + marker.count, bytes.count)].elementsEqual(marker) })
        bytes[at - 1] = bytes[at - 1] == UInt8(ascii: "9") ? UInt8(ascii: "8") : UInt8(ascii: "9")
        try Data(bytes).write(to: URL(fileURLWithPath: cli.path("s.csv")))
        let changed = try cli.run(["export", "scdl", "--ledger", "L", "--check", "s.csv"])
        expectOneSentence(changed, status: 1, mentioning: ["s.csv n'est pas l'export recalculé"])
        #expect(changed.stdout.hasPrefix("  ligne 2 (dossier "), "\(changed.stdout)")
        #expect(changed.stdout.contains("montant publié « "))

        // The log grows: the file, exported before, still checks at the size its descriptor names.
        #expect(try cli.run(["export", "scdl", "--ledger", "L", "--out", "s.csv"]).status == 0)
        #expect(try cli.run(["key", "generate", "--out", "new.pem"]).status == 0)
        let registered = try cli.run([
            "key", "register", "--ledger", "L", "--public-key", "new.pub.pem", "--role", "auditor", "--territory",
            "*", "--holder", "Auditeur ajouté", "--key", "L/demo-keys/autorite.pem",
        ])
        #expect(registered.status == 0, "\(registered.stderr)")
        #expect(try cli.run(["export", "scdl", "--ledger", "L", "--check", "s.csv"]).status == 0)

        // The site publishes the descriptor beside its SCDL file; both check.
        #expect(try cli.run(["publish", "--ledger", "L", "--out", "site"]).status == 0)
        #expect(
            try cli.run(["export", "scdl", "--ledger", "L", "--check", "site/donnees/subventions.csv"]).status == 0)

        // A rewritten log (one of the exported entries changed, same origin and size): the descriptor's root is no
        // longer the log's.
        let log = try cli.read("L/ledger.jsonl")
        var entries = Array(log).split(separator: 0x0A, omittingEmptySubsequences: false).map(Array.init)
        let tampered = try #require(
            entries.indices.first { String(decoding: entries[$0], as: UTF8.self).contains("application.submitted") })
        entries[tampered] = Array(
            String(decoding: entries[tampered], as: UTF8.self).replacingOccurrences(of: "(DEMO)", with: "(DEMX)").utf8)
        try Data(entries.joined(separator: [0x0A])).write(to: URL(fileURLWithPath: cli.path("L/ledger.jsonl")))
        let rewritten = try cli.run(["export", "scdl", "--ledger", "L", "--check", "s.csv"])
        #expect(rewritten.status == 1)
        #expect(rewritten.stdout.contains("le journal a été réécrit depuis l'export"), "\(rewritten.stdout)")
    }
}
