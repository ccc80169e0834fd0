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

    /// Appends a leaf by its RFC 6962 leaf hash.
    public mutating func append(_ leafHash: Digest) {
        var node = leafHash
        var level = 0
        while let last = nodes.last, last.level == level {
            nodes.removeLast()
            node = RFC6962.nodeHash(last.hash, node)
            level += 1
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
