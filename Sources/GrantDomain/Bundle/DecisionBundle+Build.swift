public import LedgerCore
public import LedgerCrypto

extension DecisionBundle {
    /// Builds the bundle of `applicationID` against the signed checkpoint `checkpoint` (read from `label`).
    ///
    /// It holds, by increasing seq: `ledger.created` (the trust root), every version of the application's call up
    /// to the one its decision applied (the publication and the amendments before it, so the version can be
    /// judged as the rule engine judges it), the application's events (submission, score, decision, payments,
    /// withdrawals), and, for every key that signed one of these, its `key.registered` and — when the checkpoint
    /// covers it — its `key.revoked`, repeated for the authority keys that signed those key events.
    ///
    /// - Throws: `LedgerError` `.badInput` when the application is unknown, or when the checkpoint does not cover
    ///   all its events (sign a newer one with `grant-ledger checkpoint`); the errors of
    ///   ``LedgerProofs/inclusion(store:seq:checkpoint:label:)`` when the checkpoint is not this log's.
    public static func build(store: LedgerStore, applicationID: String, checkpoint text: [UInt8], label: String)
        throws(LedgerError) -> DecisionBundle
    {
        let (checkpoint, logNote) = try parseCheckpoint(text, label: label)
        let replayer = try Ledger<GrantRules>(directory: store.directory, domain: { GrantRules() })
            .replay()
        return try build(
            store: store, applicationID: applicationID, checkpoint: text, label: label, state: replayer.domain.state,
            keys: replayer.keys, parsed: (checkpoint, logNote))
    }

    /// The checkpoint and the note of its log's signatures and the witnesses' cosignatures.
    private static func parseCheckpoint(_ text: [UInt8], label: String) throws(LedgerError) -> (Checkpoint, Note) {
        let note: Note
        let checkpoint: Checkpoint
        do {
            note = try Note(parsing: text)
            checkpoint = try Checkpoint(body: note.text)
        } catch {
            throw LedgerError(
                .badInput, "\(label) n'est pas un point de contrôle signé : \(error.message)", underlying: error)
        }
        // The log's signature lines and the witnesses' cosignatures (a reader checks them with --witness); any other
        // kind of signature line is left out, since no reader could check it.
        let own = note.signatures.filter { $0.name == checkpoint.origin }
        guard !own.isEmpty else {
            throw LedgerError(.badInput, "\(label) ne porte aucune signature du registre \(checkpoint.origin)")
        }
        let cosignatures = note.signatures.filter { $0.name != checkpoint.origin && Cosignature($0) != nil }
        let logNote: Note
        do { logNote = try Note(text: note.text, signatures: own + cosignatures) } catch {
            throw LedgerError(.badInput, "\(label): \(error.message)", underlying: error)
        }
        return (checkpoint, logNote)
    }

    /// Builds the bundle of `applicationID` from a replay already made (`state` and `keys` of this log): what
    /// `publish` does for every decision of the site, with one replay instead of one per decision.
    public static func build(
        store: LedgerStore, applicationID: String, checkpoint text: [UInt8], label: String, state: GrantState,
        keys: KeyRegistry
    ) throws(LedgerError) -> DecisionBundle {
        try build(
            store: store, applicationID: applicationID, checkpoint: text, label: label, state: state, keys: keys,
            parsed: try parseCheckpoint(text, label: label))
    }

    /// Builds the bundle of `applicationID` from a replay already made, whatever keeps the log: `inclusion` gives
    /// entry `seq`'s line and its inclusion proof against `checkpoint` (a database's store, for the service).
    public static func build(
        applicationID: String, checkpoint text: [UInt8], label: String, state: GrantState, keys: KeyRegistry,
        inclusion: (UInt64) throws(LedgerError) -> (InclusionProof, [UInt8])
    ) throws(LedgerError) -> DecisionBundle {
        try build(
            applicationID: applicationID, label: label, state: state, keys: keys,
            parsed: try parseCheckpoint(text, label: label), inclusion: inclusion)
    }

    private static func build(
        store: LedgerStore, applicationID: String, checkpoint text: [UInt8], label: String, state: GrantState,
        keys: KeyRegistry, parsed: (checkpoint: Checkpoint, logNote: Note)
    ) throws(LedgerError) -> DecisionBundle {
        try build(applicationID: applicationID, label: label, state: state, keys: keys, parsed: parsed) {
            (seq) throws(LedgerError) in
            try LedgerProofs.inclusion(store: store, seq: seq, checkpoint: text, label: label)
        }
    }

    private static func build(
        applicationID: String, label: String, state: GrantState, keys: KeyRegistry,
        parsed: (checkpoint: Checkpoint, logNote: Note),
        inclusion: (UInt64) throws(LedgerError) -> (InclusionProof, [UInt8])
    ) throws(LedgerError) -> DecisionBundle {
        let (checkpoint, logNote) = parsed
        guard let application = state.applications[applicationID] else {
            throw LedgerError(
                .badInput,
                "dossier \(applicationID) inconnu : aucun dépôt (application.submitted) ne porte cet identifiant")
        }
        let size = Int64(clamping: checkpoint.size)
        if let beyond = application.history.first(where: { $0.seq >= size }) {
            throw LedgerError(
                .badInput,
                "\(label) couvre les entrées 0 à \(size - 1), mais le dossier \(applicationID) a un événement à la seq \(beyond.seq) (\(beyond.type)) ; signez un point de contrôle plus récent avec grant-ledger checkpoint"
            )
        }
        var wanted: Set<Int64> = [0]
        for event in application.history { wanted.insert(event.seq) }
        if let call = state.calls[application.application.callID] {
            let applied = application.decision.flatMap { d in call.versions.first { $0.hash == d.callVersion } }
            let last = applied?.seq ?? application.history.map(\.seq).max() ?? 0
            for version in call.versions where version.seq <= last { wanted.insert(version.seq) }
        }

        // Entries by seq, with the keys whose registration and revocation they need (a closure: key events are
        // themselves signed by authority keys).
        var items: [Int64: Item] = [:]
        var pending = Array(wanted)
        var seenSigners: Set<String> = []
        while let seq = pending.popLast() {
            guard items[seq] == nil else { continue }
            let (proof, line) = try inclusion(UInt64(seq))
            items[seq] = Item(index: UInt64(seq), hashes: proof.hashes, line: line)
            // The lines are the replayed log's: its signer is read at its place, the line not parsed again.
            guard let actor = Entry.actor(ofLine: line), !seenSigners.contains(actor) else { continue }
            seenSigners.insert(actor)
            guard let record = keys[actor] else { continue }
            if record.registeredAt < size { pending.append(record.registeredAt) }
            if let revoked = record.revokedAt, revoked < size { pending.append(revoked) }
        }
        return DecisionBundle(
            origin: checkpoint.origin, applicationID: applicationID, checkpoint: logNote.formatted,
            items: items.keys.sorted().map { items[$0]! })
    }
}
