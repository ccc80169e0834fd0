public import LedgerCrypto

/// The roots of the complete subtrees covering `[0, size)` of an RFC 6962 tree, held in memory: enough to get the
/// root of every prefix of a stream of leaves, in O(log n) memory, with no store.
///
/// `verify` uses it to recompute, from the log alone, the root at each checkpointed size: it must not trust the
/// `merkle/` cache it is checking the log against.
///
/// ```swift
/// var range = CompactRange()
/// for line in lines { range.append(RFC6962.leafHash(line)) }
/// print(range.root)
/// ```
public struct CompactRange: Sendable {
    /// The number of leaves appended.
    public private(set) var size: UInt64 = 0
    private var nodes: [(level: Int, hash: Digest)] = []

    public init() {}

    /// The range of a tree of `size` leaves, from the roots of its complete subtrees, largest first (one per bit set
    /// in `size`): a tree held elsewhere (a database's stored hashes), to be extended.
    public init(size: UInt64, roots: [(level: Int, hash: Digest)]) {
        self.size = size
        self.nodes = roots
    }

    /// Appends a leaf by its RFC 6962 leaf hash.
    public mutating func append(_ leafHash: Digest) {
        append(leafHash) { _, _ in }
    }

    /// Appends a leaf by its RFC 6962 leaf hash, giving `created` every node of the tree it completes, in order:
    /// the leaf itself (level 0), then each subtree it closes, level by level.
    public mutating func append(_ leafHash: Digest, created: (_ level: Int, _ hash: Digest) -> Void) {
        var node = leafHash
        var level = 0
        created(0, node)
        while let last = nodes.last, last.level == level {
            nodes.removeLast()
            node = RFC6962.nodeHash(last.hash, node)
            level += 1
            created(level, node)
        }
        nodes.append((level, node))
        size += 1
    }

    /// The root of the leaves appended so far; ``RFC6962/emptyRoot`` when none.
    public var root: Digest {
        guard var result = nodes.last?.hash else { return RFC6962.emptyRoot }
        for node in nodes.dropLast().reversed() { result = RFC6962.nodeHash(node.hash, result) }
        return result
    }
}
