public import LedgerCrypto

/// What every store of a log keeps, whatever it is written on: the ledger directory (``LedgerStore``) or a database
/// shared by several servers (the `LedgerPostgres` module).
///
/// A store keeps lines in order, durably, with the Merkle hashes of the tree they form; it validates nothing (the
/// caller replays and checks every entry) except the one thing that keeps a log from forking: an append names the
/// head it extends, and a store whose head is no longer that one writes nothing.
public protocol LogStore: Sendable {
    /// The committed head: how many entries, and the hash of the last one.
    func head() async throws(LedgerError) -> LogStoreHead

    /// At most `limit` committed lines from entry `start` on, in order, without their `\n`.
    func lines(from start: Int64, limit: Int) async throws(LedgerError) -> [[UInt8]]

    /// Appends `entries` (parsed, chained, signed and validated by the caller against the state after `expected`)
    /// if the store's head is still `expected`: all of them durably, or none.
    func appendVerified(_ entries: [Entry], expecting expected: LogStoreHead) async throws(LedgerError)
        -> LogStoreAppend

    /// The bytes of a hash tile of the committed tree (docs/PROOFS.md §9.2), from the stored Merkle hashes.
    func tileBytes(_ tile: Tile) async throws(LedgerError) -> [UInt8]
}

/// A log's head as a store keeps it.
public struct LogStoreHead: Sendable, Hashable, CustomStringConvertible {
    /// Entries committed.
    public var count: Int64
    /// Hash of the last committed line, 32 zero bytes for an empty log.
    public var hash: Digest

    public init(count: Int64, hash: Digest) {
        self.count = count
        self.hash = hash
    }

    public static let empty = LogStoreHead(count: 0, hash: .zero)

    public var description: String { "\(count) entries, last hash \(hash.hex.prefix(16))…" }
}

/// What ``LogStore/appendVerified(_:expecting:)`` did.
public enum LogStoreAppend: Sendable, Equatable {
    /// The entries are durable; this is the new head.
    case appended(LogStoreHead)
    /// The head was not the one expected (another writer appended meanwhile): nothing was written.
    case stale(LogStoreHead)
}

extension LedgerStore: LogStore {
    public func head() async throws(LedgerError) -> LogStoreHead {
        let tail = try withExclusiveLock { () throws(LedgerError) -> Tail in try readTail() }
        return LogStoreHead(count: tail.commit.count, hash: tail.commit.lastHash)
    }

    /// Reads the log from its start (a ledger directory has no index of lines by seq).
    public func lines(from start: Int64, limit: Int) async throws(LedgerError) -> [[UInt8]] {
        let reader = try lines()
        var result: [[UInt8]] = []
        var seq: Int64 = 0
        while result.count < limit, let line = reader.next() {
            if seq >= start { result.append(line) }
            seq += 1
        }
        if let error = reader.error { throw error }
        return result
    }

    public func appendVerified(_ entries: [Entry], expecting expected: LogStoreHead) async throws(LedgerError)
        -> LogStoreAppend
    {
        switch try appendVerified(entries, expecting: expected.hash) {
        case .appended:
            guard let last = entries.last else { return .appended(expected) }
            return .appended(LogStoreHead(count: expected.count + Int64(entries.count), hash: last.hash))
        case .stale(let tail):
            return .stale(LogStoreHead(count: tail.commit.count, hash: tail.commit.lastHash))
        }
    }

    public func tileBytes(_ tile: Tile) async throws(LedgerError) -> [UInt8] {
        try TileReader.open(self).read(.hashes(tile))
    }
}

extension LedgerVerifier {
    /// Verifies a log given as its lines (a store that is not a ledger directory: a database), with `domain`'s
    /// rules: the checks of ``verify(store:domain:checkSignatures:workers:clock:)``, signatures checked in
    /// batches on every core. A store that commits whole transactions has no torn tail to report.
    public static func verify<Domain: DomainRules>(
        lines: some Sequence<[UInt8]>, domain: Domain, clock: Timestamp = .now()
    ) -> (VerificationReport, Replayer<Domain>) {
        var replayer = Replayer(domain: domain, clock: clock)
        var outcomes = RuleOutcomes()
        var iterator = lines.makeIterator()
        let (signers, defects) = pipeline(
            next: { iterator.next() }, into: &replayer, outcomes: &outcomes, checkSignatures: true,
            threads: max(1, ProcessInfoCores.active))
        defects.report(into: &outcomes)
        replayer.finish(outcomes: &outcomes)
        let report = VerificationReport(
            entries: replayer.count, signers: signers,
            headHash: replayer.count > 0 ? replayer.lastHash : nil, headSeq: replayer.lastSeq,
            tornBytes: 0, outcomes: outcomes, signaturesChecked: true)
        return (report, replayer)
    }
}

extension LedgerProofs {
    /// The inclusion proof of entry `seq` against the signed checkpoint `checkpoint` of a log whose tree is `tree`
    /// and whose origin is `origin`: the checks of ``inclusion(store:seq:checkpoint:label:)``, for a store that
    /// keeps its tree elsewhere than in a ledger directory.
    public static func inclusion<S: MerkleHashStore>(
        tree: MerkleTree<S>, origin: String, seq: UInt64, checkpoint text: [UInt8], label: String
    ) throws(LedgerError) -> InclusionProof {
        let (note, checkpoint) = try LedgerCheckpoints.parseUnverified(text, what: label)
        guard seq < checkpoint.size else {
            throw LedgerError(
                .badInput,
                "l'entrée \(seq) n'est pas dans \(label), qui couvre les entrées 0 à \(Int64(checkpoint.size) - 1)")
        }
        try requireOwn(checkpoint, label: label, origin: origin, tree: tree)
        let hashes = try LedgerTree.mapped { () throws(TransparencyError) in
            try tree.inclusionProof(index: seq, size: checkpoint.size)
        }
        return InclusionProof(index: seq, hashes: hashes, checkpoint: checkpoint, checkpointNote: note, extra: nil)
    }

    /// The consistency proof from `old` to the signed checkpoint `new`, from `tree` (see
    /// ``inclusion(tree:origin:seq:checkpoint:label:)``).
    public static func consistency<S: MerkleHashStore>(
        tree: MerkleTree<S>, origin: String, old oldText: [UInt8], oldLabel: String, new newText: [UInt8],
        newLabel: String
    ) throws(LedgerError) -> ConsistencyProof {
        let (_, old) = try LedgerCheckpoints.parseUnverified(oldText, what: oldLabel)
        let (note, new) = try LedgerCheckpoints.parseUnverified(newText, what: newLabel)
        guard old.size <= new.size else {
            throw LedgerError(
                .badInput,
                "\(oldLabel) (taille \(old.size)) est plus grand que \(newLabel) (taille \(new.size)) ; l'ancien point de contrôle vient en premier"
            )
        }
        try requireOwn(old, label: oldLabel, origin: origin, tree: tree)
        try requireOwn(new, label: newLabel, origin: origin, tree: tree)
        let hashes = try LedgerTree.mapped { () throws(TransparencyError) in
            try tree.consistencyProof(from: old.size, to: new.size)
        }
        return ConsistencyProof(oldSize: old.size, hashes: hashes, checkpoint: new, checkpointNote: note)
    }

    /// Checks that `checkpoint` is for `origin` and a prefix of `tree` (same root at its size).
    public static func requireOwn<S: MerkleHashStore>(
        _ checkpoint: Checkpoint, label: String, origin: String, tree: MerkleTree<S>
    ) throws(LedgerError) {
        guard checkpoint.origin == origin else {
            throw LedgerError(
                .badInput, "\(label) est celui du journal \(checkpoint.origin), pas de celui de ce registre, \(origin)")
        }
        guard checkpoint.size <= tree.size else {
            throw LedgerCheckpoints.refusal(
                "\(label) est de taille \(checkpoint.size) mais le journal n'a que \(tree.size) entrées : le journal a été tronqué"
            )
        }
        let root = try LedgerTree.mapped { () throws(TransparencyError) in try tree.root(size: checkpoint.size) }
        guard root == checkpoint.rootHash else {
            throw LedgerCheckpoints.refusal(
                "la racine du journal à la taille \(checkpoint.size) diffère de celle de \(label) : le journal a été réécrit depuis"
            )
        }
    }
}
