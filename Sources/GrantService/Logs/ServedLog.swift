import Dispatch
public import GrantDomain
public import LedgerCore
public import LedgerCrypto
import Synchronization

/// One log served: its store, its state in memory, and its single writer.
///
/// The state is the log replayed and verified once, at start (``open(name:storage:rules:)``); each append then
/// validates the new entries against it with the one rule engine (``Replayer/append(_:signature:outcomes:)``),
/// O(1) in the log's length, and folds them in once the store has made them durable. Appends to one log run one
/// at a time on the log's own serial queue (a thread outside Swift's cooperative pool, since a write blocks on
/// `fsync`); appends to different logs run in parallel. Readers of the state take the same lock, so they never
/// see an entry before it is acknowledged.
///
/// A writer holds that lock while the store works (an `fsync`, a database transaction), so no thread of Swift's
/// cooperative pool ever waits for it: ``withState(_:)`` takes it on a dispatch queue, and what request handlers
/// read at once (the head, the keys, whether the log verified) is published apart, under a lock never held across
/// I/O. With two cores, two handlers waiting for a writer that waits for a reconnecting database would otherwise
/// stop the whole server.
///
/// ```swift
/// let log = try ServedLog.open(name: "national", storage: FileLogStorage(directory: "logs/national",
///                              name: "national"))
/// let result = try await log.append(entries, ifMatch: log.head.hash)
/// ```
public final class ServedLog: Sendable {
    /// The log's name in URLs: its folder's name.
    public let name: String
    public let storage: any LogStorage

    /// What the writer and the readers share.
    struct State: Sendable {
        var replayer: Replayer<GrantRules>
        var head: LogHead
        /// Why the log takes no writes (it failed verification at start), nil when it verified.
        var integrityFailure: String?
        /// The first rule failure of the start-up verification, if any: published figures are refused then.
        var verificationFailure: String?
        /// The size of the last checkpoint the service signed or found.
        var signedSize: UInt64
        /// The size at which signing last failed (the key is not an authority of this log…): not tried again until
        /// the log grows.
        var failedSigningSize: UInt64 = 0
        /// The store failed during an append, so the state may hold entries it did not keep (or the database may
        /// have committed them before the connection broke): rebuilt from the store before the next use.
        var needsReload = false
        /// For a shared store: the state at an earlier head, every entry of it committed, at most
        /// ``ServedLog/baseInterval`` entries behind. A lost race on a single entry validated in place, or a write
        /// whose commit is uncertain, goes back to it and replays the entries the store holds after it: O(those
        /// entries), not a replay of the whole log. (Keeping it costs one copy of the parts of the state that the
        /// next append changes, every ``ServedLog/baseInterval`` entries.)
        var base: Base?
    }

    struct Base: Sendable {
        var replayer: Replayer<GrantRules>
        var head: LogHead
    }

    /// How far behind the head the base of a shared store's state may fall.
    static let baseInterval: UInt64 = 32

    private let state: Mutex<State>
    /// What handlers read without waiting for a write: set from the state each time the writer changes it.
    private let published: Mutex<Published>
    private let queue: DispatchQueue
    private let rules: GrantRules
    /// Whether a catch-up on others' appends heard of (``heard(size:)``) waits on the queue.
    private let following = Atomic<Bool>(false)

    private init(name: String, storage: any LogStorage, rules: GrantRules, state: State) {
        self.name = name
        self.storage = storage
        self.rules = rules
        self.state = Mutex(state)
        self.published = Mutex(Published(state))
        self.queue = DispatchQueue(label: "grant-ledger.log.\(name)")
    }

    /// Replays and verifies the log once and keeps its state.
    public static func open(name: String, storage: any LogStorage, rules: GrantRules = GrantRules())
        throws(ServiceError) -> ServedLog
    {
        ServedLog(
            name: name, storage: storage, rules: rules, state: try load(name: name, storage: storage, rules: rules))
    }

    private static func load(name: String, storage: any LogStorage, rules: GrantRules) throws(ServiceError) -> State {
        let (report, replayer) = try storage.load(rules: rules)
        let head = LogHead(
            size: UInt64(replayer.count), hash: replayer.count > 0 ? replayer.lastHash : .zero, time: replayer.lastTime)
        var integrityFailure: String? = nil
        var verificationFailure: String? = nil
        if let first = report.outcomes.failures.first {
            let sentence = "le registre \(name) ne vérifie pas (seq \(first.seq), \(first.rule) : \(first.message))"
            verificationFailure = sentence
            if replayer.integrityFailed || report.tornBytes > 0 {
                integrityFailure = sentence + " ; il est servi en lecture seule"
            }
        }
        var signedSize: UInt64 = 0
        if let text = try? storage.latestCheckpoint(), let note = try? Note(parsing: text),
            let checkpoint = try? Checkpoint(body: note.text)
        {
            signedSize = checkpoint.size
        }
        var state = State(
            replayer: replayer, head: head, integrityFailure: integrityFailure,
            verificationFailure: verificationFailure, signedSize: signedSize)
        keepBase(&state, shared: storage.isShared)
        return state
    }

    /// Moves the base of a shared store's state to its head when it fell ``baseInterval`` entries behind. Called
    /// only where the state holds committed entries alone.
    private static func keepBase(_ state: inout State, shared: Bool) {
        guard shared else { return }
        if let base = state.base, state.head.size < base.head.size + baseInterval, state.head.size >= base.head.size {
            return
        }
        state.base = Base(replayer: state.replayer, head: state.head)
    }

    /// The part of the state handlers read without waiting for a write.
    struct Published: Sendable {
        var head: LogHead
        var keys: KeyRegistry
        var verificationFailure: String?

        init(_ state: State) {
            head = state.head
            keys = state.replayer.keys
            verificationFailure = state.verificationFailure
        }
    }

    /// Publishes what the writer changed (the key registry is shared, not copied, until its next change).
    private func publish(_ state: State) {
        published.withLock { $0 = Published(state) }
    }

    /// The head, as acknowledged.
    public var head: LogHead { published.withLock { $0.head } }

    /// The key registry, as of the head.
    public var keys: KeyRegistry { published.withLock { $0.keys } }

    /// Why published figures are refused (the log did not verify at start), nil when they are not.
    public var verificationFailure: String? { published.withLock { $0.verificationFailure } }

    /// Reads the state (never one with unacknowledged entries), on a dispatch queue: the lock may be held by a
    /// write that waits for the disk or the database. Keep `body` short: appends wait for it.
    public func withState<T: Sendable>(
        _ body: @escaping @Sendable (borrowing Replayer<GrantRules>, LogHead) throws(ServiceError) -> T
    ) async throws(ServiceError) -> T {
        try await BlockingReads.run { () throws(ServiceError) -> T in
            try self.state.withLock { (state) throws(ServiceError) -> T in try body(state.replayer, state.head) }
        }
    }

    /// What an append did.
    public struct AppendResult: Sendable {
        /// Seq and hash of each entry, in order.
        public let entries: [(seq: Int64, hash: Digest)]
        /// False when every entry was already in the log (an identical resend): nothing was written.
        public let created: Bool
        /// The head after the append.
        public let head: LogHead
    }

    /// Appends client-signed entries as one batch (all or none) if the head is still `ifMatch`.
    ///
    /// - Throws: `.staleHead` (with the current head) when the head moved and the entries are not already in the
    ///   log; `.refused` (with the rule and the entry's seq) when a rule refuses an entry; `.unavailable` when the
    ///   log takes no writes; `.internalFailure` when the store fails (the state is then reloaded from the store).
    public func append(_ entries: [Entry], ifMatch: Digest) async throws(ServiceError) -> AppendResult {
        // Signatures are checked here, in parallel with other requests; whether the key may sign is the replay's.
        let keys = self.keys
        let checks = Self.signatureChecks(entries, keys: keys)
        let result: Result<AppendResult, ServiceError> = await withCheckedContinuation { continuation in
            queue.async {
                do throws(ServiceError) {
                    continuation.resume(returning: .success(try self.appendOnQueue(entries, checks, ifMatch: ifMatch)))
                } catch {
                    continuation.resume(returning: .failure(error))
                }
            }
        }
        return try result.get()
    }

    /// The signature of each entry checked with its signer's key: a registered key, or one the batch itself
    /// introduces (a key id is the hash of its key, so the check does not depend on the registration's validity).
    static func signatureChecks(_ entries: [Entry], keys: KeyRegistry) -> [SignatureCheck] {
        let introduced = entries.reduce(into: SigningKeys()) { $0.learn(from: $1) }
        @Sendable func check(_ entry: Entry) -> SignatureCheck {
            if let record = keys[entry.actor] {
                return record.publicKey.isValidSignature(entry.signature, for: entry.signedBytes) ? .valid : .invalid
            }
            return introduced.check(entry)
        }
        guard entries.count >= parallelSignatureThreshold else { return entries.map(check) }
        // A batch: its signatures on every core (about 120 µs each), in slices.
        let results = Mutex([SignatureCheck](repeating: .unchecked, count: entries.count))
        let slices = min(entries.count / 8, ProcessInfoCores.active * 2)
        DispatchQueue.concurrentPerform(iterations: slices) { slice in
            let range = (slice * entries.count / slices)..<((slice + 1) * entries.count / slices)
            let checked = range.map { check(entries[$0]) }
            results.withLock { $0.replaceSubrange(range, with: checked) }
        }
        return results.withLock { $0 }
    }

    /// From how many entries a request's signatures are checked in parallel.
    static let parallelSignatureThreshold = 16

    private func appendOnQueue(_ entries: [Entry], _ checks: [SignatureCheck], ifMatch: Digest) throws(ServiceError)
        -> AppendResult
    {
        let outcome = try state.withLock { (state) throws(ServiceError) -> AppendResult in
            if state.needsReload { try rebuild(&state) }
            if let failure = state.integrityFailure { throw ServiceError(.unavailable, failure) }
            // Another server may have appended: its entries first, so that the store's compare-and-set fails only on
            // a race of a few milliseconds. A store that hears of the others' appends says whether there may be
            // any; a client that expects another head may have seen it on another server.
            if state.head.hash != ifMatch || storage.mayHaveEntries(after: state.head.size) { try catchUp(&state) }
            let head = state.head
            guard head.hash == ifMatch else {
                if let existing = try alreadyLogged(entries, head: head) { return existing }
                var error = ServiceError(
                    .staleHead,
                    "la tête du registre \(name) n'est plus \(ifMatch.hex.prefix(16))… : relisez-la, signez à nouveau et renvoyez"
                )
                error.head = head
                throw error
            }
            // One entry: validated in place (a refusal leaves the state as it was). A batch: on a copy, kept only if
            // every entry is accepted (all or nothing).
            var trial = entries.count == 1 ? nil : Optional(state.replayer)
            var outcomes = RuleOutcomes()
            for (index, entry) in entries.enumerated() {
                var check = checks[index]
                if check == .unchecked, let record = (trial?.keys ?? state.replayer.keys)[entry.actor] {
                    check =
                        record.publicKey.isValidSignature(entry.signature, for: entry.signedBytes) ? .valid : .invalid
                }
                let accepted: Bool
                if trial == nil {
                    state.replayer.clock = .now()
                    accepted = state.replayer.append(entry, signature: check, outcomes: &outcomes)
                } else {
                    trial!.clock = .now()
                    accepted = trial!.append(entry, signature: check, outcomes: &outcomes)
                }
                guard accepted else { throw Self.refusal(outcomes, entry: entry, index: index, of: entries.count) }
            }
            let newHead: LogHead?
            do throws(ServiceError) {
                newHead = try storage.append(entries, expecting: head)
            } catch {
                // The state may hold entries the store did not keep: rebuild it from the store, now or before the
                // next append if the store cannot be read either.
                state.needsReload = true
                try? rebuild(&state)
                throw error
            }
            guard let newHead else {
                // Another process appended to the store: take its entries in, and let the client retry. A single
                // entry was validated in place, so the state holds an entry the store refused: back to the base and
                // forward through the store's entries, then.
                if storage.isShared && trial != nil { try catchUp(&state) } else { try rebuild(&state) }
                var error = ServiceError(
                    .staleHead, "le registre \(name) a été modifié par un autre écrivain : relisez la tête et renvoyez")
                error.head = state.head
                throw error
            }
            if let trial { state.replayer = trial }
            state.head = newHead
            Self.keepBase(&state, shared: storage.isShared)
            publish(state)
            return AppendResult(entries: entries.map { ($0.seq, $0.hash) }, created: true, head: newHead)
        }
        return outcome
    }

    /// The result of an identical resend: every entry is already in the log at its seq, byte for byte.
    private func alreadyLogged(_ entries: [Entry], head: LogHead) throws(ServiceError) -> AppendResult? {
        for entry in entries {
            guard entry.seq >= 0, UInt64(entry.seq) < head.size,
                try storage.leafHash(seq: UInt64(entry.seq)) == RFC6962.leafHash(entry.line)
            else { return nil }
        }
        return AppendResult(entries: entries.map { ($0.seq, $0.hash) }, created: false, head: head)
    }

    /// Folds in the entries other servers appended to a shared store after this state's head: each checked
    /// and replayed as the start-up verification does. A store this service alone writes has none.
    private func catchUp(_ state: inout State) throws(ServiceError) {
        let fresh = try storage.entries(after: state.head.size)
        guard !fresh.isEmpty else { return }
        var outcomes = RuleOutcomes()
        for entry in fresh {
            let check = Self.signatureChecks([entry], keys: state.replayer.keys)[0]
            state.replayer.clock = .now()
            state.replayer.apply(entry, signature: check, outcomes: &outcomes)
        }
        if let first = outcomes.failures.first {
            // Another server accepted what this one refuses (different rules or clock): stop writing, say why.
            let sentence = "le registre \(name) ne vérifie pas (seq \(first.seq), \(first.rule) : \(first.message))"
            state.verificationFailure = sentence
            state.integrityFailure = sentence + " ; il est servi en lecture seule"
        }
        state.head = LogHead(
            size: UInt64(state.replayer.count), hash: state.replayer.lastHash, time: state.replayer.lastTime)
        Self.keepBase(&state, shared: storage.isShared)
        publish(state)
    }

    /// Another server appended up to `size` (the store heard of it): catches up in the background, on the writer's
    /// queue, so that readers see the entries without waiting for a write. One catch-up waits at a time.
    public func heard(size: UInt64) {
        guard storage.isShared, size > head.size,
            following.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged
        else { return }
        queue.async {
            self.following.store(false, ordering: .releasing)
            try? self.state.withLock { (state) throws(ServiceError) in
                if state.needsReload { try self.rebuild(&state) }
                try self.catchUp(&state)
            }
        }
    }

    /// Catches up on the entries other servers appended to a shared store (before a read of the head), on the
    /// writer's queue. Nothing to do for a store this service alone writes.
    public func refresh() async throws(ServiceError) {
        guard storage.isShared else { return }
        let result: Result<Void, ServiceError> = await withCheckedContinuation { continuation in
            queue.async {
                do throws(ServiceError) {
                    try self.state.withLock { (state) throws(ServiceError) in
                        if state.needsReload { try self.rebuild(&state) }
                        try self.catchUp(&state)
                    }
                    continuation.resume(returning: .success(()))
                } catch {
                    continuation.resume(returning: .failure(error))
                }
            }
        }
        try result.get()
    }

    /// Brings back a state that may hold entries the store does not (a lost race on an entry validated in place, a
    /// write whose commit is uncertain): for a shared store, its base and the store's entries after it; otherwise
    /// the whole log, replayed again.
    private func rebuild(_ state: inout State) throws(ServiceError) {
        guard storage.isShared, let base = state.base else { return try reload(&state) }
        state.needsReload = true
        state.replayer = base.replayer
        state.head = base.head
        try catchUp(&state)
        state.needsReload = false
        publish(state)
    }

    private func reload(_ state: inout State) throws(ServiceError) {
        let signed = state.signedSize
        state = try Self.load(name: name, storage: storage, rules: rules)
        state.signedSize = max(state.signedSize, signed)
        publish(state)
    }

    /// The refusal of entry `index` of a request, from the rule engine's first refusal.
    static func refusal(_ outcomes: RuleOutcomes, entry: Entry, index: Int, of count: Int) -> ServiceError {
        let first = outcomes.refusals.first
        let rule = first?.rule ?? .canonical
        let which = count == 1 ? "" : " (entrée \(index + 1) sur \(count) ; rien n'a été écrit)"
        var error = ServiceError(.refused, "refusé (\(rule)) : \(first?.message ?? "")\(which)")
        error.rule = rule
        error.seq = entry.seq
        return error
    }

    // MARK: - Checkpoints

    /// Signs a checkpoint of the log as it is now, if it grew since the last one; returns it, or nil when there was
    /// nothing new. Runs on the writer's queue, so the signed size and keys are those of acknowledged entries.
    public func signCheckpointIfGrown(key: Ed25519PrivateKey) async throws(ServiceError) -> SignedCheckpoint? {
        let result: Result<SignedCheckpoint?, ServiceError> = await withCheckedContinuation { continuation in
            queue.async {
                do throws(ServiceError) {
                    let signed = try self.state.withLock { (state) throws(ServiceError) -> SignedCheckpoint? in
                        guard state.integrityFailure == nil, state.head.size > state.signedSize,
                            state.head.size > state.failedSigningSize
                        else { return nil }
                        let signed: SignedCheckpoint
                        do throws(ServiceError) {
                            signed = try self.storage.signCheckpoint(
                                keys: state.replayer.keys, size: state.head.size, key: key)
                        } catch {
                            state.failedSigningSize = state.head.size
                            throw error
                        }
                        state.signedSize = signed.checkpoint.size
                        return signed
                    }
                    continuation.resume(returning: .success(signed))
                } catch {
                    continuation.resume(returning: .failure(error))
                }
            }
        }
        return try result.get()
    }

    /// Runs a blocking read of the store off the cooperative pool.
    public func read<T: Sendable>(_ body: @escaping @Sendable (any LogStorage) throws(ServiceError) -> T)
        async throws(ServiceError) -> T
    {
        let storage = self.storage
        return try await BlockingReads.run { () throws(ServiceError) -> T in try body(storage) }
    }
}

/// Where blocking reads of stores run: a concurrent queue outside the cooperative pool, so that a slow disk read
/// never holds a thread that request handling needs.
enum BlockingReads {
    static let queue = DispatchQueue(label: "grant-ledger.reads", attributes: .concurrent)

    /// Runs `body` on ``queue`` and waits for it without holding a thread of the cooperative pool.
    static func run<T: Sendable>(_ body: @escaping @Sendable () throws(ServiceError) -> T) async throws(ServiceError)
        -> T
    {
        let result: Result<T, ServiceError> = await withCheckedContinuation { continuation in
            queue.async {
                do throws(ServiceError) { continuation.resume(returning: .success(try body())) } catch {
                    continuation.resume(returning: .failure(error))
                }
            }
        }
        return try result.get()
    }
}
