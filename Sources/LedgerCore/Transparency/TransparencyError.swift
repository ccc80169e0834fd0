public import LedgerCrypto

/// The errors of Merkle proofs, signed notes, checkpoints, proof texts, tiles and the hash store.
public enum TransparencyFailure: ErrorDomain {}

/// Why a Merkle proof, a signed note, a checkpoint or a proof text was refused, or why the hash store failed.
///
/// Callers compare ``CodedError/code`` to decide what to do, and show ``CodedError/message`` (one sentence) to a
/// person.
public typealias TransparencyError = CodedError<TransparencyFailure>

extension ErrorCode where Domain == TransparencyFailure {
    /// An index or tree size lies outside the tree (e.g. a proof asked for a size the tree has not reached).
    public static let outOfRange = Self("outOfRange")
    /// An inclusion proof does not lead from the leaf hash to the root.
    public static let inclusionProofInvalid = Self("inclusionProofInvalid")
    /// A consistency proof does not tie the old root to the new one.
    public static let consistencyProofInvalid = Self("consistencyProofInvalid")
    /// The hash store could not be read or written, or holds fewer hashes than the tree needs.
    public static let storage = Self("storage")
    /// A signed note is not well formed (separator, signature line, encoding).
    public static let malformedNote = Self("malformedNote")
    /// A key text (verifier key, private key) is not well formed or its key ID does not match.
    public static let malformedKey = Self("malformedKey")
    /// A checkpoint body is not well formed.
    public static let malformedCheckpoint = Self("malformedCheckpoint")
    /// A proof text is not well formed.
    public static let malformedProof = Self("malformedProof")
    /// A signature by a known key does not verify: the note was altered or forged.
    public static let signatureInvalid = Self("signatureInvalid")
    /// No signature by any of the trusted keys was found.
    public static let noKnownSignature = Self("noKnownSignature")
    /// The checkpoint's origin differs from the one expected (wrong log, or a key name that is not the origin).
    public static let originMismatch = Self("originMismatch")
    /// Signing failed inside the crypto library.
    public static let signingFailed = Self("signingFailed")
    /// A tlog-tiles path is not the one canonical spelling of a resource.
    public static let malformedTilePath = Self("malformedTilePath")
    /// A tile or an entry bundle is not well formed (length, framing) or is not part of the tree.
    public static let malformedTile = Self("malformedTile")
    /// A tile or an entry bundle does not match the tree its signed checkpoint commits to.
    public static let tileMismatch = Self("tileMismatch")
    /// A tiled log's resource could not be fetched.
    public static let fetchFailed = Self("fetchFailed")
}
