public import LedgerCrypto
import Synchronization

/// A ledger with its rules: create it, replay it, and append validated, signed entries.
///
/// ```swift
/// let ledger = Ledger(directory: "events", domain: { NoDomainRules() })
/// try ledger.create(origin: "example.gouv.fr/log", title: "Programme", authority: key)
/// try ledger.append(type: "key.registered", payload: payload, signer: key)
/// ```
///
/// Every append replays the log under the writer lock and runs the proposed entry through the same
/// `Replayer` the verifier uses, so what is accepted is what verifies.
public final class Ledger<Domain: DomainRules>: Sendable {
    public let store: LedgerStore
    private let makeDomain: @Sendable () -> Domain
    private let source = Mutex<StateSource>(.none)
    private let snapshotInterval: Int64

    /// - Parameter snapshotInterval: a write session saves the state in `state.snapshot` once it has replayed or
    ///   appended at least this many entries past the last snapshot (``StateSnapshot``); a log shorter than that has
    ///   none, as replaying it costs little.
    public init(
        directory: String, domain: @escaping @Sendable () -> Domain,
        snapshotInterval: Int64 = StateSnapshot.defaultInterval
    ) {
        self.store = LedgerStore(directory: directory)
        self.makeDomain = domain
        self.snapshotInterval = max(1, snapshotInterval)
    }

    /// Creates the ledger: entry 0, `ledger.created`, self-signed by the authority key.
    @discardableResult
    public func create(origin: String, title: String, authority: Ed25519PrivateKey, time: Timestamp = .now())
        throws(LedgerError) -> Entry
    {
        guard !store.exists else {
            throw LedgerError(.alreadyExists, "\(store.directory) contient déjà un registre ; rien n'a été écrit")
        }
        let payload: JSONValue = [
            "origin": .string(origin), "title": .string(title),
            "public_key": .string(PublicKeyText.encode(authority.publicKey)),
        ]
        let entry: Entry
        do throws(EntryError) {
            entry = try Entry.make(
                seq: 0, prev: .zero, time: time, type: EventCatalog.ledgerCreated,
                payload: payload, signer: authority)
        } catch {
            throw LedgerError(.badInput, error.message, underlying: error)
        }
        var replayer = Replayer(domain: makeDomain())
        var outcomes = RuleOutcomes()
        replayer.apply(entry, signature: .valid, outcomes: &outcomes)
        if let failure = outcomes.refusals.first {
            throw LedgerError(refusedBy: failure.rule, failure.message)
        }
        try store.create(genesis: entry)
        return entry
    }

    /// Rebuilds the state from the log (no signature checks): keys and the domain's projections. Starts from the
    /// state snapshot when it matches a prefix of the log (``StateSnapshot``), and replays the rest.
    public func replay() throws(LedgerError) -> Replayer<Domain> {
        let view = try store.view()
        return try replay(length: view.length, lazy: false, reader: { () throws(LedgerError) in try store.lines() })
            .state
    }

    /// How the last write session or replay of this value got its state (for tests and the bench).
    public var lastStateSource: StateSource { source.withLock { $0 } }

    /// Where a session's state came from.
    public enum StateSource: Sendable, Equatable {
        /// Nothing replayed yet.
        case none
        /// The whole log was replayed.
        case replay(entries: Int64)
        /// The snapshot, then the entries after it.
        case snapshot(tail: Int64)
    }

    /// The state of the log's first `length` bytes: from the snapshot and the lines after it when the snapshot
    /// matches, else from every line (`reader` opens them). With `lazy` (a write session), the snapshot's records
    /// are read when first needed, and returned to be checked before anything judged with them is committed.
    private func replay(length: Int, lazy: Bool, reader: () throws(LedgerError) -> LineReader) throws(LedgerError)
        -> (state: Replayer<Domain>, outcomes: RuleOutcomes, snapshot: StateSnapshot?, records: SnapshotRecords?)
    {
        let domain = makeDomain()
        if let (saved, snapshot, records) = store.loadSnapshot(domain: domain, length: length, lazy: lazy) {
            let lines = try LineReader(path: store.logPath, from: snapshot.length, limit: length)
            let (state, outcomes) = try Ledger.replay(lines, from: saved)
            source.withLock { $0 = .snapshot(tail: state.count - snapshot.count) }
            return (state, outcomes, snapshot, records)
        }
        let (state, outcomes) = try Ledger.replay(try reader(), from: Replayer(domain: domain))
        source.withLock { $0 = .replay(entries: state.count) }
        return (state, outcomes, nil, nil)
    }

    static func replay(_ reader: LineReader, domain: Domain) throws(LedgerError) -> (Replayer<Domain>, RuleOutcomes) {
        try replay(reader, from: Replayer(domain: domain))
    }

    /// Replays the lines of `reader` on top of `start`.
    static func replay(_ reader: LineReader, from start: Replayer<Domain>) throws(LedgerError)
        -> (Replayer<Domain>, RuleOutcomes)
    {
        var replayer = start
        var outcomes = RuleOutcomes()
        var lines: Int64 = 0
        // The verifier's pipeline without signatures: lines parsed on every core, rules in log order here.
        let (_, defects) = LedgerVerifier.pipeline(
            next: {
                guard let raw = reader.next() else { return nil }
                lines += 1
                ProgressObserver.report(entries: lines, done: reader.lineOffset, total: reader.endOffset)
                return raw
            }, into: &replayer, outcomes: &outcomes, checkSignatures: false,
            threads: max(1, ProcessInfoCores.active))
        if let error = reader.error { throw error }
        defects.report(into: &outcomes)
        replayer.finish(outcomes: &outcomes)
        return (replayer, outcomes)
    }

    /// Appends one entry after checking it against every rule; returns it once it is on disk.
    @discardableResult
    public func append(type: String, payload: JSONValue, signer: Ed25519PrivateKey, time: Timestamp? = nil)
        throws(LedgerError) -> Entry
    {
        try write { (writer) throws(LedgerError) -> Entry in
            try writer.append(type: type, payload: payload, signer: signer, time: time)
        }
    }

    /// Opens a write session under the exclusive lock: the state is replayed once, then any number of
    /// validated appends are buffered and written by `flush()` (one `write` + `fsync`, then one commit-point
    /// update, per flush: docs/FORMAT.md §5). What is still pending when `body` returns is flushed; if `body`
    /// throws, pending entries are dropped and the ledger is left as it was after the last flush.
    public func write<T>(_ body: (inout LedgerWriter<Domain>) throws(LedgerError) -> T) throws(LedgerError) -> T {
        try store.withExclusiveLock { () throws(LedgerError) -> T in
            let tail = try store.readTail()
            let (state, outcomes, snapshot, records) = try replay(
                length: tail.length, lazy: true,
                reader: { () throws(LedgerError) in try store.linesLocked(length: tail.length) })
            guard state.count == tail.commit.count else {
                throw LedgerError(
                    .corrupt,
                    "le registre a \(state.count) lignes validées mais son point de validation en annonce \(tail.commit.count) ; rien n'a été écrit"
                )
            }
            if state.integrityFailed, let first = outcomes.refusals.first(where: { $0.rule.family == "INT" }) {
                throw LedgerError(
                    .corrupt,
                    "le registre échoue à ses contrôles d'intégrité (d'abord à la seq \(first.seq), \(first.rule) : \(first.message)) ; rien n'a été écrit"
                )
            }
            var writer = LedgerWriter(store: store, state: state, commit: tail.commit, snapshotRecords: records)
            let result: T
            do throws(LedgerError) {
                result = try body(&writer)
            } catch {
                // A refusal judged on a damaged snapshot is not the ledger's answer.
                try writer.checkSnapshot()
                throw error
            }
            try writer.checkSnapshot()
            try writer.flush()
            // Refresh the snapshot when this session replayed or appended enough past it; a failure to write a
            // cache does not fail the session, whose entries are committed.
            let committed = writer.committed
            if committed.count - (snapshot?.count ?? 0) >= snapshotInterval {
                try? store.saveSnapshot(writer.state, length: committed.length)
            }
            return result
        }
    }
}

/// A write session: validated appends buffered under the writer lock (see `Ledger.write`).
public struct LedgerWriter<Domain: DomainRules> {
    let store: LedgerStore
    /// The state after every entry appended so far in this session.
    public private(set) var state: Replayer<Domain>
    private var pending: [Entry] = []
    private var commit: CommitPoint
    /// The commit point after the last flush.
    var committed: CommitPoint { commit }
    /// Entries appended in this session.
    private var appended: Int64 = 0

    /// The records of the snapshot the state was read from, read as they are needed: checked before every
    /// commit, so that nothing judged with a damaged one is written.
    private let snapshotRecords: SnapshotRecords?
    /// Whether this session has committed entries.
    private var flushed = false

    init(store: LedgerStore, state: Replayer<Domain>, commit: CommitPoint, snapshotRecords: SnapshotRecords? = nil) {
        self.store = store
        self.state = state
        self.commit = commit
        self.snapshotRecords = snapshotRecords
    }

    /// Throws, and removes the snapshot, when a record of the state snapshot read during the session was found
    /// damaged: the state the session judged with is then not the log's (docs/FORMAT.md §10).
    func checkSnapshot() throws(LedgerError) {
        guard snapshotRecords?.isDamaged == true else { return }
        store.removeSnapshot()
        throw LedgerError(
            .damagedSnapshot,
            "l'instantané d'état \(StateSnapshot.fileName) était endommagé : il a été supprimé et "
                + (flushed
                    ? "les entrées déjà validées de cette session sont conservées, les suivantes n'ont pas été écrites"
                    : "rien n'a été écrit")
                + " ; relancez la commande")
    }

    /// Entries buffered and not yet flushed.
    public var pendingCount: Int { pending.count }

    /// The seq the next entry will get.
    public var nextSeq: Int64 { (state.lastSeq ?? -1) + 1 }

    /// Builds, signs and checks an entry, then buffers it. A refused entry is not buffered and leaves the
    /// session's state as it was (``Replayer/append(_:signature:outcomes:)``).
    ///
    /// - Parameter time: defaults to now, or the previous entry's time if the clock is behind it.
    @discardableResult
    public mutating func append(type: String, payload: JSONValue, signer: Ed25519PrivateKey, time: Timestamp? = nil)
        throws(LedgerError) -> Entry
    {
        try append(type: type, payload: payload, signer: signer, time: time, validate: true)
    }

    /// Appends without refusing on rule failures: only for building test corpora of violations. The
    /// entry is still well-formed, chained and signed.
    @discardableResult
    public mutating func appendWithoutValidation(
        type: String, payload: JSONValue, signer: Ed25519PrivateKey, time: Timestamp? = nil
    )
        throws(LedgerError) -> Entry
    {
        try append(type: type, payload: payload, signer: signer, time: time, validate: false)
    }

    private mutating func append(
        type: String, payload: JSONValue, signer: Ed25519PrivateKey, time: Timestamp?, validate: Bool
    )
        throws(LedgerError) -> Entry
    {
        let floor = state.lastTime ?? Timestamp(secondsSinceEpoch: 0)
        let when = time ?? max(Timestamp.now(), floor)
        if validate, when < floor {
            throw LedgerError(
                refusedBy: "INT-TIME", "l'heure \(when) est antérieure à celle de la dernière entrée, \(floor)")
        }
        let entry: Entry
        do throws(EntryError) {
            entry = try Entry.make(
                seq: nextSeq, prev: state.lastHash, time: when, type: type, payload: payload, signer: signer)
        } catch {
            throw LedgerError(.badInput, error.message, underlying: error)
        }
        var outcomes = RuleOutcomes()
        if validate {
            // A refused entry leaves the state as it was: the session may go on.
            guard state.append(entry, signature: .valid, outcomes: &outcomes) else {
                let failure = outcomes.refusals.first
                throw LedgerError(
                    refusedBy: failure?.rule ?? .canonical, failure?.message ?? "")
            }
        } else {
            state.apply(entry, signature: .valid, outcomes: &outcomes)
        }
        pending.append(entry)
        appended += 1
        ProgressObserver.report(entries: appended)
        return entry
    }

    /// Writes the buffered entries with one `write` and one `fsync`, then commits them (docs/FORMAT.md §5): all
    /// of them or none are in the ledger after a crash. They are acknowledged when it returns.
    public mutating func flush() throws(LedgerError) {
        guard !pending.isEmpty else { return }
        try checkSnapshot()
        let flushedFrom = commit.length
        commit = try store.writeLocked(pending, after: commit)
        // Transparency: add the flushed lines to the Merkle cache (best effort; LedgerTree.open catches up).
        LedgerTree.recordAppend(pending, store: store, fromLength: flushedFrom, toLength: commit.length)
        pending.removeAll(keepingCapacity: true)
        flushed = true
    }
}
