public import LedgerCrypto

/// A self-contained proof that a log only appended between an older checkpoint the reader already trusts and a
/// newer signed checkpoint: GrantLedger's text form, modelled on c2sp.org/tlog-proof.
///
/// ```
/// grantledger/tlog-consistency@v1
/// old <m>
/// <base64 hash>        ← RFC 6962 PROOF(m, D[n]), in RFC order; none when m = n
/// …
///
/// <signed checkpoint of size n, verbatim, cosignatures included>
/// ```
/// - The first line names the format and its version, as tlog-proof's does; it is GrantLedger's own namespace
///   because C2SP defines no consistency-proof text.
/// - `old <m>` is the size of the older tree (decimal, no leading zeros). Its root is deliberately *not* in the
///   text: the reader must take it from the older checkpoint it already verified and kept, otherwise a forged
///   proof could bring its own old root.
/// - The hash lines are the consistency proof from `m` to the new checkpoint's size `n`; an empty line ends them.
/// - The new checkpoint follows verbatim, so its log signature and cosignatures are checked like any checkpoint.
/// - No `extra` line: there is no leaf to rebuild.
///
/// Verification (``verify(from:log:cosigners:)``): open the new checkpoint with the log key, require the same
/// origin as the old checkpoint, `old` equal to the old size and not above the new size, then RFC 9162
/// consistency verification between the two roots. Parsing is as strict as ``InclusionProof``'s.
///
/// ```swift
/// let proof = ConsistencyProof(oldSize: old.size, hashes: try tree.consistencyProof(from: old.size, to: new.size),
///                              checkpoint: newSigned)
/// let newer = try ConsistencyProof(parsing: text).verify(from: trustedOld, log: logKey)
/// ```
public struct ConsistencyProof: Sendable, Hashable, TextParsable {
    /// The first line of every consistency proof text.
    public static let header = "grantledger/tlog-consistency@v1"

    /// The size of the older tree.
    public let oldSize: UInt64
    /// The consistency proof from ``oldSize`` to the new checkpoint's size.
    public let hashes: [Digest]
    /// The new checkpoint body (not yet trusted).
    public let checkpoint: Checkpoint
    /// The new signed checkpoint note, every signature line included.
    public let checkpointNote: Note

    /// Assembles a proof that `checkpoint` extends the tree of `oldSize` leaves.
    public init(oldSize: UInt64, hashes: [Digest], checkpoint: SignedCheckpoint) {
        self.oldSize = oldSize
        self.hashes = hashes
        self.checkpoint = checkpoint.checkpoint
        self.checkpointNote = checkpoint.note
    }

    /// Parses a consistency proof text strictly; checks no signature and no hash.
    public init(parsing bytes: [UInt8]) throws(TransparencyError) {
        let parts = try ProofText.parse(
            bytes, header: Self.header, allowsExtra: false, keyword: "old", what: "preuve de cohérence"
        )
        oldSize = parts.number
        hashes = parts.hashes
        checkpoint = parts.checkpoint
        checkpointNote = parts.note
    }

    /// The proof text.
    public var text: String {
        ProofText.format(
            header: Self.header, extra: nil, keyword: "old", number: oldSize, hashes: hashes, checkpoint: checkpointNote
        )
    }

    /// Checks the new checkpoint's signatures and that it extends `old`, a checkpoint the caller already trusts;
    /// returns the verified new checkpoint.
    public func verify(
        from old: Checkpoint, log: NoteVerifier, cosigners: [CosignatureVerifier] = []
    ) throws(TransparencyError) -> SignedCheckpoint {
        let signed = try SignedCheckpoint.open(checkpointNote.formatted, log: log, cosigners: cosigners)
        guard old.origin == signed.checkpoint.origin else {
            throw TransparencyError(
                .originMismatch,
                "l'ancien point de contrôle est d'origine \(old.origin), le nouveau de \(signed.checkpoint.origin)")
        }
        guard old.size == oldSize else {
            throw TransparencyError(
                .consistencyProofInvalid,
                "la preuve de cohérence part de la taille \(oldSize), pas de celle de l'ancien point de contrôle, \(old.size)"
            )
        }
        try RFC6962.verifyConsistency(
            oldSize: oldSize, newSize: signed.checkpoint.size, oldRoot: old.rootHash,
            newRoot: signed.checkpoint.rootHash, proof: hashes
        )
        return signed
    }
}
