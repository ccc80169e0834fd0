public import LedgerCrypto

/// A C2SP tlog-tiles tile (c2sp.org/tlog-tiles): up to 256 consecutive hashes of one level of the RFC 6962 tree.
///
/// The tile at level `L`, index `N`, holds the hashes of Merkle level `8·L` (level 0: the leaf hashes) with node
/// indices `N·256 …  N·256 + width − 1`: each is the root of a complete subtree of `256^L` leaves, and the whole tile
/// spans leaves `N·256^(L+1) …`. A *full* tile has 256 hashes (8 192 bytes) and never changes; the rightmost tile of
/// a level is *partial* (1 to 255 hashes) while the tree grows. For a tree of `size` leaves, level `L` has
/// `⌊size / 256^(L+1)⌋` full tiles and, when `⌊size / 256^L⌋ mod 256` is not 0, one partial tile of that width
/// (docs/PROOFS.md §9).
///
/// Entry bundles (``EntryBundle``) use the coordinates of level 0: bundle `N` of width `W` holds the entries of
/// leaves `N·256 … N·256 + W − 1`.
///
/// ```swift
/// let tile = try Tile(level: 0, index: 1_234_067, width: 5)
/// print(tile.path)          // tile/0/x001/x234/067.p/5
/// Tile.partial(level: 1, treeSize: 70_000)   // level 1, index 1, width 17
/// ```
public struct Tile: Sendable, Hashable, CustomStringConvertible {
    /// Levels of the Merkle tree a tile spans: its hashes are 2^8 = 256 nodes of one level.
    public static let height = 8
    /// The number of hashes in a full tile.
    public static let fullWidth = 256
    /// Bytes per hash.
    public static let hashSize = 32
    /// The highest level the spec allows in a path.
    public static let maxLevel = 63

    /// The tile level `L` (0: leaf hashes).
    public let level: Int
    /// The tile's index `N` within its level.
    public let index: UInt64
    /// The number of hashes, 1 to 256.
    public let width: Int

    /// A tile; `width` 256 (the default) is a full tile.
    ///
    /// - Throws: ``TransparencyError/Code/outOfRange`` for a level outside 0…63 or a width outside 1…256.
    public init(level: Int, index: UInt64, width: Int = Tile.fullWidth) throws(TransparencyError) {
        guard (0...Tile.maxLevel).contains(level) else {
            throw TransparencyError(.outOfRange, "le niveau d'une tuile est entre 0 et \(Tile.maxLevel), pas \(level)")
        }
        guard (1...Tile.fullWidth).contains(width) else {
            throw TransparencyError(.outOfRange, "une tuile contient de 1 à \(Tile.fullWidth) hachages, pas \(width)")
        }
        self.level = level
        self.index = index
        self.width = width
    }

    /// Whether the tile has fewer than 256 hashes (the right edge of a level).
    public var isPartial: Bool { width < Tile.fullWidth }

    /// The size of the tile's bytes: `width · 32`.
    public var byteCount: Int { width * Tile.hashSize }

    /// The Merkle tree level of the tile's hashes: `8 · level`.
    public var hashLevel: Int { level * Tile.height }

    /// The path of the hash tile, `tile/<L>/<N>[.p/<W>]`.
    public var path: String { TilePath.hashes(self).description }

    /// The path of the entry bundle with this tile's index and width, `tile/entries/<N>[.p/<W>]`. Meaningful for
    /// level-0 tiles, whose hashes are the leaf hashes of the bundle's entries.
    public var entriesPath: String { TilePath.entries(self).description }

    public var description: String { path }

    // MARK: - The tiles of a tree

    /// The number of hashes of Merkle level `8 · level` in a tree of `treeSize` leaves: `⌊treeSize / 256^level⌋`.
    public static func hashCount(level: Int, treeSize: UInt64) -> UInt64 {
        let shift = level * Tile.height
        return level < 0 || shift >= 64 ? 0 : treeSize >> UInt64(shift)
    }

    /// The number of full tiles at `level` in a tree of `treeSize` leaves: `⌊treeSize / 256^(level+1)⌋`.
    public static func fullCount(level: Int, treeSize: UInt64) -> UInt64 {
        hashCount(level: level, treeSize: treeSize) >> UInt64(Tile.height)
    }

    /// The partial tile at `level` in a tree of `treeSize` leaves, nil when the level ends on a full tile.
    ///
    /// Its width is `⌊treeSize / 256^level⌋ mod 256` and its index the number of full tiles of the level.
    public static func partial(level: Int, treeSize: UInt64) -> Tile? {
        guard (0...Tile.maxLevel).contains(level) else { return nil }
        let count = hashCount(level: level, treeSize: treeSize)
        let width = Int(count & UInt64(Tile.fullWidth - 1))
        guard width > 0 else { return nil }
        return Tile(unchecked: level, count >> UInt64(Tile.height), width)
    }

    /// The number of levels that hold at least one tile (full or partial) in a tree of `treeSize` leaves: 0 for the
    /// empty tree, 1 up to 255 leaves, 2 up to 65 535, and so on.
    public static func levelCount(treeSize: UInt64) -> Int {
        var levels = 0
        while hashCount(level: levels, treeSize: treeSize) > 0 { levels += 1 }
        return levels
    }

    /// The partial tiles of a tree, lowest level first: exactly the tiles that determine its root.
    ///
    /// The root is the fold of the complete subtrees given by the set bits of `treeSize`; bits `8L … 8L+7` are the
    /// width of the partial tile at level `L`, and the subtrees they stand for are runs of its hashes.
    public static func rightEdge(treeSize: UInt64) -> [Tile] {
        (0..<levelCount(treeSize: treeSize)).compactMap { partial(level: $0, treeSize: treeSize) }
    }

    /// The tile of `index` at `level` as it exists in a tree of `treeSize` leaves: full, partial (the right edge) or
    /// nil (beyond the tree).
    public static func inTree(level: Int, index: UInt64, treeSize: UInt64) -> Tile? {
        guard (0...Tile.maxLevel).contains(level) else { return nil }
        if index < fullCount(level: level, treeSize: treeSize) { return Tile(unchecked: level, index, Tile.fullWidth) }
        guard let edge = partial(level: level, treeSize: treeSize), edge.index == index else { return nil }
        return edge
    }

    /// Whether every hash of this tile exists in a tree of `treeSize` leaves (a partial tile of an older size is
    /// still part of a larger tree: its hashes never change).
    public func exists(inTreeOfSize treeSize: UInt64) -> Bool {
        let count = Tile.hashCount(level: level, treeSize: treeSize)
        let (first, overflow) = index.multipliedReportingOverflow(by: UInt64(Tile.fullWidth))
        return !overflow && first < count && UInt64(width) <= count - first
    }

    /// The index, at Merkle level ``hashLevel``, of the tile's first hash: `index · 256`. Valid for tiles that
    /// exist in some tree (see ``exists(inTreeOfSize:)``).
    public var firstHashIndex: UInt64 { index &* UInt64(Tile.fullWidth) }

    init(unchecked level: Int, _ index: UInt64, _ width: Int) {
        self.level = level
        self.index = index
        self.width = width
    }

    // MARK: - Hashing tile contents

    /// The root of the complete subtree whose leaves are the hashes `bytes[position ..< position + count]` of a
    /// tile (`count` a power of two, `position` a multiple of it): the node `log2(count)` levels above them.
    ///
    /// Pairs are hashed straight from the tile's bytes: a client proves every tile it reads this way.
    static func subtreeHash(_ bytes: UnsafeRawBufferPointer, position: Int, count: Int) -> Digest {
        let start = position * hashSize
        switch count {
        case 1:
            return Digest(bytes: UnsafeRawBufferPointer(rebasing: bytes[start..<(start + hashSize)]))!
        case 2:
            return withUnsafeTemporaryAllocation(byteCount: 1 + 2 * hashSize, alignment: 1) { buffer in
                buffer[0] = 0x01
                buffer.baseAddress!.advanced(by: 1).copyMemory(
                    from: bytes.baseAddress!.advanced(by: start), byteCount: 2 * hashSize)
                return SHA256.hash(UnsafeRawBufferPointer(buffer))
            }
        default:
            let half = count / 2
            return RFC6962.nodeHash(
                subtreeHash(bytes, position: position, count: half),
                subtreeHash(bytes, position: position + half, count: half))
        }
    }

    /// ``subtreeHash(_:position:count:)`` over a byte array.
    static func subtreeHash(_ bytes: [UInt8], position: Int, count: Int) -> Digest {
        bytes.withUnsafeBytes { subtreeHash($0, position: position, count: count) }
    }
}

extension Tile {
    /// The hashes of a tile's bytes, checking that there are exactly `width` of them.
    ///
    /// - Throws: ``TransparencyError/Code/malformedTile`` when the length is not `width · 32`.
    public func hashes(_ bytes: [UInt8]) throws(TransparencyError) -> [Digest] {
        guard bytes.count == byteCount else {
            throw TransparencyError(
                .malformedTile, "\(path) doit faire \(byteCount) octets (\(width) hachages), pas \(bytes.count)")
        }
        return (0..<width).map { Digest(bytes: bytes[($0 * Tile.hashSize)..<(($0 + 1) * Tile.hashSize)])! }
    }
}
