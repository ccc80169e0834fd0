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
/// Lines are parsed on the calling thread, and their signers' keys found with ``SigningKeys``; signatures
/// are checked in batches on all cores while the calling thread replays the batch before through the rules
/// and parses the next one (a two-stage pipeline). An entry is replayed once its signature is known, so a
/// forged entry is reported once (`INT-SIGNATURE`) and never folded into the state. Memory holds two
/// batches, not the log.
public enum LedgerVerifier {
    /// Entries per signature batch: large enough to amortise thread hand-off, small enough to stay in cache. Each
    /// batch in flight holds its entries' lines, payload trees and decoded payloads: 1 024 rather than 2 048 keeps
    /// 5 MB less at the peak of a replay of 100 000 applications, at no cost in time (docs/PERFORMANCE.md).
    public static let batchSize = 1024

    /// Verifies the log of `store` with `domain`'s rules.
    ///
    /// - Parameters:
    ///   - checkSignatures: false skips Ed25519 checks (parse, canonical form, chain, keys, domain rules only).
    ///   - workers: threads for signature checks; defaults to the number of active cores.
    ///   - clock: the verifier's clock, for `INT-FUTURE`.
    /// - Returns: the report and the replayer's final state (keys, domain projections).
    ///   - remembered: what an earlier verification on this machine checked completely (the verifier's history,
    ///     docs/PROOFS.md §10). The signatures of its first `size` lines are not checked again when the log's line
    ///     `size − 1` still has the hash `headHash`: by the hash chain, the lines before it are then the lines that
    ///     verification read. Otherwise every signature is checked. Chain, keys and rules are always checked.
    ///   - eachLine: called with every line of the log as read (its number from 1, its bytes), in order, on the
    ///     calling thread: what else must see the log (the checkpoint audit's roots, ``CheckpointAudit/LineRoots``)
    ///     sees it in the same pass. Line 1 comes again when the log is read again (a remembered prefix that no
    ///     longer matches).
    public static func verify<Domain: DomainRules>(
        store: LedgerStore, domain: Domain, checkSignatures: Bool = true, workers: Int? = nil,
        clock: Timestamp = .now(), remembered: VerifierState? = nil,
        eachLine: (_ number: Int64, _ line: [UInt8]) -> Void = { _, _ in }
    ) throws(LedgerError) -> (VerificationReport, Replayer<Domain>) {
        let prefix = checkSignatures ? Int64(clamping: remembered?.size ?? 0) : 0
        if prefix > 0, let remembered {
            let attempt = try run(
                store: store, domain: domain, checkSignatures: true, workers: workers, clock: clock,
                remembered: (prefix, remembered.headHash), eachLine: eachLine)
            if attempt.prefixConfirmed { return (attempt.report, attempt.replayer) }
        }
        let full = try run(
            store: store, domain: domain, checkSignatures: checkSignatures, workers: workers, clock: clock,
            remembered: nil, eachLine: eachLine)
        return (full.report, full.replayer)
    }

    /// One pass over the log; with `remembered`, the signatures of its first `count` lines are not checked, and
    /// `prefixConfirmed` says whether line `count − 1` has the remembered hash (if not, the pass proves nothing).
    private static func run<Domain: DomainRules>(
        store: LedgerStore, domain: Domain, checkSignatures: Bool, workers: Int?, clock: Timestamp,
        remembered: (count: Int64, headHash: Digest)?, eachLine: (Int64, [UInt8]) -> Void
    ) throws(LedgerError) -> (report: VerificationReport, replayer: Replayer<Domain>, prefixConfirmed: Bool) {
        let reader = try store.lines()
        var replayer = Replayer(domain: domain, clock: clock)
        var outcomes = RuleOutcomes()
        var lines: Int64 = 0
        var prefixConfirmed = false
        let (signers, defects) = pipeline(
            next: {
                guard let raw = reader.next() else { return nil }
                lines += 1
                eachLine(lines, raw)
                if let remembered, lines == remembered.count {
                    prefixConfirmed = SHA256.hash(raw) == remembered.headHash
                }
                ProgressObserver.report(entries: lines, done: reader.lineOffset, total: reader.endOffset)
                return raw
            }, into: &replayer, outcomes: &outcomes, checkSignatures: checkSignatures,
            uncheckedLines: remembered?.count ?? 0, threads: max(1, workers ?? ProcessInfoCores.active))
        if let error = reader.error { throw error }
        defects.report(into: &outcomes)
        let torn = reader.uncommittedBytes
        if let mismatch = reader.commitMismatch {
            outcomes.check(.torn, seq: replayer.count, passed: false, mismatch.frenchMessage)
        } else if torn > 0 {
            outcomes.check(
                .torn, seq: replayer.count, passed: false,
                "les \(torn) derniers octets du journal sont après son point de validation (une écriture interrompue, jamais acquittée) ; la commande repair les met de côté"
            )
        }
        replayer.finish(outcomes: &outcomes)
        let report = VerificationReport(
            entries: replayer.count, signers: signers,
            headHash: replayer.count > 0 ? replayer.lastHash : nil, headSeq: replayer.lastSeq,
            tornBytes: torn, outcomes: outcomes, signaturesChecked: checkSignatures)
        return (report, replayer, prefixConfirmed)
    }

    /// The pipeline every entry point shares, on batches of ``batchSize`` lines. The calling thread reads a
    /// batch and hands it to `threads` workers, which parse its lines (canonical form, hash, payload); it then
    /// finds the signers' keys of the batch before, in log order, hands its signatures to the workers, and
    /// replays through the rules the batch before that, whose checks are done. So parsing and signature checks
    /// run on every core while the rules, which need log order, run on this thread. Returns the number of
    /// distinct signers of accepted entries and the file-level defects seen.
    ///
    /// - Parameter uncheckedLines: the first lines, whose signatures are not checked (a remembered verification).
    static func pipeline<Domain: DomainRules>(
        next: () -> [UInt8]?, into replayer: inout Replayer<Domain>, outcomes: inout RuleOutcomes,
        checkSignatures: Bool, uncheckedLines: Int64 = 0, threads: Int
    ) -> (signers: Int, defects: LineDefects) {
        var signers = Set<String>()
        var lastSigner = ""
        var keys = SigningKeys()
        var defects = LineDefects()
        var read: Int64 = 0
        func readBatch() -> ParseBatch? {
            var lines: [[UInt8]] = []
            lines.reserveCapacity(batchSize)
            let first = read
            while lines.count < batchSize, let raw = next() {
                read += 1
                lines.append(defects.clean(raw))
            }
            return lines.isEmpty
                ? nil : ParseBatch(lines: lines, firstLine: first, threads: threads, decoder: Domain.payloadDecoder)
        }
        func replay(_ item: SignatureBatch.Item, _ check: SignatureCheck) {
            switch item {
            case .entry(let entry):
                // Consecutive entries mostly have one signer: the set is only consulted when it changes.
                if replayer.apply(entry, signature: check, outcomes: &outcomes), entry.actor != lastSigner {
                    signers.insert(entry.actor)
                    lastSigner = entry.actor
                }
            case .unparseable(let line, let error):
                replayer.applyUnparseable(line: line, error: error, outcomes: &outcomes)
            }
        }
        var parsing = readBatch()
        var checking: SignatureBatch.InFlight? = nil
        while let parsed = parsing {
            let items = parsed.finish()
            parsing = readBatch()
            var batch = SignatureBatch()
            batch.reserve(items.count)
            for (offset, item) in items.enumerated() {
                var key: Ed25519PublicKey? = nil
                if case .entry(let entry) = item {
                    keys.learn(from: entry)
                    if checkSignatures, parsed.firstLine + Int64(offset) >= uncheckedLines {
                        key = keys.key(for: entry.actor)
                    }
                }
                batch.append(item, key: key)
            }
            let started = batch.start(threads: threads)
            checking?.finish(replay)
            checking = started
        }
        checking?.finish(replay)
        return (signers.count, defects)
    }
}

/// Lines being parsed into entries by the worker threads.
struct ParseBatch {
    let firstLine: Int64
    private let results: SlotBuffer<SignatureBatch.Item>
    private let group = DispatchGroup()

    /// Starts parsing `lines` (line `firstLine` of the log onwards) on `threads` threads and returns at once; each
    /// payload goes through `decoder` on its thread (``Entry/decoded``).
    init(lines: [[UInt8]], firstLine: Int64, threads: Int, decoder: PayloadDecoder? = nil) {
        self.firstLine = firstLine
        let results = SlotBuffer<SignatureBatch.Item>(count: lines.count)
        self.results = results
        SignatureBatch.runSliced(count: lines.count, threads: threads, group: group) { slice in
            var texts = Entry.RepeatedTexts(decoder: decoder)
            for index in slice {
                let line = lines[index]
                do throws(EntryError) {
                    results.set(index, .entry(try Entry(line: line, texts: &texts)))
                } catch {
                    results.set(index, .unparseable(line, error))
                }
            }
        }
    }

    /// Waits for the parse and returns the items in log order.
    func finish() -> [SignatureBatch.Item] {
        group.wait()
        return results.take()
    }
}

/// Lines waiting for their signatures to be checked, with the key each needs.
struct SignatureBatch {
    enum Item {
        case entry(Entry)
        case unparseable([UInt8], EntryError)
    }

    private(set) var items: [Item] = []
    /// The signer's key of each item; nil when there is none to check against (unparseable, unknown signer).
    private(set) var keys: [Ed25519PublicKey?] = []

    var count: Int { items.count }

    mutating func reserve(_ capacity: Int) {
        items.reserveCapacity(capacity)
        keys.reserveCapacity(capacity)
    }

    mutating func append(_ item: Item, key: Ed25519PublicKey?) {
        items.append(item)
        keys.append(key)
    }

    /// A batch whose signatures are being checked in the background.
    struct InFlight {
        let batch: SignatureBatch
        let results: ResultBuffer
        let group: DispatchGroup

        /// Waits for the checks, then hands every item and its result to `replay`, in log order.
        func finish(_ replay: (Item, SignatureCheck) -> Void) {
            group.wait()
            for index in 0..<batch.items.count {
                let check: SignatureCheck =
                    batch.keys[index] == nil ? .unchecked : (results.get(index) ? .valid : .invalid)
                replay(batch.items[index], check)
            }
        }
    }

    private static let queue = DispatchQueue(label: "grantledger.signatures", attributes: .concurrent)

    /// Starts checking the batch on `threads` threads and returns at once.
    func start(threads: Int) -> InFlight {
        let total = items.count
        let results = ResultBuffer(count: max(total, 1))
        let group = DispatchGroup()
        let items = self.items
        let keys = self.keys
        if keys.contains(where: { $0 != nil }) {
            SignatureBatch.runSliced(count: total, threads: threads, group: group) { slice in
                let verifier = Ed25519Verifier()
                var message: [UInt8] = []
                message.reserveCapacity(1024)
                for index in slice {
                    guard let key = keys[index], case .entry(let entry) = items[index] else { continue }
                    entry.copySignedBytes(into: &message)
                    results.set(index, verifier.isValidSignature(entry.signature, for: message, key: key))
                }
            }
        }
        return InFlight(batch: self, results: results, group: group)
    }

    /// Runs `work` on slices of the indices below `count`, on `threads` threads of the workers' queue, in `group`.
    ///
    /// The threads take small slices from a shared counter: a thread that finishes early takes another slice
    /// instead of idling while the other ends its half.
    static func runSliced(
        count total: Int, threads: Int, group: DispatchGroup, _ work: @escaping @Sendable (Range<Int>) -> Void
    ) {
        guard total > 0 else { return }
        let slices = max(1, min(threads * 8, total))
        let next = SliceCounter()
        for _ in 0..<max(1, min(threads, total)) {
            queue.async(group: group) {
                while let slice = next.take(below: slices) {
                    work((total * slice / slices)..<(total * (slice + 1) / slices))
                }
            }
        }
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

/// A fixed array of values written by disjoint indices from several threads, then taken once.
///
/// Sound to share for the same reason as ``ResultBuffer``.
final class SlotBuffer<Value>: @unchecked Sendable {
    private let storage: UnsafeMutableBufferPointer<Value?>

    init(count: Int) {
        storage = .allocate(capacity: max(count, 1))
        storage.initialize(repeating: nil)
    }

    deinit {
        storage.deinitialize()
        storage.deallocate()
    }

    func set(_ index: Int, _ value: Value) { storage[index] = value }

    /// The values, every slot set, in order; the slots are left empty.
    func take() -> [Value] {
        var values: [Value] = []
        values.reserveCapacity(storage.count)
        for index in storage.indices {
            if let value = storage[index] { values.append(value) }
            storage[index] = nil
        }
        return values
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
    public static var active: Int { Platform.processorCount }
}
