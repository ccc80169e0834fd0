import Foundation
@testable import LedgerCore
import LedgerCrypto
import Testing

/// Keys that prove nothing (docs/FORMAT.md §4) are refused wherever a public key enters the log: `ledger.created`,
/// `key.registered` at append time, and the same entries in `verify`.
@Suite("Unsafe Ed25519 public keys in the log")
struct UnsafeKeyTests {
    /// The 14 small-order encodings, a point with a small-order component (C2SP CCTV), and a y ≥ p encoding that
    /// is not of a small-order point.
    static let refused: [[UInt8]] =
        Ed25519PublicKey.smallOrderEncodings + [
            Hex.decode("10eb7c3acfb2bed3e0d6ab89bf5a3d6afddd1176ce4812e38d9fd485058fdb1f")!,
            [0xF0] + [UInt8](repeating: 0xFF, count: 30) + [0x7F],
        ]

    static let identity = [1] + [UInt8](repeating: 0, count: 31)

    static func payloadKey(_ raw: [UInt8]) -> (text: String, keyID: String) {
        let der = Ed25519PublicKey.spkiPrefix + raw
        return (Base64.encode(der), SHA256.hash(der).hex)
    }

    /// A line whose signature is R = identity, S = 0: with the identity as public key it verifies for any
    /// message under RFC 8032 (and OpenSSL), which is the forgery the rule prevents.
    static func forgedLine(seq: Int64, prev: Digest, time: Timestamp, type: String, payload: JSONValue, actor: String)
        -> [UInt8]
    {
        let object: JSONValue = [
            "v": .integer(Entry.formatVersion), "seq": .integer(seq), "prev": .string(prev.hex),
            "time": .string(time.description), "type": .string(type), "actor": .string(actor), "payload": payload,
            "sig": .string(Base64.encode(identity + [UInt8](repeating: 0, count: 32))),
        ]
        return CanonicalJSON.encode(object)
    }

    @Test("payload keys: decoding refuses them and says why in one sentence", arguments: refused)
    func payloadText(_ raw: [UInt8]) throws {
        let (text, _) = Self.payloadKey(raw)
        #expect(PublicKeyText.decode(text) == nil)
        let rejection = try #require(Ed25519PublicKey.rejection(ofRaw: raw))
        #expect(PublicKeyText.problem(text) == rejection.message)
    }

    @Test("append: key.registered with such a key is refused (KEY-REGISTER) and nothing is written", arguments: refused)
    func appendRefused(_ raw: [UInt8]) throws {
        let ledger = try TestLedgers.make(count: 2)
        defer { try? FileManager.default.removeItem(atPath: ledger.store.directory) }
        let before = try Data(contentsOf: URL(fileURLWithPath: ledger.store.logPath))
        let (text, keyID) = Self.payloadKey(raw)
        let payload: JSONValue = [
            "key_id": .string(keyID), "public_key": .string(text), "role": "prefecture", "territories": ["15"],
            "holder": "Clé d'ordre faible",
        ]
        do {
            try ledger.append(type: EventCatalog.keyRegistered, payload: payload, signer: TestLedgers.key(1))
            Issue.record("the key \(Hex.encode(raw)) was registered")
        } catch {
            #expect(error.code == .ruleViolated && error.rule == "KEY-REGISTER")
            #expect(error.message.contains(try #require(Ed25519PublicKey.rejection(ofRaw: raw)).message))
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: ledger.store.logPath)) == before)
    }

    @Test(
        "verify: a registration of such a key fails KEY-REGISTER, and what it signs depends on that fault",
        arguments: refused)
    func verifyRegistration(_ raw: [UInt8]) throws {
        let ledger = try TestLedgers.make(count: 2)
        defer { try? FileManager.default.removeItem(atPath: ledger.store.directory) }
        let (text, keyID) = Self.payloadKey(raw)
        let registration = try ledger.write { (writer) throws(LedgerError) -> Entry in
            try writer.appendWithoutValidation(
                type: EventCatalog.keyRegistered,
                payload: [
                    "key_id": .string(keyID), "public_key": .string(text), "role": "authority", "territories": ["*"],
                    "holder": "Clé d'ordre faible",
                ],
                signer: TestLedgers.key(1), time: TestLedgers.start.adding(seconds: 3600))
        }
        var lines = try TestLedgers.lines(ledger)
        lines.append(
            Self.forgedLine(
                seq: registration.seq + 1, prev: registration.hash, time: registration.time.adding(seconds: 60),
                type: EventCatalog.keyRevoked,
                payload: ["key_id": .string(TestLedgers.key(11).publicKey.keyID), "reason": "falsifiée"],
                actor: keyID))
        try TestLedgers.write(lines, to: ledger)
        let report = try TestLedgers.verify(ledger)
        #expect(!report.isValid)
        // What the refused key signs is not judged again: it depends on the refused registration.
        let findings = report.outcomes.sortedFindings.map {
            "\($0.seq) \($0.rule) \($0.dependsOn.map(String.init) ?? "-")"
        }
        #expect(
            findings == ["\(registration.seq) KEY-REGISTER -", "\(registration.seq + 1) AUT-KEY \(registration.seq)"],
            "\(findings)")
    }

    @Test("verify: ledger.created naming such a key, self-signed by a forgery, fails KEY-GENESIS", arguments: refused)
    func verifyGenesis(_ raw: [UInt8]) throws {
        let directory = TestLedgers.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let ledger = Ledger(directory: directory, domain: { NoDomainRules() })
        let (text, keyID) = Self.payloadKey(raw)
        let line = Self.forgedLine(
            seq: 0, prev: .zero, time: TestLedgers.start, type: EventCatalog.ledgerCreated,
            payload: ["origin": "test.example/weak", "title": "Programme", "public_key": .string(text)], actor: keyID)
        try TestLedgers.write([line], to: ledger)
        let report = try TestLedgers.verify(ledger)
        let failures = report.outcomes.failures
        #expect(failures.map(\.rule) == ["KEY-GENESIS"])
        #expect(failures.first?.message.contains(try #require(Ed25519PublicKey.rejection(ofRaw: raw)).message) == true)
        #expect(report.outcomes.tallies["INT-SIGNATURE"] == nil, "no signature is checked against a refused key")
    }
}
