import Foundation
import LedgerCrypto
import Testing

/// Public keys that prove nothing are refused (docs/FORMAT.md §4), checked against C2SP CCTV's edwards25519 key
/// classification (`Resources/cctv-ed25519-public-keys.json`, see `Resources/PROVENANCE.md`).
@Suite("Ed25519 public keys: small-order, non-canonical and torsioned keys are refused")
struct Ed25519PublicKeyValidationTests {
    struct ClassifiedKey: Decodable, Sendable, CustomTestStringConvertible {
        let key: String
        let flags: [String]
        var testDescription: String { "\(key.prefix(16))… \(flags)" }

        /// What the rule of FORMAT §4 must answer for this key.
        var expected: Set<Ed25519PublicKey.Rejection?> {
            if flags.contains("non_canonical_A") { return [.yNotReduced, .negativeZero] }
            if flags.contains("low_order_A") { return [.smallOrder] }
            if flags.contains("low_order_component_A") { return [.torsion] }
            return [nil]
        }
    }

    static let cctvKeys: [ClassifiedKey] = {
        guard let url = Bundle.module.url(forResource: "Resources/cctv-ed25519-public-keys", withExtension: "json"),
            let data = try? Data(contentsOf: url)
        else { return [] }
        return (try? JSONDecoder().decode([ClassifiedKey].self, from: data)) ?? []
    }()

    static func spki(_ raw: [UInt8]) -> [UInt8] { Ed25519PublicKey.spkiPrefix + raw }

    static func pem(_ raw: [UInt8]) -> String {
        let body = Data(spki(raw)).base64EncodedString()
        return "-----BEGIN PUBLIC KEY-----\n\(body)\n-----END PUBLIC KEY-----\n"
    }

    @Test("the CCTV vectors are all there: 14 small-order encodings, 7 torsioned points, 1 good key")
    func vectorsLoaded() {
        #expect(Self.cctvKeys.count == 22)
        let lowOrder = Self.cctvKeys.filter { $0.flags.contains("low_order_A") }.map(\.key)
        #expect(Set(lowOrder) == Set(Ed25519PublicKey.smallOrderEncodings.map { Hex.encode($0) }))
        #expect(Self.cctvKeys.filter { $0.expected == [.torsion] }.count == 7)
    }

    @Test("each CCTV key gets the answer its flags call for", arguments: cctvKeys)
    func classified(_ vector: ClassifiedKey) throws {
        let raw = try #require(Hex.decode(vector.key))
        let rejection = Ed25519PublicKey.rejection(ofRaw: raw)
        #expect(vector.expected.contains(rejection), "got \(String(describing: rejection))")
    }

    @Test(
        "each small-order encoding is refused by every initialiser, with one sentence naming the problem",
        arguments: Ed25519PublicKey.smallOrderEncodings)
    func smallOrderRefusedEverywhere(_ raw: [UInt8]) {
        let rejection = Ed25519PublicKey.rejection(ofRaw: raw)
        #expect([.smallOrder, .yNotReduced, .negativeZero].contains(rejection))
        let attempts: [Result<Ed25519PublicKey, KeyError>] = [
            Result { () throws(KeyError) in try Ed25519PublicKey(raw: raw) },
            Result { () throws(KeyError) in try Ed25519PublicKey(spkiDER: Self.spki(raw)) },
            Result { () throws(KeyError) in try Ed25519PublicKey(pem: Self.pem(raw)) },
        ]
        for attempt in attempts {
            switch attempt {
            case .success: Issue.record("\(Hex.encode(raw)) was accepted")
            case .failure(let error):
                #expect(error.code == .unsafePublicKey)
                #expect(error.message == rejection?.message)
                #expect(!error.message.contains("\n") && error.message.hasPrefix("la clé publique Ed25519"))
            }
        }
    }

    @Test("every encoding with y ≥ p is refused as non-canonical, whatever its sign bit")
    func unreducedY() {
        var refused = 0
        for excess in 0...18 {
            for sign in [UInt8(0), 0x80] {
                // y = p + excess, little-endian: p = ED FF … FF 7F.
                var raw = [UInt8](repeating: 0xFF, count: 32)
                raw[0] = 0xED + UInt8(excess)
                raw[31] = 0x7F | sign
                #expect(Ed25519PublicKey.rejection(ofRaw: raw) == .yNotReduced, "\(Hex.encode(raw))")
                refused += 1
            }
        }
        #expect(refused == 38)
        // p − 1 is reduced: it is the canonical order-2 point.
        var belowP = [UInt8](repeating: 0xFF, count: 32)
        belowP[0] = 0xEC
        belowP[31] = 0x7F
        #expect(Ed25519PublicKey.rejection(ofRaw: belowP) == .smallOrder)
    }

    @Test("a y with no matching x is not a point of the curve")
    func offCurve() {
        // y = 2: (y² − 1)/(d·y² + 1) is not a square modulo p.
        let raw = [2] + [UInt8](repeating: 0, count: 31)
        #expect(Ed25519PublicKey.rejection(ofRaw: raw) == .notOnCurve)
        #expect(throws: KeyError.self) { try Ed25519PublicKey(raw: raw) }
    }

    @Test("the base point, RFC 8032's test keys and freshly generated keys are accepted")
    func goodKeys() throws {
        let basePoint = try #require(Hex.decode("58" + String(repeating: "66", count: 31)))
        #expect(Ed25519PublicKey.rejection(ofRaw: basePoint) == nil)
        for hex in [
            "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
            "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
            "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025",
        ] {
            #expect(Ed25519PublicKey.rejection(ofRaw: try #require(Hex.decode(hex))) == nil, "\(hex)")
        }
        for _ in 0..<64 {
            let key = try Ed25519PrivateKey.generate()
            #expect(Ed25519PublicKey.rejection(ofRaw: key.publicKey.raw) == nil)
        }
    }

    @Test("a negated key (sign bit flipped) is still in the prime-order subgroup")
    func negatedKey() throws {
        // Flipping the sign bit of a good key gives −A: still of order ℓ.
        var negated = try Ed25519PrivateKey.generate().publicKey.raw
        negated[31] ^= 0x80
        #expect(Ed25519PublicKey.rejection(ofRaw: negated) == nil)
    }
}
