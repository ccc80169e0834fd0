public import LedgerCrypto

/// The private half of a C2SP signed-note Ed25519 key of one signature type: ``NoteSigner`` (type 0x01, signs
/// notes and checkpoints) and ``CosignatureSigner`` (type 0x04, cosigns checkpoints).
///
/// The two differ only by the type byte, which is hashed into the key ID and prefixes the key in its texts; this
/// protocol derives from it the key texts and the matching verifier, the same way for both.
///
/// ```swift
/// let signer = try NoteSigner(privateKey: "PRIVATE+KEY+example.com/log+…")
/// let verifierKey = signer.verifier.verifierKey // "example.com/log+hex8+base64(0x01 ‖ key)"
/// ```
public protocol Ed25519NoteSigner: Sendable {
    /// The matching public key type.
    associatedtype Verifier: Ed25519NoteVerifier

    /// The signature type byte (0x01 for a note signature, 0x04 for a timestamped cosignature).
    static var signatureType: UInt8 { get }

    /// The key name, as it appears after `— ` in a signature line.
    var name: String { get }
    /// The 4-byte key ID: the first four bytes, big-endian, of SHA-256(name ‖ 0x0A ‖ type ‖ public key).
    var keyID: UInt32 { get }
    /// The Ed25519 private key.
    var privateKey: Ed25519PrivateKey { get }

    /// Uses `privateKey` under `name`, which must be non-empty, without spaces and without `+`.
    init(name: String, privateKey: Ed25519PrivateKey) throws(TransparencyError)
}

extension Ed25519NoteSigner {
    /// Parses a private key text `PRIVATE+KEY+name+hex8+base64(type ‖ seed)`: Go's `note.NewSigner` format for
    /// type 0x01, the same shape for type 0x04 (a GrantLedger convention; C2SP does not define a cosigner private
    /// key text). The key ID must match the name and the derived public key.
    public init(privateKey text: String) throws(TransparencyError) {
        let (name, key) = try KeyText.parsePrivateKey(text, type: Self.signatureType)
        try self.init(name: name, privateKey: key)
    }

    /// The private key text for `seed` under `name` (see ``init(privateKey:)``). Cleanse the seed and the returned
    /// text after use.
    public static func privateKeyText(name: String, seed: [UInt8]) throws(TransparencyError) -> String {
        try KeyText.privateKey(name: name, type: signatureType, seed: seed)
    }

    /// The matching verifier.
    public var verifier: Verifier {
        // The name was validated by the initialiser.
        try! Verifier(name: name, publicKey: privateKey.publicKey)
    }
}
