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
public struct Ed25519NoteVerifier<KeyType: NoteKeyType>: NoteSignatureVerifier, Hashable {
    public let name: String
    public let keyID: UInt32
    public let publicKey: Ed25519PublicKey

    public init(name: String, publicKey: Ed25519PublicKey) throws(TransparencyError) {
        try KeyText.requireValidName(name)
        self.name = name
        self.publicKey = publicKey
        self.keyID = KeyText.keyID(name: name, type: KeyType.signatureType, publicKey: publicKey.raw)
    }

    /// Parses a verifier key text `name+hex8+base64(type ‖ key)` of this type.
    public init(verifierKey text: String) throws(TransparencyError) {
        let (name, _, publicKey) = try KeyText.parseVerifierKey(text, type: KeyType.signatureType)
        try self.init(name: name, publicKey: publicKey)
    }

    /// The verifier key text.
    public var verifierKey: String {
        KeyText.verifierKey(name: name, type: KeyType.signatureType, publicKey: publicKey.raw)
    }

    public func isValidSignature(_ signature: [UInt8], for message: [UInt8]) -> Bool {
        KeyType.isValidSignature(signature, for: message, by: self)
    }
}

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
public typealias NoteVerifier = Ed25519NoteVerifier<PlainNoteKey>

/// The public key of a cosigner (witness), type 0x04: checks timestamped cosignatures on checkpoints.
///
/// Configured with the same `name+hex8+base64(0x04 ‖ key)` text witnesses publish, and usable wherever a
/// ``NoteSignatureVerifier`` is, so one ``Note/open(_:verifiers:)`` pass checks the log's signature and its
/// cosignatures together.
public typealias CosignatureVerifier = Ed25519NoteVerifier<CosignatureKey>

extension Ed25519NoteVerifier where KeyType == CosignatureKey {
    public func isValid(_ cosignature: Cosignature, body: [UInt8]) -> Bool {
        guard cosignature.name == name, cosignature.keyID == keyID else { return false }
        return publicKey.isValidSignature(
            cosignature.signature, for: Cosignature.message(timestamp: cosignature.timestamp, body: body)
        )
    }
}
