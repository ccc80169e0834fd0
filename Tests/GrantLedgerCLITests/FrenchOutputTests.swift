import Foundation
import LedgerCore
import Testing

/// What a person reads from the CLI is French, without code names, with agreeing nouns (issue 15, item 5).
@Suite("grant-ledger: one language for people (end to end)")
struct FrenchOutputTests {
    @Test("verify reports in French; --strict says that it failed")
    func verifyInFrench() throws {
        let cli = CLIRunner()
        defer { try? FileManager.default.removeItem(atPath: cli.directory) }
        #expect(try cli.demo("L").status == 0)
        let verify = try cli.run(["verify", "--ledger", "L"])
        #expect(verify.status == 0)
        #expect(verify.stdout.hasPrefix("Registre L : 217 entrées, 9 signataires\nTête : seq 216, hash "))
        #expect(verify.stdout.contains("\nRésultat : registre valide ; 1 écart déclaré\n"), "\(verify.stdout)")
        #expect(verify.stdout.contains("(écart déclaré) montant 10 000,00 €"))
        for english in ["Result", "entries", "signers", "declared deviation", "(deviation)"] {
            #expect(!verify.stdout.contains(english), "\(english) in verify's output")
        }
        #expect(!verify.stdout.contains("Échec en mode strict"))
        let strict = try cli.run(["verify", "--ledger", "L", "--strict"])
        #expect(strict.status == 1)
        #expect(strict.stdout.contains("Échec en mode strict (--strict) : les écarts déclarés sont refusés."))
    }

    @Test("--ledger is accepted before or after the subcommand")
    func ledgerBeforeSubcommand() throws {
        let cli = CLIRunner()
        defer { try? FileManager.default.removeItem(atPath: cli.directory) }
        #expect(try cli.demo("L").status == 0)
        let after = try cli.run(["status", "--ledger", "L"])
        #expect(after.status == 0)
        let before = try cli.run(["--ledger", "L", "status"])
        #expect(before.status == 0, "\(before.stderr)")
        #expect(before.stdout == after.stdout)
        #expect(try cli.run(["--ledger=L", "status", "--call", "15-2021-01"]).status == 0)
        #expect(try cli.run(["--ledger", "L", "export", "scdl", "--out", "s.csv"]).status == 0)
        #expect(try cli.run(["--ledger", "L", "verify", "--json"]).status == 0)
        // Given twice, or to a command that takes no ledger: the parser's one sentence, in French.
        expectOneSentence(
            try cli.run(["--ledger", "L", "key", "generate", "--out", "k.pem"]), status: 2,
            mentioning: ["option inconnue", "voir grant-ledger help"])
    }

    @Test("status and stats count « sans décision » the same way; counts agree in number; log prints dossier ids")
    func statusAgreesWithStats() throws {
        let cli = CLIRunner()
        defer { try? FileManager.default.removeItem(atPath: cli.directory) }
        #expect(try cli.demo("L").status == 0)
        let status = try cli.run(["status", "--ledger", "L"]).stdout
        #expect(!status.contains("(s)"))
        var pending = 0
        var withdrawnUndecided = 0
        for line in status.split(separator: "\n") where line.hasPrefix("  Dossiers ") {
            for part in line.split(separator: " : ", maxSplits: 1)[1].split(separator: ", ") {
                let words = part.split(separator: " ")
                let count = try #require(Int(words[0]))
                if part.hasSuffix(" sans décision") { pending += count }
                if part.hasSuffix("avant décision") { withdrawnUndecided += count }
                if words.count == 2 { #expect((count > 1) == words[1].hasSuffix("s"), "« \(part) »") }
            }
        }
        let stats = try JSONParser.parse(try cli.run(["stats", "--ledger", "L", "--format", "json"]).stdout)
        #expect(stats["total"]?["pending"] == .integer(Int64(pending)))
        #expect(withdrawnUndecided > 0, "the demo has applications withdrawn before a decision")
        let log = try cli.run(["log", "--ledger", "L", "--from", "31"]).stdout
        #expect(log.hasPrefix("#31  2021-03-21T09:00:00Z  application.submitted  dossier 15-2021-01-0001  par "))
        #expect(try cli.run(["log", "--ledger", "L"]).stdout.contains("(autorité de gestion)"))
        // One call: every dossier, by id, with its state and amount.
        let call = try cli.run(["status", "--ledger", "L", "--call", "15-2021-01"]).stdout
        #expect(call.contains("\n    15-2021-01-0001  intégralement versée  "))
        #expect(call.split(separator: "\n").filter { $0.hasPrefix("    15-2021-01-") }.count == 20)
        let groups = try cli.run(["stats", "--ledger", "L", "--by", "action"]).stdout
        #expect(groups.contains("Groupe : Étude stratégique"))
        #expect(!groups.contains("strategy_study"))
    }

    @Test("status, like stats and publish, gives no figures from a log that does not verify")
    func statusRefusesATamperedLog() throws {
        let cli = CLIRunner()
        defer { try? FileManager.default.removeItem(atPath: cli.directory) }
        #expect(try cli.demo("L").status == 0)
        // One letter of an applicant's name changed: same length, the entry's signature no longer holds.
        let log = String(decoding: try cli.read("L/ledger.jsonl"), as: UTF8.self)
        let tampered = try #require(log.range(of: "Vernols")).lowerBound
        var changed = log
        changed.replaceSubrange(tampered..<log.index(tampered, offsetBy: 7), with: "Vernolt")
        try Data(changed.utf8).write(to: URL(fileURLWithPath: cli.path("L/ledger.jsonl")))
        for command in [["status"], ["stats"], ["publish", "--out", "site"]] {
            let result = try cli.run(command + ["--ledger", "L"])
            expectOneSentence(result, status: 1, mentioning: ["INT-SIGNATURE", "grant-ledger verify"])
            #expect(result.stdout.isEmpty, "\(command[0]) printed figures")
        }
    }

    @Test("the demo's next steps name the binary that ran")
    func demoNamesItsBinary() throws {
        let cli = CLIRunner()
        defer { try? FileManager.default.removeItem(atPath: cli.directory) }
        let built = try cli.run(["demo", "--out", "L"])
        #expect(built.stdout.contains("Ensuite : swift run grant-ledger verify --ledger L"), "\(built.stdout)")
        // Installed on the PATH (here, a link outside the build directory): the hints name the command as run.
        let installed = try cli.shell(
            "mkdir bin && ln -s \"$G\" bin/grant-ledger && PATH=\"$PWD/bin:$PATH\" grant-ledger demo --out L")
        #expect(installed.status == 0, "\(installed.stderr)")
        #expect(
            installed.stdout.contains("Ensuite : grant-ledger verify --ledger L   ·   grant-ledger status --ledger L"),
            "\(installed.stdout)")
        #expect(!installed.stdout.contains("swift run"))
    }

    @Test("help and argument errors are French")
    func helpAndErrors() throws {
        let cli = CLIRunner()
        defer { try? FileManager.default.removeItem(atPath: cli.directory) }
        let help = try cli.run(["verify", "--help"])
        #expect(help.status == 0)
        #expect(help.stdout.contains("Rejouer tout le registre"))
        #expect(help.stdout.contains("Échouer aussi (code 1) sur les écarts déclarés."))
        #expect(try cli.run(["decide", "--help"]).stdout.contains("envelope_exhausted (enveloppe épuisée)"))
        expectOneSentence(
            try cli.run(["verify", "--frobnicate"]), status: 2, mentioning: ["option inconnue : '--frobnicate'"])
        expectOneSentence(
            try cli.run(["show"]), status: 2, mentioning: ["argument obligatoire manquant : '<application>'"])
        expectOneSentence(
            try cli.run(["show", "x", "y", "z"]), status: 2, mentioning: ["2 arguments inattendus : 'y', 'z'"])
        expectOneSentence(
            try cli.run(["prove", "inclusion", "--seq", "x"]), status: 2,
            mentioning: ["la valeur 'x' n'est pas valide pour '--seq <seq>'"])
    }
}
