public import LedgerCrypto

/// An append-only RFC 6962 Merkle tree over a ``MerkleHashStore``: roots and proofs for any size, without
/// rehashing the log.
///
/// The tree keeps in memory only its *frontier* (compact range): the roots of the complete subtrees that make up
/// `[0, size)`, one per set bit of `size`. Appending a leaf merges equal-sized subtrees like a binary increment,
/// writing each completed node to the store (amortised two writes, at most `log2(n)` hashes); the current root
/// folds the frontier (no reads). Roots at older sizes and proofs read O(log n) stored nodes, because every range
/// the RFC 6962 recursion asks for splits into at most `log2(n)` complete, aligned subtrees.
///
/// Level 0 of the store (the leaf hashes) is the source of truth: opening a tree recomputes parents missing after a
/// crash and drops parents beyond the leaves. The caller keeps the leaves consistent with its log, and can cut the
/// tree back with ``truncate(toSize:)`` when it drops a torn log tail.
///
/// ```swift
/// var tree = try MerkleTree(store: InMemoryMerkleHashStore())
/// for line in lines { try tree.append(leaf: line) }
/// let proof = try tree.inclusionProof(index: 3, size: tree.size)
/// try RFC6962.verifyInclusion(index: 3, size: tree.size, leafHash: RFC6962.leafHash(lines[3]),
///                             proof: proof, root: tree.root)
/// ```
public struct MerkleTree<Store: MerkleHashStore> {
    /// The hash storage; read it, but append only through the tree.
    public private(set) var store: Store

    /// The number of leaves.
    public private(set) var size: UInt64

    /// Roots of the complete subtrees covering `[0, size)`, largest (leftmost) first.
    private var frontier: [(level: Int, hash: Digest)]

    /// Opens the tree held by `store`, repairing interior levels from the leaf hashes if a crash left them short.
    public init(store: Store) throws(TransparencyError) {
        self.store = store
        self.size = 0
        self.frontier = []
        try repairInteriorLevels()
        try loadFrontier()
    }

    /// The root of the current tree; ``RFC6962/emptyRoot`` when empty. No store reads.
    public var root: Digest {
        guard var result = frontier.last?.hash else { return RFC6962.emptyRoot }
        for node in frontier.dropLast().reversed() {
            result = RFC6962.nodeHash(node.hash, result)
        }
        return result
    }

    /// The root of the tree as it was at `size` leaves (`size <= self.size`): what a checkpoint of that size
    /// must carry. O(log n) reads.
    public func root(size oldSize: UInt64) throws(TransparencyError) -> Digest {
        guard oldSize <= size else {
            throw TransparencyError(
                .outOfRange, "l'arbre a \(size) feuilles, il n'a pas de racine à la taille \(oldSize)")
        }
        if oldSize == size { return root }
        if oldSize == 0 { return RFC6962.emptyRoot }
        return try subtreeHash(0, oldSize)
    }

    /// The leaf hash stored at `index`.
    public func leafHash(at index: UInt64) throws(TransparencyError) -> Digest {
        guard index < size else {
            throw TransparencyError(.outOfRange, "l'arbre a \(size) feuilles, il n'a pas de feuille \(index)")
        }
        return try store.hash(level: 0, index: index)
    }

    /// Appends the leaf whose bytes are `leaf` (e.g. one log line) and returns its index.
    @discardableResult
    public mutating func append(leaf: some Sequence<UInt8>) throws(TransparencyError) -> UInt64 {
        try append(leafHash: RFC6962.leafHash(leaf))
    }

    /// Appends a leaf by its RFC 6962 leaf hash and returns its index.
    ///
    /// On a store failure the tree is left at its previous size (the store is cut back on a best-effort basis).
    @discardableResult
    public mutating func append(leafHash: Digest) throws(TransparencyError) -> UInt64 {
        var newFrontier = frontier
        var writes: [(level: Int, hash: Digest)] = [(0, leafHash)]
        var node = leafHash
        var level = 0
        while let last = newFrontier.last, last.level == level {
            newFrontier.removeLast()
            node = RFC6962.nodeHash(last.hash, node)
            level += 1
            writes.append((level, node))
        }
        newFrontier.append((level, node))
        do {
            for write in writes { try store.append(write.hash, level: write.level) }
        } catch {
            for write in writes { try? store.truncate(level: write.level, count: size >> write.level) }
            throw error
        }
        frontier = newFrontier
        size += 1
        return size - 1
    }

    /// The inclusion proof of leaf `index` in the tree of `size` leaves (RFC 6962 §2.1.1 `PATH(index, D[size])`),
    /// from the leaf's sibling up to the root's child. O(log n) reads.
    public func inclusionProof(index: UInt64, size proofSize: UInt64) throws(TransparencyError) -> [Digest] {
        guard proofSize <= size else {
            throw TransparencyError(
                .outOfRange, "l'arbre a \(size) feuilles, il ne peut pas prouver à la taille \(proofSize)")
        }
        guard index < proofSize else {
            throw TransparencyError(.outOfRange, "l'entrée \(index) n'est pas dans un arbre de taille \(proofSize)")
        }
        var proof: [Digest] = []
        try path(index, 0, proofSize, into: &proof)
        return proof
    }

    /// The consistency proof from size `oldSize` to size `newSize` (RFC 6962 §2.1.2 `PROOF(oldSize, D[newSize])`).
    ///
    /// Empty when the sizes are equal or `oldSize` is 0 (there is nothing to prove; ``RFC6962/verifyConsistency``
    /// rejects an old size of 0 against a larger tree anyway). O(log n) reads.
    public func consistencyProof(from oldSize: UInt64, to newSize: UInt64) throws(TransparencyError) -> [Digest] {
        guard newSize <= size else {
            throw TransparencyError(
                .outOfRange,
                "l'arbre a \(size) feuilles, il ne peut pas prouver la cohérence jusqu'à la taille \(newSize)")
        }
        guard oldSize <= newSize else {
            throw TransparencyError(
                .outOfRange,
                "un arbre de taille \(newSize) ne peut pas prolonger un arbre plus grand, de taille \(oldSize)")
        }
        guard oldSize > 0, oldSize < newSize else { return [] }
        var proof: [Digest] = []
        try subproof(oldSize, 0, newSize, complete: true, into: &proof)
        return proof
    }

    /// Cuts the tree back to its first `newSize` leaves, e.g. after the log dropped a torn tail.
    public mutating func truncate(toSize newSize: UInt64) throws(TransparencyError) {
        guard newSize <= size else {
            throw TransparencyError(
                .outOfRange, "l'arbre a \(size) feuilles, il ne peut pas croître en se tronquant à \(newSize)")
        }
        for level in 0..<64 {
            try store.truncate(level: level, count: newSize >> level)
        }
        try loadFrontier()
    }

    /// Makes the store durable (see ``MerkleHashStore/sync()``).
    public mutating func sync() throws(TransparencyError) {
        try store.sync()
    }

    // MARK: - Internals

    /// Recomputes interior nodes missing above the leaves and drops those no leaf supports.
    private mutating func repairInteriorLevels() throws(TransparencyError) {
        let leaves = store.count(level: 0)
        for level in 1..<64 {
            let expected = leaves >> level
            let present = store.count(level: level)
            if present > expected {
                try store.truncate(level: level, count: expected)
            } else if present < expected {
                for index in present..<expected {
                    let left = try store.hash(level: level - 1, index: 2 * index)
                    let right = try store.hash(level: level - 1, index: 2 * index + 1)
                    try store.append(RFC6962.nodeHash(left, right), level: level)
                }
            }
        }
    }

    private mutating func loadFrontier() throws(TransparencyError) {
        let leaves = store.count(level: 0)
        var nodes: [(level: Int, hash: Digest)] = []
        var start: UInt64 = 0
        for level in stride(from: 63, through: 0, by: -1) where leaves & (1 << UInt64(level)) != 0 {
            nodes.append((level, try store.hash(level: level, index: start >> UInt64(level))))
            start += 1 << UInt64(level)
        }
        frontier = nodes
        size = leaves
    }

    /// MTH(D[start:end]) for `0 <= start < end <= size`: one read for an aligned complete subtree, else the
    /// RFC 6962 split.
    private func subtreeHash(_ start: UInt64, _ end: UInt64) throws(TransparencyError) -> Digest {
        let count = end - start
        if count & (count - 1) == 0 && start % count == 0 {
            let level = count.trailingZeroBitCount
            return try store.hash(level: level, index: start >> UInt64(level))
        }
        let split = RFC6962.splitPoint(count)
        return RFC6962.nodeHash(try subtreeHash(start, start + split), try subtreeHash(start + split, end))
    }

    /// PATH(index, D[start:end]) appended to `proof`.
    private func path(_ index: UInt64, _ start: UInt64, _ end: UInt64, into proof: inout [Digest])
        throws(TransparencyError)
    {
        guard end - start > 1 else { return }
        let split = start + RFC6962.splitPoint(end - start)
        if index < split {
            try path(index, start, split, into: &proof)
            proof.append(try subtreeHash(split, end))
        } else {
            try path(index, split, end, into: &proof)
            proof.append(try subtreeHash(start, split))
        }
    }

    /// SUBPROOF(oldSize, D[start:end], complete) appended to `proof`; `oldSize` is absolute.
    private func subproof(
        _ oldSize: UInt64, _ start: UInt64, _ end: UInt64, complete: Bool, into proof: inout [Digest]
    ) throws(TransparencyError) {
        if oldSize == end {
            if !complete { proof.append(try subtreeHash(start, end)) }
            return
        }
        let split = start + RFC6962.splitPoint(end - start)
        if oldSize <= split {
            try subproof(oldSize, start, split, complete: complete, into: &proof)
            proof.append(try subtreeHash(split, end))
        } else {
            try subproof(oldSize, split, end, complete: false, into: &proof)
            proof.append(try subtreeHash(start, split))
        }
    }
}

extension MerkleTree: Sendable where Store: Sendable {}
