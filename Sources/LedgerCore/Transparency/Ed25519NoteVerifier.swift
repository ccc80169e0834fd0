public import LedgerCrypto

/// The public half of a C2SP signed-note Ed25519 key of one signature type: ``NoteVerifier`` (type 0x01, checks a
/// log's signature) and ``CosignatureVerifier`` (type 0x04, checks a witness's timestamped cosignature).
///
/// The two differ only by the type byte and by what a signature covers; this protocol derives their key text
/// `name+hex8+base64(type ‖ key)` the same way for both.
///
/// ```swift
/// let key = "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k"
/// let verifier = try NoteVerifier(verifierKey: key)
/// verifier.verifierKey == key // true
/// ```
public protocol Ed25519NoteVerifier: NoteSignatureVerifier, Hashable {
    /// The signature type byte (0x01 for a note signature, 0x04 for a timestamped cosignature).
    static var signatureType: UInt8 { get }

    /// The Ed25519 public key.
    var publicKey: Ed25519PublicKey { get }

    /// Wraps `publicKey` under `name`, which must be non-empty, without spaces and without `+`.
    init(name: String, publicKey: Ed25519PublicKey) throws(TransparencyError)
}

extension Ed25519NoteVerifier {
    /// Parses a verifier key text `name+hex8+base64(type ‖ key)` (Go's `note.NewVerifier` format, the text
    /// witnesses publish), checking that the key ID matches the name and key.
    public init(verifierKey text: String) throws(TransparencyError) {
        let (name, _, publicKey) = try KeyText.parseVerifierKey(text, type: Self.signatureType)
        try self.init(name: name, publicKey: publicKey)
    }

    /// The verifier key text `name+hex8+base64(type ‖ key)`.
    public var verifierKey: String {
        KeyText.verifierKey(name: name, type: Self.signatureType, publicKey: publicKey.raw)
    }
}
