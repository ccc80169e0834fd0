public import GrantDomain
import Foundation
import GrantPublishing
public import LedgerCore
public import LedgerCrypto
import Synchronization

/// A log kept in a ledger directory (`LedgerStore`): the embedded default store.
///
/// Appends go through ``LedgerStore/appendVerified(_:expecting:)`` (writer lock, one `write` and one `fsync`
/// per batch). Tiles are served by one ``TileReader`` per log, reopened when a checkpoint is signed or a tile past
/// its tree is asked for, never per request (opening reconciles the Merkle cache under the writer lock).
public final class FileLogStorage: LogStorage {
    public let store: LedgerStore
    /// The log's name, for messages.
    let name: String
    /// The reader of the tree last published; nil until first needed.
    private let reader = Mutex(SharedReader())

    /// A ``TileReader`` owns file descriptors and is not `Sendable`: this one is only ever used under `reader`'s lock,
    /// one thread at a time, which is what the reader requires.
    private struct SharedReader: @unchecked Sendable {
        var current: TileReader? = nil
    }

    public init(directory: String, name: String) {
        self.store = LedgerStore(directory: directory)
        self.name = name
    }

    private func mapped<T>(_ body: () throws(LedgerError) -> T) throws(ServiceError) -> T {
        do { return try body() } catch { throw ServiceError.storage(error, log: name) }
    }

    public func load(rules: GrantRules) throws(ServiceError) -> (VerificationReport, Replayer<GrantRules>) {
        try mapped { () throws(LedgerError) in try LedgerVerifier.verify(store: store, domain: rules) }
    }

    public func append(_ entries: [Entry], expecting expected: LogHead) throws(ServiceError) -> LogHead? {
        let result = try mapped { () throws(LedgerError) in
            try store.appendVerified(entries, expecting: expected.hash)
        }
        switch result {
        case .appended: return expected.appending(entries)
        case .stale: return nil
        }
    }

    /// Runs `body` on a reader whose tree has at least `size` entries, reopening it if needed.
    private func withReader<T>(covering size: UInt64, _ body: (TileReader) throws(LedgerError) -> T)
        throws(ServiceError) -> T
    {
        try mapped { () throws(LedgerError) -> T in
            try reader.withLock { (shared) throws(LedgerError) -> T in
                if shared.current == nil || shared.current!.size < size { shared.current = try TileReader.open(store) }
                return try body(shared.current!)
            }
        }
    }

    public func leafHash(seq: UInt64) throws(ServiceError) -> Digest {
        let tileIndex = seq / UInt64(Tile.fullWidth)
        let position = Int(seq % UInt64(Tile.fullWidth))
        return try withReader(covering: seq + 1) { (reader) throws(LedgerError) -> Digest in
            let width = Int(min(UInt64(Tile.fullWidth), reader.size - tileIndex * UInt64(Tile.fullWidth)))
            guard let tile = try? Tile(level: 0, index: tileIndex, width: width) else {
                throw LedgerError(.badInput, "le registre n'a pas d'entrée \(seq)")
            }
            let bytes = try reader.read(.hashes(tile))
            let start = position * Tile.hashSize
            guard let digest = Digest(bytes: Array(bytes[start..<(start + Tile.hashSize)])) else {
                throw LedgerError(.corrupt, "le cache Merkle a rendu une tuile incomplète")
            }
            return digest
        }
    }

    public func resource(_ path: TilePath, size: UInt64) throws(ServiceError) -> [UInt8] {
        var needed: UInt64 = 0
        if let tile = path.tile {
            // The number of leaves the tile's last hash covers.
            let end = tile.index.multipliedReportingOverflow(by: UInt64(Tile.fullWidth)).partialValue
                .addingReportingOverflow(UInt64(tile.width)).partialValue
            let (leaves, overflow) = end.multipliedReportingOverflow(by: UInt64(1) << UInt64(tile.level * Tile.height))
            guard !overflow, leaves <= size else {
                throw ServiceError(.notFound, "\(path) n'est pas dans l'arbre de \(size) entrées du registre \(name)")
            }
            needed = min(leaves, size)
        }
        return try withReader(covering: needed) { (reader) throws(LedgerError) -> [UInt8] in try reader.read(path) }
    }

    public func signCheckpoint(keys: KeyRegistry, size: UInt64, key: Ed25519PrivateKey) throws(ServiceError)
        -> SignedCheckpoint
    {
        let signed = try mapped { () throws(LedgerError) in
            try LedgerCheckpoints.sign(store: store, keys: keys, size: size, key: key).checkpoint
        }
        // Serve the new tree from now on.
        try mapped { () throws(LedgerError) in
            try reader.withLock { (shared) throws(LedgerError) in shared.current = try TileReader.open(store) }
        }
        return signed
    }

    public func latestCheckpoint() throws(ServiceError) -> [UInt8]? {
        try readIfPresent(LedgerCheckpoints.latestPath(store))
    }

    public func inclusionProof(seq: UInt64, checkpoint: [UInt8]) throws(ServiceError) -> (InclusionProof, [UInt8]) {
        let result = try mapped { () throws(LedgerError) in
            try LedgerProofs.inclusion(store: store, seq: seq, checkpoint: checkpoint, label: "le point de contrôle")
        }
        return (result.proof, result.line)
    }

    public func consistencyProof(old: [UInt8], new: [UInt8]) throws(ServiceError) -> ConsistencyProof {
        try mapped { () throws(LedgerError) in
            try LedgerProofs.consistency(
                store: store, old: old, oldLabel: "l'ancien point de contrôle", new: new,
                newLabel: "le point de contrôle")
        }
    }

    public func decisionBundle(applicationID: String, checkpoint: [UInt8], state: GrantState, keys: KeyRegistry)
        throws(ServiceError) -> DecisionBundle
    {
        try mapped { () throws(LedgerError) in
            try DecisionBundle.build(
                store: store, applicationID: applicationID, checkpoint: checkpoint, label: "le point de contrôle",
                state: state, keys: keys)
        }
    }

    public func logPrefix(size: UInt64) throws(ServiceError) -> [UInt8] {
        try mapped { () throws(LedgerError) -> [UInt8] in
            let reader = try store.lines()
            var bytes: [UInt8] = []
            var count: UInt64 = 0
            while count < size, let line = reader.next() {
                bytes.append(contentsOf: line)
                bytes.append(0x0A)
                count += 1
            }
            if let error = reader.error { throw error }
            return bytes
        }
    }

    public func root(size: UInt64) throws(ServiceError) -> Digest {
        try mapped { () throws(LedgerError) -> Digest in
            try LedgerTree.withCurrent(store) { (tree) throws(LedgerError) -> Digest in try tree.root(size: size) }
        }
    }

    public func checkpoint(size: UInt64) throws(ServiceError) -> [UInt8]? {
        try readIfPresent(LedgerCheckpoints.path(store, size: size))
    }

    public func scdlIdentifiers() throws(ServiceError) -> [UInt8]? {
        try readIfPresent(store.directory + "/" + SCDLIdentifiers.defaultFileName)
    }

    private func readIfPresent(_ path: String) throws(ServiceError) -> [UInt8]? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        return try mapped { () throws(LedgerError) in try KeyFiles.read(path) }
    }
}
