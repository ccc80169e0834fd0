import Dispatch
public import GrantDomain
public import LedgerCore
public import LedgerCrypto
public import LedgerPostgres
import Synchronization

/// A log kept in a PostgreSQL database shared by several servers (``PostgresLogStore``, docs/SERVICE.md §6).
///
/// The service calls a store from its own dispatch queues (never from the cooperative pool), so each call waits
/// here for the asynchronous database client. A failure to reach the database is `.unavailable` (503 with
/// `Retry-After`): nothing was acknowledged, and the client may resend the same entries (an identical resend of
/// entries that did commit is answered 200).
public final class PostgresLogStorage: LogStorage {
    public let store: PostgresLogStore
    let name: String

    public init(store: PostgresLogStore) {
        self.store = store
        self.name = store.name
    }

    /// Runs the asynchronous `body` and waits for it on the calling (dispatch) thread.
    private func wait<T: Sendable>(_ body: @escaping @Sendable () async throws(LedgerError) -> T) throws(ServiceError)
        -> T
    {
        let result = Mutex<Result<T, LedgerError>?>(nil)
        let done = DispatchSemaphore(value: 0)
        // Not on the cooperative pool: its threads may all be waiting for the lock this thread holds.
        Task(executorPreference: DatabaseExecutor.shared) {
            let outcome: Result<T, LedgerError>
            do throws(LedgerError) { outcome = .success(try await body()) } catch { outcome = .failure(error) }
            result.withLock { $0 = outcome }
            done.signal()
        }
        done.wait()
        switch result.withLock({ $0 })! {
        case .success(let value): return value
        case .failure(let error): throw Self.serviceError(error, log: name)
        }
    }

    /// A database that cannot be reached is unavailable for now, not a failure of the log.
    static func serviceError(_ error: LedgerError, log: String) -> ServiceError {
        guard error.code == .io else { return ServiceError.storage(error, log: log) }
        return ServiceError(
            .unavailable, "la base du registre \(log) est indisponible (\(error.message)) ; réessayez",
            underlying: error)
    }

    private func tree() throws(ServiceError) -> MerkleTree<InMemoryMerkleHashStore> {
        do { return try store.merkleTree() } catch { throw Self.serviceError(error, log: name) }
    }

    private func transparency<T>(_ body: () throws(TransparencyError) -> T) throws(ServiceError) -> T {
        do { return try body() } catch { throw ServiceError(.internalFailure, error.message, underlying: error) }
    }

    private func mapped<T>(_ body: () throws(LedgerError) -> T) throws(ServiceError) -> T {
        do { return try body() } catch { throw Self.serviceError(error, log: name) }
    }

    // MARK: - LogStorage

    public var isShared: Bool { true }

    public func mayHaveEntries(after size: UInt64) -> Bool { store.mayHaveEntries(after: size) }

    public func load(rules: GrantRules) throws(ServiceError) -> (VerificationReport, Replayer<GrantRules>) {
        let store = self.store
        let lines = try wait { () async throws(LedgerError) -> [[UInt8]] in
            try await store.catchUp()
            return try await store.lines(from: 0, limit: Int.max)
        }
        return LedgerVerifier.verify(lines: lines, domain: rules)
    }

    public func entries(after size: UInt64) throws(ServiceError) -> [Entry] {
        let store = self.store
        let fresh = try wait { () async throws(LedgerError) -> [[UInt8]] in
            try await store.catchUp()
            guard store.treeSize > size else { return [] }
            return try await store.lines(from: Int64(size), limit: Int(store.treeSize - size))
        }
        var entries: [Entry] = []
        for line in fresh {
            do throws(EntryError) { entries.append(try Entry(line: line)) } catch {
                throw ServiceError(
                    .internalFailure, "une entrée du registre \(name) dans la base n'est pas valide : \(error.message)",
                    underlying: error)
            }
        }
        return entries
    }

    public func append(_ entries: [Entry], expecting expected: LogHead) throws(ServiceError) -> LogHead? {
        let store = self.store
        let head = LogStoreHead(count: Int64(expected.size), hash: expected.hash)
        let result = try wait { () async throws(LedgerError) -> LogStoreAppend in
            do throws(LedgerError) {
                return try await store.appendVerified(entries, expecting: head)
            } catch  where error.code == .alreadyExists {
                // `UNIQUE (log, prev)` or the primary key refused the batch: another node appended first.
                return .stale(try await store.head())
            }
        }
        switch result {
        case .appended: return expected.appending(entries)
        case .stale: return nil
        }
    }

    public func leafHash(seq: UInt64) throws(ServiceError) -> Digest {
        if seq >= store.treeSize {
            let store = self.store
            _ = try wait { () async throws(LedgerError) in try await store.catchUp().count }
        }
        let tree = try tree()
        return try transparency { () throws(TransparencyError) in try tree.leafHash(at: seq) }
    }

    public func resource(_ path: TilePath, size: UInt64) throws(ServiceError) -> [UInt8] {
        let store = self.store
        switch path {
        case .checkpoint:
            guard let latest = try latestCheckpoint() else {
                throw ServiceError(.notFound, "le registre \(name) n'a pas encore publié de point de contrôle")
            }
            return latest
        case .hashes(let tile):
            guard tile.exists(inTreeOfSize: size) else {
                throw ServiceError(.notFound, "\(path) n'est pas dans l'arbre de \(size) entrées du registre \(name)")
            }
            if !tile.exists(inTreeOfSize: store.treeSize) {
                _ = try wait { () async throws(LedgerError) in try await store.catchUp().count }
            }
            return try wait { () async throws(LedgerError) in try await store.tileBytes(tile) }
        case .entries(let tile):
            guard tile.level == 0, tile.exists(inTreeOfSize: size) else {
                throw ServiceError(.notFound, "\(path) n'est pas dans le registre \(name) de \(size) entrées")
            }
            let lines = try wait { () async throws(LedgerError) in
                try await store.lines(from: Int64(tile.firstHashIndex), limit: tile.width)
            }
            guard lines.count == tile.width else {
                throw ServiceError(.notFound, "\(path) n'est pas dans le registre \(name) de \(size) entrées")
            }
            return try transparency { () throws(TransparencyError) in try EntryBundle.encode(lines) }
        }
    }

    public func signCheckpoint(keys: KeyRegistry, size: UInt64, key: Ed25519PrivateKey) throws(ServiceError)
        -> SignedCheckpoint
    {
        guard let origin = keys.origin else {
            throw ServiceError(.internalFailure, "le registre \(name) n'a pas d'entrée ledger.created")
        }
        guard let record = keys[key.publicKey.keyID], record.role == .authority, record.revokedAt == nil else {
            throw ServiceError(
                .refused,
                "la clé \(key.publicKey.keyID.prefix(16))… n'est pas une clé d'autorité enregistrée et non révoquée du registre \(name)"
            )
        }
        let store = self.store
        if store.treeSize < size {
            _ = try wait { () async throws(LedgerError) in try await store.catchUp().count }
        }
        let tree = try tree()
        let root = try transparency { () throws(TransparencyError) in try tree.root(size: size) }
        let checkpoint = try transparency { () throws(TransparencyError) in
            try Checkpoint(origin: origin, size: size, rootHash: root)
        }
        let signer = try transparency { () throws(TransparencyError) in try NoteSigner(name: origin, privateKey: key) }
        let text = try transparency { () throws(TransparencyError) in
            try SignedCheckpoint(checkpoint, signer: signer).text
        }
        let note = try wait { () async throws(LedgerError) -> [UInt8]? in
            try await store.withSigningLock { (latest) throws(LedgerError) -> (size: UInt64, note: [UInt8])? in
                if let latest {
                    guard let body = try? Note(parsing: latest).text, let previous = try? Checkpoint(body: body) else {
                        throw LedgerError(.corrupt, "le dernier point de contrôle en base n'est pas lisible")
                    }
                    // Another node signed as far or further meanwhile: its checkpoint stands.
                    if previous.size >= size { return nil }
                    try LedgerProofs.requireOwn(
                        previous, label: "le dernier point de contrôle", origin: origin, tree: tree)
                }
                return (size, Array(text.utf8))
            }
        }
        guard let note else { throw ServiceError(.internalFailure, "aucun point de contrôle n'a été enregistré") }
        return try transparency { () throws(TransparencyError) in
            try SignedCheckpoint.open(note, log: NoteVerifier(name: origin, publicKey: key.publicKey))
        }
    }

    public func latestCheckpoint() throws(ServiceError) -> [UInt8]? {
        let store = self.store
        return try wait { () async throws(LedgerError) in try await store.latestCheckpoint() }
    }

    public func checkpoint(size: UInt64) throws(ServiceError) -> [UInt8]? {
        let store = self.store
        return try wait { () async throws(LedgerError) in try await store.checkpoint(size: size) }
    }

    /// A log in a database has no SIRET file beside it: the SCDL export names the SIRETs missing.
    public func scdlIdentifiers() throws(ServiceError) -> [UInt8]? { nil }

    public func inclusionProof(seq: UInt64, checkpoint: [UInt8]) throws(ServiceError) -> (InclusionProof, [UInt8]) {
        let store = self.store
        let (origin, lines) = try wait { () async throws(LedgerError) in
            (try await store.origin(), try await store.lines(from: Int64(seq), limit: 1))
        }
        let tree = try tree()
        let proof = try mapped { () throws(LedgerError) in
            try LedgerProofs.inclusion(
                tree: tree, origin: origin, seq: seq, checkpoint: checkpoint, label: "le point de contrôle")
        }
        guard let line = lines.first else { throw ServiceError(.notFound, "il n'y a pas d'entrée \(seq)") }
        return (proof, line)
    }

    public func consistencyProof(old: [UInt8], new: [UInt8]) throws(ServiceError) -> ConsistencyProof {
        let store = self.store
        let origin = try wait { () async throws(LedgerError) in try await store.origin() }
        let tree = try tree()
        return try mapped { () throws(LedgerError) in
            try LedgerProofs.consistency(
                tree: tree, origin: origin, old: old, oldLabel: "l'ancien point de contrôle", new: new,
                newLabel: "le point de contrôle")
        }
    }

    /// The bundle's entries come from the database one by one (a bundle holds a few dozen), each with its proof
    /// from the tree this node holds, which covers every checkpoint it serves.
    public func decisionBundle(applicationID: String, checkpoint: [UInt8], state: GrantState, keys: KeyRegistry)
        throws(ServiceError) -> DecisionBundle
    {
        var failure: ServiceError? = nil
        do {
            return try DecisionBundle.build(
                applicationID: applicationID, checkpoint: checkpoint, label: "le point de contrôle", state: state,
                keys: keys
            ) { (seq) throws(LedgerError) -> (InclusionProof, [UInt8]) in
                do throws(ServiceError) { return try inclusionProof(seq: seq, checkpoint: checkpoint) } catch {
                    failure = error
                    throw LedgerError(.io, error.message, underlying: error)
                }
            }
        } catch {
            throw failure ?? Self.serviceError(error, log: name)
        }
    }

    public func logPrefix(size: UInt64) throws(ServiceError) -> [UInt8] {
        let store = self.store
        let lines = try wait { () async throws(LedgerError) in try await store.lines(from: 0, limit: Int(size)) }
        var bytes: [UInt8] = []
        for line in lines {
            bytes.append(contentsOf: line)
            bytes.append(0x0A)
        }
        return bytes
    }

    public func root(size: UInt64) throws(ServiceError) -> Digest {
        let tree = try tree()
        return try transparency { () throws(TransparencyError) in try tree.root(size: size) }
    }
}
