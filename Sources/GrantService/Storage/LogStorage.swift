public import GrantDomain
public import LedgerCore
public import LedgerCrypto

/// Where one log's bytes live: everything the service asks of a store, and nothing more, so that another store
/// (PostgreSQL) can take the file store's place behind the same writer.
///
/// The service keeps the log's state in memory and validates every entry itself; a store only keeps lines, in
/// order, durably, and refuses an append whose expected head is not its own (so two writers can never fork the
/// chain). Calls may block on I/O: the service makes them off its request threads.
public protocol LogStorage: Sendable {
    /// Replays the whole log once, checking every signature and rule: the state the service starts from, and the
    /// report of that verification.
    func load(rules: GrantRules) throws(ServiceError) -> (VerificationReport, Replayer<GrantRules>)

    /// Appends `entries` (parsed, chained, signed and validated by the caller) if the log's head is still
    /// `expected`: all of them durably, or none. Returns the new head, or nil when the head had moved (another
    /// writer): nothing was written then.
    func append(_ entries: [Entry], expecting expected: LogHead) throws(ServiceError) -> LogHead?

    /// The entries other writers appended after the first `size` (another server on the same database), in order;
    /// empty for a store this service alone writes.
    func entries(after size: UInt64) throws(ServiceError) -> [Entry]

    /// Whether other servers may append to this store (a shared database): the service then catches up on their
    /// entries before each write and each read of the head.
    var isShared: Bool { get }

    /// Whether the store may hold entries after the first `size` that this service has not replayed (another
    /// server appended them): the service catches up before a write when it may. A shared store that hears of the
    /// others' appends says false when it heard of none; the store's compare-and-set is the guarantee even so.
    func mayHaveEntries(after size: UInt64) -> Bool

    /// The RFC 6962 leaf hash of entry `seq`, which must be below the size of the last append or load.
    func leafHash(seq: UInt64) throws(ServiceError) -> Digest

    /// A tlog-tiles resource (docs/PROOFS.md §9): the checkpoint, or a hash tile or entry bundle of the tree of
    /// `size` entries (the acknowledged head: a tile past it is not found).
    func resource(_ path: TilePath, size: UInt64) throws(ServiceError) -> [UInt8]

    /// Signs a checkpoint of the first `size` entries with `key`, after which `resource(.checkpoint)` serves it and
    /// the tiles of that tree are served. `keys` is the key registry after exactly those entries.
    func signCheckpoint(keys: KeyRegistry, size: UInt64, key: Ed25519PrivateKey) throws(ServiceError)
        -> SignedCheckpoint

    /// The signed checkpoint served now, if any.
    func latestCheckpoint() throws(ServiceError) -> [UInt8]?

    /// The checkpoint the log signed at `size`, if it signed one.
    func checkpoint(size: UInt64) throws(ServiceError) -> [UInt8]?

    /// The SIRETs the SCDL export needs (docs/PUBLISHING.md §4), as the CSV the log's operator keeps, if any.
    func scdlIdentifiers() throws(ServiceError) -> [UInt8]?

    /// Proofs against checkpoints the log signed (docs/PROOFS.md §4).
    func inclusionProof(seq: UInt64, checkpoint: [UInt8]) throws(ServiceError) -> (InclusionProof, [UInt8])
    func consistencyProof(old: [UInt8], new: [UInt8]) throws(ServiceError) -> ConsistencyProof

    /// A decision bundle for one application, against the checkpoint `checkpoint` (docs/PROOFS.md §8), from the
    /// service's replayed `state` and `keys`.
    func decisionBundle(applicationID: String, checkpoint: [UInt8], state: GrantState, keys: KeyRegistry)
        throws(ServiceError) -> DecisionBundle

    /// The first `size` lines with their `\n`, as published figures name them (SHA-256 and length of the file).
    func logPrefix(size: UInt64) throws(ServiceError) -> [UInt8]

    /// The RFC 6962 root of the first `size` entries.
    func root(size: UInt64) throws(ServiceError) -> Digest
}

extension LogStorage {
    /// A directory's writers all go through this service: there is nothing to catch up on.
    public func entries(after size: UInt64) throws(ServiceError) -> [Entry] { [] }

    public var isShared: Bool { false }

    public func mayHaveEntries(after size: UInt64) -> Bool { isShared }

    /// The lines of entries `seqs` (each below the published tree's size), without their `\n`, read from the
    /// entry bundles: one read per bundle.
    public func lines(seqs: [UInt64], size: UInt64) throws(ServiceError) -> [UInt64: [UInt8]] {
        var lines: [UInt64: [UInt8]] = [:]
        let byBundle = Dictionary(grouping: Set(seqs), by: { $0 / UInt64(Tile.fullWidth) })
        for (index, members) in byBundle {
            let last = members.max()! % UInt64(Tile.fullWidth)
            // The smallest bundle that holds them: full, or partial up to the last one asked for.
            var bytes: [UInt8]? = nil
            var width = Tile.fullWidth
            if let full = try? Tile(level: 0, index: index), let found = try? resource(.entries(full), size: size) {
                bytes = found
            } else if let partial = try? Tile(level: 0, index: index, width: Int(last) + 1) {
                width = Int(last) + 1
                bytes = try resource(.entries(partial), size: size)
            }
            guard let bytes, let entries = try? EntryBundle.decode(bytes, count: width) else {
                throw ServiceError(.internalFailure, "le paquet d'entrées \(index) n'a pas pu être lu")
            }
            for seq in members { lines[seq] = Array(entries[Int(seq % UInt64(Tile.fullWidth))]) }
        }
        return lines
    }
}
