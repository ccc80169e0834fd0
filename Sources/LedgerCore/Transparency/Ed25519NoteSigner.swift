public import LedgerCrypto

/// The signature type of a C2SP signed-note Ed25519 key: the byte hashed into its key ID and prefixed to the key
/// in its texts, and how a signature of that type is checked.
public protocol NoteKeyType: Sendable {
    /// The signature type byte (`0x01` for notes, `0x04` for cosignatures).
    static var signatureType: UInt8 { get }
    /// Whether `signature` by `key` signs `message` under this type's rules.
    static func isValidSignature(_ signature: [UInt8], for message: [UInt8], by key: Ed25519NoteVerifier<Self>) -> Bool
}

/// Type 0x01: a log's (or any signer's) Ed25519 signature over the note text.
public enum PlainNoteKey: NoteKeyType {
    public static let signatureType = KeyText.ed25519

    public static func isValidSignature(
        _ signature: [UInt8], for message: [UInt8], by key: Ed25519NoteVerifier<Self>
    ) -> Bool {
        key.publicKey.isValidSignature(signature, for: message)
    }
}

/// Type 0x04: a witness's timestamped cosignature (C2SP tlog-cosignature).
public enum CosignatureKey: NoteKeyType {
    public static let signatureType = KeyText.cosignatureV1

    public static func isValidSignature(
        _ signature: [UInt8], for message: [UInt8], by key: Ed25519NoteVerifier<Self>
    ) -> Bool {
        guard let cosignature = Cosignature(NoteSignature(name: key.name, keyID: key.keyID, signature: signature))
        else { return false }
        return key.isValid(cosignature, body: message)
    }
}

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
public struct Ed25519NoteSigner<KeyType: NoteKeyType>: Sendable {
    public let name: String
    public let keyID: UInt32
    /// The Ed25519 private key. A cosigner key must not also sign as a log or another cosigner (the message does
    /// not commit to the cosigner name).
    public let privateKey: Ed25519PrivateKey

    /// Uses `privateKey` under `name`.
    public init(name: String, privateKey: Ed25519PrivateKey) throws(TransparencyError) {
        try KeyText.requireValidName(name)
        self.name = name
        self.privateKey = privateKey
        self.keyID = KeyText.keyID(name: name, type: KeyType.signatureType, publicKey: privateKey.publicKey.raw)
    }

    /// Parses a private key text `PRIVATE+KEY+name+hex8+base64(type ‖ seed)` of this type.
    public init(privateKey text: String) throws(TransparencyError) {
        let (name, key) = try KeyText.parsePrivateKey(text, type: KeyType.signatureType)
        try self.init(name: name, privateKey: key)
    }

    /// The private key text of `seed` under `name`.
    public static func privateKeyText(name: String, seed: [UInt8]) throws(TransparencyError) -> String {
        try KeyText.privateKey(name: name, type: KeyType.signatureType, seed: seed)
    }

    /// The matching public key.
    public var verifier: Ed25519NoteVerifier<KeyType> {
        // The name was validated by the initialiser.
        try! Ed25519NoteVerifier(name: name, publicKey: privateKey.publicKey)
    }
}

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
public typealias NoteSigner = Ed25519NoteSigner<PlainNoteKey>

/// A cosigner's (witness's) private key, type 0x04: cosigns checkpoints it has checked for consistency.
///
/// Cosigning is only meaningful after the caller has verified the checkpoint's log signature and a consistency
/// proof from the last checkpoint it cosigned; this type signs, the policy is the caller's.
///
/// ```swift
/// let witness = try CosignatureSigner(name: "witness.example/w1", privateKey: .generate())
/// let cosigned = try signedCheckpoint.cosigned(by: witness, timestamp: now)
/// ```
public typealias CosignatureSigner = Ed25519NoteSigner<CosignatureKey>

extension Ed25519NoteSigner where KeyType == PlainNoteKey {
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

extension Ed25519NoteSigner where KeyType == CosignatureKey {
    /// Cosigns `checkpoint` as of `timestamp` (POSIX seconds, at most 2^63 − 1).
    public func cosign(_ checkpoint: Checkpoint, timestamp: UInt64) throws(TransparencyError) -> Cosignature {
        guard timestamp <= UInt64(Int64.max) else {
            throw TransparencyError(.outOfRange, "l'horodatage d'une cosignature ne doit pas dépasser 2^63 - 1")
        }
        let signature: [UInt8]
        do {
            signature = try privateKey.signature(for: Cosignature.message(timestamp: timestamp, body: checkpoint.body))
        } catch {
            throw TransparencyError(
                .signingFailed, "la cosignature en tant que \(name) a échoué : \(error.message)", underlying: error)
        }
        return Cosignature(name: name, keyID: keyID, timestamp: timestamp, signature: signature)
    }
}
