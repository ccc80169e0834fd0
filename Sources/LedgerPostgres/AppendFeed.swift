import Foundation
public import LedgerCore
import PostgresNIO
import Synchronization

/// What a node hears of the appends to a database's logs (docs/SERVICE.md §6): each node announces its commits
/// with `NOTIFY` and `LISTEN`s on one connection, so that the others catch up in the background instead of asking
/// the database before every write.
///
/// The feed is an optimisation, never the guarantee: the compare-and-set on the head row is. A node that did not
/// hear of an append (its listening connection was down, or the appending node died between its commit and its
/// notification) validates against an old head, its compare-and-set moves nothing, and it catches up then.
///
/// A notification is sent after the commit, not in the append's transaction: PostgreSQL serialises the commits of
/// transactions that notify (one lock for the whole database, held through the commit's WAL flush), which would end
/// group commit across logs (docs/PERFORMANCE.md §PostgreSQL). The notifications of many appends go out together,
/// in one statement, while the previous one is on its way.
public final class AppendFeed: Sendable {
    /// The channel of the notifications; the payload is `<size> <log>`.
    public static let channel = "grant_ledger_appends"

    struct State: Sendable {
        /// Whether the node listens now (LISTEN took effect, then the sizes were read): false at first, and from the
        /// moment its connection fails until it listens again.
        var listening = false
        /// The largest size heard of, by log.
        var heard: [String: UInt64] = [:]
        /// Sizes to announce, by log, and whether a statement is on its way.
        var pending: [String: UInt64] = [:]
        var sending = false
    }

    private let state = Mutex(State())

    init() {}

    /// Whether every append committed from now on will be heard of (unless its node dies before announcing it).
    public var isListening: Bool { state.withLock { $0.listening } }

    /// The largest size of `log` heard of (0 when none).
    public func heardSize(_ log: String) -> UInt64 { state.withLock { $0.heard[log] ?? 0 } }

    /// Records a size heard of; returns whether it is news.
    @discardableResult
    func hear(_ log: String, size: UInt64) -> Bool {
        state.withLock { (state) -> Bool in
            guard size > state.heard[log] ?? 0 else { return false }
            state.heard[log] = size
            return true
        }
    }

    func setListening(_ listening: Bool) { state.withLock { $0.listening = listening } }

    /// The payload of a notification: `<size> <log>` (log names have no spaces).
    static func parse(_ payload: String) -> (log: String, size: UInt64)? {
        guard let space = payload.firstIndex(of: " "), let size = UInt64(payload[..<space]) else { return nil }
        let log = String(payload[payload.index(after: space)...])
        return log.isEmpty ? nil : (log, size)
    }

    // MARK: - Announcing

    /// Queues the announcement that `log` reached `size`; returns whether the caller must start the sender (none is
    /// on its way).
    func announce(_ log: String, size: UInt64) -> Bool {
        state.withLock { (state) -> Bool in
            state.pending[log] = max(size, state.pending[log] ?? 0)
            state.heard[log] = max(size, state.heard[log] ?? 0)
            guard !state.sending else { return false }
            state.sending = true
            return true
        }
    }

    /// Takes what is to be announced, or ends the sender (returns nil) when nothing is.
    func takePending() -> [String: UInt64]? {
        state.withLock { (state) -> [String: UInt64]? in
            guard !state.pending.isEmpty else {
                state.sending = false
                return nil
            }
            defer { state.pending = [:] }
            return state.pending
        }
    }
}

extension PostgresLedgerDatabase {
    /// Announces, after its commit, that this node appended to `log` up to `size`: one `NOTIFY` for all the appends
    /// committed while the previous announcement was on its way. A failure is dropped: the others learn of the
    /// append by the compare-and-set, or by their next reading of the sizes. (A notifying transaction gets a
    /// transaction id, so its commit would wait for a WAL flush: `synchronous_commit` is off for it, as nothing in it
    /// needs to survive a crash.)
    func announce(_ log: String, size: UInt64) {
        guard feed.announce(log, size: size) else { return }
        let client = self.client
        let logger = self.logger
        let feed = self.feed
        Task(executorPreference: DatabaseExecutor.shared) {
            while let pending = feed.takePending() {
                let payloads = pending.map { "\($0.value) \($0.key)" }
                _ = await DatabaseCall.run(timeout: Self.timeout) {
                    try await client.query(
                        "SELECT pg_notify(\(AppendFeed.channel), payload) FROM (SELECT set_config('synchronous_commit', 'off', true)) AS asynchronous, unnest(\(payloads)::text[]) AS payload",
                        logger: logger)
                }
            }
        }
    }

    /// The size of every log, as committed.
    public func logSizes() async throws(LedgerError) -> [String: UInt64] {
        try await Self.mapped { [self] in
            var sizes: [String: UInt64] = [:]
            let rows = try await client.query("SELECT name, size FROM logs", logger: logger)
            for try await (name, size) in rows.decode((String, Int64).self) { sizes[name] = UInt64(size) }
            return sizes
        }
    }

    /// Listens for the appends of every node until the task is cancelled, on one connection of the pool (opened
    /// again after a failure, a second later), and reads the sizes of the logs every `interval` beside it: for each
    /// size larger than any heard of before, `heard(log, size)`. Each time the node starts listening it reads the
    /// sizes first (what was committed before it listened), then ``AppendFeed/isListening`` is true until the
    /// connection fails. Runs on ``DatabaseExecutor``.
    public func follow(
        interval: Duration = .seconds(1), _ heard: @escaping @Sendable (String, UInt64) -> Void
    ) async {
        await withTaskExecutorPreference(DatabaseExecutor.shared) {
            await withDiscardingTaskGroup { group in
                group.addTask { await self.listen(heard) }
                group.addTask {
                    while !Task.isCancelled {
                        try? await Task.sleep(for: interval)
                        await self.readSizes(heard)
                    }
                }
            }
        }
    }

    /// Reads the sizes of the logs and reports those larger than heard of; whether it could.
    @discardableResult
    private func readSizes(_ heard: @Sendable (String, UInt64) -> Void) async -> Bool {
        guard let sizes = try? await logSizes() else { return false }
        for (log, size) in sizes where feed.hear(log, size: size) { heard(log, size) }
        return true
    }

    private func listen(_ heard: @escaping @Sendable (String, UInt64) -> Void) async {
        while !Task.isCancelled {
            do {
                try await client.withConnection { connection in
                    try await connection.listen(on: AppendFeed.channel) { notifications in
                        // Listening from here on: what was committed before is in the sizes.
                        guard await self.readSizes(heard) else { return }
                        self.feed.setListening(true)
                        for try await notification in notifications {
                            guard let (log, size) = AppendFeed.parse(notification.payload) else { continue }
                            if self.feed.hear(log, size: size) { heard(log, size) }
                        }
                    }
                }
            } catch {
                logger.debug("l'écoute des ajouts des autres nœuds s'est interrompue : \(type(of: error))")
            }
            feed.setListening(false)
            try? await Task.sleep(for: .seconds(1))
        }
    }
}
