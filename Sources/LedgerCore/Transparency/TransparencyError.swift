/// Why a Merkle proof, a signed note, a checkpoint or a proof text was refused, or why the hash store failed.
///
/// A struct with an extensible code rather than an enum with payloads, like swift-certificates'
/// `CertificateError`: callers switch on ``code`` to decide what to do, and show ``message`` (one sentence) to a
/// person. New codes can be added without breaking exhaustive switches over a frozen enum elsewhere.
public struct TransparencyError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong, coarse enough to act on.
    public enum Code: Sendable, Hashable {
        /// An index or tree size lies outside the tree (e.g. a proof asked for a size the tree has not reached).
        case outOfRange
        /// An inclusion proof does not lead from the leaf hash to the root.
        case inclusionProofInvalid
        /// A consistency proof does not tie the old root to the new one.
        case consistencyProofInvalid
        /// The hash store could not be read or written, or holds fewer hashes than the tree needs.
        case storage
        /// A signed note is not well formed (separator, signature line, encoding).
        case malformedNote
        /// A key text (verifier key, private key) is not well formed or its key ID does not match.
        case malformedKey
        /// A checkpoint body is not well formed.
        case malformedCheckpoint
        /// A proof text is not well formed.
        case malformedProof
        /// A signature by a known key does not verify: the note was altered or forged.
        case signatureInvalid
        /// No signature by any of the trusted keys was found.
        case noKnownSignature
        /// The checkpoint's origin differs from the one expected (wrong log, or a key name that is not the origin).
        case originMismatch
        /// Signing failed inside the crypto library.
        case signingFailed
        /// A tlog-tiles path is not the one canonical spelling of a resource.
        case malformedTilePath
        /// A tile or an entry bundle is not well formed (length, framing) or is not part of the tree.
        case malformedTile
        /// A tile or an entry bundle does not match the tree its signed checkpoint commits to.
        case tileMismatch
        /// A tiled log's resource could not be fetched.
        case fetchFailed
    }

    /// What went wrong.
    public let code: Code
    /// One human sentence, e.g. "the inclusion proof does not match the checkpoint root".
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
