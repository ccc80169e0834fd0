import Foundation
public import GrantDomain
public import LedgerCore
public import LedgerCrypto

/// A verified log and everything published from it: its identity, the grant projections, its keys and bytes.
///
/// Figures are only ever computed from a log that verifies completely (chain, signatures, every rule of
/// `docs/RULES.md`): publishing numbers from a log that fails its checks would give them an authority they do
/// not have. Declared deviations do not make a log invalid; they are counted and shown.
///
/// ```swift
/// let snapshot = try LedgerSnapshot.load(directory: "events")
/// let stats = FundingStatistics(snapshot: snapshot, scope: StatsScope())
/// ```
public struct LedgerSnapshot: Sendable {
    public let identity: LogIdentity
    public let state: GrantState
    public let keys: KeyRegistry
    /// Where the log's bytes are: exactly the `identity.size` verified lines (see ``readLog()``).
    let log: LogBytes

    /// The log's bytes: in memory (a service's snapshot), or the verified prefix of the ledger file, read only when
    /// asked for (publishing a site) so that a snapshot's memory grows with applications, not with entries.
    enum LogBytes: Sendable {
        case memory([UInt8])
        case file(LedgerStore)
    }
    /// `checkpoint.txt` of the ledger directory, when there is one.
    public let checkpoint: [UInt8]?

    /// Why the log does not verify, or nil when it does (declared deviations are not failures).
    public let verificationFailure: String?

    public init(
        identity: LogIdentity, state: GrantState, keys: KeyRegistry, logBytes: [UInt8], checkpoint: [UInt8]?,
        verificationFailure: String? = nil
    ) {
        self.init(
            identity: identity, state: state, keys: keys, log: .memory(logBytes), checkpoint: checkpoint,
            verificationFailure: verificationFailure)
    }

    init(
        identity: LogIdentity, state: GrantState, keys: KeyRegistry, log: LogBytes, checkpoint: [UInt8]?,
        verificationFailure: String?
    ) {
        self.verificationFailure = verificationFailure
        self.identity = identity
        self.state = state
        self.keys = keys
        self.log = log
        self.checkpoint = checkpoint
    }

    /// The log's bytes, exactly the `identity.size` verified lines (`identity.byteCount` bytes, whose SHA-256 is
    /// `identity.fileSHA256`).
    ///
    /// - Throws: `.unreadable` when the file can no longer be read, or no longer starts with those bytes.
    public func readLog() throws(PublishingError) -> [UInt8] {
        switch log {
        case .memory(let bytes):
            return bytes
        case .file(let store):
            let bytes: [UInt8]
            do throws(LedgerError) {
                bytes = try store.readLog(length: identity.byteCount)
            } catch {
                throw PublishingError(.unreadable, error.message, underlying: error)
            }
            guard SHA256.hash(bytes).hex == identity.fileSHA256 else {
                throw PublishingError(
                    .unreadable, "\(store.logPath) a changé depuis sa vérification ; relancez la commande")
            }
            return bytes
        }
    }

    /// The snapshot of a log that verifies: what every publication is computed from.
    ///
    /// - Parameter history: the verifier's history (docs/PROOFS.md §10). The signatures of the entries a
    ///   `grant-ledger verify` on this machine already checked completely are not checked again, when the log
    ///   still holds exactly those entries (its line at the remembered size has the remembered hash); chain, keys
    ///   and every rule are checked on the whole log all the same.
    /// - Throws: `.unreadable`, or `.logInvalid` when any rule fails.
    public static func verified(
        directory: String, rules: GrantRules = GrantRules(), history: VerifierStateDirectory? = nil
    ) throws(PublishingError) -> LedgerSnapshot {
        let snapshot = try load(directory: directory, rules: rules, history: history)
        if let failure = snapshot.verificationFailure {
            throw PublishingError(.logInvalid, failure + " ; rien n'en est publié")
        }
        return snapshot
    }

    /// The grant state of a log that verifies completely (chain, signatures, every rule), as `status` shows it: a
    /// log that fails any rule gives no figures. `history` as in ``verified(directory:rules:history:)``.
    ///
    /// - Throws: `.unreadable` when there is no readable log, `.logInvalid` when any rule fails.
    public static func verifiedState(
        directory: String, rules: GrantRules = GrantRules(), history: VerifierStateDirectory? = nil
    ) throws(PublishingError) -> GrantState {
        let (report, replayer) = try verify(directory: directory, rules: rules, history: history)
        if let failure = report.failureSummary {
            throw PublishingError(.logInvalid, failure + " ; aucun chiffre n'en est donné")
        }
        return replayer.domain.state
    }

    /// Verifies the ledger in `directory`: its report and the replayed state.
    static func verify(directory: String, rules: GrantRules, history: VerifierStateDirectory?) throws(PublishingError)
        -> (VerificationReport, Replayer<GrantRules>)
    {
        let store = LedgerStore(directory: directory)
        guard store.exists else {
            throw PublishingError(
                .unreadable, "il n'y a pas de registre dans \(directory) (pas de \(LedgerStore.logFileName))")
        }
        do throws(LedgerError) {
            return try LedgerVerifier.verify(
                store: store, domain: rules, remembered: history.flatMap { remembered(in: $0, of: store) })
        } catch {
            throw PublishingError(.unreadable, error.message, underlying: error)
        }
    }

    /// Verifies the ledger in `directory` and takes its snapshot, valid or not (see ``verified(directory:rules:history:)``).
    ///
    /// - Throws: `.unreadable` when there is no readable log.
    public static func load(
        directory: String, rules: GrantRules = GrantRules(), history: VerifierStateDirectory? = nil
    ) throws(PublishingError) -> LedgerSnapshot {
        let (report, replayer) = try verify(directory: directory, rules: rules, history: history)
        let store = LedgerStore(directory: directory)
        let failure = report.failureSummary
        // The identity of exactly the lines the verifier read (an append may have landed since), streamed: the
        // log is never held in memory.
        let prefix = try Self.hashPrefix(store, lines: report.entries)
        let headHash = report.headHash?.hex ?? ""
        guard prefix.lastLineHash?.hex ?? "" == headHash else {
            throw PublishingError(.unreadable, "\(store.logPath) a changé pendant sa lecture ; relancez la commande")
        }
        let identity = LogIdentity(
            origin: replayer.keys.origin ?? "", title: replayer.keys.title ?? "", size: report.entries,
            headSeq: report.headSeq, headHash: headHash, headTime: prefix.lastTime, rootHash: prefix.root.hex,
            byteCount: prefix.byteCount, fileSHA256: prefix.fileSHA256.hex)
        let checkpoint = FileManager.default.contents(atPath: directory + "/checkpoint.txt").map { [UInt8]($0) }
        return LedgerSnapshot(
            identity: identity, state: replayer.domain.state, keys: replayer.keys, log: .file(store),
            checkpoint: checkpoint, verificationFailure: failure)
    }

    /// The RFC 6962 root, SHA-256, length, last line hash and time of the first `lines` lines of the log, in one
    /// streaming pass.
    /// What the verifier whose history is `history` remembers of the log of `store` (found by the origin of its
    /// first line); nil when nothing, or when that cannot be read (then every signature is checked).
    static func remembered(in history: VerifierStateDirectory, of store: LedgerStore) -> VerifierState? {
        guard let reader = try? store.lines(), let first = reader.next(), let genesis = try? Entry(line: first),
            let origin = genesis.payload["origin"]?.stringValue
        else { return nil }
        return try? history.load(origin: origin)
    }

    static func hashPrefix(_ store: LedgerStore, lines count: Int64) throws(PublishingError) -> (
        root: Digest, fileSHA256: Digest, byteCount: Int, lastLineHash: Digest?, lastTime: Timestamp?
    ) {
        let reader: LineReader
        do throws(LedgerError) {
            reader = try store.lines()
        } catch {
            throw PublishingError(.unreadable, error.message, underlying: error)
        }
        var range = CompactRange()
        let file = SHA256.Hasher()
        var byteCount = 0
        var last: [UInt8]? = nil
        var read: Int64 = 0
        while read < count, let line = reader.next() {
            range.append(RFC6962.leafHash(line))
            file.update(line)
            file.update([0x0A])
            byteCount += line.count + 1
            read += 1
            if read == count { last = line }
        }
        if let error = reader.error { throw PublishingError(.unreadable, error.message, underlying: error) }
        guard read == count else {
            throw PublishingError(.unreadable, "\(store.logPath) a changé pendant sa lecture ; relancez la commande")
        }
        return (
            range.root, file.finalize(), byteCount, last.map { SHA256.hash($0) },
            last.flatMap { try? Entry(line: $0) }?.time
        )
    }
}
