public import LedgerCrypto

/// The signed checkpoints a ledger publishes: `<ledger>/checkpoints/<size>.txt`, one per signed size, and
/// `<ledger>/checkpoint.txt`, the latest (docs/PROOFS.md §3).
///
/// A checkpoint is signed by a registered, non-revoked authority key under the note key name equal to the log's
/// origin (from `ledger.created`). Files are replaced atomically and synced, so a published checkpoint is never
/// half-written. Signing refuses a tree that does not extend the latest checkpoint: the log must never sign a fork
/// of its own history.
///
/// ```swift
/// let (signed, path) = try LedgerCheckpoints.sign(ledger, key: authorityKey)
/// ```
public enum LedgerCheckpoints {
    /// The latest checkpoint, in the ledger directory.
    public static let latestFileName = "checkpoint.txt"
    /// The directory of every checkpoint signed, one file per size.
    public static let directoryName = "checkpoints"

    /// `<ledger>/checkpoint.txt`.
    public static func latestPath(_ store: LedgerStore) -> String {
        store.directory + "/" + latestFileName
    }

    /// `<ledger>/checkpoints/<size>.txt`.
    public static func path(_ store: LedgerStore, size: UInt64) -> String {
        store.directory + "/" + directoryName + "/\(size).txt"
    }

    /// Signs a checkpoint of the whole log with `key` and writes it to `checkpoints/<size>.txt` and
    /// `checkpoint.txt`; returns it and the path of the per-size file.
    ///
    /// Holds the writer lock throughout, so the signed size is a complete log prefix. If `checkpoints/<size>.txt`
    /// already holds this very checkpoint (with cosignatures, perhaps), it is kept as it is.
    ///
    /// - Throws: `.ruleViolated("TLOG-CHECKPOINT")` when `key` is not a registered, non-revoked authority key, or
    ///   when the log no longer extends the latest checkpoint.
    public static func sign<Domain: DomainRules>(
        _ ledger: Ledger<Domain>, key: Ed25519PrivateKey
    ) throws(LedgerError) -> (checkpoint: SignedCheckpoint, path: String) {
        try ledger.write { (writer) throws(LedgerError) -> (checkpoint: SignedCheckpoint, path: String) in
            try signLocked(ledger.store, keys: writer.state.keys, size: UInt64(writer.state.count), key: key)
        }
    }

    /// Signs a checkpoint of the log's first `size` entries for a caller that already holds the log's state (a
    /// server keeps it in memory): takes the writer lock without replaying the log. `keys` must be the registry
    /// after exactly those `size` entries; the checks and files are those of ``sign(_:key:)``.
    public static func sign(
        store: LedgerStore, keys: KeyRegistry, size: UInt64, key: Ed25519PrivateKey
    ) throws(LedgerError) -> (checkpoint: SignedCheckpoint, path: String) {
        try store.withExclusiveLock { () throws(LedgerError) -> (checkpoint: SignedCheckpoint, path: String) in
            try signLocked(store, keys: keys, size: size, key: key)
        }
    }

    /// The body of both `sign`s, under the writer lock.
    private static func signLocked(
        _ store: LedgerStore, keys: KeyRegistry, size: UInt64, key: Ed25519PrivateKey
    ) throws(LedgerError) -> (checkpoint: SignedCheckpoint, path: String) {
        guard let origin = keys.origin else {
            throw LedgerError(
                .corrupt,
                "le registre n'a pas d'entrée ledger.created, donc pas d'origine pour signer un point de contrôle")
        }
        guard let record = keys[key.publicKey.keyID], record.role == .authority, record.revokedAt == nil else {
            throw refusal(
                "la clé \(key.publicKey.keyID.prefix(16))… n'est pas une clé d'autorité enregistrée et non révoquée de ce registre"
            )
        }
        var tree = try LedgerTree.open(store)
        guard tree.size == size else {
            throw LedgerError(
                .io, "le cache de Merkle a \(tree.size) feuilles mais le registre \(size) entrées ; rien n'a été signé")
        }
        let checkpoint = try transparency { () throws(TransparencyError) in
            try Checkpoint(origin: origin, size: tree.size, rootHash: tree.root)
        }
        if let previous = try readLatest(store) {
            try requireExtends(previous, tree: tree, what: latestFileName)
        }
        let sizePath = path(store, size: checkpoint.size)
        let text: String
        if FileIO.exists(sizePath) {
            let existing = try KeyFiles.read(sizePath)
            guard let note = try? Note(parsing: existing), note.text == checkpoint.body else {
                throw refusal(
                    "\(sizePath) contient déjà un autre point de contrôle de taille \(checkpoint.size) : le registre a été réécrit"
                )
            }
            text = String(decoding: existing, as: UTF8.self)
        } else {
            let signer = try transparency { () throws(TransparencyError) in
                try NoteSigner(name: origin, privateKey: key)
            }
            text = try transparency { () throws(TransparencyError) in
                try SignedCheckpoint(checkpoint, signer: signer).text
            }
        }
        let signed = try transparency { () throws(TransparencyError) in
            try SignedCheckpoint.open(text, log: NoteVerifier(name: origin, publicKey: key.publicKey))
        }
        try tree.sync()
        try write(Array(text.utf8), size: checkpoint.size, to: store)
        return (signed, sizePath)
    }

    /// Writes a signed checkpoint as `checkpoints/<size>.txt` (unless that file exists) and `checkpoint.txt`, each
    /// replaced atomically and synced; if the second write fails, a size file this call created is removed.
    ///
    /// Written through directory descriptors opened without following links: a link planted at `checkpoints` or at
    /// a file's name cannot redirect the write outside the ledger directory (docs/FORMAT.md §5.5).
    static func write(_ bytes: [UInt8], size: UInt64, to store: LedgerStore) throws(LedgerError) {
        let sizePath = path(store, size: size)
        let ledgerFD = try FileIO.openDirectory(store.directory)
        defer { Platform.close(ledgerFD) }
        let checkpointsFD = try FileIO.openSubdirectory(
            ledgerFD, directoryName, create: true, label: store.directory + "/" + directoryName)
        defer { Platform.close(checkpointsFD) }
        let created = !FileIO.exists(sizePath)
        if created {
            try DurableFile.write("\(size).txt", bytes, in: checkpointsFD, label: sizePath)
        }
        do throws(LedgerError) {
            try DurableFile.write(latestFileName, bytes, in: ledgerFD, label: latestPath(store))
        } catch {
            // All or nothing: a failed command leaves no new checkpoint behind.
            if created { Platform.unlink(at: checkpointsFD, "\(size).txt") }
            throw error
        }
    }

    /// The latest checkpoint's body, nil when none was written.
    static func readLatest(_ store: LedgerStore) throws(LedgerError) -> Checkpoint? {
        let path = latestPath(store)
        guard FileIO.exists(path) else { return nil }
        return try parseUnverified(try KeyFiles.read(path), what: path).checkpoint
    }

    /// Checks that `checkpoint` is a prefix of the tree: same size or smaller, same root at its size.
    static func requireExtends(_ checkpoint: Checkpoint, tree: LedgerTree, what: String) throws(LedgerError) {
        guard checkpoint.size <= tree.size else {
            throw refusal(
                "\(what) est de taille \(checkpoint.size) mais le registre n'a que \(tree.size) entrées : le registre a été coupé"
            )
        }
        guard try tree.root(size: checkpoint.size) == checkpoint.rootHash else {
            throw refusal(
                "la racine du registre à la taille \(checkpoint.size) diffère de celle de \(what) : le registre a été réécrit depuis"
            )
        }
    }

    /// Parses a signed checkpoint without checking signatures (the caller checks the tree instead).
    static func parseUnverified(_ bytes: [UInt8], what: String) throws(LedgerError) -> (
        note: Note, checkpoint: Checkpoint
    ) {
        do {
            let note = try Note(parsing: bytes)
            return (note, try Checkpoint(body: note.text))
        } catch {
            throw LedgerError(
                .badInput, "\(what) n'est pas un point de contrôle signé : \(error.message)", underlying: error)
        }
    }

    static func refusal(_ message: String) -> LedgerError {
        LedgerError(refusedBy: CheckpointAudit.checkpointRule, message)
    }

    static func transparency<T>(_ body: () throws(TransparencyError) -> T) throws(LedgerError) -> T {
        do { return try body() } catch { throw LedgerError(.badInput, error.message, underlying: error) }
    }
}
