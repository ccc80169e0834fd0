public import LedgerCrypto

/// The read side of a ledger directory as a C2SP tlog-tiles log: its checkpoint, hash tiles and entry bundles, by
/// path (docs/PROOFS.md §9).
///
/// Opening takes the writer lock just long enough to reconcile the Merkle cache with the log and fix the tree size;
/// reads then need no lock, since the log and its cache are only ever appended to below that size. A reader serves
/// every tile of its tree, including partial tiles of any older size (their hashes never change); reopen it to see
/// later appends. Hash tiles are one read of a level file; an entry bundle is two reads (offsets, then the lines),
/// whatever its width.
///
/// Not `Sendable`: it owns the cache's file descriptors. Confine it to one task, or open one per request.
///
/// ```swift
/// let reader = try TileReader.open(LedgerStore(directory: "events"))
/// let tile = try reader.read(path: "tile/0/000.p/217")       // 217 leaf hashes, 6 944 bytes
/// let bundle = try reader.read(path: "tile/entries/000.p/217")
/// ```
public struct TileReader {
    /// The ledger served.
    public let store: LedgerStore
    private let tree: LedgerTree

    /// The number of entries the reader serves tiles for.
    public var size: UInt64 { tree.size }

    private init(store: LedgerStore, tree: LedgerTree) {
        self.store = store
        self.tree = tree
    }

    /// Opens the reader on the log's current complete lines.
    public static func open(_ store: LedgerStore) throws(LedgerError) -> TileReader {
        try LedgerTree.withCurrent(store) { (tree) throws(LedgerError) -> TileReader in
            TileReader(store: store, tree: tree)
        }
    }

    /// The bytes of the resource at `path`.
    ///
    /// - Throws: `.badInput` for a path that is not a canonical tlog-tiles path; `.notFound` for a resource that is not
    ///   in the tree (or no checkpoint yet); `.corrupt` when the log no longer matches its cache.
    public func read(path: String) throws(LedgerError) -> [UInt8] {
        let parsed: TilePath
        do { parsed = try TilePath(parsing: path) } catch {
            throw LedgerError(.badInput, error.message, underlying: error)
        }
        return try read(parsed)
    }

    /// The bytes of `resource`.
    public func read(_ resource: TilePath) throws(LedgerError) -> [UInt8] {
        switch resource {
        case .checkpoint:
            let path = LedgerCheckpoints.latestPath(store)
            guard FileIO.exists(path) else {
                throw LedgerError(.notFound, "le registre n'a pas encore publié de point de contrôle (pas de \(path))")
            }
            return try KeyFiles.read(path)
        case .hashes(let tile):
            return try tree.tileBytes(tile)
        case .entries(let tile):
            return try tree.entryBundle(tile)
        }
    }
}

/// A ``TileFetcher`` over a ledger directory on this machine, through a ``TileReader``: a log served without HTTP,
/// for tests and for mirroring a copy at hand.
///
/// Each fetch opens a reader, so it sees the log as it is at that moment, like a server would.
public struct FileTileFetcher: TileFetcher {
    /// The ledger served.
    public let store: LedgerStore

    public init(directory: String) {
        self.store = LedgerStore(directory: directory)
    }

    public func fetch(_ path: String) async throws -> [UInt8] {
        try TileReader.open(store).read(path: path)
    }
}
