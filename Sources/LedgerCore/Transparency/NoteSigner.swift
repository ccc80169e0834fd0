public import LedgerCrypto

/// A signed-note Ed25519 key (type 0x01) with its name: signs notes and checkpoints.
///
/// A checkpoint's signing key name must equal the log's origin, so the name is part of the key, and of its key
/// ID: the same Ed25519 key under another name yields signatures no verifier of the first name accepts.
///
/// ```swift
/// let signer = try NoteSigner(privateKey: "PRIVATE+KEY+example.com/log+…")
/// let note = try Note(text: "hello\n").signed(by: signer)
/// print(note.text, terminator: "")
/// ```
public struct NoteSigner: Sendable {
    public let name: String
    public let keyID: UInt32
    /// The Ed25519 private key.
    public let privateKey: Ed25519PrivateKey

    /// Uses `privateKey` under `name`.
    public init(name: String, privateKey: Ed25519PrivateKey) throws(TransparencyError) {
        guard TextField.isValidKeyName(name) else {
            throw TransparencyError(
                .malformedKey, "le nom de clé « \(name) » est vide ou contient une espace ou un « + »")
        }
        self.name = name
        self.privateKey = privateKey
        self.keyID = KeyText.keyID(name: name, type: KeyText.ed25519, publicKey: privateKey.publicKey.raw)
    }

    /// Parses a private key text `PRIVATE+KEY+name+hex8+base64(0x01 ‖ seed)` (Go's `note.NewSigner` format).
    public init(privateKey text: String) throws(TransparencyError) {
        let (name, key) = try KeyText.parsePrivateKey(text, type: KeyText.ed25519)
        try self.init(name: name, privateKey: key)
    }

    /// The private key text for `seed` under `name`. Cleanse the seed and the returned text after use.
    public static func privateKeyText(name: String, seed: [UInt8]) throws(TransparencyError) -> String {
        try KeyText.privateKey(name: name, type: KeyText.ed25519, seed: seed)
    }

    /// The matching verifier.
    public var verifier: NoteVerifier {
        // The name was validated by the initialiser.
        try! NoteVerifier(name: name, publicKey: privateKey.publicKey)
    }

    /// Signs the note text `text` (which must be a valid note text: see ``Note/init(text:signatures:)``).
    public func signature(for text: String) throws(TransparencyError) -> NoteSignature {
        _ = try Note(text: text)
        let signature: [UInt8]
        do { signature = try privateKey.signature(for: Array(text.utf8)) } catch {
            throw TransparencyError(
                .signingFailed, "la signature de la note en tant que \(name) a échoué : \(error.message)")
        }
        return NoteSignature(name: name, keyID: keyID, signature: signature)
    }
}
