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
public struct NoteSigner: Ed25519NoteSigner {
    public typealias Verifier = NoteVerifier
    public static let signatureType = KeyText.ed25519

    public let name: String
    public let keyID: UInt32
    /// The Ed25519 private key.
    public let privateKey: Ed25519PrivateKey

    /// Uses `privateKey` under `name`.
    public init(name: String, privateKey: Ed25519PrivateKey) throws(TransparencyError) {
        try KeyText.requireValidName(name)
        self.name = name
        self.privateKey = privateKey
        self.keyID = KeyText.keyID(name: name, type: Self.signatureType, publicKey: privateKey.publicKey.raw)
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
