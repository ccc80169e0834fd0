public import LedgerCrypto

/// What `verify` adds for transparency: every published checkpoint is checked against the log itself, so cutting
/// or rewriting history that was once checkpointed is caught, and so is history the verifier itself saw before,
/// whatever the directory now says about itself (docs/PROOFS.md §5 and §10).
///
/// Rules:
/// - `TLOG-CHECKPOINT`: a checkpoint file parses, is for this log's origin, is signed by an authority key that was
///   valid for its size, and is named for its size; for `--checkpoint FILE`, the log's root at its size is its root;
///   with `--require-checkpoint`, there is at least one.
/// - `TLOG-CONSISTENCY`: for every file in `checkpoints/` and `checkpoint.txt`, the log still has at least that
///   many entries and its root at that size is the checkpoint's root.
/// - `TLOG-WITNESS`: with witness keys, the checked checkpoint (`--checkpoint FILE`, else `checkpoint.txt`) carries
///   at least `quorum` valid cosignatures by distinct witnesses, none dated beyond the verifier's clock.
/// - `TLOG-TRUST`: with `--trust`, the log's `ledger.created` key is the pinned note key, under the log's origin,
///   and every checkpoint is signed by it.
/// - `TLOG-HISTORY`: when the verifier keeps a history, the log still has at least the entries of the remembered
///   ``VerifierState``, with its root (a log never seen before extends the empty history).
///
/// Roots are recomputed from `ledger.jsonl` (``CompactRange``): as the verifier's replay reads it (``LineRoots``), or
/// in a pass of their own when the replay's do not cover every size to check; the `merkle/` cache is never read,
/// since it is derived from the very log under suspicion.
public enum CheckpointAudit {
    public static let checkpointRule: RuleID = "TLOG-CHECKPOINT"
    public static let consistencyRule: RuleID = "TLOG-CONSISTENCY"
    public static let witnessRule: RuleID = "TLOG-WITNESS"
    public static let trustRule: RuleID = "TLOG-TRUST"
    public static let historyRule: RuleID = "TLOG-HISTORY"

    /// What to check beyond the files of the ledger directory.
    public struct Options: Sendable {
        /// A checkpoint file to check against the log (`verify --checkpoint FILE`).
        public var checkpoint: String?
        /// Cosigner verifier keys `name+hex8+base64(0x04 ‖ key)`.
        public var witnesses: [String]
        /// How many of ``witnesses`` must have cosigned; nil means all of them.
        public var quorum: Int?
        /// The log's note verifier key `name+hex8+base64(0x01 ‖ key)` the reader pins (`verify --trust`).
        public var trust: String?
        /// Whether a log without any checkpoint fails `TLOG-CHECKPOINT`.
        public var requireCheckpoint: Bool
        /// What this verifier remembered of the log (``VerifierStateDirectory``).
        public var remembered: VerifierState?
        /// The entries the replay verified and the hash of the last one: the state to remember is theirs. Given only
        /// when the verifier keeps a history (then `TLOG-HISTORY` is always checked).
        public var verifiedSize: UInt64?
        public var verifiedHead: Digest?
        /// The verifier's clock, for cosignature times.
        public var now: Timestamp

        public init(
            checkpoint: String? = nil, witnesses: [String] = [], quorum: Int? = nil, trust: String? = nil,
            requireCheckpoint: Bool = false, remembered: VerifierState? = nil, verifiedSize: UInt64? = nil,
            verifiedHead: Digest? = nil, now: Timestamp = .now()
        ) {
            self.checkpoint = checkpoint
            self.witnesses = witnesses
            self.quorum = quorum
            self.trust = trust
            self.requireCheckpoint = requireCheckpoint
            self.remembered = remembered
            self.verifiedSize = verifiedSize
            self.verifiedHead = verifiedHead
            self.now = now
        }
    }

    /// The audit's findings, and what a verifier may remember if the whole verification passed.
    public struct Result: Sendable {
        public var outcomes: RuleOutcomes
        /// The state to keep after a fully valid verification: the verified entries' root, and the largest
        /// checkpoint that passed every check (or the remembered one, when larger). Nil when the log changed between
        /// the replay and this pass, or has no origin.
        public let newState: VerifierState?
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

    /// What one pass over the log gives: roots at the sizes asked for, line hashes at some of them, the line count.
    fileprivate struct LogRoots {
        var roots: [UInt64: Digest] = [:]
        var lastLineHashes: [UInt64: Digest] = [:]
        var count: UInt64 = 0

        /// Whether these roots answer for every size in `sizes`. A size beyond the lines they were taken from does
        /// not count as answered: the log may have grown since (a writer that appended and signed a checkpoint
        /// while it was replayed), and only reading it again tells a grown log from a cut one.
        func cover(_ sizes: Set<UInt64>) -> Bool {
            sizes.allSatisfy { $0 <= count && roots[$0] != nil }
        }
    }

    /// The roots of the log taken as the verifier's replay reads its lines (``LedgerVerifier/verify(store:domain:checkSignatures:workers:clock:remembered:eachLine:)``),
    /// so that the audit need not read the log again: at the sizes of the checkpoints found before the replay
    /// (``plannedSizes(store:options:)``) and at the end of what the replay read. The audit uses them when they
    /// cover every size it checks (not a history remembered at another size, nor a checkpoint beyond the lines the
    /// replay read), and reads the log otherwise.
    ///
    /// ```swift
    /// let roots = CheckpointAudit.LineRoots(sizes: try CheckpointAudit.plannedSizes(store: store, options: checks))
    /// let (report, replayer) = try LedgerVerifier.verify(store: store, domain: rules, eachLine: roots.observe)
    /// let audit = try CheckpointAudit.audit(store: store, keys: replayer.keys, options: checks, roots: roots)
    /// ```
    public final class LineRoots {
        private let sizes: Set<UInt64>
        private var range = CompactRange()
        private var log = LogRoots()
        private var lastLine: [UInt8] = []

        public init(sizes: Set<UInt64>) {
            self.sizes = sizes
            start()
        }

        private func start() {
            range = CompactRange()
            log = LogRoots()
            lastLine = []
            if sizes.contains(0) { log.roots[0] = range.root }
        }

        /// Line `number` (from 1) of the log, as read, in order; line 1 starts over (a replay read the log again).
        public func observe(line number: Int64, _ bytes: [UInt8]) {
            if number == 1 { start() }
            range.append(RFC6962.leafHash(bytes))
            log.count = range.size
            lastLine = bytes
            if sizes.contains(log.count) {
                log.roots[log.count] = range.root
                log.lastLineHashes[log.count] = SHA256.hash(bytes)
            }
        }

        /// The roots taken, and those at the end of the lines observed.
        fileprivate var roots: LogRoots {
            var roots = log
            roots.roots[log.count] = range.root
            if log.count > 0 { roots.lastLineHashes[log.count] = SHA256.hash(lastLine) }
            return roots
        }
    }

    /// The sizes of the checkpoints the audit will check (the ledger's files and the one in `options`), for
    /// ``LineRoots`` to take the log's roots at as a replay reads it.
    ///
    /// - Throws: `.badInput` for an unreadable `--checkpoint` file, as the audit would.
    public static func plannedSizes(store: LedgerStore, options: Options) throws(LedgerError) -> Set<UInt64> {
        Set(try candidates(store: store, options: options).compactMap { $0.checkpoint?.size })
    }

    /// The checkpoint files of the ledger, then the one given in `options`, each parsed.
    private static func candidates(store: LedgerStore, options: Options) throws(LedgerError) -> [Candidate] {
        var candidates: [Candidate] = []
        for (name, size) in try listCheckpointFiles(store) {
            let path = store.directory + "/" + LedgerCheckpoints.directoryName + "/" + name
            candidates.append(
                candidate(
                    label: LedgerCheckpoints.directoryName + "/" + name, text: try KeyFiles.read(path), explicit: false,
                    namedSize: size))
        }
        let latest = LedgerCheckpoints.latestPath(store)
        if Platform.exists(latest) {
            candidates.append(
                candidate(
                    label: LedgerCheckpoints.latestFileName, text: try KeyFiles.read(latest), explicit: false,
                    namedSize: nil))
        }
        if let path = options.checkpoint {
            candidates.append(candidate(label: path, text: try KeyFiles.read(path), explicit: true, namedSize: nil))
        }
        return candidates
    }

    /// Checks the ledger's checkpoints, and the one in `options`, against `store`'s log and `keys` (the registry
    /// the verifier replayed).
    ///
    /// - Parameter roots: the log's roots as the replay read it; the log is read again for them when they do not
    ///   cover every size to check, or are not given.
    /// - Throws: `.badInput` for an unreadable `--checkpoint` file, a malformed or refused witness or trust key, or a
    ///   bad quorum.
    public static func audit(
        store: LedgerStore, keys: KeyRegistry, options: Options, roots: LineRoots? = nil
    ) throws(LedgerError) -> Result {
        let witnesses = try parseWitnesses(options)
        let trust = try parseTrust(options.trust)
        let candidates = try candidates(store: store, options: options)
        var sizes = Set(candidates.compactMap { $0.checkpoint?.size })
        if let remembered = options.remembered { sizes.insert(remembered.size) }
        if let verified = options.verifiedSize { sizes.insert(verified) }
        let log: LogRoots
        if let recorded = roots?.roots, recorded.cover(sizes) {
            log = recorded
        } else {
            log = try rootsOfLog(store, at: sizes)
        }

        var outcomes = RuleOutcomes()
        // A pinned key that is not the log's root of trust is one finding; the checkpoints are then not compared
        // with it one by one.
        let pinned = trust.flatMap { checkTrust($0, keys: keys, outcomes: &outcomes) ? $0 : nil }
        var verified: [(size: UInt64, text: String)] = []
        for candidate in candidates {
            if check(candidate, keys: keys, trust: pinned, log: log, outcomes: &outcomes),
                let checkpoint = candidate.checkpoint
            {
                verified.append((checkpoint.size, String(decoding: candidate.text, as: UTF8.self)))
            }
        }
        if candidates.isEmpty && options.requireCheckpoint {
            outcomes.check(
                checkpointRule, seq: 0, passed: false,
                "le registre ne publie aucun point de contrôle signé (\(LedgerCheckpoints.latestFileName)), alors qu'il en faut un"
            )
        }
        if !witnesses.isEmpty {
            let target =
                candidates.last { $0.explicit } ?? candidates.last { $0.label == LedgerCheckpoints.latestFileName }
            checkWitnesses(
                target, keys: keys, witnesses: witnesses, quorum: options.quorum ?? witnesses.count, now: options.now,
                outcomes: &outcomes)
        }
        if let remembered = options.remembered {
            checkHistory(remembered, log: log, outcomes: &outcomes)
        } else if options.verifiedSize != nil {
            // A verifier that keeps a history but never saw this origin remembers the empty tree, which every log
            // extends: the rule is checked either way, so the report of a given log does not change between runs.
            outcomes.check(historyRule, seq: 0, passed: true, "")
        }
        return Result(outcomes: outcomes, newState: newState(options, keys: keys, log: log, verified: verified))
    }

    /// Parses the keys and the quorum of `options`, so that unusable input is reported before the log is read.
    ///
    /// - Throws: `.badInput`, as ``audit(store:keys:options:)`` would.
    public static func validate(_ options: Options) throws(LedgerError) {
        _ = try parseWitnesses(options)
        _ = try parseTrust(options.trust)
    }

    private static func parseWitnesses(_ options: Options) throws(LedgerError) -> [CosignatureVerifier] {
        var witnesses: [CosignatureVerifier] = []
        for text in options.witnesses {
            do { witnesses.append(try CosignatureVerifier(verifierKey: text)) } catch {
                throw LedgerError(.badInput, "--witness \(text) : \(error.message)", underlying: error)
            }
        }
        if let quorum = options.quorum {
            guard !witnesses.isEmpty else {
                throw LedgerError(.badInput, "--quorum demande au moins une clé --witness")
            }
            guard quorum >= 1, quorum <= witnesses.count else {
                throw LedgerError(
                    .badInput, "--quorum doit être entre 1 et le nombre de clés --witness (\(witnesses.count))")
            }
        }
        return witnesses
    }

    private static func parseTrust(_ text: String?) throws(LedgerError) -> NoteVerifier? {
        guard let text else { return nil }
        do { return try NoteVerifier(verifierKey: text) } catch {
            throw LedgerError(.badInput, "--trust \(text) : \(error.message)", underlying: error)
        }
    }

    /// `checkpoints/*.txt` whose name is a decimal size, sorted by size; other names are reported by size nil.
    private static func listCheckpointFiles(_ store: LedgerStore) throws(LedgerError) -> [(String, UInt64?)] {
        let directory = store.directory + "/" + LedgerCheckpoints.directoryName
        guard let entries = Platform.entries(of: directory) else { return [] }
        var names: [(String, UInt64?)] = []
        for name in entries where name.hasSuffix(".txt") {
            names.append((name, TextField.decimal(name.dropLast(4))))
        }
        return names.sorted { ($0.1 ?? .max, $0.0) < ($1.1 ?? .max, $1.0) }
    }

    private static func candidate(label: String, text: [UInt8], explicit: Bool, namedSize: UInt64?) -> Candidate {
        let checkpoint = (try? Note(parsing: text)).flatMap { try? Checkpoint(body: $0.text) }
        return Candidate(label: label, text: text, checkpoint: checkpoint, explicit: explicit, namedSize: namedSize)
    }

    /// The roots of the log at each of `sizes`, the hash of the line ending each of them, and the number of complete
    /// lines, from one pass over the log.
    private static func rootsOfLog(_ store: LedgerStore, at sizes: Set<UInt64>) throws(LedgerError) -> LogRoots {
        var result = LogRoots()
        var range = CompactRange()
        if sizes.contains(0) { result.roots[0] = range.root }
        let largest = sizes.max() ?? 0
        let reader = try store.lines()
        while let line = reader.next() {
            result.count += 1
            // Past the largest size asked for only the count matters: no hashing.
            guard result.count <= largest else { continue }
            range.append(RFC6962.leafHash(line))
            if sizes.contains(result.count) {
                result.roots[result.count] = range.root
                result.lastLineHashes[result.count] = SHA256.hash(line)
            }
        }
        if let error = reader.error { throw error }
        return result
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
    ) -> Swift.Result<SignedCheckpoint, TransparencyError> {
        var failure = TransparencyError(.noKnownSignature, "il n'est signé par aucune clé d'autorité de ce registre")
        for verifier in logVerifiers(keys, origin: origin, size: size) {
            do {
                return .success(try SignedCheckpoint.open(text, log: verifier, cosigners: cosigners))
            } catch {
                if error.code != .noKnownSignature { failure = error }
            }
        }
        return .failure(failure)
    }

    /// Checks one checkpoint file; returns whether it passed every check (it may then be remembered).
    private static func check(
        _ candidate: Candidate, keys: KeyRegistry, trust: NoteVerifier?, log: LogRoots, outcomes: inout RuleOutcomes
    ) -> Bool {
        let rule = checkpointRule
        let label = candidate.label
        guard let checkpoint = candidate.checkpoint else {
            outcomes.check(rule, seq: 0, subject: label, passed: false, "\(label) n'est pas un point de contrôle signé")
            return false
        }
        let seq = Int64(clamping: checkpoint.size) - 1
        guard let origin = keys.origin, checkpoint.origin == origin else {
            outcomes.check(
                rule, seq: seq, subject: label, passed: false,
                "\(label) est un point de contrôle du registre \(checkpoint.origin), pas de celui-ci (\(keys.origin ?? "sans origine"))"
            )
            return false
        }
        var signed = true
        if case .failure(let error) = open(candidate.text, keys: keys, origin: origin, size: checkpoint.size) {
            signed = false
            outcomes.check(rule, seq: seq, subject: label, passed: false, "\(label) : \(error.message)")
        }
        if signed, let named = candidate.namedSize, named != checkpoint.size {
            signed = false
            outcomes.check(
                rule, seq: seq, subject: label, passed: false,
                "\(label) porte le nom de la taille \(named) mais contient un point de contrôle de taille \(checkpoint.size)"
            )
        }
        if signed, let trust {
            let pinned = (try? SignedCheckpoint.open(candidate.text, log: trust)) != nil
            outcomes.check(
                trustRule, seq: seq, subject: label, passed: pinned,
                "\(label) n'est pas signé par la clé de confiance \(trust.name) (identifiant \(TextField.hex(trust.keyID)))"
            )
            signed = pinned
        }
        let rootRule = candidate.explicit ? checkpointRule : consistencyRule
        guard checkpoint.size <= log.count, let root = log.roots[checkpoint.size] else {
            outcomes.check(
                rootRule, seq: seq, subject: label, passed: false,
                "\(label) est de taille \(checkpoint.size) mais le registre n'a que \(log.count) entrées : l'historique publié a été coupé"
            )
            return false
        }
        let rootsMatch = root == checkpoint.rootHash
        outcomes.check(
            rootRule, seq: seq, subject: label, passed: rootsMatch,
            "la racine du registre à la taille \(checkpoint.size) est \(Base64.encode(root.bytes)), \(label) dit \(Base64.encode(checkpoint.rootHash.bytes)) : le registre a été réécrit depuis sa publication"
        )
        if signed && (!candidate.explicit || rootsMatch) {
            outcomes.check(rule, seq: seq, subject: label, passed: true, "")
        }
        return signed && rootsMatch
    }

    private static func checkWitnesses(
        _ target: Candidate?, keys: KeyRegistry, witnesses: [CosignatureVerifier], quorum: Int, now: Timestamp,
        outcomes: inout RuleOutcomes
    ) {
        guard let target, let checkpoint = target.checkpoint, let origin = keys.origin else {
            outcomes.check(
                witnessRule, seq: 0, passed: false,
                "aucun point de contrôle lisible sur lequel compter les cosignatures (donnez --checkpoint FICHIER)")
            return
        }
        let seq = Int64(clamping: checkpoint.size) - 1
        switch open(target.text, keys: keys, origin: origin, size: checkpoint.size, cosigners: witnesses) {
        case .failure(let error):
            outcomes.check(
                witnessRule, seq: seq, subject: target.label, passed: false, "\(target.label) : \(error.message)")
        case .success(let signed):
            let (timely, future) = WitnessQuorum.split(signed.cosignatures, now: now)
            for cosignature in future {
                outcomes.check(
                    witnessRule, seq: seq, subject: target.label, passed: false,
                    WitnessQuorum.futureMessage(cosignature, now: now))
            }
            outcomes.check(
                witnessRule, seq: seq, subject: target.label, passed: timely.count >= quorum,
                "\(target.label) : " + WitnessQuorum.shortfallMessage(timely.count, of: witnesses.count, quorum: quorum)
            )
        }
    }

    /// Checks that the log's root of trust is the pinned key; returns whether it is.
    private static func checkTrust(_ trust: NoteVerifier, keys: KeyRegistry, outcomes: inout RuleOutcomes) -> Bool {
        guard let origin = keys.origin, let genesis = keys.sortedRecords.first(where: { $0.registeredAt == 0 }) else {
            outcomes.check(
                trustRule, seq: 0, passed: false,
                "le registre n'a pas de racine de confiance lisible à comparer à la clé de confiance")
            return false
        }
        guard trust.name == origin else {
            outcomes.check(
                trustRule, seq: 0, passed: false,
                "la clé de confiance est celle du registre \(trust.name), ce registre s'appelle \(origin)")
            return false
        }
        let matches = genesis.publicKey == trust.publicKey
        outcomes.check(
            trustRule, seq: 0, passed: matches,
            "la clé d'autorité de la racine du registre (\(genesis.keyID.prefix(16))…) n'est pas la clé de confiance \(trust.name) : ce registre n'est pas celui que vous avez épinglé"
        )
        return matches
    }

    private static func checkHistory(_ remembered: VerifierState, log: LogRoots, outcomes: inout RuleOutcomes) {
        let seq = Int64(clamping: remembered.size) - 1
        let when = "le \(remembered.verifiedAt.date) à \(remembered.verifiedAt.description.dropFirst(11).prefix(8)) UTC"
        guard remembered.size <= log.count, let root = log.roots[remembered.size] else {
            outcomes.check(
                historyRule, seq: seq, passed: false,
                "le registre n'a que \(log.count) entrées alors que ce vérificateur en a vérifié \(remembered.size) \(when) : l'historique a été coupé"
            )
            return
        }
        outcomes.check(
            historyRule, seq: seq, passed: root == remembered.root,
            "la racine du registre à la taille \(remembered.size) est \(Base64.encode(root.bytes)), ce vérificateur avait vérifié \(Base64.encode(remembered.root.bytes)) \(when) : l'historique a été réécrit"
        )
    }

    private static func newState(
        _ options: Options, keys: KeyRegistry, log: LogRoots, verified: [(size: UInt64, text: String)]
    ) -> VerifierState? {
        guard let origin = keys.origin, let size = options.verifiedSize, let head = options.verifiedHead,
            size > 0, let root = log.roots[size], log.lastLineHashes[size] == head
        else { return nil }
        var best = verified.filter { $0.size <= size }.max { $0.size < $1.size }
        if let kept = options.remembered?.checkpoint,
            let keptSize = (try? Note(parsing: kept)).flatMap({ try? Checkpoint(body: $0.text) })?.size,
            keptSize > (best?.size ?? 0)
        {
            best = (keptSize, kept)
        }
        return VerifierState(
            origin: origin, size: size, root: root, headHash: head, verifiedAt: options.now, checkpoint: best?.text)
    }
}
