public import LedgerCrypto

/// The public key of a cosigner (witness), type 0x04: checks timestamped cosignatures on checkpoints.
///
/// Configured with the same `name+hex8+base64(0x04 ‖ key)` text witnesses publish, and usable wherever a
/// ``NoteSignatureVerifier`` is, so one ``Note/open(_:verifiers:)`` pass checks the log's signature and its
/// cosignatures together.
public struct CosignatureVerifier: Ed25519NoteVerifier {
    public static let signatureType = KeyText.cosignatureV1

    public let name: String
    public let keyID: UInt32
    /// The cosigner's Ed25519 public key.
    public let publicKey: Ed25519PublicKey

    /// Wraps `publicKey` under `name`.
    public init(name: String, publicKey: Ed25519PublicKey) throws(TransparencyError) {
        try KeyText.requireValidName(name)
        self.name = name
        self.publicKey = publicKey
        self.keyID = KeyText.keyID(name: name, type: Self.signatureType, publicKey: publicKey.raw)
    }

    /// Checks a note signature's bytes (timestamp ‖ Ed25519 signature) over the checkpoint body `message`.
    public func isValidSignature(_ signature: [UInt8], for message: [UInt8]) -> Bool {
        guard let cosignature = Cosignature(NoteSignature(name: name, keyID: keyID, signature: signature)) else {
            return false
        }
        return isValid(cosignature, body: message)
    }

    /// Checks `cosignature` over the checkpoint body bytes `body`.
    public func isValid(_ cosignature: Cosignature, body: [UInt8]) -> Bool {
        guard cosignature.name == name, cosignature.keyID == keyID else { return false }
        return publicKey.isValidSignature(
            cosignature.signature, for: Cosignature.message(timestamp: cosignature.timestamp, body: body)
        )
    }
}
