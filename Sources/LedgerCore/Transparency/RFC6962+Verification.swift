public import LedgerCrypto

extension RFC6962 {
    /// Checks that `leafHash` is leaf `index` of the tree of `size` leaves whose root is `root`.
    ///
    /// The iterative algorithm of RFC 9162 §2.1.3.2: it needs no tree, only the proof, so a client can check an
    /// entry against a signed checkpoint offline. It rejects proofs that are too short or too long, not only wrong
    /// hashes, so one tree position has exactly one valid proof.
    ///
    /// - Throws: ``TransparencyError/Code/outOfRange`` if `index >= size`,
    ///   ``TransparencyError/Code/inclusionProofInvalid`` if the proof does not lead to `root`.
    public static func verifyInclusion(
        index: UInt64, size: UInt64, leafHash: Digest, proof: [Digest], root: Digest
    ) throws(TransparencyError) {
        let computed = try rootFromInclusionProof(index: index, size: size, leafHash: leafHash, proof: proof)
        guard computed == root else {
            throw TransparencyError(
                .inclusionProofInvalid,
                "the inclusion proof for entry \(index) does not lead to the root of the tree of size \(size)")
        }
    }

    /// The root that an inclusion proof implies for `leafHash` at `index` in a tree of `size` leaves.
    ///
    /// Useful to report *which* root a proof leads to, or to compare it with several checkpoints.
    public static func rootFromInclusionProof(
        index: UInt64, size: UInt64, leafHash: Digest, proof: [Digest]
    ) throws(TransparencyError) -> Digest {
        guard index < size else {
            throw TransparencyError(.outOfRange, "entry \(index) is not in a tree of size \(size)")
        }
        var fn = index
        var sn = size - 1
        var result = leafHash
        for sibling in proof {
            guard sn != 0 else {
                throw TransparencyError(
                    .inclusionProofInvalid,
                    "the inclusion proof for entry \(index) in a tree of size \(size) is too long")
            }
            if fn & 1 == 1 || fn == sn {
                result = nodeHash(sibling, result)
                if fn & 1 == 0 {
                    while fn & 1 == 0 && fn != 0 {
                        fn >>= 1
                        sn >>= 1
                    }
                }
            } else {
                result = nodeHash(result, sibling)
            }
            fn >>= 1
            sn >>= 1
        }
        guard sn == 0 else {
            throw TransparencyError(
                .inclusionProofInvalid, "the inclusion proof for entry \(index) in a tree of size \(size) is too short")
        }
        return result
    }

    /// Checks that the tree of `newSize` leaves with root `newRoot` extends the tree of `oldSize` leaves with root
    /// `oldRoot`: the log only appended, it rewrote nothing.
    ///
    /// The iterative algorithm of RFC 9162 §2.1.4.2. Equal sizes need an empty proof and equal roots; an old size
    /// of 0 is only consistent with itself (every tree extends the empty one, but there is nothing to prove and an
    /// empty-tree "proof" would let a caller skip a check by accident).
    ///
    /// - Throws: ``TransparencyError/Code/outOfRange`` if `oldSize > newSize`,
    ///   ``TransparencyError/Code/consistencyProofInvalid`` otherwise.
    public static func verifyConsistency(
        oldSize: UInt64, newSize: UInt64, oldRoot: Digest, newRoot: Digest, proof: [Digest]
    ) throws(TransparencyError) {
        func invalid(_ why: String) -> TransparencyError {
            TransparencyError(
                .consistencyProofInvalid, "the consistency proof from size \(oldSize) to size \(newSize) \(why)")
        }
        guard oldSize <= newSize else {
            throw TransparencyError(
                .outOfRange, "a tree of size \(newSize) cannot extend a larger tree of size \(oldSize)")
        }
        if oldSize == newSize {
            guard proof.isEmpty else { throw invalid("should be empty for equal sizes") }
            guard oldRoot == newRoot else { throw invalid("joins two different roots for the same size") }
            guard oldSize > 0 || oldRoot == emptyRoot else { throw invalid("has a wrong root for the empty tree") }
            return
        }
        guard oldSize > 0 else { throw invalid("cannot start from the empty tree") }
        guard !proof.isEmpty else { throw invalid("is empty") }

        var hashes = proof[...]
        if oldSize & (oldSize - 1) == 0 {
            // The old tree is a complete subtree of the new one: the proof omits its root, which the verifier has.
            hashes = ([oldRoot] + proof)[...]
        }
        var fn = oldSize - 1
        var sn = newSize - 1
        while fn & 1 == 1 {
            fn >>= 1
            sn >>= 1
        }
        var fr = hashes.first!
        var sr = fr
        for node in hashes.dropFirst() {
            guard sn != 0 else { throw invalid("is too long") }
            if fn & 1 == 1 || fn == sn {
                fr = nodeHash(node, fr)
                sr = nodeHash(node, sr)
                if fn & 1 == 0 {
                    while fn & 1 == 0 && fn != 0 {
                        fn >>= 1
                        sn >>= 1
                    }
                }
            } else {
                sr = nodeHash(sr, node)
            }
            fn >>= 1
            sn >>= 1
        }
        guard sn == 0 else { throw invalid("is too short") }
        guard fr == oldRoot else { throw invalid("does not lead to the old root") }
        guard sr == newRoot else { throw invalid("does not lead to the new root") }
    }
}
