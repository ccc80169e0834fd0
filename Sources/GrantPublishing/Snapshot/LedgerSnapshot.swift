import Foundation
public import GrantDomain
public import LedgerCore
import LedgerCrypto

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
    /// The log's bytes, exactly the `identity.size` verified lines.
    public let logBytes: [UInt8]
    /// `checkpoint.txt` of the ledger directory, when there is one.
    public let checkpoint: [UInt8]?

    /// Why the log does not verify, or nil when it does (declared deviations are not failures).
    public let verificationFailure: String?

    public init(
        identity: LogIdentity, state: GrantState, keys: KeyRegistry, logBytes: [UInt8], checkpoint: [UInt8]?,
        verificationFailure: String? = nil
    ) {
        self.verificationFailure = verificationFailure
        self.identity = identity
        self.state = state
        self.keys = keys
        self.logBytes = logBytes
        self.checkpoint = checkpoint
    }

    /// The snapshot of a log that verifies: what every publication is computed from.
    ///
    /// - Throws: `.unreadable`, or `.logInvalid` when any rule fails.
    public static func verified(directory: String, rules: GrantRules = GrantRules()) throws(PublishingError)
        -> LedgerSnapshot
    {
        let snapshot = try load(directory: directory, rules: rules)
        if let failure = snapshot.verificationFailure {
            throw PublishingError(.logInvalid, failure + " ; rien n'en est publié, lancez grant-ledger verify")
        }
        return snapshot
    }

    /// Verifies the ledger in `directory` and takes its snapshot, valid or not (see ``verified(directory:rules:)``).
    ///
    /// - Throws: `.unreadable` when there is no readable log.
    public static func load(directory: String, rules: GrantRules = GrantRules()) throws(PublishingError)
        -> LedgerSnapshot
    {
        let store = LedgerStore(directory: directory)
        guard store.exists else {
            throw PublishingError(
                .unreadable, "il n'y a pas de registre dans \(directory) (pas de \(LedgerStore.logFileName))")
        }
        let report: VerificationReport
        let replayer: Replayer<GrantRules>
        do throws(LedgerError) {
            (report, replayer) = try LedgerVerifier.verify(store: store, domain: rules)
        } catch {
            throw PublishingError(.unreadable, error.message)
        }
        var failure: String? = nil
        if let first = report.outcomes.failures.first {
            let count = report.outcomes.failures.count
            failure =
                "le registre ne se vérifie pas (\(count) échec\(count == 1 ? "" : "s"), le premier à la seq \(first.seq), \(first.rule) : \(first.message))"
        }
        guard let data = FileManager.default.contents(atPath: store.logPath) else {
            throw PublishingError(.unreadable, "impossible de lire \(store.logPath)")
        }
        // Keep exactly the lines the verifier read (an append may have landed since).
        var bytes = [UInt8](data)
        var lines: [ArraySlice<UInt8>] = []
        var start = 0
        for index in bytes.indices where bytes[index] == 0x0A && Int64(lines.count) < report.entries {
            lines.append(bytes[start..<index])
            start = index + 1
        }
        bytes.removeSubrange(start...)
        guard Int64(lines.count) == report.entries else {
            throw PublishingError(.unreadable, "\(store.logPath) a changé pendant sa lecture ; relancez la commande")
        }
        let root = try merkleRoot(lines)
        let headHash = report.headHash?.hex ?? ""
        if let last = lines.last, SHA256.hash(last).hex != headHash {
            throw PublishingError(.unreadable, "\(store.logPath) a changé pendant sa lecture ; relancez la commande")
        }
        let headTime = lines.last.flatMap { try? Entry(line: Array($0)) }?.time
        let identity = LogIdentity(
            origin: replayer.keys.origin ?? "", title: replayer.keys.title ?? "", size: report.entries,
            headSeq: report.headSeq, headHash: headHash, headTime: headTime, rootHash: root.hex,
            byteCount: bytes.count, fileSHA256: SHA256.hash(bytes).hex)
        let checkpoint = FileManager.default.contents(atPath: directory + "/checkpoint.txt").map { [UInt8]($0) }
        return LedgerSnapshot(
            identity: identity, state: replayer.domain.state, keys: replayer.keys, logBytes: bytes,
            checkpoint: checkpoint, verificationFailure: failure)
    }
}
