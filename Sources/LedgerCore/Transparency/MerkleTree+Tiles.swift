public import LedgerCrypto

extension MerkleTree {
    /// The bytes of `tile` in this tree: its `width` hashes of Merkle level `8 · level`, 32 bytes each, as
    /// c2sp.org/tlog-tiles serves them (docs/PROOFS.md §9.2). One store read.
    ///
    /// A tile of an older, smaller tree is still served: its hashes are complete subtrees, which never change.
    ///
    /// - Throws: ``TransparencyError/Code/outOfRange`` when the tile is not (or not yet) in the tree.
    public func tileBytes(_ tile: Tile) throws(TransparencyError) -> [UInt8] {
        guard tile.exists(inTreeOfSize: size) else {
            throw TransparencyError(.outOfRange, "\(tile.path) n'est pas dans l'arbre de \(size) entrées")
        }
        return try store.hashBytes(level: tile.hashLevel, start: tile.firstHashIndex, count: tile.width)
    }
}
