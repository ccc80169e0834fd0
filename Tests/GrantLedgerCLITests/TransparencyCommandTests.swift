import Foundation
import LedgerCore
import LedgerCrypto
import Testing

@Suite("grant-ledger: checkpoints, proofs, witnesses (end to end)")
struct TransparencyCommandTests {
    /// A ledger with an authority and a registered prefecture key, a witness key, and the log's note key in `nk`.
    func setUp() throws -> CLIRunner {
        let cli = CLIRunner()
        for name in ["authority", "cantal", "witness", "aveyron"] {
            try #require(try cli.run(["key", "generate", "--out", "\(name).pem"]).status == 0)
        }
        let created = try cli.run([
            "init", "--ledger", "L", "--origin", "test.example.gouv.fr/ledger", "--title", "Programme test",
            "--key", "authority.pem", "--time", "2021-03-01T09:30:00Z",
        ])
        try #require(created.status == 0, "\(created.stderr)")
        try register(cli, "cantal", territory: "15")
        let noteKey = try cli.run(["key", "note-key", "--ledger", "L", "authority.pub.pem"])
        try #require(noteKey.status == 0, "\(noteKey.stderr)")
        try noteKey.stdout.trimmingCharacters(in: .newlines).write(
            toFile: cli.path("nk"), atomically: true, encoding: .utf8)
        return cli
    }

    func register(_ cli: CLIRunner, _ name: String, territory: String, ledger: String = "L") throws {
        let result = try cli.run([
            "key", "register", "--ledger", ledger, "--public-key", "\(name).pub.pem", "--role", "prefecture",
            "--territory", territory, "--holder", "Préfecture \(name)", "--key", "authority.pem",
        ])
        try #require(result.status == 0, "\(result.stderr)")
    }

    func noteKey(_ cli: CLIRunner) throws -> String { String(decoding: try cli.read("nk"), as: UTF8.self) }

    func write(_ cli: CLIRunner, _ name: String, _ text: String) throws {
        try text.write(toFile: cli.path(name), atomically: true, encoding: .utf8)
    }

    @Test("checkpoint, then an inclusion proof verifies offline; a tampered proof or another entry does not")
    func checkpointAndInclusion() throws {
        let cli = try setUp()
        let signed = try cli.run(["checkpoint", "--ledger", "L", "--key", "authority.pem"])
        #expect(signed.status == 0, "\(signed.stderr)")
        let text = String(decoding: try cli.read("L/checkpoint.txt"), as: UTF8.self)
        #expect(try cli.read("L/checkpoints/2.txt") == cli.read("L/checkpoint.txt"))
        #expect(text.hasPrefix("test.example.gouv.fr/ledger\n2\n"))
        #expect(text.contains("\n\n\u{2014} test.example.gouv.fr/ledger "))
        // The library agrees with the note key the CLI printed.
        let opened = try SignedCheckpoint.open(text, log: NoteVerifier(verifierKey: try noteKey(cli)))
        #expect(opened.checkpoint.size == 2)

        let proof = try cli.run(["prove", "inclusion", "--ledger", "L", "--seq", "1"])
        #expect(proof.status == 0, "\(proof.stderr)")
        #expect(proof.stdout.hasPrefix("c2sp.org/tlog-proof@v1\nindex 1\n"))
        #expect(proof.stdout.hasSuffix(text))
        try write(cli, "p1.tlog-proof", proof.stdout)
        let lines = String(decoding: try cli.read("L/ledger.jsonl"), as: UTF8.self).split(separator: "\n")
        try write(cli, "e1.json", lines[1] + "\n")
        try write(cli, "e0.json", lines[0] + "\n")
        let verified = try cli.run([
            "verify-proof", "--proof", "p1.tlog-proof", "--trust", try noteKey(cli), "--entry", "e1.json",
        ])
        #expect(verified.status == 0, "\(verified.stderr)")
        #expect(verified.stdout.contains("l'entrée 1 est dans test.example.gouv.fr/ledger à la taille 2"))

        // JSON form carries the entry line and the same proof text.
        let json = try JSONParser.parse(
            try cli.run(["prove", "inclusion", "--ledger", "L", "--seq", "1", "--json"]).stdout)
        #expect(json["entry"]?.stringValue == String(lines[1]))
        #expect(json["proof"]?.stringValue == proof.stdout)
        #expect(json["tree_size"] == .integer(2))

        // Another entry, a changed proof hash, a changed entry byte: exit 1, one sentence.
        expectOneSentence(
            try cli.run(["verify-proof", "--proof", "p1.tlog-proof", "--trust", try noteKey(cli), "--entry", "e0.json"]
            ),
            status: 1, mentioning: ["seq 0"])
        var proofLines = proof.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        proofLines[2] = (proofLines[2].first == "A" ? "B" : "A") + proofLines[2].dropFirst()
        try write(cli, "bad.tlog-proof", proofLines.joined(separator: "\n"))
        expectOneSentence(
            try cli.run([
                "verify-proof", "--proof", "bad.tlog-proof", "--trust", try noteKey(cli), "--entry", "e1.json",
            ]),
            status: 1, mentioning: ["ne mène pas à la racine"])
        try write(cli, "e1bad.json", lines[1].replacingOccurrences(of: "\"seq\":1", with: "\"seq\":1 ") + "\n")
        #expect(
            try cli.run([
                "verify-proof", "--proof", "p1.tlog-proof", "--trust", try noteKey(cli), "--entry", "e1bad.json",
            ]).status != 0)

        // Only an authority key signs checkpoints; a proof beyond the checkpoint is bad input.
        expectOneSentence(
            try cli.run(["checkpoint", "--ledger", "L", "--key", "cantal.pem"]), status: 1,
            mentioning: ["TLOG-CHECKPOINT"])
        expectOneSentence(
            try cli.run(["prove", "inclusion", "--ledger", "L", "--seq", "2"]), status: 2, mentioning: ["l'entrée 2"])
        // verify is clean and checked the checkpoint files.
        let verify = try cli.run(["verify", "--ledger", "L", "--checkpoint", "L/checkpoint.txt"])
        #expect(verify.status == 0, "\(verify.stdout)")
        #expect(verify.stdout.contains("TLOG-CONSISTENCY"))
        #expect(verify.stdout.contains("TLOG-CHECKPOINT"))
    }

    @Test("a third party checks a checkpoint signature and an inclusion proof with python3 and openssl")
    func thirdPartyCheck() throws {
        let cli = try setUp()
        guard try cli.shell("command -v openssl && command -v python3").status == 0 else { return }
        #expect(try cli.run(["checkpoint", "--ledger", "L", "--key", "authority.pem"]).status == 0)
        try write(cli, "p1.tlog-proof", try cli.run(["prove", "inclusion", "--ledger", "L", "--seq", "1"]).stdout)
        try cli.run(["log", "--ledger", "L", "--json", "--from", "1"]).stdout.write(
            toFile: cli.path("e1.json"), atomically: true, encoding: .utf8)
        // The steps of docs/PROOFS.md §7, verbatim.
        let script = """
            set -e
            python3 - p1.tlog-proof e1.json "$(cat nk)" <<'PY'
            import sys, base64, hashlib
            proof, entry, key = open(sys.argv[1], 'rb').read(), open(sys.argv[2], 'rb').read(), sys.argv[3]
            name, keyid, pub = key.split('+', 2); pub = base64.b64decode(pub)
            assert pub[0] == 1 and hashlib.sha256(name.encode() + b'\\n' + pub).digest()[:4].hex() == keyid
            head, checkpoint = proof.split(b'\\n\\n', 1)
            lines = head.split(b'\\n'); assert lines[0] == b'c2sp.org/tlog-proof@v1'
            index = int(lines[1].split(b' ')[1]); path = [base64.b64decode(l) for l in lines[2:]]
            body, sigs = checkpoint.rsplit(b'\\n\\n', 1); body += b'\\n'
            origin, size, root = body.decode().split('\\n')[:3]; size = int(size); root = base64.b64decode(root)
            assert origin == name
            sig = next(base64.b64decode(l.split(' ')[2]) for l in sigs.decode().splitlines() if l.split(' ')[1] == name and base64.b64decode(l.split(' ')[2])[:4].hex() == keyid)
            open('body.bin', 'wb').write(body); open('sig.bin', 'wb').write(sig[4:])
            open('pub.der', 'wb').write(bytes.fromhex('302a300506032b6570032100') + pub[1:])
            line = entry[:-1] if entry.endswith(b'\\n') else entry
            H = lambda b: hashlib.sha256(b).digest()
            r, fn, sn = H(b'\\x00' + line), index, size - 1
            for p in path:
                assert sn != 0
                if fn & 1 or fn == sn:
                    r = H(b'\\x01' + p + r)
                    while not fn & 1 and fn != 0: fn >>= 1; sn >>= 1
                else:
                    r = H(b'\\x01' + r + p)
                fn >>= 1; sn >>= 1
            assert sn == 0 and r == root, 'inclusion proof does not lead to the root'
            print('inclusion ok')
            PY
            openssl pkey -pubin -inform DER -in pub.der -out pub.pem
            openssl pkeyutl -verify -pubin -inkey pub.pem -rawin -in body.bin -sigfile sig.bin
            """
        let result = try cli.shell(script)
        #expect(result.status == 0, "\(result.stdout) \(result.stderr)")
        #expect(result.stdout.contains("inclusion ok"))
        #expect(result.stdout.contains("Signature Verified Successfully"))
    }

    @Test("consistency after more appends, witness cosigning, verify --witness --quorum")
    func consistencyAndWitness() throws {
        let cli = try setUp()
        #expect(try cli.run(["checkpoint", "--ledger", "L", "--key", "authority.pem"]).status == 0)
        try FileManager.default.copyItem(atPath: cli.path("L/checkpoint.txt"), toPath: cli.path("old.txt"))
        try register(cli, "aveyron", territory: "12")
        try register(cli, "witness", territory: "48")
        #expect(try cli.run(["checkpoint", "--ledger", "L", "--key", "authority.pem"]).status == 0)
        #expect(FileManager.default.fileExists(atPath: cli.path("L/checkpoints/4.txt")))

        let proof = try cli.run(["prove", "consistency", "--ledger", "L", "--from", "old.txt"])
        #expect(proof.status == 0, "\(proof.stderr)")
        #expect(proof.stdout.hasPrefix("grantledger/tlog-consistency@v1\nold 2\n"))
        try write(cli, "c.proof", proof.stdout)
        let checked = try cli.run([
            "verify-proof", "--proof", "c.proof", "--trust", try noteKey(cli), "--old", "old.txt",
        ])
        #expect(checked.status == 0, "\(checked.stderr)")
        #expect(checked.stdout.contains("à la taille 4 prolonge"))

        // The witness cosigns, and verify accepts the checkpoint with a quorum of one.
        let witnessKey = try cli.run(["key", "note-key", "--cosigner", "--name", "auditors.example/w1", "witness.pem"])
        #expect(witnessKey.status == 0)
        let witness = witnessKey.stdout.trimmingCharacters(in: .newlines)
        #expect(witness.hasPrefix("auditors.example/w1+"))
        let unsigned = try cli.run(["verify", "--ledger", "L", "--witness", witness, "--quorum", "1"])
        #expect(unsigned.status == 1)
        #expect(unsigned.stdout.contains("[TLOG-WITNESS]"))
        let cosign = try cli.run([
            "witness", "cosign", "--checkpoint", "L/checkpoint.txt", "--old", "old.txt", "--proof", "c.proof",
            "--trust", try noteKey(cli), "--key", "witness.pem", "--name", "auditors.example/w1",
            "--time", "2021-04-01T00:00:00Z",
        ])
        #expect(cosign.status == 0, "\(cosign.stderr)")
        let cosigned = String(decoding: try cli.read("L/checkpoint.txt"), as: UTF8.self)
        #expect(cosigned.contains("\u{2014} auditors.example/w1 "))
        let accepted = try cli.run(["verify", "--ledger", "L", "--witness", witness, "--quorum", "1"])
        #expect(accepted.status == 0, "\(accepted.stdout)")
        #expect(accepted.stdout.contains("TLOG-WITNESS"))
        // A witness that did not cosign does not count.
        let other = try cli.run(["key", "note-key", "--cosigner", "aveyron.pem"]).stdout.trimmingCharacters(
            in: .newlines)
        #expect(try cli.run(["verify", "--ledger", "L", "--witness", witness, other, "--quorum", "2"]).status == 1)
        // The cosigned checkpoint still proves inclusion, with the witness required.
        try write(cli, "p.tlog-proof", try cli.run(["prove", "inclusion", "--ledger", "L", "--seq", "3"]).stdout)
        let lines = String(decoding: try cli.read("L/ledger.jsonl"), as: UTF8.self).split(separator: "\n")
        try write(cli, "e3.json", String(lines[3]))
        let withWitness = try cli.run([
            "verify-proof", "--proof", "p.tlog-proof", "--trust", try noteKey(cli), "--entry", "e3.json",
            "--witness", witness, "--quorum", "1",
        ])
        #expect(withWitness.status == 0, "\(withWitness.stderr)")

        // A witness refuses a proof whose new checkpoint is not the one it is asked to cosign.
        expectOneSentence(
            try cli.run([
                "witness", "cosign", "--checkpoint", "old.txt", "--old", "old.txt", "--proof", "c.proof",
                "--trust", try noteKey(cli), "--key", "witness.pem",
            ]), status: 1)
    }

    @Test("a truncated log, a forked log and a tampered proof are caught against an earlier checkpoint")
    func truncatedAndForked() throws {
        let cli = try setUp()
        try register(cli, "aveyron", territory: "12")
        #expect(try cli.run(["checkpoint", "--ledger", "L", "--key", "authority.pem"]).status == 0)
        try FileManager.default.copyItem(atPath: cli.path("L/checkpoint.txt"), toPath: cli.path("old.txt"))
        try FileManager.default.copyItem(atPath: cli.path("L"), toPath: cli.path("F"))
        let lines = String(decoding: try cli.read("L/ledger.jsonl"), as: UTF8.self).split(separator: "\n")

        // Truncated: the last entry removed, and the commit point with it (as whoever cuts a log would do; with
        // ledger.head in place the cut is caught even without a checkpoint, docs/FORMAT.md §5.2).
        try write(cli, "L/ledger.jsonl", lines[..<2].joined(separator: "\n") + "\n")
        try FileManager.default.removeItem(atPath: cli.path("L/ledger.head"))
        let truncated = try cli.run(["verify", "--ledger", "L"])
        #expect(truncated.status == 1)
        #expect(truncated.stdout.contains("[TLOG-CONSISTENCY]"))
        #expect(truncated.stdout.contains("l'historique publié a été coupé"))
        expectOneSentence(
            try cli.run(["checkpoint", "--ledger", "L", "--key", "authority.pem"]), status: 1, mentioning: ["coupé"])

        // Forked: entry 2 replaced by another valid, signed entry; same size, different root.
        try write(cli, "F/ledger.jsonl", lines[..<2].joined(separator: "\n") + "\n")
        try FileManager.default.removeItem(atPath: cli.path("F/ledger.head"))
        try register(cli, "witness", territory: "48", ledger: "F")
        let forked = try cli.run(["verify", "--ledger", "F"])
        #expect(forked.status == 1)
        #expect(forked.stdout.contains("[TLOG-CONSISTENCY]"))
        #expect(forked.stdout.contains("le registre a été réécrit"))
        let explicit = try cli.run(["verify", "--ledger", "F", "--checkpoint", "old.txt"])
        #expect(explicit.stdout.contains("old.txt [TLOG-CHECKPOINT]"))
        expectOneSentence(
            try cli.run(["prove", "consistency", "--ledger", "F", "--from", "old.txt"]), status: 1,
            mentioning: ["réécrit"])

        // The fork signs its own history from scratch; its proofs fail against the earlier, genuine checkpoint.
        for name in ["F/checkpoint.txt", "F/checkpoints"] { try FileManager.default.removeItem(atPath: cli.path(name)) }
        #expect(try cli.run(["checkpoint", "--ledger", "F", "--key", "authority.pem"]).status == 0)
        try FileManager.default.copyItem(atPath: cli.path("F/checkpoint.txt"), toPath: cli.path("fork3.txt"))
        try register(cli, "aveyron", territory: "12", ledger: "F")
        #expect(try cli.run(["checkpoint", "--ledger", "F", "--key", "authority.pem"]).status == 0)
        let forkProof = try cli.run(["prove", "consistency", "--ledger", "F", "--from", "fork3.txt"])
        #expect(forkProof.status == 0, "\(forkProof.stderr)")
        // Present the fork's proof as if it extended the genuine checkpoint of size 3.
        try write(cli, "forged.proof", forkProof.stdout)
        expectOneSentence(
            try cli.run(["verify-proof", "--proof", "forged.proof", "--trust", try noteKey(cli), "--old", "old.txt"]),
            status: 1, mentioning: ["preuve de cohérence"])
        // A genuine proof with one hash changed fails too.
        var changed = forkProof.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if changed.count > 2, changed[2].count == 44 {
            changed[2] = (changed[2].first == "A" ? "B" : "A") + changed[2].dropFirst()
            try write(cli, "changed.proof", changed.joined(separator: "\n"))
            #expect(
                try cli.run([
                    "verify-proof", "--proof", "changed.proof", "--trust", try noteKey(cli), "--old", "fork3.txt",
                ]).status == 1)
        }
    }
}
