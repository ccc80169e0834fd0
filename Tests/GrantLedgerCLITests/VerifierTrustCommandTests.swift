import Foundation
import LedgerCore
import LedgerCrypto
import Testing

/// Trust anchors outside the ledger directory (docs/PROOFS.md §9): what `verify` remembers, `--trust`,
/// `--require-checkpoint`, and witness cosignatures on bundles, with the built binary.
@Suite("grant-ledger verify: history kept outside the ledger, pinned keys, witnesses (end to end)")
struct VerifierTrustCommandTests {
    let transparency = TransparencyCommandTests()

    static let stateFile = ".verifier-state/logs/test.example.gouv.fr%2Fledger.json"

    func removeAll(_ cli: CLIRunner) { try? FileManager.default.removeItem(atPath: cli.directory) }

    /// Registers `name.pub.pem` in `L`, signed by `signer`.
    func register(_ cli: CLIRunner, _ name: String, role: String, territory: String, signer: String) throws
        -> CLIRunner.Result
    {
        try cli.run([
            "key", "register", "--ledger", "L", "--public-key", "\(name).pub.pem", "--role", role, "--territory",
            territory, "--holder", "Clé \(name)", "--key", signer,
        ])
    }

    func lines(_ cli: CLIRunner, _ path: String) throws -> [Substring] {
        String(decoding: try cli.read(path), as: UTF8.self).split(separator: "\n")
    }

    @Test("a directory rewritten after a verify is caught, even with its own checkpoints and a new authority")
    func rewrittenDirectory() throws {
        let cli = try transparency.setUp()
        defer { removeAll(cli) }
        #expect(try cli.run(["checkpoint", "--ledger", "L", "--key", "authority.pem"]).status == 0)
        let first = try cli.run(["verify", "--ledger", "L"])
        #expect(first.status == 0, "\(first.stdout)")
        #expect(first.stdout.contains("Historique : 2 entrées retenues dans "))
        #expect(first.stdout.contains("TLOG-HISTORY"), "a first verification checks against the empty history")
        let state = try cli.read(Self.stateFile)
        let remembered = try VerifierState(parsing: Array(state), path: "state")
        #expect(remembered.size == 2 && remembered.checkpoint?.hasPrefix("test.example.gouv.fr/ledger\n2\n") == true)
        var info = stat()
        #expect(lstat(cli.path(Self.stateFile), &info) == 0 && info.st_mode & 0o777 == 0o600)

        // Whoever controls the directory rebuilds it: same origin, another authority key, a fresh checkpoint.
        try FileManager.default.removeItem(atPath: cli.path("L"))
        #expect(try cli.run(["key", "generate", "--out", "forger.pem"]).status == 0)
        #expect(
            try cli.run([
                "init", "--ledger", "L", "--origin", "test.example.gouv.fr/ledger", "--title", "Programme test",
                "--key", "forger.pem", "--time", "2021-03-01T09:30:00Z",
            ]).status == 0)
        for name in ["cantal", "aveyron"] {
            #expect(try register(cli, name, role: "prefecture", territory: "15", signer: "forger.pem").status == 0)
        }
        #expect(try cli.run(["checkpoint", "--ledger", "L", "--key", "forger.pem"]).status == 0)
        let rewritten = try cli.run(["verify", "--ledger", "L"])
        #expect(rewritten.status == 1, "\(rewritten.stdout)")
        #expect(rewritten.stdout.contains("[TLOG-HISTORY]"))
        #expect(rewritten.stdout.contains("l'historique a été réécrit"))
        #expect(try cli.read(Self.stateFile) == state, "a failed verification changes nothing it remembers")
        // Another verifier, who never saw the genuine log, has nothing to compare with.
        #expect(try cli.run(["verify", "--ledger", "L", "--state-dir", "elsewhere"]).status == 0)
    }

    @Test("a log cut short after a verify is caught, checkpoints deleted or not; a longer one is remembered")
    func shorterLog() throws {
        let cli = try transparency.setUp()
        defer { removeAll(cli) }
        try transparency.register(cli, "aveyron", territory: "12")
        #expect(try cli.run(["checkpoint", "--ledger", "L", "--key", "authority.pem"]).status == 0)
        #expect(try cli.run(["verify", "--ledger", "L"]).status == 0)
        let state = try cli.read(Self.stateFile)
        let all = try lines(cli, "L/ledger.jsonl")
        try (all[..<2].joined(separator: "\n") + "\n").write(
            toFile: cli.path("L/ledger.jsonl"), atomically: true, encoding: .utf8)
        for name in ["L/checkpoint.txt", "L/checkpoints", "L/merkle"] {
            try FileManager.default.removeItem(atPath: cli.path(name))
        }
        let cut = try cli.run(["verify", "--ledger", "L"])
        #expect(cut.status == 1, "\(cut.stdout)")
        #expect(
            cut.stdout.contains("[TLOG-HISTORY] le registre n'a que 2 entrées alors que ce vérificateur en a vérifié 3")
        )
        #expect(try cli.read(Self.stateFile) == state)

        // The genuine log, grown by one entry, verifies and is remembered at its new size.
        try (all.joined(separator: "\n") + "\n").write(
            toFile: cli.path("L/ledger.jsonl"), atomically: true, encoding: .utf8)
        try transparency.register(cli, "witness", territory: "48")
        let grown = try cli.run(["verify", "--ledger", "L"])
        #expect(grown.status == 0, "\(grown.stdout)")
        #expect(grown.stdout.contains("Historique : 4 entrées retenues dans "))
        let now = try VerifierState(parsing: Array(try cli.read(Self.stateFile)), path: "state")
        #expect(now.size == 4)
        #expect(now.checkpoint?.contains("\n3\n") == true, "the checkpoint seen before is still remembered")
    }

    @Test("--trust pins the log's note key: the root of trust and every checkpoint must be its own")
    func pinnedKey() throws {
        let cli = try transparency.setUp()
        defer { removeAll(cli) }
        #expect(try cli.run(["checkpoint", "--ledger", "L", "--key", "authority.pem"]).status == 0)
        let noteKey = try transparency.noteKey(cli)
        let pinned = try cli.run(["verify", "--ledger", "L", "--trust", noteKey])
        #expect(pinned.status == 0, "\(pinned.stdout)")
        #expect(pinned.stdout.contains("TLOG-TRUST"))

        // Another key under the log's name: one finding, about the root of trust.
        let other = try cli.run(["key", "note-key", "--ledger", "L", "cantal.pub.pem"]).stdout
            .trimmingCharacters(in: .newlines)
        let wrong = try cli.run(["verify", "--ledger", "L", "--trust", other])
        #expect(wrong.status == 1)
        #expect(wrong.stdout.components(separatedBy: "[TLOG-TRUST]").count == 2, "\(wrong.stdout)")
        #expect(wrong.stdout.contains("n'est pas la clé de confiance"))
        // The right key under another name.
        let renamed = try cli.run(["key", "note-key", "--name", "other.example/log", "authority.pub.pem"]).stdout
            .trimmingCharacters(in: .newlines)
        #expect(try cli.run(["verify", "--ledger", "L", "--trust", renamed]).status == 1)
        expectOneSentence(try cli.run(["verify", "--ledger", "L", "--trust", "n'importe quoi"]), status: 2)

        // A checkpoint signed by a second authority key is valid for the log, but not for the pinned key.
        #expect(try register(cli, "aveyron", role: "authority", territory: "*", signer: "authority.pem").status == 0)
        #expect(try cli.run(["checkpoint", "--ledger", "L", "--key", "aveyron.pem"]).status == 0)
        #expect(try cli.run(["verify", "--ledger", "L"]).status == 0)
        let second = try cli.run(["verify", "--ledger", "L", "--trust", noteKey])
        #expect(second.status == 1)
        #expect(
            second.stdout.contains("checkpoint.txt [TLOG-TRUST] checkpoint.txt n'est pas signé par la clé de confiance")
        )
    }

    @Test("--require-checkpoint fails a log that publishes no checkpoint")
    func requireCheckpoint() throws {
        let cli = try transparency.setUp()
        defer { removeAll(cli) }
        #expect(try cli.run(["verify", "--ledger", "L"]).status == 0)
        let missing = try cli.run(["verify", "--ledger", "L", "--require-checkpoint"])
        #expect(missing.status == 1)
        #expect(missing.stdout.contains("[TLOG-CHECKPOINT] le registre ne publie aucun point de contrôle signé"))
        #expect(try cli.run(["checkpoint", "--ledger", "L", "--key", "authority.pem"]).status == 0)
        #expect(try cli.run(["verify", "--ledger", "L", "--require-checkpoint"]).status == 0)
    }

    @Test("the state file is never followed through a link, and an unreadable one is reported in one sentence")
    func stateFileSafety() throws {
        let cli = try transparency.setUp()
        defer { removeAll(cli) }
        #expect(try cli.run(["verify", "--ledger", "L"]).status == 0)
        var info = stat()
        #expect(lstat(cli.path(".verifier-state/logs"), &info) == 0 && info.st_mode & 0o777 == 0o700)
        let file = cli.path(Self.stateFile)
        try FileManager.default.removeItem(atPath: file)
        try "{}\n".write(toFile: cli.path("planted"), atomically: true, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: file, withDestinationPath: cli.path("planted"))
        expectOneSentence(try cli.run(["verify", "--ledger", "L"]), status: 2, mentioning: ["lien symbolique"])
        #expect(String(decoding: try cli.read("planted"), as: UTF8.self) == "{}\n")
        try FileManager.default.removeItem(atPath: file)
        try "pas un état\n".write(toFile: file, atomically: true, encoding: .utf8)
        expectOneSentence(try cli.run(["verify", "--ledger", "L"]), status: 2, mentioning: ["supprimez-le"])
    }

    /// The demo ledger in `D`, two witnesses' verifier keys, and the demo's note key.
    func cosignedDemo() throws -> (cli: CLIRunner, noteKey: String, witnesses: [String], application: String) {
        let (cli, noteKey, application) = try BundleCommandTests().setUp()
        try FileManager.default.copyItem(atPath: cli.path("D/checkpoint.txt"), toPath: cli.path("old.txt"))
        let proof = try cli.run(["prove", "consistency", "--ledger", "D", "--from", "old.txt"])
        try #require(proof.status == 0, "\(proof.stderr)")
        try proof.stdout.write(toFile: cli.path("c.proof"), atomically: true, encoding: .utf8)
        var witnesses: [String] = []
        for index in 1...3 {
            try #require(try cli.run(["key", "generate", "--out", "w\(index).pem"]).status == 0)
            let key = try cli.run([
                "key", "note-key", "--cosigner", "--name", "temoin\(index).example/w", "w\(index).pem",
            ])
            witnesses.append(key.stdout.trimmingCharacters(in: .newlines))
        }
        for index in 1...2 {
            let cosign = try cli.run([
                "witness", "cosign", "--checkpoint", "D/checkpoint.txt", "--old", "old.txt", "--proof", "c.proof",
                "--trust", noteKey, "--key", "w\(index).pem", "--name", "temoin\(index).example/w",
            ])
            try #require(cosign.status == 0, "\(cosign.stderr)")
        }
        return (cli, noteKey, witnesses, application)
    }

    @Test("a bundle carries its checkpoint's cosignatures and verifies with --witness and --quorum")
    func bundleWithWitnesses() throws {
        let (cli, noteKey, witnesses, application) = try cosignedDemo()
        defer { removeAll(cli) }
        #expect(
            try cli.run(["verify", "--ledger", "D", "--witness", witnesses[0], witnesses[1], "--quorum", "2"]).status
                == 0)
        #expect(try cli.run(["bundle", application, "--ledger", "D", "--out", "b.json"]).status == 0)
        let carried = try JSONParser.parse(Array(try cli.read("b.json")).dropLast())["checkpoint"]?.stringValue ?? ""
        #expect(carried.contains("\u{2014} temoin1.example/w ") && carried.contains("\u{2014} temoin2.example/w "))

        let attested = try cli.run([
            "verify-bundle", "b.json", "--trust", noteKey, "--witness", witnesses[0], witnesses[1], "--quorum", "2",
        ])
        #expect(attested.status == 0, "\(attested.stdout)")
        #expect(attested.stdout.contains("TLOG-WITNESS  2 cosignatures valides des 2 témoins donnés, 2 exigées"))
        #expect(attested.stdout.contains("Ce que ce bundle ne peut pas prouver :"))
        #expect(attested.stdout.contains("un retrait ultérieur de la décision ou de la demande, un versement"))
        #expect(!attested.stdout.contains("aucune cosignature de témoin n'a été vérifiée"))

        // One witness given, quorum one: the other cosignature is not checked, never counted.
        let one = try cli.run(["verify-bundle", "b.json", "--json", "--trust", noteKey, "--witness", witnesses[0]])
        #expect(one.status == 0, "\(one.stdout)")
        let report = try JSONParser.parse(one.stdout.trimmingCharacters(in: .newlines))
        let checks = report["checks"]?.arrayValue ?? []
        #expect(
            checks.contains {
                $0["rule"] == "TLOG-WITNESS" && $0["result"] == "not_checked"
                    && $0["message"]?.stringValue?.contains("temoin2.example/w") == true
            })
        #expect((report["cannot_prove"]?.arrayValue?.count ?? 0) == 2)

        // Without witnesses, the report says the split-view risk plainly.
        let none = try cli.run(["verify-bundle", "b.json", "--json", "--trust", noteKey])
        let limits = try JSONParser.parse(none.stdout.trimmingCharacters(in: .newlines))["cannot_prove"]?.arrayValue
        #expect(limits?.count == 3)
        #expect(limits?.last?.stringValue?.contains("aucune cosignature de témoin n'a été vérifiée") == true)

        // A third witness who did not cosign: a quorum of three is not met.
        let short = try cli.run([
            "verify-bundle", "b.json", "--trust", noteKey, "--witness", witnesses[0], witnesses[1], witnesses[2],
            "--quorum", "3",
        ])
        #expect(short.status == 1)
        #expect(short.stdout.contains("2 cosignatures valides des 3 témoins donnés, 3 exigées"))
        expectOneSentence(
            try cli.run(["verify-bundle", "b.json", "--trust", noteKey, "--witness", witnesses[0], "--quorum", "2"]),
            status: 2)
    }

    @Test("a cosignature dated in the future is refused by witness cosign, verify, verify-bundle and verify-proof")
    func futureCosignature() throws {
        let (cli, noteKey, witnesses, application) = try cosignedDemo()
        defer { removeAll(cli) }
        let before = try cli.read("D/checkpoint.txt")
        let refused = try cli.run([
            "witness", "cosign", "--checkpoint", "D/checkpoint.txt", "--old", "old.txt", "--proof", "c.proof",
            "--trust", noteKey, "--key", "w3.pem", "--name", "temoin3.example/w", "--time", "2099-01-01T00:00:00Z",
        ])
        expectOneSentence(refused, status: 2, mentioning: ["un témoin ne cosigne pas l'avenir"])
        #expect(try cli.read("D/checkpoint.txt") == before)

        // A witness whose clock runs a day ahead (its cosignature made directly with the library).
        func cosign(secondsAhead: Int64) throws {
            let key = try KeyFiles.loadPrivateKey(cli.path("w3.pem"), passphrase: { nil })
            let signer = try CosignatureSigner(name: "temoin3.example/w", privateKey: key)
            var note = try Note(parsing: Array(before))
            let checkpoint = try Checkpoint(body: note.text)
            let when = UInt64(Timestamp.now().secondsSinceEpoch + secondsAhead)
            note.signatures.append(try signer.cosign(checkpoint, timestamp: when).noteSignature)
            try note.formatted.write(toFile: cli.path("D/checkpoint.txt"), atomically: true, encoding: .utf8)
        }
        try cosign(secondsAhead: 86_400)
        let verify = try cli.run(["verify", "--ledger", "D", "--witness", witnesses[2], "--quorum", "1"])
        #expect(verify.status == 1)
        #expect(verify.stdout.contains("[TLOG-WITNESS] la cosignature du témoin temoin3.example/w est datée du"))

        #expect(try cli.run(["bundle", application, "--ledger", "D", "--out", "b.json"]).status == 0)
        let bundle = try cli.run(["verify-bundle", "b.json", "--trust", noteKey, "--witness", witnesses[2]])
        #expect(bundle.status == 1)
        #expect(bundle.stdout.contains("plus de 10 minutes après l'horloge de ce vérificateur"))

        let proof = try cli.run(["prove", "inclusion", "--ledger", "D", "--seq", "0"])
        try proof.stdout.write(toFile: cli.path("p0"), atomically: true, encoding: .utf8)
        try (String(try lines(cli, "D/ledger.jsonl")[0]) + "\n").write(
            toFile: cli.path("e0"), atomically: true, encoding: .utf8)
        expectOneSentence(
            try cli.run([
                "verify-proof", "--proof", "p0", "--trust", noteKey, "--entry", "e0", "--witness", witnesses[2],
            ]), status: 1, mentioning: ["datée du"])

        // Within the tolerance (five minutes ahead), the cosignature counts.
        try cosign(secondsAhead: 300)
        #expect(try cli.run(["verify", "--ledger", "D", "--witness", witnesses[2]]).status == 0)
    }
}
