public import LedgerCrypto

/// Where a ``MerkleTree`` keeps the hashes of its complete subtrees.
///
/// The tree stores, for every level `l`, the hashes of the complete subtrees of `2^l` leaves in order: level 0
/// holds the leaf hashes, level `l` holds `size >> l` hashes, and node `(l, i)` covers leaves
/// `[i << l, (i + 1) << l)`. Incomplete right-edge subtrees are never stored: they change with every append and are
/// recomputed from at most `log2(size)` complete ones. This is the layout of C2SP tlog-tiles without the tiling,
/// so appending costs one write per completed node (amortised two) and any root or proof costs O(log n) reads,
/// never a rehash of the log.
///
/// A store is dumb storage: ``MerkleTree`` decides what to write and keeps the invariant. Implementations only
/// append, read back, cut the end (when a torn log tail is dropped) and flush.
public protocol MerkleHashStore {
    /// How many hashes are stored at `level` (0 for a level never written).
    func count(level: Int) -> UInt64

    /// The hash of node `index` at `level`; `index < count(level:)`.
    func hash(level: Int, index: UInt64) throws(TransparencyError) -> Digest

    /// The `count` hashes of `level` from node `start`, concatenated, 32 bytes each; `start + count <= count(level:)`.
    ///
    /// This is how a tile is served (``MerkleTree/tileBytes(_:)``), so a store should read them at once; the default
    /// implementation calls ``hash(level:index:)`` for each.
    func hashBytes(level: Int, start: UInt64, count: Int) throws(TransparencyError) -> [UInt8]

    /// Appends `hash` as node `count(level:)` of `level`.
    mutating func append(_ hash: Digest, level: Int) throws(TransparencyError)

    /// Keeps only the first `count` hashes of `level`.
    mutating func truncate(level: Int, count: UInt64) throws(TransparencyError)

    /// Makes every append durable (fsync for a file store). Until then a crash may lose recent appends, which
    /// ``MerkleTree`` repairs on open by recomputing missing parents.
    mutating func sync() throws(TransparencyError)
}

extension MerkleHashStore {
    public func hashBytes(level: Int, start: UInt64, count: Int) throws(TransparencyError) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(count * 32)
        for offset in 0..<UInt64(count) {
            bytes.append(contentsOf: try hash(level: level, index: start + offset).bytes)
        }
        return bytes
    }
}

/// A ``MerkleHashStore`` in memory: tests, verifiers rebuilding a tree from a log, small logs.
public struct InMemoryMerkleHashStore: MerkleHashStore, Sendable {
    private var levels: [[Digest]] = []

    public init() {}

    public func count(level: Int) -> UInt64 {
        level < levels.count ? UInt64(levels[level].count) : 0
    }

    public func hash(level: Int, index: UInt64) throws(TransparencyError) -> Digest {
        guard level < levels.count, index < UInt64(levels[level].count) else {
            throw TransparencyError(.storage, "le magasin de hachages n'a pas de nœud \(index) au niveau \(level)")
        }
        return levels[level][Int(index)]
    }

    public func hashBytes(level: Int, start: UInt64, count: Int) throws(TransparencyError) -> [UInt8] {
        guard level < levels.count, start <= UInt64(levels[level].count),
            UInt64(count) <= UInt64(levels[level].count) - start
        else {
            throw TransparencyError(
                .storage,
                "le magasin de hachages n'a pas les nœuds \(start)..<\(start + UInt64(count)) au niveau \(level)")
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(count * 32)
        for hash in levels[level][Int(start)..<(Int(start) + count)] {
            bytes.append(contentsOf: hash.bytes)
        }
        return bytes
    }

    public mutating func append(_ hash: Digest, level: Int) throws(TransparencyError) {
        while levels.count <= level { levels.append([]) }
        levels[level].append(hash)
    }

    public mutating func truncate(level: Int, count: UInt64) throws(TransparencyError) {
        guard level < levels.count, count < UInt64(levels[level].count) else { return }
        levels[level].removeLast(levels[level].count - Int(count))
    }

    public mutating func sync() throws(TransparencyError) {}
}

/// A hash store that remembers every hash read through it: a batch of inclusion proofs against one tree reads the
/// same upper nodes again and again, each with its own `pread` from a file store. For one thread, for as long as the
/// tree does not change (a batch of proofs, under the ledger's lock); writes go to the store underneath.
struct MemoizedHashStore<Base: MerkleHashStore>: MerkleHashStore {
    private(set) var base: Base
    private let memo = Memo()

    final class Memo {
        var hashes: [NodeKey: Digest] = [:]
    }

    struct NodeKey: Hashable {
        let level: Int
        let index: UInt64
    }

    init(_ base: Base) {
        self.base = base
    }

    func count(level: Int) -> UInt64 { base.count(level: level) }

    func hash(level: Int, index: UInt64) throws(TransparencyError) -> Digest {
        let key = NodeKey(level: level, index: index)
        if let known = memo.hashes[key] { return known }
        let hash = try base.hash(level: level, index: index)
        memo.hashes[key] = hash
        return hash
    }

    func hashBytes(level: Int, start: UInt64, count: Int) throws(TransparencyError) -> [UInt8] {
        try base.hashBytes(level: level, start: start, count: count)
    }

    mutating func append(_ hash: Digest, level: Int) throws(TransparencyError) {
        memo.hashes.removeAll()
        try base.append(hash, level: level)
    }

    mutating func truncate(level: Int, count: UInt64) throws(TransparencyError) {
        memo.hashes.removeAll()
        try base.truncate(level: level, count: count)
    }

    mutating func sync() throws(TransparencyError) { try base.sync() }
}
