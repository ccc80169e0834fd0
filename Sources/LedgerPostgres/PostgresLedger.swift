import Foundation
public import LedgerCore
public import LedgerCrypto
public import Logging
public import PostgresNIO
import Synchronization

/// A PostgreSQL database that holds ledgers, shared by several servers (docs/SERVICE.md §6).
///
/// Tables (created by ``migrate()``):
/// - `logs (name, size, head, checkpoint_size)`: one row per log, its committed head; appends lock it `FOR UPDATE`.
/// - `entries (log, seq, prev, hash, line)`: the exact line bytes of each entry, keyed `(log, seq)`, with
///   `UNIQUE (log, prev)`: the database itself refuses a second entry after the same one, a fork.
/// - `merkle_nodes (log, level, idx, hash)`: every complete subtree hash of the RFC 6962 tree (level 0: leaf
///   hashes), written in the append's transaction, so proofs and tiles never rehash the log.
/// - `checkpoints (log, size, note)`: every signed checkpoint.
///
/// ```swift
/// let database = try PostgresLedgerDatabase(url: "postgres://ledger@127.0.0.1:5432/ledger", logger: logger)
/// // run `database.client.run()` in a task for as long as the database is used
/// try await database.migrate()
/// ```
public final class PostgresLedgerDatabase: Sendable {
    public let client: PostgresClient
    /// What this node hears of the appends of every node (``follow(interval:_:)`` makes it listen).
    public let feed = AppendFeed()
    let logger: Logger

    /// A database given by a connection string: `postgres://user:password@host:port/database`, with
    /// `?host=/directory` for a unix socket (libpq's convention) and `sslmode=disable|prefer|require`.
    ///
    /// - Throws: `.badInput` for a string that is not one; its text (which may hold a password) is never repeated.
    public init(url: String, logger: Logger) throws(LedgerError) {
        self.client = PostgresClient(configuration: try Self.configuration(url), backgroundLogger: logger)
        self.logger = logger
    }

    /// The client configuration a connection string describes.
    public static func configuration(_ url: String) throws(LedgerError) -> PostgresClient.Configuration {
        let refused = LedgerError(
            .badInput,
            "l'adresse de la base n'est pas de la forme postgres://utilisateur:mot-de-passe@hôte:port/base (elle n'est pas recopiée ici, car elle peut contenir un mot de passe)"
        )
        guard let components = URLComponents(string: url),
            components.scheme == "postgres" || components.scheme == "postgresql"
        else { throw refused }
        let user = components.user ?? "postgres"
        let password = components.password
        var database = components.path
        if database.hasPrefix("/") { database.removeFirst() }
        let query = Dictionary(
            (components.queryItems ?? []).map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { $1 })
        let port = components.port ?? 5432
        var configuration: PostgresClient.Configuration
        if let directory = query["host"], directory.hasPrefix("/") {
            configuration = PostgresClient.Configuration(
                unixSocketPath: directory + "/.s.PGSQL.\(port)", username: user, password: password,
                database: database.isEmpty ? nil : database)
        } else {
            guard let host = components.host, !host.isEmpty else { throw refused }
            let tls: PostgresClient.Configuration.TLS
            switch query["sslmode"] ?? "disable" {
            case "disable": tls = .disable
            case "prefer": tls = .prefer(.makeClientConfiguration())
            case "require", "verify-full": tls = .require(.makeClientConfiguration())
            default: throw refused
            }
            configuration = PostgresClient.Configuration(
                host: host, port: port, username: user, password: password,
                database: database.isEmpty ? nil : database, tls: tls)
        }
        configuration.options.connectTimeout = .seconds(5)
        configuration.options.maximumConnections = 32
        return configuration
    }

    /// Runs the client's connection pool until the task is cancelled: the database can be used meanwhile.
    ///
    /// The pool (and every task it starts to open or close a connection) runs on ``DatabaseExecutor``, outside
    /// Swift's cooperative pool: a caller may block a thread of that pool while it waits for the database, and the
    /// database must still be able to reconnect meanwhile (after a restart, every connection is opened again).
    public func run() async {
        await withTaskExecutorPreference(DatabaseExecutor.shared) { await client.run() }
    }

    /// Runs `body` with the client running beside it: for commands that use the database and stop.
    public static func with<T: Sendable>(
        url: String, logger: Logger, _ body: @escaping @Sendable (PostgresLedgerDatabase) async throws -> T
    ) async throws -> T {
        let database = try PostgresLedgerDatabase(url: url, logger: logger)
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask {
                await database.run()
                return nil
            }
            group.addTask { try await body(database) }
            defer { group.cancelAll() }
            while let result = try await group.next() {
                if let result { return result }
            }
            throw LedgerError(.io, "la connexion à la base PostgreSQL s'est arrêtée")
        }
    }

    // MARK: - Schema

    /// The statements of the schema, in order; each may run again on a database that has it.
    public static let schema: [String] = [
        """
        CREATE TABLE IF NOT EXISTS logs (
            name text PRIMARY KEY,
            size bigint NOT NULL DEFAULT 0 CHECK (size >= 0),
            head bytea NOT NULL CHECK (length(head) = 32),
            checkpoint_size bigint
        )
        """,
        """
        CREATE TABLE IF NOT EXISTS entries (
            log text NOT NULL REFERENCES logs (name),
            seq bigint NOT NULL CHECK (seq >= 0),
            prev bytea NOT NULL CHECK (length(prev) = 32),
            hash bytea NOT NULL CHECK (length(hash) = 32),
            line bytea NOT NULL,
            PRIMARY KEY (log, seq),
            UNIQUE (log, prev)
        )
        """,
        """
        CREATE TABLE IF NOT EXISTS merkle_nodes (
            log text NOT NULL REFERENCES logs (name),
            level smallint NOT NULL CHECK (level >= 0 AND level < 64),
            idx bigint NOT NULL CHECK (idx >= 0),
            hash bytea NOT NULL CHECK (length(hash) = 32),
            PRIMARY KEY (log, level, idx)
        )
        """,
        """
        CREATE TABLE IF NOT EXISTS checkpoints (
            log text NOT NULL REFERENCES logs (name),
            size bigint NOT NULL CHECK (size > 0),
            note bytea NOT NULL,
            PRIMARY KEY (log, size)
        )
        """,
    ]

    /// Creates the tables that are missing (`grant-ledger-server migrate`).
    public func migrate() async throws(LedgerError) {
        try await Self.mapped { [self] in
            try await client.withTransaction(logger: logger) { connection in
                // One migration at a time, whichever node runs it.
                try await connection.query("SELECT pg_advisory_xact_lock(7366353482)", logger: logger)
                for statement in Self.schema {
                    try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
            }
        }
    }

    /// The names of the logs the database holds, sorted.
    public func logNames() async throws(LedgerError) -> [String] {
        try await Self.mapped { [self] in
            var names: [String] = []
            let rows = try await client.query("SELECT name FROM logs ORDER BY name", logger: logger)
            for try await name in rows.decode(String.self) { names.append(name) }
            return names
        }
    }

    /// Adds an empty log named `name`.
    ///
    /// - Throws: `.alreadyExists` when the database has a log of that name.
    public func createLog(_ name: String) async throws(LedgerError) {
        let inserted = try await Self.mapped { [self] in
            let rows = try await client.query(
                "INSERT INTO logs (name, size, head) VALUES (\(name), 0, \(ByteBuffer(bytes: Digest.zero.bytes))) ON CONFLICT DO NOTHING RETURNING name",
                logger: logger)
            var count = 0
            for try await _ in rows { count += 1 }
            return count
        }
        guard inserted == 1 else {
            throw LedgerError(.alreadyExists, "la base contient déjà un registre \(name) ; rien n'a été écrit")
        }
    }

    /// The store of the log `name`, with its Merkle hashes loaded.
    ///
    /// - Throws: `.notFound` when the database has no such log.
    public func log(_ name: String) async throws(LedgerError) -> PostgresLogStore {
        let store = PostgresLogStore(database: self, name: name)
        try await store.load()
        return store
    }

    // MARK: - Errors

    /// How long one call to the database may take: 30 s, or `GRANT_LEDGER_PG_TIMEOUT` seconds (1 to 3 600) when
    /// set, read once per process.
    static let timeout: Duration = {
        let text = ProcessInfo.processInfo.environment["GRANT_LEDGER_PG_TIMEOUT"] ?? ""
        guard let seconds = Int(text), (1...3600).contains(seconds) else { return .seconds(30) }
        return .seconds(seconds)
    }()

    /// Runs `body`, giving any database failure as one French sentence: `.io` when the database cannot be reached
    /// or failed (retry later), `.alreadyExists` when a constraint refused a row.
    ///
    /// `body` runs on ``DatabaseExecutor``. A call that takes longer than ``timeout`` (the database is restarting,
    /// unreachable, or its connections are all busy) is abandoned: the caller gets `.io` at once, without waiting for
    /// `body` to notice its cancellation; a transaction it had opened is rolled back by the database, or commits,
    /// and a caller that could not tell which reads the log again before writing.
    static func mapped<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) async throws(LedgerError) -> T {
        let outcome = await DatabaseCall.run(timeout: timeout, body)
        switch outcome {
        case .success(let value): return value
        case .failure(let error as LedgerError): throw error
        case .failure(let error as PSQLError): throw describe(error)
        case .failure(is DatabaseCall.TimedOut):
            throw LedgerError(.io, "la base PostgreSQL n'a pas répondu en \(timeout.components.seconds) s")
        case .failure(let error): throw LedgerError(.io, "la base PostgreSQL a échoué (\(type(of: error)))")
        }
    }

    static func describe(_ error: PSQLError) -> LedgerError {
        if error.code == .server, let state = error.serverInfo?[.sqlState] {
            let message = error.serverInfo?[.message] ?? ""
            if state == "23505" {
                return LedgerError(.alreadyExists, "la base a refusé une ligne en double (\(message))")
            }
            return LedgerError(.io, "la base PostgreSQL a refusé la requête (\(state) : \(message))")
        }
        return LedgerError(.io, "la base PostgreSQL est injoignable (\(error.code))", underlying: error)
    }
}

/// One log in a ``PostgresLedgerDatabase``: its lines, its head and its Merkle tree.
///
/// The tree's hashes are kept in memory (loaded from `merkle_nodes` once, then extended by this node's appends and
/// by the entries other nodes appended, read when the node catches up), so a tile or a proof costs no query.
public final class PostgresLogStore: LogStore {
    public let database: PostgresLedgerDatabase
    public let name: String
    private let tree = Mutex(TreeState())

    struct TreeState: Sendable {
        var hashes = InMemoryMerkleHashStore()
        var size: UInt64 = 0
        var head = Digest.zero
        var origin: String? = nil
    }

    init(database: PostgresLedgerDatabase, name: String) {
        self.database = database
        self.name = name
    }

    private var logger: Logger { database.logger }
    private var client: PostgresClient { database.client }

    /// Loads the stored Merkle hashes; rebuilds them from the lines when they do not cover the log.
    func load() async throws(LedgerError) {
        let loaded = try await PostgresLedgerDatabase.mapped { [self] () async throws -> TreeState? in
            let heads = try await client.query("SELECT size, head FROM logs WHERE name = \(name)", logger: logger)
            var found: (Int64, ByteBuffer)? = nil
            for try await row in heads.decode((Int64, ByteBuffer).self) { found = row }
            guard let (size, head) = found else { return nil }
            var state = TreeState()
            state.head = Digest(bytes: Array(buffer: head)) ?? .zero
            let rows = try await client.query(
                "SELECT level, idx, hash FROM merkle_nodes WHERE log = \(name) ORDER BY level, idx", logger: logger)
            for try await (level, index, hash) in rows.decode((Int16, Int64, ByteBuffer).self) {
                guard UInt64(index) == state.hashes.count(level: Int(level)),
                    let digest = Digest(bytes: Array(buffer: hash))
                else { throw LedgerError(.corrupt, "les nœuds de Merkle du registre \(name) ne se suivent pas") }
                try state.hashes.append(digest, level: Int(level))
            }
            state.size = state.hashes.count(level: 0)
            if state.size != UInt64(size) {
                // Hashes missing or extra: the lines are the truth.
                state = TreeState()
                state.head = .zero
            }
            return state
        }
        guard let loaded else { throw LedgerError(.notFound, "la base ne contient pas de registre \(name)") }
        tree.withLock { $0 = loaded }
        _ = try await catchUp()
    }

    // MARK: - LogStore

    public func head() async throws(LedgerError) -> LogStoreHead {
        try await PostgresLedgerDatabase.mapped { [self] in
            let rows = try await client.query("SELECT size, head FROM logs WHERE name = \(name)", logger: logger)
            for try await (size, head) in rows.decode((Int64, ByteBuffer).self) {
                return LogStoreHead(count: size, hash: Digest(bytes: Array(buffer: head)) ?? .zero)
            }
            throw LedgerError(.notFound, "la base ne contient pas de registre \(name)")
        }
    }

    public func lines(from start: Int64, limit: Int) async throws(LedgerError) -> [[UInt8]] {
        try await PostgresLedgerDatabase.mapped { [self] in
            let rows = try await client.query(
                "SELECT line FROM entries WHERE log = \(name) AND seq >= \(start) ORDER BY seq LIMIT \(Int64(limit))",
                logger: logger)
            var lines: [[UInt8]] = []
            for try await line in rows.decode(ByteBuffer.self) { lines.append(Array(buffer: line)) }
            return lines
        }
    }

    /// One statement, so one round trip and one implicit transaction: moves the log's head from `expected` to the
    /// batch's last entry (a compare-and-set on the log's row), and inserts the entries and their Merkle nodes only
    /// if it moved. Another node's append meanwhile makes it `.stale`, never a fork: the row lock orders the two
    /// updates, and the second, re-checking its condition on the committed row, moves nothing.
    ///
    /// The alternative the issue names (`SELECT … FOR UPDATE`, the inserts, the update, `COMMIT`: five round trips
    /// holding the row lock) orders writers the same way; docs/SERVICE.md §6 compares the two.
    public func appendVerified(_ entries: [Entry], expecting expected: LogStoreHead) async throws(LedgerError)
        -> LogStoreAppend
    {
        guard let last = entries.last else { return .appended(expected) }
        // The new nodes, from the tree this node holds at `expected` (caught up first if another node appended).
        var state = tree.withLock { $0 }
        if state.size < UInt64(expected.count) {
            _ = try await catchUp()
            state = tree.withLock { $0 }
        }
        guard state.size == UInt64(expected.count), state.head == expected.hash else {
            return .stale(try await head())
        }
        let nodes = Self.newNodes(
            hashes: state.hashes, size: state.size, leaves: entries.map { RFC6962.leafHash($0.line) })
        let newHead = LogStoreHead(count: expected.count + Int64(entries.count), hash: last.hash)
        let moved = try await PostgresLedgerDatabase.mapped { [self] () async throws -> Bool in
            let rows = try await client.query(
                """
                WITH moved AS (
                    UPDATE logs SET size = \(newHead.count), head = \(ByteBuffer(bytes: newHead.hash.bytes))
                    WHERE name = \(name) AND size = \(expected.count) AND head = \(ByteBuffer(bytes: expected.hash.bytes))
                    RETURNING name
                ), lines AS (
                    INSERT INTO entries (log, seq, prev, hash, line)
                    SELECT moved.name, e.* FROM moved, unnest(\(entries.map(\.seq))::bigint[], \(entries.map { ByteBuffer(bytes: $0.prev.bytes) })::bytea[],
                        \(entries.map { ByteBuffer(bytes: $0.hash.bytes) })::bytea[], \(entries.map { ByteBuffer(bytes: $0.line) })::bytea[]) AS e
                ), nodes AS (
                    INSERT INTO merkle_nodes (log, level, idx, hash)
                    SELECT moved.name, n.* FROM moved, unnest(\(nodes.map { Int16($0.level) })::smallint[], \(nodes.map { Int64($0.index) })::bigint[],
                        \(nodes.map { ByteBuffer(bytes: $0.hash.bytes) })::bytea[]) AS n
                )
                SELECT count(*) FROM moved
                """, logger: logger)
            var count: Int64 = 0
            for try await value in rows.decode(Int64.self) { count = value }
            return count == 1
        }
        let result: LogStoreAppend = moved ? .appended(newHead) : .stale(try await head())
        if case .appended = result {
            database.announce(name, size: UInt64(newHead.count))
            tree.withLock { (current) in
                // A concurrent catch-up may already have read these entries back.
                guard current.size == state.size else { return }
                for node in nodes { try? current.hashes.append(node.hash, level: node.level) }
                current.size = UInt64(newHead.count)
                current.head = newHead.hash
            }
        }
        return result
    }

    public func tileBytes(_ tile: Tile) async throws(LedgerError) -> [UInt8] {
        let hashes = tree.withLock { $0.hashes }
        guard tile.exists(inTreeOfSize: hashes.count(level: 0)) else {
            throw LedgerError(.badInput, "\(tile.path) n'est pas dans l'arbre du registre \(name)")
        }
        do {
            return try hashes.hashBytes(level: tile.hashLevel, start: tile.firstHashIndex, count: tile.width)
        } catch {
            throw LedgerError(.corrupt, error.message, underlying: error)
        }
    }

    // MARK: - Catching up

    /// Reads the entries other nodes appended after those this node's tree holds, adds their hashes to the tree,
    /// and returns their lines with their seqs. One query when nothing is new.
    @discardableResult
    public func catchUp() async throws(LedgerError) -> [(seq: Int64, line: [UInt8])] {
        let size = tree.withLock { $0.size }
        let fresh = try await PostgresLedgerDatabase.mapped { [self] in
            let rows = try await client.query(
                "SELECT seq, line FROM entries WHERE log = \(name) AND seq >= \(Int64(size)) ORDER BY seq",
                logger: logger)
            var lines: [(seq: Int64, line: [UInt8])] = []
            for try await (seq, line) in rows.decode((Int64, ByteBuffer).self) {
                lines.append((seq, Array(buffer: line)))
            }
            return lines
        }
        guard !fresh.isEmpty else { return [] }
        tree.withLock { (current) in
            guard current.size == size else { return }
            let nodes = Self.newNodes(
                hashes: current.hashes, size: size, leaves: fresh.map { RFC6962.leafHash($0.line) })
            for node in nodes { try? current.hashes.append(node.hash, level: node.level) }
            current.size = size + UInt64(fresh.count)
            current.head = SHA256.hash(fresh.last!.line)
        }
        return fresh
    }

    /// The nodes that appending `leaves` to the tree of `size` leaves held in `hashes` creates, level by level in
    /// order of creation: each leaf, then each complete subtree it closes.
    static func newNodes(hashes: InMemoryMerkleHashStore, size: UInt64, leaves: [Digest])
        -> [(level: Int, index: UInt64, hash: Digest)]
    {
        // The roots of the complete subtrees covering [0, size), largest first.
        var roots: [(level: Int, hash: Digest)] = []
        for level in stride(from: 63, through: 0, by: -1) where size & (UInt64(1) << UInt64(level)) != 0 {
            if let hash = try? hashes.hash(level: level, index: (size >> UInt64(level)) - 1) {
                roots.append((level, hash))
            }
        }
        var range = CompactRange(size: size, roots: roots)
        var nodes: [(level: Int, index: UInt64, hash: Digest)] = []
        for leaf in leaves {
            // A node of level L completed by leaf n (counting from 1) is the subtree number n >> L, from 1.
            let count = range.size + 1
            range.append(leaf) { level, hash in nodes.append((level, (count >> UInt64(level)) - 1, hash)) }
        }
        return nodes
    }

    // MARK: - Tree and lines

    /// The tree this node holds (call ``catchUp()`` first for the newest).
    public func merkleTree() throws(LedgerError) -> MerkleTree<InMemoryMerkleHashStore> {
        let hashes = tree.withLock { $0.hashes }
        do { return try MerkleTree(store: hashes) } catch {
            throw LedgerError(.corrupt, error.message, underlying: error)
        }
    }

    /// The number of leaves of the tree this node holds.
    public var treeSize: UInt64 { tree.withLock { $0.size } }

    /// Whether the log may hold entries after the first `size` that this node has not replayed: it does not listen
    /// to the other nodes' appends (``PostgresLedgerDatabase/follow(interval:_:)``), or it heard of more, or its
    /// tree holds more. False means only "not that this node knows": the compare-and-set still decides.
    public func mayHaveEntries(after size: UInt64) -> Bool {
        !database.feed.isListening || database.feed.heardSize(name) > size || treeSize > size
    }

    /// The log's origin, from its `ledger.created` line.
    public func origin() async throws(LedgerError) -> String {
        if let origin = tree.withLock({ $0.origin }) { return origin }
        guard let line = try await lines(from: 0, limit: 1).first, let entry = try? Entry(line: line),
            entry.type == EventCatalog.ledgerCreated, let origin = entry.payload["origin"]?.stringValue
        else {
            throw LedgerError(.corrupt, "la première ligne du registre \(name) n'est pas une entrée ledger.created")
        }
        tree.withLock { $0.origin = origin }
        return origin
    }

    // MARK: - Checkpoints

    /// The checkpoint signed at `size`, if any.
    public func checkpoint(size: UInt64) async throws(LedgerError) -> [UInt8]? {
        try await PostgresLedgerDatabase.mapped { [self] in
            let rows = try await client.query(
                "SELECT note FROM checkpoints WHERE log = \(name) AND size = \(Int64(size))", logger: logger)
            for try await note in rows.decode(ByteBuffer.self) { return Array(buffer: note) }
            return nil
        }
    }

    /// The latest checkpoint signed, if any.
    public func latestCheckpoint() async throws(LedgerError) -> [UInt8]? {
        try await PostgresLedgerDatabase.mapped { [self] in
            let rows = try await client.query(
                "SELECT c.note FROM logs l JOIN checkpoints c ON c.log = l.name AND c.size = l.checkpoint_size WHERE l.name = \(name)",
                logger: logger)
            for try await note in rows.decode(ByteBuffer.self) { return Array(buffer: note) }
            return nil
        }
    }

    /// Signs a checkpoint of the first `size` entries, one node at a time (a transaction-scoped advisory lock
    /// on the log): `sign` receives the latest checkpoint (nil for none) and returns the note to store, or nil to
    /// keep the latest (another node signed as far already). Returns the latest checkpoint after the call.
    public func withSigningLock(
        _ sign: @escaping @Sendable ([UInt8]?) throws(LedgerError) -> (size: UInt64, note: [UInt8])?
    ) async throws(LedgerError) -> [UInt8]? {
        try await PostgresLedgerDatabase.mapped { [self] () async throws -> [UInt8]? in
            try await client.withTransaction(logger: logger) { connection in
                try await connection.query(
                    "SELECT pg_advisory_xact_lock(hashtext('grant-ledger-checkpoint'), hashtext(\(name)))",
                    logger: logger)
                let rows = try await connection.query(
                    "SELECT c.note FROM logs l JOIN checkpoints c ON c.log = l.name AND c.size = l.checkpoint_size WHERE l.name = \(name)",
                    logger: logger)
                var latest: [UInt8]? = nil
                for try await note in rows.decode(ByteBuffer.self) { latest = Array(buffer: note) }
                guard let (size, note) = try sign(latest) else { return latest }
                try await connection.query(
                    "INSERT INTO checkpoints (log, size, note) VALUES (\(name), \(Int64(size)), \(ByteBuffer(bytes: note))) ON CONFLICT DO NOTHING",
                    logger: logger)
                try await connection.query(
                    "UPDATE logs SET checkpoint_size = \(Int64(size)) WHERE name = \(name)", logger: logger)
                return note
            }
        }
    }

    /// Stores a checkpoint as it is (a copy from a ledger directory); `latest` makes it the one served.
    public func storeCheckpoint(size: UInt64, note: [UInt8], latest: Bool) async throws(LedgerError) {
        try await PostgresLedgerDatabase.mapped { [self] in
            try await client.withTransaction(logger: logger) { connection in
                try await connection.query(
                    "INSERT INTO checkpoints (log, size, note) VALUES (\(name), \(Int64(size)), \(ByteBuffer(bytes: note))) ON CONFLICT DO NOTHING",
                    logger: logger)
                if latest {
                    try await connection.query(
                        "UPDATE logs SET checkpoint_size = \(Int64(size)) WHERE name = \(name)", logger: logger)
                }
            }
        }
    }

    /// Every checkpoint signed, by size.
    public func checkpoints() async throws(LedgerError) -> [(size: UInt64, note: [UInt8])] {
        try await PostgresLedgerDatabase.mapped { [self] in
            let rows = try await client.query(
                "SELECT size, note FROM checkpoints WHERE log = \(name) ORDER BY size", logger: logger)
            var result: [(size: UInt64, note: [UInt8])] = []
            for try await (size, note) in rows.decode((Int64, ByteBuffer).self) {
                result.append((UInt64(size), Array(buffer: note)))
            }
            return result
        }
    }
}
