import Synchronization
import Dispatch
public import LedgerCrypto

/// What a full verification found.
public struct VerificationReport: Sendable {
    /// Lines read (entries, valid or not).
    public let entries: Int64
    /// Distinct signers of valid entries.
    public let signers: Int
    /// Hash of the last line, and its seq; nil for an empty log.
    public let headHash: Digest?
    public let headSeq: Int64?
    /// Bytes of the log past its commit point (docs/FORMAT.md §5), if a write was interrupted.
    public let tornBytes: Int
    public let outcomes: RuleOutcomes
    /// Whether signatures were checked.
    public let signaturesChecked: Bool

    /// True when nothing failed.
    public var isValid: Bool { !outcomes.hasFailures }
}

/// Replays the whole log once, streaming, and checks every signature in parallel.
///
/// Lines are parsed and replayed in order on the calling thread; their signatures are queued in batches
/// and checked on all cores, while the calling thread goes on parsing the next batch (a two-stage pipeline).
/// Memory holds two batches, not the log.
public enum LedgerVerifier {
    /// Entries per signature batch: large enough to amortise thread hand-off, small enough to stay in cache.
    public static let batchSize = 2048

    /// Verifies the log of `store` with `domain`'s rules.
    ///
    /// - Parameters:
    ///   - checkSignatures: false skips Ed25519 checks (parse, canonical form, chain, keys, domain rules only).
    ///   - workers: threads for signature checks; defaults to the number of active cores.
    /// - Returns: the report and the replayer's final state (keys, domain projections).
    public static func verify<Domain: DomainRules>(
        store: LedgerStore, domain: Domain, checkSignatures: Bool = true, workers: Int? = nil
    ) throws(LedgerError) -> (VerificationReport, Replayer<Domain>) {
        let reader = try store.lines()
        var replayer = Replayer(domain: domain)
        var outcomes = RuleOutcomes()
        var signers = Set<String>()
        let threads = max(1, workers ?? ProcessInfoCores.active)
        var batch = SignatureBatch()
        batch.reserve(batchSize)
        var inFlight: SignatureBatch.InFlight? = nil

        while let line = reader.next() {
            do throws(EntryError) {
                let entry = try Entry(line: line)
                let key = replayer.apply(entry, outcomes: &outcomes)
                if let key {
                    signers.insert(entry.actor)
                    if checkSignatures {
                        batch.append(seq: replayer.count - 1, key: key, entry: entry)
                        if batch.count >= batchSize {
                            inFlight?.finish(into: &outcomes)
                            inFlight = batch.start(threads: threads)
                            batch = SignatureBatch()
                            batch.reserve(batchSize)
                        }
                    }
                }
            } catch {
                replayer.applyUnparseable(line: line, error: error, outcomes: &outcomes)
            }
        }
        if let error = reader.error { throw error }
        if checkSignatures {
            inFlight?.finish(into: &outcomes)
            batch.start(threads: threads).finish(into: &outcomes)
        }
        let torn = reader.uncommittedBytes
        if let mismatch = reader.commitMismatch {
            outcomes.check("INT-TORN", seq: replayer.count, passed: false, mismatch)
        } else if torn > 0 {
            outcomes.check(
                "INT-TORN", seq: replayer.count, passed: false,
                "the last \(torn) bytes of the log are past its commit point (an interrupted write, never acknowledged); run grant-ledger repair"
            )
        }
        replayer.domain.finish(outcomes: &outcomes)
        let report = VerificationReport(
            entries: replayer.count, signers: signers.count,
            headHash: replayer.count > 0 ? replayer.lastHash : nil, headSeq: replayer.lastSeq,
            tornBytes: torn, outcomes: outcomes, signaturesChecked: checkSignatures)
        return (report, replayer)
    }
}

/// Signatures waiting to be checked, with what each needs.
struct SignatureBatch {
    private(set) var seqs: [Int64] = []
    private(set) var keys: [Ed25519PublicKey] = []
    private(set) var entries: [Entry] = []

    var count: Int { entries.count }

    mutating func reserve(_ capacity: Int) {
        seqs.reserveCapacity(capacity)
        keys.reserveCapacity(capacity)
        entries.reserveCapacity(capacity)
    }

    mutating func append(seq: Int64, key: Ed25519PublicKey, entry: Entry) {
        seqs.append(seq)
        keys.append(key)
        entries.append(entry)
    }

    /// A batch whose signatures are being checked in the background.
    struct InFlight {
        let batch: SignatureBatch
        let results: ResultBuffer
        let group: DispatchGroup

        /// Waits for the checks, then records them in log order.
        func finish(into outcomes: inout RuleOutcomes) {
            group.wait()
            for index in 0..<batch.entries.count {
                let entry = batch.entries[index]
                outcomes.check(
                    "INT-SIGNATURE", seq: batch.seqs[index], passed: results.get(index),
                    "the signature does not verify with the key \(entry.actor.prefix(16))… over the entry's canonical bytes"
                )
            }
        }
    }

    private static let queue = DispatchQueue(label: "grantledger.signatures", attributes: .concurrent)

    /// Starts checking the batch on `threads` threads and returns at once.
    func start(threads: Int) -> InFlight {
        let total = entries.count
        let results = ResultBuffer(count: max(total, 1))
        let group = DispatchGroup()
        // `threads` workers take small slices from a shared counter: a thread that finishes early takes
        // another slice instead of idling while the other ends its half.
        let slices = max(1, min(threads * 8, total))
        let next = SliceCounter()
        let entries = self.entries
        let keys = self.keys
        for _ in 0..<max(1, min(threads, total)) where total > 0 {
            SignatureBatch.queue.async(group: group) {
                let verifier = Ed25519Verifier()
                while let slice = next.take(below: slices) {
                    let start = total * slice / slices
                    let end = total * (slice + 1) / slices
                    for index in start..<end {
                        let entry = entries[index]
                        results.set(
                            index, verifier.isValidSignature(entry.signature, for: entry.signedBytes, key: keys[index]))
                    }
                }
            }
        }
        return InFlight(batch: self, results: results, group: group)
    }
}

/// Hands out slice numbers 0, 1, 2… to the signature workers.
final class SliceCounter: Sendable {
    private let value = Mutex(0)

    func take(below limit: Int) -> Int? {
        value.withLock { current in
            guard current < limit else { return nil }
            defer { current += 1 }
            return current
        }
    }
}

/// A fixed array of flags written by disjoint indices from several threads.
///
/// Sound to share: each index is written by exactly one thread, and read only after the batch's
/// `DispatchGroup.wait()` has returned, which orders the writes before the reads.
final class ResultBuffer: @unchecked Sendable {
    private let storage: UnsafeMutableBufferPointer<Bool>

    init(count: Int) {
        storage = .allocate(capacity: count)
        storage.initialize(repeating: false)
    }

    deinit {
        storage.deallocate()
    }

    func set(_ index: Int, _ value: Bool) { storage[index] = value }
    func get(_ index: Int) -> Bool { storage[index] }
}

/// The number of cores this process may use.
public enum ProcessInfoCores {
    public static var active: Int {
        #if canImport(Glibc)
            return max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
        #else
            return 1
        #endif
    }
}

#if canImport(Glibc)
    import Glibc
#endif
