/// A key that can check one kind of signed-note signature line: a log key (``NoteVerifier``, type 0x01) or a
/// cosigner key (``CosignatureVerifier``, type 0x04).
///
/// Signature lines carry only a name and a 4-byte key ID, so ``Note`` picks the verifier whose (name, key ID)
/// matches and ignores lines no verifier claims: a checkpoint may carry cosignatures from witnesses the reader does
/// not know, and those must not make it invalid.
public protocol NoteSignatureVerifier: Sendable {
    /// The key name, as it appears after `— ` in a signature line.
    var name: String { get }
    /// The 4-byte key ID, big-endian, as it prefixes the decoded signature.
    var keyID: UInt32 { get }
    /// Whether `signature` (the decoded signature without its key ID) signs the note text `message`.
    func isValidSignature(_ signature: [UInt8], for message: [UInt8]) -> Bool
}
