public import LedgerCrypto

/// The public half of a signed-note Ed25519 key (type 0x01): checks a log's signature on a note or checkpoint.
///
/// Its text form `name+hex8+base64(0x01 ‖ key)` is what a verifier is configured with (Go's `note.NewVerifier`,
/// sum.golang.org's key), so GrantLedger checkpoints can be checked by the existing C2SP tooling and vice versa.
///
/// ```swift
/// let key = "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k"
/// let verifier = try NoteVerifier(verifierKey: key)
/// let note = try Note.open(signedText, verifiers: [verifier])
/// ```
public struct NoteVerifier: Ed25519NoteVerifier {
    public static let signatureType = KeyText.ed25519

    public let name: String
    public let keyID: UInt32
    /// The Ed25519 public key.
    public let publicKey: Ed25519PublicKey

    /// Wraps `publicKey` under `name`.
    public init(name: String, publicKey: Ed25519PublicKey) throws(TransparencyError) {
        try KeyText.requireValidName(name)
        self.name = name
        self.publicKey = publicKey
        self.keyID = KeyText.keyID(name: name, type: Self.signatureType, publicKey: publicKey.raw)
    }

    public func isValidSignature(_ signature: [UInt8], for message: [UInt8]) -> Bool {
        publicKey.isValidSignature(signature, for: message)
    }
}
