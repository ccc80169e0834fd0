import Foundation
import LedgerCrypto
import Testing

@Suite("Ed25519 and SHA-256 through OpenSSL")
struct Ed25519Tests {
    // RFC 8032 §7.1, TEST 1 (empty message).
    static let seed = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"
    static let publicKey = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"
    static let signature =
        "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"

    @Test("RFC 8032 test 1: public key and signature from the raw seed")
    func rfc8032Test1() throws {
        let key = try Ed25519PrivateKey(seed: try #require(Hex.decode(Self.seed)))
        #expect(Hex.encode(key.publicKey.raw) == Self.publicKey)
        let signature = try key.signature(for: [UInt8]())
        #expect(Hex.encode(signature) == Self.signature)
        #expect(key.publicKey.isValidSignature(signature, for: [UInt8]()))
    }

    @Test("RFC 8032 test 2: one-byte message")
    func rfc8032Test2() throws {
        let key = try Ed25519PrivateKey(
            seed: try #require(Hex.decode("4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb")))
        #expect(Hex.encode(key.publicKey.raw) == "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c")
        let signature = try key.signature(for: [0x72])
        #expect(
            Hex.encode(signature)
                == "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"
        )
    }

    @Test("a changed message, signature or key does not verify")
    func rejections() throws {
        let key = try Ed25519PrivateKey.generate()
        let other = try Ed25519PrivateKey.generate()
        let message = Array("décision 15-2021-01".utf8)
        let signature = try key.signature(for: message)
        #expect(key.publicKey.isValidSignature(signature, for: message))
        #expect(!key.publicKey.isValidSignature(signature, for: message + [0]))
        var flipped = signature
        flipped[10] ^= 1
        #expect(!key.publicKey.isValidSignature(flipped, for: message))
        #expect(!other.publicKey.isValidSignature(signature, for: message))
        #expect(!key.publicKey.isValidSignature(Array(signature.prefix(63)), for: message))
    }

    @Test("a reused verification context gives the same answers as fresh ones, failures included")
    func reusedContexts() throws {
        let keys = try (0..<3).map { _ in try Ed25519PrivateKey.generate() }
        let verifier = Ed25519Verifier()
        var random = SystemRandomNumberGenerator()
        for round in 0..<60 {
            let key = keys[round % 3]
            let message = (0..<(round * 7)).map { _ in UInt8.random(in: 0...255, using: &random) }
            var signature = try key.signature(for: message)
            let tamper = round % 4 == 1
            if tamper { signature[round % 64] ^= 0x20 }
            let other = keys[(round + 1) % 3].publicKey
            #expect(verifier.isValidSignature(signature, for: message, key: key.publicKey) == !tamper)
            #expect(verifier.isValidSignature(signature, for: message, key: other) == false)
            #expect(key.publicKey.isValidSignature(signature, for: message) == !tamper)
        }
    }

    @Test("PKCS#8 PEM round trip, plain and encrypted")
    func pemRoundTrip() throws {
        let key = try Ed25519PrivateKey.generate()
        let plain = try key.pkcs8PEM(passphrase: nil)
        #expect(String(decoding: plain, as: UTF8.self).hasPrefix("-----BEGIN PRIVATE KEY-----"))
        #expect(try Ed25519PrivateKey(pem: plain, passphrase: nil).publicKey == key.publicKey)

        let encrypted = try key.pkcs8PEM(passphrase: "correct horse")
        #expect(String(decoding: encrypted, as: UTF8.self).hasPrefix("-----BEGIN ENCRYPTED PRIVATE KEY-----"))
        #expect(try Ed25519PrivateKey(pem: encrypted, passphrase: "correct horse").publicKey == key.publicKey)
        #expect(throws: KeyError.self) { try Ed25519PrivateKey(pem: encrypted, passphrase: "wrong") }
        #expect(throws: KeyError.self) { try Ed25519PrivateKey(pem: encrypted, passphrase: nil) }
        #expect(throws: KeyError.self) { try Ed25519PrivateKey(pem: Array("not a key".utf8), passphrase: nil) }
        #expect(throws: KeyError.self) { try Ed25519PrivateKey(pem: Array(key.publicKey.pem.utf8), passphrase: nil) }
    }

    @Test("public keys: SPKI DER and PEM round trip; the key id is SHA-256 of the DER")
    func publicKeyEncodings() throws {
        let key = try Ed25519PrivateKey.generate().publicKey
        #expect(key.spkiDER.count == 44)
        #expect(Hex.encode(key.spkiDER.prefix(12)) == "302a300506032b6570032100")
        #expect(try Ed25519PublicKey(spkiDER: key.spkiDER) == key)
        #expect(try Ed25519PublicKey(pem: key.pem) == key)
        #expect(key.keyID == SHA256.hash(key.spkiDER).hex)
        #expect(throws: KeyError.self) { try Ed25519PublicKey(spkiDER: key.spkiDER + [0]) }
        #expect(throws: KeyError.self) { try Ed25519PublicKey(spkiDER: [1, 2, 3]) }
    }

    @Test("the key id equals what `openssl pkey -pubout -outform DER | sha256sum` prints")
    func keyIDMatchesOpenSSLCommand() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/openssl") else { return }
        let key = try Ed25519PrivateKey.generate()
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("keyid-\(UUID().uuidString).pem").path
        try Data(try key.pkcs8PEM(passphrase: nil)).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", "openssl pkey -in '\(path)' -pubout -outform DER | sha256sum"]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        process.waitUntilExit()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(output.split(separator: " ").first.map(String.init) == key.publicKey.keyID)
    }

    @Test("SHA-256 known answers")
    func sha256() {
        #expect(SHA256.hash([UInt8]()).hex == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(
            SHA256.hash(Array("abc".utf8)).hex == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(SHA256.hash(prefix: 0x00).hex == "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d")
        #expect(Digest(hex: String(repeating: "A", count: 64)) == nil)
        #expect(Digest(hex: SHA256.hash([1]).hex) == SHA256.hash([1]))
    }
}
