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
public struct CosignatureSigner: Ed25519NoteSigner {
    public typealias Verifier = CosignatureVerifier
    public static let signatureType = KeyText.cosignatureV1

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
        self.keyID = KeyText.keyID(name: name, type: Self.signatureType, publicKey: privateKey.publicKey.raw)
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
