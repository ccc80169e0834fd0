import LedgerCrypto

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// What `verify` adds for transparency: every published checkpoint is checked against the log itself, so cutting
/// or rewriting history that was once checkpointed is caught (docs/PROOFS.md §5).
///
/// Rules:
/// - `TLOG-CHECKPOINT`: a checkpoint file parses, is for this log's origin, is signed by an authority key that was
///   valid for its size, and is named for its size; for `--checkpoint FILE`, the log's root at its size is its root.
/// - `TLOG-CONSISTENCY`: for every file in `checkpoints/` and `checkpoint.txt`, the log still has at least that
///   many entries and its root at that size is the checkpoint's root.
/// - `TLOG-WITNESS`: with witness keys, the checked checkpoint (`--checkpoint FILE`, else `checkpoint.txt`) carries
///   at least `quorum` valid cosignatures by distinct witnesses.
///
/// Roots are recomputed from `ledger.jsonl` in one streaming pass (``CompactRange``); the `merkle/` cache is never
/// read, since it is derived from the very log under suspicion.
public enum CheckpointAudit {
    public static let checkpointRule: RuleID = "TLOG-CHECKPOINT"
    public static let consistencyRule: RuleID = "TLOG-CONSISTENCY"
    public static let witnessRule: RuleID = "TLOG-WITNESS"

    /// What to check beyond the files of the ledger directory.
    public struct Options: Sendable {
        /// A checkpoint file to check against the log (`verify --checkpoint FILE`).
        public var checkpoint: String?
        /// Cosigner verifier keys `name+hex8+base64(0x04 ‖ key)`.
        public var witnesses: [String]
        /// How many of ``witnesses`` must have cosigned; nil means all of them.
        public var quorum: Int?

        public init(checkpoint: String? = nil, witnesses: [String] = [], quorum: Int? = nil) {
            self.checkpoint = checkpoint
            self.witnesses = witnesses
            self.quorum = quorum
        }
    }

    /// A checkpoint file found or given, parsed.
    private struct Candidate {
        let label: String
        let text: [UInt8]
        let checkpoint: Checkpoint?
        /// Whether the root check is `TLOG-CHECKPOINT` (the file given on the command line) or `TLOG-CONSISTENCY`.
        let explicit: Bool
        let namedSize: UInt64?
    }

    /// Checks the ledger's checkpoints, and the one in `options`, against `store`'s log and `keys` (the registry
    /// the verifier replayed).
    ///
    /// - Throws: `.badInput` for an unreadable `--checkpoint` file, a malformed witness key, or a bad quorum.
    public static func audit(store: LedgerStore, keys: KeyRegistry, options: Options) throws(LedgerError)
        -> RuleOutcomes
    {
        let witnesses = try parseWitnesses(options)
        var candidates: [Candidate] = []
        for (name, size) in try listCheckpointFiles(store) {
            let path = store.directory + "/" + LedgerCheckpoints.directoryName + "/" + name
            candidates.append(
                candidate(
                    label: LedgerCheckpoints.directoryName + "/" + name, text: try KeyFiles.read(path), explicit: false,
                    namedSize: size))
        }
        let latest = LedgerCheckpoints.latestPath(store)
        if FileIO.exists(latest) {
            candidates.append(
                candidate(
                    label: LedgerCheckpoints.latestFileName, text: try KeyFiles.read(latest), explicit: false,
                    namedSize: nil))
        }
        if let path = options.checkpoint {
            candidates.append(candidate(label: path, text: try KeyFiles.read(path), explicit: true, namedSize: nil))
        }
        var outcomes = RuleOutcomes()
        guard !candidates.isEmpty || !witnesses.isEmpty else { return outcomes }

        let roots = try rootsOfLog(store, at: Set(candidates.compactMap { $0.checkpoint?.size }))
        for candidate in candidates {
            check(candidate, keys: keys, roots: roots, outcomes: &outcomes)
        }
        if !witnesses.isEmpty {
            let target =
                candidates.last { $0.explicit } ?? candidates.last { $0.label == LedgerCheckpoints.latestFileName }
            checkWitnesses(
                target, keys: keys, witnesses: witnesses, quorum: options.quorum ?? witnesses.count,
                outcomes: &outcomes)
        }
        return outcomes
    }

    private static func parseWitnesses(_ options: Options) throws(LedgerError) -> [CosignatureVerifier] {
        var witnesses: [CosignatureVerifier] = []
        for text in options.witnesses {
            do { witnesses.append(try CosignatureVerifier(verifierKey: text)) } catch {
                throw LedgerError(.badInput, "--witness \(text): \(error.message)")
            }
        }
        if let quorum = options.quorum {
            guard !witnesses.isEmpty else { throw LedgerError(.badInput, "--quorum needs at least one --witness key") }
            guard quorum >= 1, quorum <= witnesses.count else {
                throw LedgerError(
                    .badInput, "--quorum must be between 1 and the number of --witness keys (\(witnesses.count))")
            }
        }
        return witnesses
    }

    /// `checkpoints/*.txt` whose name is a decimal size, sorted by size; other names are reported by size nil.
    private static func listCheckpointFiles(_ store: LedgerStore) throws(LedgerError) -> [(String, UInt64?)] {
        let directory = store.directory + "/" + LedgerCheckpoints.directoryName
        guard let handle = opendir(directory) else { return [] }
        defer { closedir(handle) }
        var names: [(String, UInt64?)] = []
        while let item = readdir(handle) {
            let name = withUnsafeBytes(of: item.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            guard name.hasSuffix(".txt") else { continue }
            names.append((name, TextField.decimal(name.dropLast(4))))
        }
        return names.sorted { ($0.1 ?? .max, $0.0) < ($1.1 ?? .max, $1.0) }
    }

    private static func candidate(label: String, text: [UInt8], explicit: Bool, namedSize: UInt64?) -> Candidate {
        let checkpoint = (try? Note(parsing: text)).flatMap { try? Checkpoint(body: $0.text) }
        return Candidate(label: label, text: text, checkpoint: checkpoint, explicit: explicit, namedSize: namedSize)
    }

    /// The roots of the log at each of `sizes`, and its number of complete lines, from one pass over the log.
    private static func rootsOfLog(_ store: LedgerStore, at sizes: Set<UInt64>) throws(LedgerError)
        -> (roots: [UInt64: Digest], count: UInt64)
    {
        var roots: [UInt64: Digest] = [:]
        var range = CompactRange()
        if sizes.contains(0) { roots[0] = range.root }
        let largest = sizes.max() ?? 0
        let reader = try store.lines()
        var count: UInt64 = 0
        while let line = reader.next() {
            count += 1
            // Past the largest checkpoint only the count matters: no hashing.
            guard count <= largest else { continue }
            range.append(RFC6962.leafHash(line))
            if sizes.contains(count) { roots[count] = range.root }
        }
        if let error = reader.error { throw error }
        return (roots, count)
    }

    /// The authority keys that may have signed a checkpoint of `size`: registered within it and not revoked
    /// before its end.
    private static func logVerifiers(_ keys: KeyRegistry, origin: String, size: UInt64) -> [NoteVerifier] {
        keys.sortedRecords.compactMap { record in
            guard record.role == .authority, UInt64(max(record.registeredAt, 0)) < max(size, 1) else { return nil }
            if let revoked = record.revokedAt, UInt64(max(revoked, 0)) < size { return nil }
            return try? NoteVerifier(name: origin, publicKey: record.publicKey)
        }
    }

    /// Opens `text` with the first authority key that signed it; the most telling error otherwise.
    private static func open(
        _ text: [UInt8], keys: KeyRegistry, origin: String, size: UInt64, cosigners: [CosignatureVerifier] = []
    ) -> Result<SignedCheckpoint, TransparencyError> {
        var failure = TransparencyError(.noKnownSignature, "it is not signed by an authority key of this ledger")
        for verifier in logVerifiers(keys, origin: origin, size: size) {
            do {
                return .success(try SignedCheckpoint.open(text, log: verifier, cosigners: cosigners))
            } catch {
                if error.code != .noKnownSignature { failure = error }
            }
        }
        return .failure(failure)
    }

    private static func check(
        _ candidate: Candidate, keys: KeyRegistry, roots: (roots: [UInt64: Digest], count: UInt64),
        outcomes: inout RuleOutcomes
    ) {
        let rule = checkpointRule
        let label = candidate.label
        guard let checkpoint = candidate.checkpoint else {
            outcomes.check(rule, seq: 0, subject: label, passed: false, "\(label) is not a signed checkpoint")
            return
        }
        let seq = Int64(clamping: checkpoint.size) - 1
        guard let origin = keys.origin, checkpoint.origin == origin else {
            outcomes.check(
                rule, seq: seq, subject: label, passed: false,
                "\(label) is for origin \(checkpoint.origin), not this ledger's \(keys.origin ?? "(none)")")
            return
        }
        var signed = true
        if case .failure(let error) = open(candidate.text, keys: keys, origin: origin, size: checkpoint.size) {
            signed = false
            outcomes.check(rule, seq: seq, subject: label, passed: false, "\(label): \(error.message)")
        }
        if signed, let named = candidate.namedSize, named != checkpoint.size {
            signed = false
            outcomes.check(
                rule, seq: seq, subject: label, passed: false,
                "\(label) is named for size \(named) but holds a checkpoint of size \(checkpoint.size)")
        }
        let rootRule = candidate.explicit ? checkpointRule : consistencyRule
        guard checkpoint.size <= roots.count, let root = roots.roots[checkpoint.size] else {
            outcomes.check(
                rootRule, seq: seq, subject: label, passed: false,
                "\(label) is of size \(checkpoint.size) but the log has only \(roots.count) entries: published history was cut"
            )
            return
        }
        let rootsMatch = root == checkpoint.rootHash
        outcomes.check(
            rootRule, seq: seq, subject: label, passed: rootsMatch,
            "the log's root at size \(checkpoint.size) is \(Base64.encode(root.bytes)), \(label) says \(Base64.encode(checkpoint.rootHash.bytes)): the log was rewritten since it was published"
        )
        if signed && (!candidate.explicit || rootsMatch) {
            outcomes.check(rule, seq: seq, subject: label, passed: true, "")
        }
    }

    private static func checkWitnesses(
        _ target: Candidate?, keys: KeyRegistry, witnesses: [CosignatureVerifier], quorum: Int,
        outcomes: inout RuleOutcomes
    ) {
        guard let target, let checkpoint = target.checkpoint, let origin = keys.origin else {
            outcomes.check(
                witnessRule, seq: 0, passed: false,
                "there is no readable checkpoint to count cosignatures on (give --checkpoint FILE)")
            return
        }
        let seq = Int64(clamping: checkpoint.size) - 1
        switch open(target.text, keys: keys, origin: origin, size: checkpoint.size, cosigners: witnesses) {
        case .failure(let error):
            outcomes.check(
                witnessRule, seq: seq, subject: target.label, passed: false, "\(target.label): \(error.message)")
        case .success(let signed):
            let count = signed.cosignatures.count
            outcomes.check(
                witnessRule, seq: seq, subject: target.label, passed: count >= quorum,
                "\(target.label) carries \(count) valid cosignature\(count == 1 ? "" : "s") from the \(witnesses.count) witness\(witnesses.count == 1 ? "" : "es") given, \(quorum) required"
            )
        }
    }
}
