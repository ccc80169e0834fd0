public import LedgerCrypto

/// Inclusion and consistency proofs for a ledger, from its Merkle cache, against checkpoints it published
/// (docs/PROOFS.md §4).
///
/// The log produces proofs; it does not vouch for the checkpoint's signatures (the reader checks those with the
/// note key it trusts, in ``ProofCheck``). It does refuse a checkpoint whose root is not its own root at that size,
/// so it never prints a proof that cannot verify.
///
/// ```swift
/// let (proof, line) = try LedgerProofs.inclusion(store: ledger.store, seq: 3, checkpoint: checkpointBytes)
/// print(proof.text, terminator: "")
/// ```
public enum LedgerProofs {
    /// The inclusion proof of entry `seq` against the signed checkpoint `checkpoint`, and the entry's line.
    public static func inclusion(store: LedgerStore, seq: UInt64, checkpoint text: [UInt8], label: String)
        throws(LedgerError) -> (proof: InclusionProof, line: [UInt8])
    {
        try withInclusions(store: store, checkpoint: text, label: label) { (inclusion) throws(LedgerError) in
            try inclusion(seq)
        }
    }

    /// Runs `body` with a function that gives any entry's line and inclusion proof against the checkpoint `text`:
    /// the checkpoint is parsed and checked against the log once, and the Merkle cache opened once, for as many
    /// proofs as `body` asks for (`publish` builds the bundle of every decision this way). The writer lock is held
    /// while `body` runs.
    public static func withInclusions<T>(
        store: LedgerStore, checkpoint text: [UInt8], label: String,
        _ body: ((UInt64) throws(LedgerError) -> (proof: InclusionProof, line: [UInt8])) throws(LedgerError) -> T
    ) throws(LedgerError) -> T {
        let (note, checkpoint) = try LedgerCheckpoints.parseUnverified(text, what: label)
        // Read before taking the writer lock: the reader's shared lock would wait for it.
        let origin = try origin(of: store)
        return try LedgerTree.withCurrent(store) { (tree) throws(LedgerError) -> T in
            try requireOwn(checkpoint, label: label, origin: origin, tree: tree)
            let reader = tree
            let log = try FileIO.open(tree.logPath, Platform.readOnly)
            defer { Platform.close(log) }
            // The proofs of a batch share their upper nodes: each is read from the store once.
            let memoized = try LedgerTree.mapped { () throws(TransparencyError) in
                try MerkleTree(store: MemoizedHashStore(tree.tree.store))
            }
            return try body { (seq) throws(LedgerError) -> (proof: InclusionProof, line: [UInt8]) in
                guard seq < checkpoint.size else {
                    throw LedgerError(
                        .badInput,
                        "l'entrée \(seq) n'est pas dans \(label), qui couvre les entrées 0 à \(Int64(checkpoint.size) - 1)"
                    )
                }
                let hashes = try LedgerTree.mapped { () throws(TransparencyError) in
                    try memoized.inclusionProof(index: seq, size: checkpoint.size)
                }
                let proof = InclusionProof(
                    index: seq, hashes: hashes, checkpoint: checkpoint, checkpointNote: note, extra: nil)
                return (proof, try reader.line(at: seq, fd: log))
            }
        }
    }

    /// The consistency proof from the checkpoint `old` to the signed checkpoint `new` (the checks of
    /// ``consistency(tree:origin:old:oldLabel:new:newLabel:)`` on the ledger's own tree).
    public static func consistency(
        store: LedgerStore, old oldText: [UInt8], oldLabel: String, new newText: [UInt8], newLabel: String
    ) throws(LedgerError) -> ConsistencyProof {
        let origin = try origin(of: store)
        return try LedgerTree.withCurrent(store) { (ledgerTree) throws(LedgerError) -> ConsistencyProof in
            try consistency(
                tree: ledgerTree.tree, origin: origin, old: oldText, oldLabel: oldLabel, new: newText,
                newLabel: newLabel)
        }
    }

    /// The log's origin, from its first line (`ledger.created`), without replaying the log.
    public static func origin(of store: LedgerStore) throws(LedgerError) -> String {
        let reader = try store.lines()
        guard let line = reader.next() else {
            if let error = reader.error { throw error }
            throw LedgerError(.corrupt, "le registre est vide : il n'a pas d'entrée ledger.created")
        }
        guard let entry = try? Entry(line: line), entry.type == EventCatalog.ledgerCreated,
            let origin = entry.payload["origin"]?.stringValue
        else {
            throw LedgerError(.corrupt, "la première ligne du registre n'est pas une entrée ledger.created")
        }
        return origin
    }

    private static func requireOwn(_ checkpoint: Checkpoint, label: String, origin: String, tree: LedgerTree)
        throws(LedgerError)
    {
        guard checkpoint.origin == origin else {
            throw LedgerError(
                .badInput, "\(label) est d'origine \(checkpoint.origin), pas celle de ce registre, \(origin)")
        }
        try LedgerCheckpoints.requireExtends(checkpoint, tree: tree, what: label)
    }

    // MARK: - JSON forms

    /// The `--json` form of an inclusion proof (docs/PROOFS.md §4.1): canonical JSON, one line.
    public static func json(_ proof: InclusionProof, line: [UInt8]) -> String {
        let object: JSONValue = [
            "format": "grantledger/inclusion-proof+json@v1",
            "origin": .string(proof.checkpoint.origin),
            "index": .integer(Int64(clamping: proof.index)),
            "tree_size": .integer(Int64(clamping: proof.checkpoint.size)),
            "root": .string(Base64.encode(proof.checkpoint.rootHash.bytes)),
            "leaf_hash": .string(Base64.encode(RFC6962.leafHash(line).bytes)),
            "hashes": .array(proof.hashes.map { .string(Base64.encode($0.bytes)) }),
            "entry": .string(String(decoding: line, as: UTF8.self)),
            "checkpoint": .string(proof.checkpointNote.formatted),
            "proof": .string(proof.text),
        ]
        return String(decoding: CanonicalJSON.encode(object), as: UTF8.self)
    }

    /// The `--json` form of a consistency proof (docs/PROOFS.md §4.2): canonical JSON, one line.
    public static func json(_ proof: ConsistencyProof) -> String {
        let object: JSONValue = [
            "format": "grantledger/consistency-proof+json@v1",
            "origin": .string(proof.checkpoint.origin),
            "old_size": .integer(Int64(clamping: proof.oldSize)),
            "new_size": .integer(Int64(clamping: proof.checkpoint.size)),
            "new_root": .string(Base64.encode(proof.checkpoint.rootHash.bytes)),
            "hashes": .array(proof.hashes.map { .string(Base64.encode($0.bytes)) }),
            "checkpoint": .string(proof.checkpointNote.formatted),
            "proof": .string(proof.text),
        ]
        return String(decoding: CanonicalJSON.encode(object), as: UTF8.self)
    }
}

extension InclusionProof {
    /// Assembles a proof around a checkpoint note that was parsed but not verified (the reader verifies it).
    init(index: UInt64, hashes: [Digest], checkpoint: Checkpoint, checkpointNote: Note, extra: [UInt8]?) {
        self.extra = extra
        self.index = index
        self.hashes = hashes
        self.checkpoint = checkpoint
        self.checkpointNote = checkpointNote
    }
}

extension ConsistencyProof {
    /// Assembles a proof around a checkpoint note that was parsed but not verified (the reader verifies it).
    init(oldSize: UInt64, hashes: [Digest], checkpoint: Checkpoint, checkpointNote: Note) {
        self.oldSize = oldSize
        self.hashes = hashes
        self.checkpoint = checkpoint
        self.checkpointNote = checkpointNote
    }
}
