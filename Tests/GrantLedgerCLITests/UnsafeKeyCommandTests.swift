import Foundation
import LedgerCore
import LedgerCrypto
import Testing

/// Every command where a public key enters refuses the keys of docs/FORMAT.md §4, in one sentence naming the
/// problem: key files (`key register`, `key show`, `key note-key`) and verifier keys (`--trust`, `--witness`).
@Suite("grant-ledger: small-order and non-canonical Ed25519 keys are refused at every entry point (end to end)")
struct UnsafeKeyCommandTests {
    /// The 14 encodings of the small-order points, and one point with a small-order component (C2SP CCTV).
    static let refused: [[UInt8]] =
        Ed25519PublicKey.smallOrderEncodings + [
            Hex.decode("10eb7c3acfb2bed3e0d6ab89bf5a3d6afddd1176ce4812e38d9fd485058fdb1f")!
        ]

    /// `name+hex8+base64(type ‖ raw)` with the right key ID, so only the point itself is wrong.
    static func verifierKey(name: String, type: UInt8, raw: [UInt8]) -> String {
        let id = SHA256.hash(Array(name.utf8) + [0x0A, type] + raw).bytes.prefix(4)
        return "\(name)+\(Hex.encode(id))+\(Base64.encode([type] + raw))"
    }

    static func pem(_ raw: [UInt8]) -> String {
        "-----BEGIN PUBLIC KEY-----\n\(Base64.encode(Ed25519PublicKey.spkiPrefix + raw))\n-----END PUBLIC KEY-----\n"
    }

    @Test("each refused key, at each command")
    func refusedEverywhere() throws {
        let cli = try TransparencyCommandTests().setUp()
        defer { try? FileManager.default.removeItem(atPath: cli.directory) }
        #expect(try cli.run(["checkpoint", "--ledger", "L", "--key", "authority.pem"]).status == 0)
        let ledger = try cli.read("L/ledger.jsonl")
        try "{}\n".write(toFile: cli.path("x"), atomically: true, encoding: .utf8)
        let proof = try cli.run(["prove", "inclusion", "--ledger", "L", "--seq", "1"])
        try proof.stdout.write(toFile: cli.path("p"), atomically: true, encoding: .utf8)
        try Data(ledger.split(separator: 0x0A)[1] + [0x0A]).write(to: URL(fileURLWithPath: cli.path("e")))
        let good = try TransparencyCommandTests().noteKey(cli)
        for raw in Self.refused {
            let reason = try #require(Ed25519PublicKey.rejection(ofRaw: raw)).message
            try Self.pem(raw).write(toFile: cli.path("weak.pub.pem"), atomically: true, encoding: .utf8)
            let note = Self.verifierKey(name: "test.example.gouv.fr/ledger", type: 0x01, raw: raw)
            let witness = Self.verifierKey(name: "temoin.example/w", type: 0x04, raw: raw)
            let attempts: [[String]] = [
                [
                    "key", "register", "--ledger", "L", "--public-key", "weak.pub.pem", "--role", "payer",
                    "--territory", "*", "--holder", "Clé faible", "--key", "authority.pem",
                ],
                ["key", "show", "weak.pub.pem"],
                ["key", "note-key", "--ledger", "L", "weak.pub.pem"],
                ["key", "note-key", "--cosigner", "weak.pub.pem"],
                ["verify", "--ledger", "L", "--trust", note],
                ["verify", "--ledger", "L", "--witness", witness],
                ["verify-proof", "--proof", "p", "--trust", note, "--entry", "e"],
                ["verify-proof", "--proof", "p", "--trust", good, "--entry", "e", "--witness", witness],
                ["verify-bundle", "x", "--trust", note],
                ["verify-bundle", "x", "--trust", good, "--witness", witness],
                [
                    "witness", "cosign", "--checkpoint", "L/checkpoint.txt", "--old", "L/checkpoint.txt", "--proof",
                    "x", "--trust", note, "--key", "witness.pem",
                ],
            ]
            for arguments in attempts {
                expectOneSentence(try cli.run(arguments), status: 2, mentioning: [reason])
            }
        }
        #expect(try cli.read("L/ledger.jsonl") == ledger, "nothing was appended")
    }
}
