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
                "la preuve d'inclusion de l'entrée \(index) ne mène pas à la racine de l'arbre de taille \(size)")
        }
    }

    /// The root that an inclusion proof implies for `leafHash` at `index` in a tree of `size` leaves.
    ///
    /// Useful to report *which* root a proof leads to, or to compare it with several checkpoints.
    public static func rootFromInclusionProof(
        index: UInt64, size: UInt64, leafHash: Digest, proof: [Digest]
    ) throws(TransparencyError) -> Digest {
        guard index < size else {
            throw TransparencyError(.outOfRange, "l'entrée \(index) n'est pas dans un arbre de taille \(size)")
        }
        var walk = ProofWalk(fn: index, sn: size - 1)
        var result = leafHash
        for sibling in proof {
            guard walk.sn != 0 else {
                throw TransparencyError(
                    .inclusionProofInvalid,
                    "la preuve d'inclusion de l'entrée \(index) dans un arbre de taille \(size) est trop longue")
            }
            result = walk.climb() ? nodeHash(sibling, result) : nodeHash(result, sibling)
        }
        guard walk.sn == 0 else {
            throw TransparencyError(
                .inclusionProofInvalid,
                "la preuve d'inclusion de l'entrée \(index) dans un arbre de taille \(size) est trop courte")
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
                .consistencyProofInvalid, "la preuve de cohérence de la taille \(oldSize) à la taille \(newSize) \(why)"
            )
        }
        guard oldSize <= newSize else {
            throw TransparencyError(
                .outOfRange,
                "un arbre de taille \(newSize) ne peut pas prolonger un arbre plus grand, de taille \(oldSize)")
        }
        if oldSize == newSize {
            guard proof.isEmpty else { throw invalid("devrait être vide entre tailles égales") }
            guard oldRoot == newRoot else { throw invalid("relie deux racines différentes pour la même taille") }
            guard oldSize > 0 || oldRoot == emptyRoot else { throw invalid("a une racine fausse pour l'arbre vide") }
            return
        }
        guard oldSize > 0 else { throw invalid("ne peut pas partir de l'arbre vide") }
        guard !proof.isEmpty else { throw invalid("est vide") }

        var hashes = proof[...]
        if oldSize & (oldSize - 1) == 0 {
            // The old tree is a complete subtree of the new one: the proof omits its root, which the verifier has.
            hashes = ([oldRoot] + proof)[...]
        }
        var walk = ProofWalk(fn: oldSize - 1, sn: newSize - 1)
        while walk.fn & 1 == 1 {
            walk.fn >>= 1
            walk.sn >>= 1
        }
        var fr = hashes.first!
        var sr = fr
        for node in hashes.dropFirst() {
            guard walk.sn != 0 else { throw invalid("est trop longue") }
            if walk.climb() {
                fr = nodeHash(node, fr)
                sr = nodeHash(node, sr)
            } else {
                sr = nodeHash(sr, node)
            }
        }
        guard walk.sn == 0 else { throw invalid("est trop courte") }
        guard fr == oldRoot else { throw invalid("ne mène pas à l'ancienne racine") }
        guard sr == newRoot else { throw invalid("ne mène pas à la nouvelle racine") }
    }
}

/// The walk up the tree that both verifications share (RFC 9162 §2.1.3.2 and §2.1.4.2): `fn` is the index of the
/// node being rebuilt at its level, `sn` that of the level's last node.
private struct ProofWalk {
    var fn: UInt64
    var sn: UInt64

    /// Whether the next proof hash is the left sibling (it comes first in the node hash); then climbs to the level
    /// where that hash joins in, skipping the levels where the node, last of its level, has no sibling.
    mutating func climb() -> Bool {
        let isLeft = fn & 1 == 1 || fn == sn
        if isLeft && fn & 1 == 0 {
            while fn & 1 == 0 && fn != 0 {
                fn >>= 1
                sn >>= 1
            }
        }
        fn >>= 1
        sn >>= 1
        return isLeft
    }
}
