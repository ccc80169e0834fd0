import Foundation
import LedgerCore
import LedgerCrypto
import Testing

@Suite("grant-ledger: keys, init, append, log, verify, repair (end to end)")
struct FoundationCommandTests {
    /// A ledger with an authority and a registered prefecture key.
    func setUp() throws -> CLIRunner {
        let cli = CLIRunner()
        try #require(try cli.run(["key", "generate", "--out", "authority.pem"]).status == 0)
        try #require(try cli.run(["key", "generate", "--out", "cantal.pem"]).status == 0)
        let created = try cli.run([
            "init", "--ledger", "L", "--origin", "test.example.gouv.fr/ledger", "--title", "Programme test",
            "--key", "authority.pem", "--time", "2021-03-01T09:30:00Z",
        ])
        try #require(created.status == 0, "\(created.stderr)")
        let registered = try cli.run([
            "key", "register", "--ledger", "L", "--public-key", "cantal.pub.pem", "--role", "prefecture",
            "--territory", "15", "--holder", "Préfecture du Cantal", "--key", "authority.pem",
        ])
        try #require(registered.status == 0, "\(registered.stderr)")
        return cli
    }

    @Test("key generate writes a 0600 private key and its public key, and prints the key id")
    func keyGenerate() throws {
        let cli = CLIRunner()
        let result = try cli.run(["key", "generate", "--out", "k.pem"])
        #expect(result.status == 0)
        let keyID = result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(keyID.count == 64)
        let attributes = try FileManager.default.attributesOfItem(atPath: cli.path("k.pem"))
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        let publicKey = try Ed25519PublicKey(pem: String(decoding: try cli.read("k.pub.pem"), as: UTF8.self))
        #expect(publicKey.keyID == keyID)
        let shown = try cli.run(["key", "show", "k.pub.pem"])
        #expect(shown.stdout.contains("identifiant de la clé : \(keyID)"))
        let openssl = try cli.shell("openssl pkey -in k.pem -pubout -outform DER | sha256sum")
        if openssl.status == 0 { #expect(openssl.stdout.hasPrefix(keyID)) }
        // Never overwrites.
        expectOneSentence(
            try cli.run(["key", "generate", "--out", "k.pem"]), status: 2, mentioning: ["existe déjà"])
    }

    @Test("encrypted keys: passphrase from the environment; a wrong one is one sentence")
    func encryptedKeys() throws {
        var cli = CLIRunner()
        cli.environment["GRANT_LEDGER_PASSPHRASE"] = "le bon mot de passe"
        #expect(try cli.run(["key", "generate", "--out", "secret.pem", "--encrypt"]).status == 0)
        #expect(String(decoding: try cli.read("secret.pem"), as: UTF8.self).contains("ENCRYPTED PRIVATE KEY"))
        #expect(
            try cli.run(["init", "--ledger", "L", "--origin", "o.example/x", "--title", "T", "--key", "secret.pem"])
                .status == 0)
        cli.environment["GRANT_LEDGER_PASSPHRASE"] = "mauvais"
        let before = try cli.read("L/ledger.jsonl")
        let refused = try cli.run(["key", "revoke", "--ledger", "L", "abc", "--reason", "x", "--key", "secret.pem"])
        expectOneSentence(refused, status: 2, mentioning: ["phrase secrète"])
        #expect(try cli.read("L/ledger.jsonl") == before)
    }

    @Test("a written entry verifies with openssl pkeyutl -verify -rawin over its JCS bytes")
    func opensslVerifiesEntry() throws {
        let cli = try setUp()
        let lines = String(decoding: try cli.read("L/ledger.jsonl"), as: UTF8.self).split(separator: "\n")
        let entry = try Entry(line: Array(lines[1].utf8))
        try Data(entry.signedBytes).write(to: URL(fileURLWithPath: cli.path("signed.bin")))
        try Data(entry.signature).write(to: URL(fileURLWithPath: cli.path("sig.bin")))
        let result = try cli.shell(
            "openssl pkeyutl -verify -pubin -inkey authority.pub.pem -rawin -in signed.bin -sigfile sig.bin")
        if try cli.shell("command -v openssl").status == 0 {
            #expect(result.status == 0, "\(result.stdout) \(result.stderr)")
            #expect(result.stdout.contains("Signature Verified Successfully"))
        }
    }

    @Test("log, log --json and verify on a good ledger")
    func logAndVerify() throws {
        let cli = try setUp()
        let log = try cli.run(["log", "--ledger", "L"])
        #expect(log.status == 0)
        #expect(log.stdout.contains("#0  2021-03-01T09:30:00Z  ledger.created"))
        #expect(log.stdout.contains("key.registered"))
        let json = try cli.run(["log", "--ledger", "L", "--json", "--from", "1"])
        #expect(json.stdout.split(separator: "\n").count == 1)
        let verify = try cli.run(["verify", "--ledger", "L"])
        #expect(verify.status == 0)
        #expect(verify.stdout.contains("Résultat : registre valide"))
        let report = try JSONParser.parse(try cli.run(["verify", "--ledger", "L", "--json"]).stdout)
        #expect(report["valid"] == .bool(true))
        #expect(report["entries"] == .integer(2))
        // The same log always gives the same bytes.
        #expect(try cli.run(["verify", "--ledger", "L"]).stdout == verify.stdout)
        // GRANT_LEDGER selects the ledger too.
        var viaEnvironment = cli
        viaEnvironment.environment["GRANT_LEDGER"] = "L"
        #expect(try viaEnvironment.run(["verify"]).status == 0)
    }

    @Test("bad input: one sentence, non-zero exit, ledger untouched")
    func badInput() throws {
        let cli = try setUp()
        let before = try cli.read("L/ledger.jsonl")
        try "{\"key_id\": ".write(toFile: cli.path("bad.json"), atomically: true, encoding: .utf8)
        expectOneSentence(
            try cli.run([
                "append", "--ledger", "L", "--type", "key.revoked", "--payload", "bad.json", "--key", "authority.pem",
            ]),
            status: 2, mentioning: ["JSON"])
        expectOneSentence(
            try cli.run(
                ["append", "--ledger", "L", "--type", "key.revoked", "--payload", "-", "--key", "authority.pem"],
                stdin: "{\"amount\": 1.5}"),
            status: 2, mentioning: ["entier"])
        expectOneSentence(
            try cli.run([
                "append", "--ledger", "L", "--type", "key.revoked", "--payload", "missing.json", "--key",
                "authority.pem",
            ]),
            status: 2, mentioning: ["missing.json"])
        expectOneSentence(
            try cli.run(
                ["append", "--ledger", "L", "--type", "grant.invented", "--payload", "-", "--key", "authority.pem"],
                stdin: "{}"),
            status: 1, mentioning: ["INT-TYPE", "grant.invented"])
        expectOneSentence(
            try cli.run([
                "key", "register", "--ledger", "L", "--public-key", "authority.pub.pem", "--role", "mayor",
                "--territory", "15", "--holder", "X", "--key", "authority.pem",
            ]), status: 2, mentioning: ["mayor"])
        expectOneSentence(
            try cli.run([
                "key", "register", "--ledger", "L", "--public-key", "cantal.pub.pem", "--role", "payer",
                "--territory", "15", "--holder", "X", "--key", "authority.pem",
            ]), status: 1, mentioning: ["déjà enregistrée"])
        expectOneSentence(
            try cli.run(["key", "revoke", "--ledger", "L", "0123", "--reason", "x", "--key", "cantal.pem"]),
            status: 1, mentioning: ["AUT-ROLE"])
        try "not a key".write(toFile: cli.path("junk.pem"), atomically: true, encoding: .utf8)
        expectOneSentence(
            try cli.run(["key", "revoke", "--ledger", "L", "0123", "--reason", "x", "--key", "junk.pem"]),
            status: 2, mentioning: ["junk.pem"])
        expectOneSentence(
            try cli.run(["key", "revoke", "--ledger", "L", "0123", "--reason", "x", "--key", "authority.pub.pem"]),
            status: 2, mentioning: ["clé publique"])
        expectOneSentence(try cli.run(["verify", "--ledger", "nowhere"]), status: 2, mentioning: ["pas de registre"])
        #expect(try cli.read("L/ledger.jsonl") == before)
    }

    @Test("a tampered log fails verify with the seq; a torn tail is repaired")
    func tamperAndRepair() throws {
        let cli = try setUp()
        let path = cli.path("L/ledger.jsonl")
        let original = try cli.read("L/ledger.jsonl")
        let tampered = String(decoding: original, as: UTF8.self).replacingOccurrences(of: "Cantal", with: "Cantai")
        try tampered.write(toFile: path, atomically: true, encoding: .utf8)
        let verify = try cli.run(["verify", "--ledger", "L"])
        #expect(verify.status == 1)
        #expect(verify.stdout.contains("seq 1 [INT-SIGNATURE]"))

        try (original + Data("{\"actor\":\"ab".utf8)).write(to: URL(fileURLWithPath: path))
        let torn = try cli.run(["verify", "--ledger", "L"])
        #expect(torn.status == 1)
        #expect(torn.stdout.contains("INT-TORN"))
        expectOneSentence(
            try cli.run(["key", "revoke", "--ledger", "L", "0123", "--reason", "x", "--key", "authority.pem"]),
            status: 2, mentioning: ["repair"])
        let repair = try cli.run(["repair", "--ledger", "L"])
        #expect(repair.status == 0)
        #expect(repair.stdout.contains("12 octets non validés mis de côté"))
        #expect(try cli.read("L/ledger.jsonl") == original)
        #expect(try cli.run(["verify", "--ledger", "L"]).status == 0)
    }

    @Test("two processes appending 200 entries each end in one valid 401-entry chain")
    func concurrentWriters() throws {
        let cli = CLIRunner()
        let authority = try Ed25519PrivateKey(seed: [UInt8](repeating: 3, count: 32))
        try Data(try authority.pkcs8PEM(passphrase: nil)).write(to: URL(fileURLWithPath: cli.path("authority.pem")))
        #expect(
            try cli.run(["init", "--ledger", "L", "--origin", "o.example/c", "--title", "T", "--key", "authority.pem"])
                .status == 0)
        for writer in ["a", "b"] {
            try FileManager.default.createDirectory(atPath: cli.path(writer), withIntermediateDirectories: true)
            for index in 0..<200 {
                var seed = [UInt8](repeating: 0, count: 32)
                seed[0] = writer == "a" ? 1 : 2
                seed[1] = UInt8(index & 0xFF)
                seed[2] = UInt8(index >> 8)
                let key = try Ed25519PrivateKey(seed: seed)
                let payload = KeyRegistry.registrationPayload(
                    key.publicKey, role: Role(rawValue: "auditor"), territories: ["*"],
                    holder: "auditeur \(writer)\(index)")
                try Data(CanonicalJSON.encode(payload)).write(
                    to: URL(fileURLWithPath: cli.path("\(writer)/\(String(format: "%03d", index)).json")))
            }
        }
        // Two independent writer processes, started together, each appending its 200 payloads in turn.
        let writers = try ["a", "b"].map { writer in
            try cli.startShell(
                """
                for f in \(writer)/*.json; do "$G" append --ledger L --type key.registered --payload "$f" --key authority.pem >/dev/null || exit 1; done
                """)
        }
        for writer in writers {
            writer.waitUntilExit()
            #expect(writer.terminationStatus == 0)
        }
        let verify = try JSONParser.parse(try cli.run(["verify", "--ledger", "L", "--json"]).stdout)
        #expect(verify["valid"] == .bool(true))
        #expect(verify["entries"] == .integer(401))
    }
}
