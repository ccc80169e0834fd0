public import LedgerCrypto

/// The RFC 6962 Merkle tree of a ledger's log, kept beside it in `<ledger>/merkle/` as a derived cache.
///
/// Leaf `i` is line `i` of `ledger.jsonl` without its `\n` (docs/PROOFS.md §1). The directory holds the
/// ``FileMerkleHashStore`` level files and `offsets`, one 8-byte big-endian record per leaf: the byte offset just
/// past that line's `\n`, so an entry's line is one `pread` away and the tree knows where in the log it stops.
///
/// The log is the only source of truth; the cache is never trusted, only reconciled. ``open(_:)`` checks that the
/// tree's last leaf still hashes to the log's line at that offset, cuts the tree back when the log got shorter,
/// rebuilds it from scratch when neither holds (a rewritten log, a damaged cache), and then hashes only the lines
/// it has not seen. `verify` never reads the cache: it recomputes roots from the log.
///
/// Every mutation happens under the ledger's writer lock: ``LedgerWriter/flush()`` appends the leaves of the
/// entries it wrote (``recordAppend(_:store:fromLength:toLength:)``), and readers that want a proof call
/// ``withCurrent(_:_:)``. Appending costs O(log n) writes, a root or a proof O(log n) reads.
///
/// ```swift
/// let proof = try LedgerTree.withCurrent(ledger.store) { (tree) throws(LedgerError) in
///     try tree.inclusionProof(index: 3, size: tree.size)
/// }
/// ```
public struct LedgerTree {
    /// The cache directory's name inside the ledger directory.
    public static let directoryName = "merkle"
    static let offsetsFileName = "offsets"

    /// The Merkle tree over the log's lines.
    private(set) var tree: MerkleTree<LeafStore>
    let offsets: OffsetFile
    let logPath: String

    /// The number of leaves (log lines) in the tree.
    public var size: UInt64 { tree.size }
    /// The root of the whole tree.
    public var root: Digest { tree.root }
    /// The length in bytes of the log prefix the tree covers (ends just after a `\n`).
    public var coveredLength: Int { size == 0 ? 0 : Int(offsets.last ?? 0) }

    private init(tree: MerkleTree<LeafStore>, offsets: OffsetFile, logPath: String) {
        self.tree = tree
        self.offsets = offsets
        self.logPath = logPath
    }

    /// Opens the cache of `store` and reconciles it with the log's committed lines. The caller holds the writer
    /// lock (see ``withCurrent(_:_:)``), since reconciling writes to the cache.
    public static func open(_ store: LedgerStore) throws(LedgerError) -> LedgerTree {
        try open(store, logLength: try store.viewLocked().length)
    }

    /// Takes the writer lock, opens and reconciles the cache, and runs `body` on it.
    ///
    /// Where the cache cannot be used — a read-only copy of the ledger, a directory the process may not write, a
    /// damaged or refused `merkle/` (a symbolic link) — the tree is rebuilt in memory from the committed log instead,
    /// under the shared lock if there is one: proofs come from the log either way.
    public static func withCurrent<T>(
        _ store: LedgerStore, _ body: (inout LedgerTree) throws(LedgerError) -> T
    ) throws(LedgerError) -> T {
        guard store.exists else {
            throw LedgerError(
                .notFound,
                "il n'y a pas de registre dans \(store.directory) (pas de \(LedgerStore.logFileName))"
            )
        }
        var cacheOpened = false
        do {
            return try store.withExclusiveLock { () throws(LedgerError) -> T in
                guard var tree = try? open(store) else {
                    throw LedgerError(.readOnly, "le cache de Merkle est inutilisable")
                }
                cacheOpened = true
                return try body(&tree)
            }
        } catch  where error.code == .readOnly && !cacheOpened {
            var tree = try inMemory(store)
            return try body(&tree)
        }
    }

    /// The tree of the committed log, computed in memory (one pass over the log), for a directory that cannot be
    /// written.
    static func inMemory(_ store: LedgerStore) throws(LedgerError) -> LedgerTree {
        let view = try store.view()
        let merkle = try mapped { () throws(TransparencyError) in try MerkleTree(store: LeafStore.memory(Levels())) }
        var ledgerTree = LedgerTree(tree: merkle, offsets: OffsetFile(), logPath: store.logPath)
        let fd = try FileIO.open(store.logPath, Platform.readOnly)
        defer { Platform.close(fd) }
        try ledgerTree.catchUp(fd: fd, logLength: view.length)
        return ledgerTree
    }

    /// Appends the leaves of entries just written to the log, from byte `fromLength` to `toLength`.
    ///
    /// Called by ``LedgerWriter/flush()`` after the entries are durable, under the writer lock. It never throws:
    /// the append is already acknowledged, and a cache left behind is caught up by the next ``open(_:)``.
    static func recordAppend(_ entries: [Entry], store: LedgerStore, fromLength: Int, toLength: Int) {
        guard var ledgerTree = try? open(store, logLength: fromLength) else { return }
        var end = UInt64(fromLength)
        for entry in entries {
            end += UInt64(entry.line.count + 1)
            guard (try? ledgerTree.appendLeaf(RFC6962.leafHash(entry.line), end: end)) != nil else { return }
        }
        // Should `end` differ from `toLength`, the next open finds the last leaf off its line and rebuilds.
    }

    // MARK: - Reading

    /// The line of leaf `index`, without its `\n`: one `pread`.
    public func line(at index: UInt64) throws(LedgerError) -> [UInt8] {
        let fd = try FileIO.open(logPath, Platform.readOnly)
        defer { Platform.close(fd) }
        return try line(at: index, fd: fd)
    }

    /// The line of leaf `index`, read from `fd`, the log opened by the caller for as many lines as it reads.
    func line(at index: UInt64, fd: Int32) throws(LedgerError) -> [UInt8] {
        guard index < size else {
            throw LedgerError(.badInput, "le registre a \(size) entrées, il n'a pas d'entrée \(index)")
        }
        let start = index == 0 ? 0 : try offsets.get(index - 1)
        let end = try offsets.get(index)
        let bytes = try FileIO.pread(fd, count: Int(end - start), offset: Int(start), path: logPath)
        guard bytes.count == Int(end - start), bytes.last == 0x0A else {
            throw LedgerError(.corrupt, "le registre a changé sous son cache de Merkle")
        }
        return Array(bytes.dropLast())
    }

    /// The root of the tree at `size` leaves.
    public func root(size oldSize: UInt64) throws(LedgerError) -> Digest {
        try Self.mapped { () throws(TransparencyError) in try tree.root(size: oldSize) }
    }

    /// The inclusion path of leaf `index` in the tree of `size` leaves.
    public func inclusionProof(index: UInt64, size proofSize: UInt64) throws(LedgerError) -> [Digest] {
        try Self.mapped { () throws(TransparencyError) in try tree.inclusionProof(index: index, size: proofSize) }
    }

    /// The consistency proof from `oldSize` to `newSize` leaves.
    public func consistencyProof(from oldSize: UInt64, to newSize: UInt64) throws(LedgerError) -> [Digest] {
        try Self.mapped { () throws(TransparencyError) in try tree.consistencyProof(from: oldSize, to: newSize) }
    }

    /// Makes the cache durable (the log itself always is).
    public mutating func sync() throws(LedgerError) {
        try Self.mapped { () throws(TransparencyError) in try tree.sync() }
        try offsets.sync()
    }

    // MARK: - Reconciling

    static func open(_ store: LedgerStore, logLength: Int) throws(LedgerError) -> LedgerTree {
        let directory = store.directory + "/" + directoryName
        let hashStore = try mapped { () throws(TransparencyError) in try FileMerkleHashStore(directory: directory) }
        let merkle = try mapped { () throws(TransparencyError) in try MerkleTree(store: LeafStore.file(hashStore)) }
        let offsets = try OffsetFile(path: directory + "/" + offsetsFileName)
        var ledgerTree = LedgerTree(tree: merkle, offsets: offsets, logPath: store.logPath)
        try ledgerTree.reconcile(logLength: logLength)
        return ledgerTree
    }

    /// Brings the tree to exactly the complete lines of the first `logLength` bytes of the log.
    private mutating func reconcile(logLength: Int) throws(LedgerError) {
        let fd = try FileIO.open(logPath, Platform.readOnly)
        defer { Platform.close(fd) }
        // A crash between the two files may leave one a few leaves ahead.
        try truncate(to: min(tree.size, offsets.count))
        if size > 0 {
            // Keep the longest prefix whose end lies inside the log (the log may have been cut), then check its last
            // leaf against the log's bytes.
            var keep = size
            if try offsets.get(keep - 1) > UInt64(logLength) {
                var low: UInt64 = 0
                var high = keep - 1
                while low < high {
                    let middle = (low + high) / 2
                    if try offsets.get(middle) <= UInt64(logLength) { low = middle + 1 } else { high = middle }
                }
                keep = low
            }
            if keep > 0, try !lastLeafMatches(keep, fd: fd) { keep = 0 }
            try truncate(to: keep)
        }
        try catchUp(fd: fd, logLength: logLength)
    }

    /// Whether leaf `count - 1`'s stored hash is the hash of the log's line that ends at its stored offset.
    private func lastLeafMatches(_ count: UInt64, fd: Int32) throws(LedgerError) -> Bool {
        let start = count == 1 ? 0 : try offsets.get(count - 2)
        let end = try offsets.get(count - 1)
        guard end > start else { return false }
        let bytes = try FileIO.pread(fd, count: Int(end - start), offset: Int(start), path: logPath)
        guard bytes.count == Int(end - start), bytes.last == 0x0A, !bytes.dropLast().contains(0x0A) else {
            return false
        }
        let stored = try Self.mapped { () throws(TransparencyError) in try tree.leafHash(at: count - 1) }
        return stored == RFC6962.leafHash(bytes.dropLast())
    }

    /// Hashes and appends the complete lines after ``coveredLength``, up to `logLength`.
    private mutating func catchUp(fd: Int32, logLength: Int) throws(LedgerError) {
        var offset = coveredLength
        var pending: [UInt8] = []
        while offset < logLength {
            let chunk = try FileIO.pread(fd, count: min(1 << 20, logLength - offset), offset: offset, path: logPath)
            guard !chunk.isEmpty else { break }
            var start = 0
            while let newline = chunk[start...].firstIndex(of: 0x0A) {
                let end = UInt64(offset + newline + 1)
                let hash: Digest
                if pending.isEmpty {
                    hash = RFC6962.leafHash(chunk[start..<newline])
                } else {
                    pending.append(contentsOf: chunk[start..<newline])
                    hash = RFC6962.leafHash(pending)
                    pending.removeAll(keepingCapacity: true)
                }
                try appendLeaf(hash, end: end)
                start = newline + 1
            }
            pending.append(contentsOf: chunk[start...])
            offset += chunk.count
        }
    }

    private mutating func appendLeaf(_ hash: Digest, end: UInt64) throws(LedgerError) {
        try offsets.append(end)
        do {
            try tree.append(leafHash: hash)
        } catch {
            try? offsets.truncate(tree.size)
            throw LedgerError(
                .io, "le cache de Merkle n'a pas pu être mis à jour : \(error.message)", underlying: error)
        }
    }

    private mutating func truncate(to count: UInt64) throws(LedgerError) {
        if count < tree.size { try Self.mapped { () throws(TransparencyError) in try tree.truncate(toSize: count) } }
        try offsets.truncate(count)
    }

    static func mapped<T>(_ body: () throws(TransparencyError) -> T) throws(LedgerError) -> T {
        do { return try body() } catch {
            switch error.code {
            case .outOfRange: throw LedgerError(.badInput, error.message, underlying: error)
            default: throw LedgerError(.io, "le cache de Merkle a échoué : \(error.message)", underlying: error)
            }
        }
    }
}

/// `merkle/offsets`: fixed 8-byte big-endian records, appended with `pwrite`, cut with `ftruncate`; or the same
/// records in memory, for a tree computed without its cache.
final class OffsetFile {
    private let path: String
    private let fd: Int32
    private var memory: [UInt64]?
    private(set) var count: UInt64
    private(set) var last: UInt64?

    init(path: String) throws(LedgerError) {
        self.path = path
        fd = try FileIO.open(path, Platform.readWrite | Platform.create)
        let size: Int
        do throws(LedgerError) { size = try FileIO.size(fd, path: path) } catch {
            Platform.close(fd)
            throw error
        }
        count = UInt64(size / 8)
        last = nil
        if size % 8 != 0 { try FileIO.truncate(fd, to: Int(count * 8), path: path) }
        if count > 0 { last = try get(count - 1) }
    }

    /// Offsets kept in memory only.
    init() {
        path = "(memory)"
        fd = -1
        memory = []
        count = 0
    }

    deinit { if fd >= 0 { Platform.close(fd) } }

    func get(_ index: UInt64) throws(LedgerError) -> UInt64 {
        if let memory {
            guard index < UInt64(memory.count) else { throw LedgerError(.io, "pas de position \(index) en mémoire") }
            return memory[Int(index)]
        }
        let bytes = try FileIO.pread(fd, count: 8, offset: Int(index * 8), path: path)
        guard bytes.count == 8 else { throw LedgerError(.io, "\(path) est plus court que prévu") }
        return bytes.reduce(0) { $0 << 8 | UInt64($1) }
    }

    /// Records `first ..< first + count` with one read.
    func get(_ first: UInt64, count: Int) throws(LedgerError) -> [UInt64] {
        if let memory {
            guard first + UInt64(count) <= UInt64(memory.count) else {
                throw LedgerError(.io, "pas de positions \(first)..<\(first + UInt64(count)) en mémoire")
            }
            return Array(memory[Int(first)..<(Int(first) + count)])
        }
        let bytes = try FileIO.pread(fd, count: count * 8, offset: Int(first * 8), path: path)
        guard bytes.count == count * 8 else { throw LedgerError(.io, "\(path) est plus court que prévu") }
        return bytes.withUnsafeBytes { raw in
            (0..<count).map { UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: $0 * 8, as: UInt64.self)) }
        }
    }

    func append(_ value: UInt64) throws(LedgerError) {
        if memory != nil {
            memory!.append(value)
        } else {
            let bytes = (0..<8).map { UInt8(truncatingIfNeeded: value >> (56 - 8 * UInt64($0))) }
            try FileIO.pwriteAll(fd, bytes, offset: Int(count * 8), path: path)
        }
        count += 1
        last = value
    }

    func truncate(_ newCount: UInt64) throws(LedgerError) {
        guard newCount < count else { return }
        if memory != nil {
            memory!.removeLast(Int(count - newCount))
        } else {
            try FileIO.truncate(fd, to: Int(newCount * 8), path: path)
        }
        count = newCount
        last = newCount > 0 ? try get(newCount - 1) : nil
    }

    func sync() throws(LedgerError) {
        if memory == nil { try FileIO.fsync(fd, path: path) }
    }
}

/// Where a ``LedgerTree`` keeps its hashes: the `merkle/` files, or memory when they cannot be used.
enum LeafStore: MerkleHashStore {
    case file(FileMerkleHashStore)
    case memory(Levels)

    func count(level: Int) -> UInt64 {
        switch self {
        case .file(let store): return store.count(level: level)
        case .memory(let levels): return levels.store.count(level: level)
        }
    }

    func hash(level: Int, index: UInt64) throws(TransparencyError) -> Digest {
        switch self {
        case .file(let store): return try store.hash(level: level, index: index)
        case .memory(let levels): return try levels.store.hash(level: level, index: index)
        }
    }

    mutating func append(_ hash: Digest, level: Int) throws(TransparencyError) {
        switch self {
        case .file(let store): try store.append(hash, level: level)
        case .memory(let levels): try levels.store.append(hash, level: level)
        }
    }

    func hashBytes(level: Int, start: UInt64, count: Int) throws(TransparencyError) -> [UInt8] {
        switch self {
        case .file(let store): return try store.hashBytes(level: level, start: start, count: count)
        case .memory(let levels): return try levels.store.hashBytes(level: level, start: start, count: count)
        }
    }

    mutating func truncate(level: Int, count: UInt64) throws(TransparencyError) {
        switch self {
        case .file(let store): try store.truncate(level: level, count: count)
        case .memory(let levels): try levels.store.truncate(level: level, count: count)
        }
    }

    mutating func sync() throws(TransparencyError) {
        if case .file(let store) = self { try store.sync() }
    }
}

/// An in-memory hash store behind a reference, so that appending through ``LeafStore`` never copies it.
final class Levels {
    var store = InMemoryMerkleHashStore()
}
