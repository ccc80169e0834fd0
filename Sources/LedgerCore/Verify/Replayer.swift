public import LedgerCrypto

/// Replays the log one entry at a time: chain, time order, genesis, event type, signer, and key events,
/// then the domain rules. It does not check signatures (the verifier does, in parallel).
///
/// Rule ids are those of `docs/RULES.md`.
public struct Replayer<Domain: DomainRules>: Sendable {
    public let catalog: EventCatalog
    public private(set) var keys = KeyRegistry()
    public var domain: Domain
    /// Entries replayed (lines, including unparseable ones).
    public private(set) var count: Int64 = 0
    /// Seq, hash and time of the last entry.
    public private(set) var lastSeq: Int64? = nil
    public private(set) var lastHash: Digest = .zero
    public private(set) var lastTime: Timestamp? = nil
    /// Whether any integrity rule (`INT-*`) failed: the chain itself is in doubt.
    public private(set) var integrityFailed = false

    public init(domain: Domain) {
        self.domain = domain
        self.catalog = EventCatalog.core.adding(Domain.eventTypes)
    }

    /// Records a line that is not a valid entry, keeping the chain position so later entries are judged
    /// against it (one damaged line gives one finding, not a cascade).
    public mutating func applyUnparseable(line: [UInt8], error: EntryError, outcomes: inout RuleOutcomes) {
        outcomes.check("INT-CANONICAL", seq: count, passed: false, error.message)
        integrityFailed = true
        lastHash = line.withUnsafeBytes { SHA256.hash($0) }
        lastSeq = (lastSeq ?? -1) + 1
        count += 1
    }

    /// Checks and folds one entry. Returns the key that must have signed it, or nil when there is none to
    /// check against (unknown signer; already reported).
    @discardableResult
    public mutating func apply(_ entry: Entry, outcomes: inout RuleOutcomes) -> Ed25519PublicKey? {
        let position = count
        outcomes.check("INT-CANONICAL", seq: position, passed: true, "")
        let failuresBefore = outcomes.findings.count
        outcomes.check(
            "INT-VERSION", seq: position, passed: entry.version == Entry.formatVersion,
            "format version \(entry.version); this verifier knows version \(Entry.formatVersion)")
        let expectedSeq = (lastSeq ?? -1) + 1
        outcomes.check(
            "INT-SEQ", seq: position, passed: entry.seq == expectedSeq,
            "seq \(entry.seq) where \(expectedSeq) was expected (a line was deleted, duplicated or moved)")
        outcomes.check(
            "INT-PREV", seq: position, passed: entry.prev == lastHash,
            "prev \(entry.prev.hex) is not the hash of the previous line, \(lastHash.hex)")
        if let lastTime {
            outcomes.check(
                "INT-TIME", seq: position, passed: entry.time >= lastTime,
                "time \(entry.time) is earlier than the previous entry's \(lastTime)")
        }
        let isGenesisType = entry.type == EventCatalog.ledgerCreated
        outcomes.check(
            "INT-GENESIS", seq: position, passed: isGenesisType == (position == 0),
            position == 0
                ? "the first entry is \(entry.type), not ledger.created"
                : "ledger.created may only be the first entry")
        let spec = catalog[entry.type]
        outcomes.check(
            "INT-TYPE", seq: position, passed: spec != nil,
            "unknown event type \(entry.type); a verifier never skips what it does not understand")
        if outcomes.findings.count > failuresBefore { integrityFailed = true }

        lastSeq = entry.seq
        lastHash = entry.hash
        lastTime = max(lastTime ?? entry.time, entry.time)
        count += 1

        if isGenesisType && position == 0 {
            return applyGenesis(entry, payload: entry.payload, outcomes: &outcomes)
        }
        // A first entry that is not ledger.created leaves the log without a trust root: no signer can be judged
        // against it, so INT-GENESIS is the one finding for this entry (not AUT-KEY as well).
        if position == 0 { return nil }

        // The signer: registered, not revoked, and allowed to sign this type.
        let record = keys[entry.actor]
        outcomes.check(
            "AUT-KEY", seq: position, passed: record != nil,
            "the signer \(entry.actor) is not a registered key")
        if let record {
            outcomes.check(
                "AUT-REVOKED", seq: position, passed: record.isValid(at: entry.seq),
                "the signer \(record.holder) (\(record.keyID.prefix(16))…) was revoked at seq \(record.revokedAt ?? -1)"
            )
            if let spec {
                outcomes.check(
                    "AUT-ROLE", seq: position, passed: spec.roles.contains(record.role),
                    "a \(record.role.rawValue) key may not sign \(entry.type); allowed: \(spec.roles.sorted().map(\.rawValue).joined(separator: ", "))"
                )
            }
        }
        // Key events change who may sign: only a valid authority key's are applied (its failure is reported above).
        let authorityMayActOnKeys = record.map { $0.role == .authority && $0.isValid(at: entry.seq) } ?? false
        switch entry.type {
        case EventCatalog.keyRegistered:
            if authorityMayActOnKeys { applyRegistration(entry, payload: entry.payload, outcomes: &outcomes) }
        case EventCatalog.keyRevoked:
            if authorityMayActOnKeys { applyRevocation(entry, payload: entry.payload, outcomes: &outcomes) }
        default:
            if spec != nil, entry.type != EventCatalog.ledgerCreated {
                domain.apply(entry, signer: record, keys: keys, outcomes: &outcomes)
            }
        }
        return record?.publicKey
    }

    private mutating func applyGenesis(_ entry: Entry, payload: JSONValue, outcomes: inout RuleOutcomes)
        -> Ed25519PublicKey?
    {
        let fields = PayloadReader(payload, rule: "KEY-GENESIS", seq: 0)
        var problems: [String] = []
        let origin = fields.string("origin", &problems)
        let title = fields.string("title", &problems)
        let publicKeyText = fields.string("public_key", &problems)
        fields.requireExactly(["origin", "title", "public_key"], &problems)
        if let title, title.trimmingSpaces.isEmpty { problems.append("title must not be empty") }
        if let origin, !Origin.isValid(origin) {
            problems.append("origin \"\(origin)\" must be a schema-less URL-like name without spaces or '+'")
        }
        var key: Ed25519PublicKey? = nil
        if let publicKeyText {
            key = PublicKeyText.decode(publicKeyText)
            if key == nil { problems.append(PublicKeyText.problem(publicKeyText)) }
        }
        if let key, key.keyID != entry.actor {
            problems.append(
                "the actor \(entry.actor) is not the key id of public_key (\(key.keyID)): ledger.created must be self-signed"
            )
        }
        outcomes.check(
            "KEY-GENESIS", seq: 0, passed: problems.isEmpty, "ledger.created: " + problems.joined(separator: "; "))
        guard let key, let origin, let title else { return nil }
        keys.setGenesis(
            origin: origin, title: title,
            key: KeyRecord(
                keyID: key.keyID, publicKey: key, role: .authority, territories: ["*"], holder: title,
                registeredAt: 0, revokedAt: nil, revocationReason: nil))
        // Not self-signed: the actor's key is unknown, so the signature cannot be checked against it (as for an
        // unregistered signer); KEY-GENESIS already reports the fault, INT-SIGNATURE would repeat it.
        return key.keyID == entry.actor ? key : nil
    }

    private mutating func applyRegistration(_ entry: Entry, payload: JSONValue, outcomes: inout RuleOutcomes) {
        let position = count - 1
        let fields = PayloadReader(payload, rule: "KEY-REGISTER", seq: position)
        var problems: [String] = []
        let keyID = fields.string("key_id", &problems)
        let publicKeyText = fields.string("public_key", &problems)
        let roleText = fields.string("role", &problems)
        let territories = fields.strings("territories", &problems)
        let holder = fields.string("holder", &problems)
        fields.requireExactly(["key_id", "public_key", "role", "territories", "holder"], &problems)
        let key = publicKeyText.flatMap(PublicKeyText.decode)
        if publicKeyText != nil && key == nil {
            problems.append(PublicKeyText.problem(publicKeyText ?? ""))
        }
        if let key, let keyID, key.keyID != keyID {
            problems.append("key_id \(keyID) is not the SHA-256 of public_key's DER (\(key.keyID))")
        }
        if let keyID, keys[keyID] != nil { problems.append("the key \(keyID) is already registered") }
        let role = roleText.flatMap(Role.init(rawValue:))
        if let roleText, role == nil {
            problems.append(
                "unknown role \"\(roleText)\"; a role is one of \(Role.allCases.map(\.rawValue).joined(separator: ", "))"
            )
        }
        if let territories {
            if territories.isEmpty { problems.append("territories must list at least one code, or \"*\"") }
            if territories.contains("*") && territories.count > 1 { problems.append("territories \"*\" stands alone") }
            let bad = territories.filter { $0 != "*" && !Territory.isDepartementCode($0) }
            if !bad.isEmpty { problems.append("territories must be département codes: \(bad.joined(separator: ", "))") }
            if Set(territories).count != territories.count { problems.append("territories must be distinct") }
        }
        if let holder, holder.trimmingSpaces.isEmpty { problems.append("holder must not be empty") }
        outcomes.check(
            "KEY-REGISTER", seq: position, passed: problems.isEmpty,
            "key.registered: " + problems.joined(separator: "; "))
        if problems.isEmpty, let key, let role, let territories, let holder {
            keys.register(
                KeyRecord(
                    keyID: key.keyID, publicKey: key, role: role, territories: territories,
                    holder: holder, registeredAt: entry.seq, revokedAt: nil, revocationReason: nil))
        }
    }

    private mutating func applyRevocation(_ entry: Entry, payload: JSONValue, outcomes: inout RuleOutcomes) {
        let position = count - 1
        let fields = PayloadReader(payload, rule: "KEY-REVOKE", seq: position)
        var problems: [String] = []
        let keyID = fields.string("key_id", &problems)
        let reason = fields.string("reason", &problems)
        fields.requireExactly(["key_id", "reason"], &problems)
        if let keyID {
            if let record = keys[keyID] {
                if record.revokedAt != nil {
                    problems.append("the key \(keyID) is already revoked (seq \(record.revokedAt!))")
                }
            } else {
                problems.append("the key \(keyID) is not registered")
            }
        }
        if let reason, reason.trimmingSpaces.isEmpty { problems.append("reason must not be empty") }
        outcomes.check(
            "KEY-REVOKE", seq: position, passed: problems.isEmpty, "key.revoked: " + problems.joined(separator: "; "))
        if problems.isEmpty, let keyID, let reason {
            keys.revoke(keyID, at: entry.seq, reason: reason)
        }
    }
}

/// Reads typed members of a payload, collecting one problem per missing or mistyped member.
public struct PayloadReader {
    public let payload: JSONValue
    let rule: String
    let seq: Int64

    public init(_ payload: JSONValue, rule: String, seq: Int64) {
        self.payload = payload
        self.rule = rule
        self.seq = seq
    }

    public func string(_ name: String, _ problems: inout [String]) -> String? {
        guard let value = payload[name] else {
            problems.append("\(name) is missing")
            return nil
        }
        guard let text = value.stringValue else {
            problems.append("\(name) must be a string")
            return nil
        }
        return text
    }

    public func strings(_ name: String, _ problems: inout [String]) -> [String]? {
        guard let value = payload[name] else {
            problems.append("\(name) is missing")
            return nil
        }
        guard let items = value.arrayValue, items.allSatisfy({ $0.stringValue != nil }) else {
            problems.append("\(name) must be an array of strings")
            return nil
        }
        return items.compactMap(\.stringValue)
    }

    public func integer(_ name: String, _ problems: inout [String]) -> Int64? {
        guard let value = payload[name] else {
            problems.append("\(name) is missing")
            return nil
        }
        guard let number = value.integerValue else {
            problems.append("\(name) must be an integer")
            return nil
        }
        return number
    }

    /// Adds a problem for every member not in `allowed`: nothing unknown is silently accepted.
    public func requireExactly(_ allowed: Set<String>, _ problems: inout [String]) {
        guard let members = payload.objectValue else {
            problems.append("the payload must be an object")
            return
        }
        for name in members.keys.sorted() where !allowed.contains(name) {
            problems.append("unknown member \(name)")
        }
    }
}

/// The log's origin: a schema-less URL-like name (C2SP tlog-checkpoint), no spaces, no `+`.
public enum Origin {
    public static func isValid(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.count <= 255
            && text.unicodeScalars.allSatisfy { $0.value > 0x20 && $0.value < 0x7F && $0 != "+" }
    }
}

/// Territory codes of key registrations (`docs/FORMAT.md` §6): the 101 département codes.
public enum Territory {
    public static func isDepartementCode(_ code: String) -> Bool {
        let b = Array(code.utf8)
        func digit(_ c: UInt8) -> Bool { c >= 48 && c <= 57 }
        if b.count == 2 {
            if code == "2A" || code == "2B" { return true }
            guard digit(b[0]), digit(b[1]) else { return false }
            let n = Int(code)!
            return n >= 1 && n <= 95 && n != 20
        }
        return ["971", "972", "973", "974", "976"].contains(code)
    }
}
