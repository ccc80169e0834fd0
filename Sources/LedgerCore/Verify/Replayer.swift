public import LedgerCrypto

/// Replays the log one entry at a time: chain, time order, genesis, event type, signer and its signature,
/// key events, then the domain rules.
///
/// An entry is **accepted** when no rule refuses it (`docs/RULES.md`): only then is it folded into the state,
/// exactly as append-time validation would have let it in. A refused entry still takes its place in the
/// chain, and what it would have created or changed (a key, a call, an application) is remembered as depending
/// on it, so later entries that rely on it are reported *not checked (depends on seq N)* instead of repeating
/// the one fault (one fault, one finding).
///
/// Signatures are checked by the caller (the verifier checks them in parallel, with ``SigningKeys``) and
/// passed in; rule ids are those of `docs/RULES.md`.
public struct Replayer<Domain: DomainRules>: Sendable {
    /// How far in the verifier's future an entry's `time` may lie (`INT-FUTURE`): clocks of different
    /// machines differ by seconds, not by ten minutes.
    public static var futureToleranceSeconds: Int64 { 600 }

    /// What the replay sees of the log.
    public enum Mode: Sendable {
        /// Every line, in order: the chain (`INT-SEQ`, `INT-PREV`) is checked.
        case complete
        /// Some entries only, in log order, each at the position its `seq` names (a decision bundle, whose
        /// inclusion proofs prove the positions): the chain between them is not judged here.
        case partial
    }

    public let catalog: EventCatalog
    public let mode: Mode
    public private(set) var keys = KeyRegistry()
    public var domain: Domain
    /// The verifier's clock: entries dated after it (plus the tolerance) fail `INT-FUTURE`. A long-lived state (a
    /// service's) sets it to now before each append.
    public var clock: Timestamp
    /// Entries replayed (lines, including unparseable ones).
    public private(set) var count: Int64 = 0
    /// Seq and hash of the last line.
    public private(set) var lastSeq: Int64? = nil
    public private(set) var lastHash: Digest = .zero
    /// Time of the last authentic entry (chained, in order, correctly signed): the floor of the next one.
    public private(set) var lastTime: Timestamp? = nil
    /// Whether any integrity rule (`INT-*`) failed: the chain itself is in doubt.
    public private(set) var integrityFailed = false
    /// The last line whose bytes are in doubt (not an entry, or not signed by its signer): a `prev` mismatch on
    /// the line after it follows from that fault.
    private var suspectLine: Int64? = nil
    /// Keys whose registration was refused, with the seq of the fault: their entries depend on it.
    private var refusedKeys: [String: Int64] = [:]
    /// The seq of a refused `ledger.created`: with no trust root, every signer depends on it.
    private var refusedGenesis: Int64? = nil

    public init(domain: Domain, clock: Timestamp = .now(), mode: Mode = .complete) {
        self.domain = domain
        self.clock = clock
        self.mode = mode
        self.catalog = EventCatalog.core.adding(Domain.eventTypes)
    }

    /// Records a line that is not a valid entry, keeping the chain position so later entries are judged
    /// against it (one damaged line gives one finding, not a cascade).
    public mutating func applyUnparseable(line: [UInt8], error: EntryError, outcomes: inout RuleOutcomes) {
        outcomes.check(.canonical, seq: count, passed: false, error.message)
        integrityFailed = true
        if count == 0 { refusedGenesis = refusedGenesis ?? 0 }
        suspectLine = count
        lastHash = line.withUnsafeBytes { SHA256.hash($0) }
        lastSeq = (lastSeq ?? -1) + 1
        count += 1
    }

    /// Checks one entry of the log and, when no rule refuses it, folds it into the state; a refused entry still
    /// takes its place in the chain, and what it would have changed is remembered as depending on it.
    ///
    /// - Parameter signature: the result of checking the entry's signature with its signer's key (see
    ///   ``SigningKeys``); `.unchecked` when the caller does not check signatures (state rebuilds).
    /// - Returns: whether the entry was accepted.
    @discardableResult
    public mutating func apply(_ entry: Entry, signature: SignatureCheck = .unchecked, outcomes: inout RuleOutcomes)
        -> Bool
    {
        let start = outcomes.findingCount
        let position = mode == .complete ? count : entry.seq
        if evaluate(entry, position: position, signature: signature, outcomes: &outcomes) { return true }
        if let root = outcomes.refusal(since: start, seq: position) {
            noteRefused(entry, position: position, root: root)
        }
        return false
    }

    /// Append-time validation: checks `entry` as the next entry and folds it in only if no rule refuses it. A
    /// refused entry leaves the replayer exactly as it was, since it will never be written: the same state can
    /// go on validating other entries (a service keeps one per log).
    ///
    /// - Parameter signature: `.valid` for an entry just signed by the caller; a service checks what a client
    ///   sent (``SigningKeys/check(_:)``).
    @discardableResult
    public mutating func append(_ entry: Entry, signature: SignatureCheck, outcomes: inout RuleOutcomes) -> Bool {
        let saved = (count, lastSeq, lastHash, lastTime, integrityFailed, suspectLine)
        if evaluate(entry, position: count, signature: signature, outcomes: &outcomes) { return true }
        (count, lastSeq, lastHash, lastTime, integrityFailed, suspectLine) = saved
        return false
    }

    /// Every rule of one entry; folds it in when accepted. Returns whether it was.
    private mutating func evaluate(
        _ entry: Entry, position: Int64, signature: SignatureCheck, outcomes: inout RuleOutcomes
    ) -> Bool {
        let start = outcomes.findingCount
        outcomes.check(.canonical, seq: position, passed: true, "")
        checkChain(entry, position: position, outcomes: &outcomes)
        let isGenesisType = entry.type == EventCatalog.ledgerCreated
        outcomes.check(
            .genesis, seq: position, passed: isGenesisType == (position == 0),
            position == 0
                ? "la première entrée est \(entry.type), pas ledger.created"
                : "ledger.created ne peut être que la première entrée")
        let spec = catalog[entry.type]
        outcomes.check(
            .eventType, seq: position, passed: spec != nil,
            "type d'événement inconnu \(entry.type) : un vérificateur ne saute jamais ce qu'il ne comprend pas")
        let intact = outcomes.refusal(since: start, seq: position) == nil
        if !intact { integrityFailed = true }

        lastSeq = entry.seq
        lastHash = entry.hash
        count += 1

        if position == 0 {
            // A first entry that is not ledger.created leaves the log without a trust root: no signer can be
            // judged against it, so INT-GENESIS is the one finding for this entry (not AUT-KEY as well).
            let accepted = intact && isGenesisType && applyGenesis(entry, signature: signature, outcomes: &outcomes)
            if accepted { lastTime = entry.time }
            return accepted
        }

        // The signer: registered, not revoked, allowed to sign this type; then its signature.
        let record = keys[entry.actor]
        if let record {
            outcomes.check(.signerKnown, seq: position, passed: true, "")
            outcomes.check(
                .signerRevoked, seq: position, passed: record.isValid(at: entry.seq),
                "la clé de \(record.holder) (\(record.keyID.prefix(16))…) a été révoquée à la seq \(record.revokedAt ?? -1)"
            )
            if let spec {
                outcomes.check(
                    .signerRole, seq: position, passed: spec.roles.contains(record.role),
                    "une clé de rôle « \(Domain.label(of: record.role)) » ne peut pas signer \(entry.type) ; rôles admis : \(spec.roles.sorted().map { "« \(Domain.label(of: $0)) »" }.joined(separator: ", "))"
                )
            }
            if signature != .unchecked {
                outcomes.check(
                    .signature, seq: position, passed: signature == .valid,
                    "la signature ne vérifie pas avec la clé \(entry.actor.prefix(16))… sur les octets canoniques de l'entrée"
                )
            }
        } else if let root = refusedKeys[entry.actor] ?? refusedGenesis {
            outcomes.dependent(
                .signerKnown, seq: position, on: root, "la clé \(entry.actor.prefix(16))… n'a pas été enregistrée")
        } else {
            outcomes.check(
                .signerKnown, seq: position, passed: false,
                "le signataire \(entry.actor) n'est pas une clé enregistrée")
        }
        if signature == .invalid { suspectLine = position }
        if intact && signature != .invalid { lastTime = entry.time }

        // Then what the entry says, only if nothing so far refuses it.
        guard outcomes.refusal(since: start, seq: position) == nil else { return false }
        switch entry.type {
        case EventCatalog.keyRegistered:
            return applyRegistration(entry, position: position, outcomes: &outcomes)
        case EventCatalog.keyRevoked:
            return applyRevocation(entry, position: position, outcomes: &outcomes)
        case EventCatalog.ledgerCreated:
            return false
        default:
            domain.apply(entry, signer: record, keys: keys, outcomes: &outcomes)
            return outcomes.refusal(since: start, seq: position) == nil
        }
    }

    /// What a refused entry of the log leaves missing (`docs/RULES.md`, "One fault, one finding"): the trust root,
    /// a key, or the domain's objects.
    private mutating func noteRefused(_ entry: Entry, position: Int64, root: Int64) {
        if position == 0 {
            refusedGenesis = refusedGenesis ?? root
            return
        }
        switch entry.type {
        case EventCatalog.keyRegistered:
            // A refused duplicate registration leaves the registered key as it was.
            if let keyID = entry.payload["key_id"]?.stringValue, keys[keyID] == nil, refusedKeys[keyID] == nil {
                refusedKeys[keyID] = root
            }
        case EventCatalog.keyRevoked, EventCatalog.ledgerCreated:
            break
        default:
            if catalog[entry.type] != nil { domain.refuse(entry, root: root) }
        }
    }

    /// End-of-log checks: a log without any entry has no trust root; then the domain's own (`DomainRules`).
    public func finish(outcomes: inout RuleOutcomes) {
        if count == 0 {
            outcomes.check(.genesis, seq: 0, passed: false, "le registre est vide : il n'a pas d'entrée ledger.created")
        }
        domain.finish(outcomes: &outcomes)
    }

    /// `INT-VERSION`, `INT-SEQ`, `INT-PREV`, `INT-TIME`, `INT-FUTURE`.
    private mutating func checkChain(_ entry: Entry, position: Int64, outcomes: inout RuleOutcomes) {
        outcomes.check(
            .version, seq: position, passed: entry.version == Entry.formatVersion,
            "version de format \(entry.version) ; ce vérificateur connaît la version \(Entry.formatVersion)")
        if mode == .complete {
            Self.checkSequence(
                entry, position: position, expected: (lastSeq ?? -1) + 1, lastHash: lastHash, suspectLine: suspectLine,
                outcomes: &outcomes)
        }
        if let lastTime {
            outcomes.check(
                .timeOrder, seq: position, passed: entry.time >= lastTime,
                "heure \(entry.time) antérieure à celle de l'entrée précédente, \(lastTime)")
        }
        let limit = Timestamp(secondsSinceEpoch: clock.secondsSinceEpoch + Self.futureToleranceSeconds)
        outcomes.check(
            .future, seq: position, passed: entry.time <= limit,
            "heure \(entry.time) postérieure à l'horloge du vérificateur (\(clock)) de plus de \(Self.futureToleranceSeconds / 60) minutes"
        )
    }

    /// `INT-SEQ` and `INT-PREV`, in a complete replay. Static, with what it reads of the replayer as arguments: a
    /// method reading `self` from a mutating one made a copy of the whole replayer, domain state included, per
    /// entry.
    private static func checkSequence(
        _ entry: Entry, position: Int64, expected expectedSeq: Int64, lastHash: Digest, suspectLine: Int64?,
        outcomes: inout RuleOutcomes
    ) {
        let inSequence = entry.seq == expectedSeq
        outcomes.check(
            .sequence, seq: position, passed: inSequence,
            "seq \(entry.seq) au lieu de \(expectedSeq) (une ligne a été supprimée, dupliquée ou déplacée)")
        // A line out of sequence is one fault: its prev is judged only when its place is right.
        if inSequence {
            let chained = entry.prev == lastHash
            if !chained, let suspect = suspectLine, suspect == position - 1 {
                outcomes.dependent(
                    .previousHash, seq: position, on: suspect,
                    "prev ne correspond plus à la ligne précédente, elle-même en défaut")
            } else {
                outcomes.check(
                    .previousHash, seq: position, passed: chained,
                    "prev \(entry.prev.hex) n'est pas le hash de la ligne précédente, \(lastHash.hex)")
            }
        }
    }

    /// `ledger.created`: the trust root. Returns whether it was accepted.
    private mutating func applyGenesis(_ entry: Entry, signature: SignatureCheck, outcomes: inout RuleOutcomes) -> Bool
    {
        var fields = PayloadFields(entry.payload)
        let origin = fields.string("origin", kind: .code, maxLength: 255)
        let title = fields.string("title")
        let publicKeyText = fields.string("public_key", kind: .code, maxLength: 64)
        fields.rejectUnknown()
        var problems = fields.problems
        if let origin, !Origin.isValid(origin) {
            problems.append("origin « \(origin) » doit être un nom de type URL sans schéma, sans espace ni « + »")
        }
        var key: Ed25519PublicKey? = nil
        if let publicKeyText {
            key = PublicKeyText.decode(publicKeyText)
            if key == nil { problems.append(PublicKeyText.problem(publicKeyText)) }
        }
        if let key, key.keyID != entry.actor {
            problems.append(
                "l'acteur \(entry.actor) n'est pas l'identifiant de public_key (\(key.keyID)) : ledger.created doit être auto-signé"
            )
        }
        let start = outcomes.findingCount
        outcomes.check(
            .keyGenesis, seq: 0, passed: problems.isEmpty, "ledger.created : " + problems.joined(separator: " ; "))
        // Not self-signed: the actor's key is unknown, so the signature cannot be checked against it (as for an
        // unregistered signer); KEY-GENESIS already reports the fault, INT-SIGNATURE would repeat it.
        guard let key, let origin, let title, key.keyID == entry.actor else { return false }
        if signature != .unchecked {
            outcomes.check(
                .signature, seq: 0, passed: signature == .valid,
                "la signature de ledger.created ne vérifie pas avec sa propre clé")
        }
        guard outcomes.refusal(since: start, seq: 0) == nil else { return false }
        keys.setGenesis(
            origin: origin, title: title,
            key: KeyRecord(
                keyID: key.keyID, publicKey: key, role: .authority, territories: ["*"], holder: title,
                registeredAt: 0, revokedAt: nil, revocationReason: nil))
        return true
    }

    private mutating func applyRegistration(_ entry: Entry, position: Int64, outcomes: inout RuleOutcomes) -> Bool {
        var fields = PayloadFields(entry.payload)
        let keyID = fields.string("key_id", kind: .code, maxLength: 64)
        let publicKeyText = fields.string("public_key", kind: .code, maxLength: 64)
        let roleText = fields.string("role", kind: .code, maxLength: 32)
        let territories = fields.strings("territories", nonEmpty: false)
        let holder = fields.string("holder")
        fields.rejectUnknown()
        var problems = fields.problems
        let key = publicKeyText.flatMap(PublicKeyText.decode)
        if publicKeyText != nil && key == nil {
            problems.append(PublicKeyText.problem(publicKeyText ?? ""))
        }
        if let key, let keyID, key.keyID != keyID {
            problems.append("key_id \(keyID) n'est pas le SHA-256 du DER de public_key (\(key.keyID))")
        }
        if let keyID, keys[keyID] != nil { problems.append("la clé \(keyID) est déjà enregistrée") }
        let known = Domain.roles.map { [Role.authority] + $0 }
        let role = roleText.map(Role.init(rawValue:)).flatMap { role in
            (known?.contains(role) ?? EventTypeName.isWord(role.rawValue)) ? role : nil
        }
        if let roleText, role == nil {
            problems.append(
                "rôle inconnu « \(TextRules.printable(roleText)) »"
                    + (known.map { " ; un rôle est l'un de \($0.map(\.rawValue).joined(separator: ", "))" } ?? ""))
        }
        if let territories {
            if territories.isEmpty { problems.append("territories doit lister au moins un code, ou « * »") }
            if territories.contains("*") && territories.count > 1 {
                problems.append("« * » doit être seul dans territories")
            }
            let bad = territories.filter { $0 != "*" && !Domain.isTerritory($0) }
            if !bad.isEmpty { problems.append("territoires inconnus : \(bad.joined(separator: ", "))") }
            if Set(territories).count != territories.count { problems.append("territories contient des doublons") }
        }
        outcomes.check(
            .keyRegister, seq: position, passed: problems.isEmpty,
            "key.registered : " + problems.joined(separator: " ; "))
        guard problems.isEmpty, let key, let role, let territories, let holder else { return false }
        keys.register(
            KeyRecord(
                keyID: key.keyID, publicKey: key, role: role, territories: territories,
                holder: holder, registeredAt: entry.seq, revokedAt: nil, revocationReason: nil))
        return true
    }

    private mutating func applyRevocation(_ entry: Entry, position: Int64, outcomes: inout RuleOutcomes) -> Bool {
        var fields = PayloadFields(entry.payload)
        let keyID = fields.string("key_id", kind: .code, maxLength: 64)
        let reason = fields.string("reason", kind: .multiline, maxLength: 4096)
        fields.rejectUnknown()
        var problems = fields.problems
        if let keyID {
            if let record = keys[keyID] {
                if let revokedAt = record.revokedAt {
                    problems.append("la clé \(keyID) est déjà révoquée (seq \(revokedAt))")
                }
            } else {
                problems.append("la clé \(keyID) n'est pas enregistrée")
            }
        }
        outcomes.check(
            .keyRevoke, seq: position, passed: problems.isEmpty, "key.revoked : " + problems.joined(separator: " ; "))
        guard problems.isEmpty, let keyID, let reason else { return false }
        keys.revoke(keyID, at: entry.seq, reason: reason)
        return true
    }
}

/// The log's origin: a schema-less URL-like name (C2SP tlog-checkpoint), no spaces, no `+`.
public enum Origin {
    public static func isValid(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.count <= 255
            && text.unicodeScalars.allSatisfy { $0.value > 0x20 && $0.value < 0x7F && $0 != "+" }
    }
}

// MARK: - Snapshots

extension Replayer {
    /// Saves everything the replay of the log so far has built (docs/FORMAT.md §10): the chain position, the keys,
    /// what refused entries left missing, and the domain's state.
    func writeSnapshot(to writer: inout SnapshotWriter) {
        writer.write(count)
        writer.write(lastSeq)
        writer.write(lastHash)
        writer.write(lastTime)
        writer.write(integrityFailed)
        writer.write(suspectLine)
        writer.write(refusedKeys)
        writer.write(refusedGenesis)
        writer.write(keys)
        domain.writeSnapshot(to: &writer)
    }

    /// The replayer a snapshot saved, for a complete replay that goes on from there; `domain` comes fresh from the
    /// caller (its configuration, such as reference data) and receives the saved state.
    init(snapshot reader: inout SnapshotReader, domain: Domain) throws(SnapshotError) {
        self.init(domain: domain)
        count = try reader.read()
        lastSeq = try reader.readIfPresent()
        lastHash = try reader.read()
        lastTime = try reader.readIfPresent()
        integrityFailed = try reader.read()
        suspectLine = try reader.readIfPresent()
        refusedKeys = try reader.read()
        refusedGenesis = try reader.readIfPresent()
        keys = try reader.read()
        try self.domain.readSnapshot(from: &reader)
    }
}
