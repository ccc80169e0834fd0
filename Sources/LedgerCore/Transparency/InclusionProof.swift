public import LedgerCrypto

/// A self-contained, offline-verifiable proof that an entry is in the log: the C2SP tlog-proof text
/// (c2sp.org/tlog-proof@v1), a "transparent signature".
///
/// ```
/// c2sp.org/tlog-proof@v1
/// [extra <base64>]
/// index <n>
/// <base64 hash>        ← RFC 6962 PATH(n, D[size]), leaf's sibling first
/// …
///
/// <signed checkpoint, verbatim, cosignatures included>
/// ```
/// Anyone holding the log's verifier key (and the witnesses' keys they trust) can check it with no access to the
/// log: the checkpoint's signatures bind the root, the path binds the entry to the root. The `extra` data is not
/// authenticated; it only helps a verifier rebuild the leaf. Store it with the extension `.tlog-proof`.
///
/// ```swift
/// let proof = InclusionProof(index: i, hashes: try tree.inclusionProof(index: i, size: signed.checkpoint.size),
///                            checkpoint: signed)
/// let checked = try InclusionProof(parsing: text).verify(leafHash: RFC6962.leafHash(line), log: logKey)
/// ```
public struct InclusionProof: Sendable, Hashable, TextParsable {
    /// The first line of every proof text.
    public static let header = "c2sp.org/tlog-proof@v1"

    /// Unauthenticated application data, e.g. what is needed to rebuild the leaf.
    public let extra: [UInt8]?
    /// The zero-based index of the entry.
    public let index: UInt64
    /// The inclusion path in the checkpointed tree.
    public let hashes: [Digest]
    /// The checkpoint body (not yet trusted: see ``verify(leafHash:log:cosigners:)``).
    public let checkpoint: Checkpoint
    /// The signed checkpoint note, every signature line included.
    public let checkpointNote: Note

    /// Assembles a proof for entry `index` from its inclusion path in `checkpoint`'s tree.
    public init(index: UInt64, hashes: [Digest], checkpoint: SignedCheckpoint, extra: [UInt8]? = nil) {
        self.extra = extra
        self.index = index
        self.hashes = hashes
        self.checkpoint = checkpoint.checkpoint
        self.checkpointNote = checkpoint.note
    }

    /// Parses a proof text strictly (see the type's grammar); checks no signature and no hash.
    public init(parsing bytes: [UInt8]) throws(TransparencyError) {
        let parts = try ProofText.parse(
            bytes, header: Self.header, allowsExtra: true, keyword: "index", what: "preuve d'inclusion"
        )
        extra = parts.extra
        index = parts.number
        hashes = parts.hashes
        checkpoint = parts.checkpoint
        checkpointNote = parts.note
    }

    /// The proof text.
    public var text: String {
        ProofText.format(
            header: Self.header, extra: extra, keyword: "index", number: index, hashes: hashes,
            checkpoint: checkpointNote
        )
    }

    /// Checks the checkpoint's signatures (log and known cosigners) and that `leafHash` is entry ``index`` of its
    /// tree; returns the verified checkpoint (whose ``SignedCheckpoint/cosignatures`` a caller can count against
    /// its witness policy).
    public func verify(
        leafHash: Digest, log: NoteVerifier, cosigners: [CosignatureVerifier] = []
    ) throws(TransparencyError) -> SignedCheckpoint {
        let signed = try SignedCheckpoint.open(checkpointNote.formatted, log: log, cosigners: cosigners)
        try RFC6962.verifyInclusion(
            index: index, size: signed.checkpoint.size, leafHash: leafHash, proof: hashes,
            root: signed.checkpoint.rootHash
        )
        return signed
    }
}
