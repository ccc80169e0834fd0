public import LedgerCrypto

/// A cosigner's (witness's) private key, type 0x04: cosigns checkpoints it has checked for consistency.
///
/// Cosigning is only meaningful after the caller has verified the checkpoint's log signature and a consistency
/// proof from the last checkpoint it cosigned; this type signs, the policy is the caller's.
///
/// ```swift
/// let witness = try CosignatureSigner(name: "witness.example/w1", privateKey: .generate())
/// let cosigned = try signedCheckpoint.cosigned(by: witness, timestamp: now)
/// ```
public struct CosignatureSigner: Sendable {
    public let name: String
    public let keyID: UInt32
    /// The Ed25519 private key. A cosigner key must not also sign as a log or another cosigner (the message does
    /// not commit to the cosigner name).
    public let privateKey: Ed25519PrivateKey

    /// Uses `privateKey` under `name`.
    public init(name: String, privateKey: Ed25519PrivateKey) throws(TransparencyError) {
        guard TextField.isValidKeyName(name) else {
            throw TransparencyError(
                .malformedKey, "le nom de clé « \(name) » est vide ou contient une espace ou un « + »")
        }
        self.name = name
        self.privateKey = privateKey
        self.keyID = KeyText.keyID(name: name, type: KeyText.cosignatureV1, publicKey: privateKey.publicKey.raw)
    }

    /// Parses `PRIVATE+KEY+name+hex8+base64(0x04 ‖ seed)`: the signed-note private key format with type 0x04
    /// (a GrantLedger convention; C2SP does not define a cosigner private key text).
    public init(privateKey text: String) throws(TransparencyError) {
        let (name, key) = try KeyText.parsePrivateKey(text, type: KeyText.cosignatureV1)
        try self.init(name: name, privateKey: key)
    }

    /// The private key text for `seed` under `name` (see ``init(privateKey:)``).
    public static func privateKeyText(name: String, seed: [UInt8]) throws(TransparencyError) -> String {
        try KeyText.privateKey(name: name, type: KeyText.cosignatureV1, seed: seed)
    }

    /// The matching verifier.
    public var verifier: CosignatureVerifier {
        // The name was validated by the initialiser.
        try! CosignatureVerifier(name: name, publicKey: privateKey.publicKey)
    }

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
