public import LedgerCrypto

/// A key as the log registered it.
public struct KeyRecord: Sendable {
    public let keyID: String
    public let publicKey: Ed25519PublicKey
    public let role: Role
    /// Département codes, or `["*"]` for every territory.
    public let territories: [String]
    public let holder: String
    /// Seq of the entry that registered the key (0 for the authority key of `ledger.created`).
    public let registeredAt: Int64
    /// Seq of the `key.revoked` entry, if any: the key signs nothing valid after it.
    public internal(set) var revokedAt: Int64?
    public internal(set) var revocationReason: String?

    /// Whether the key may act for territory `code`.
    public func covers(territory code: String) -> Bool {
        territories.contains("*") || territories.contains(code)
    }

    /// Whether the key was valid to sign the entry at `seq`.
    public func isValid(at seq: Int64) -> Bool {
        let registered = seq > registeredAt || (seq == 0 && registeredAt == 0)
        return registered && (revokedAt.map { seq <= $0 } ?? true)
    }
}

/// The keys of a ledger, folded from `ledger.created`, `key.registered` and `key.revoked`.
public struct KeyRegistry: Sendable {
    public private(set) var records: [String: KeyRecord] = [:]
    /// The log's name (from `ledger.created`), used as checkpoint origin.
    public private(set) var origin: String? = nil
    /// The programme's title.
    public private(set) var title: String? = nil

    public init() {}

    public subscript(keyID: String) -> KeyRecord? { records[keyID] }

    /// Keys sorted by registration order.
    public var sortedRecords: [KeyRecord] { records.values.sorted { $0.registeredAt < $1.registeredAt } }

    mutating func setGenesis(origin: String, title: String, key: KeyRecord) {
        self.origin = origin
        self.title = title
        records[key.keyID] = key
    }

    mutating func register(_ record: KeyRecord) {
        records[record.keyID] = record
    }

    mutating func revoke(_ keyID: String, at seq: Int64, reason: String) {
        records[keyID]?.revokedAt = seq
        records[keyID]?.revocationReason = reason
    }
}

extension KeyRegistry {
    /// The payload of a `key.registered` entry (`docs/FORMAT.md` §6) for `key`: the one way to build it.
    public static func registrationPayload(
        _ key: Ed25519PublicKey, role: Role, territories: [String], holder: String
    ) -> JSONValue {
        [
            "key_id": .string(key.keyID), "public_key": .string(PublicKeyText.encode(key)),
            "role": .string(role.rawValue), "territories": .array(territories.map { .string($0) }),
            "holder": .string(holder),
        ]
    }
}

extension KeyRecord: SnapshotCodable {
    public func write(to writer: inout SnapshotWriter) {
        writer.write(raw: Array(publicKey.spkiDER[Ed25519PublicKey.spkiPrefix.count...]))
        writer.write(role)
        writer.write(territories)
        writer.write(holder)
        writer.write(registeredAt)
        writer.write(revokedAt)
        writer.write(revocationReason)
    }

    public init(from reader: inout SnapshotReader) throws(SnapshotError) {
        let raw = try reader.read(raw: 32)
        do throws(KeyError) {
            publicKey = try Ed25519PublicKey(raw: Array(raw))
        } catch {
            throw SnapshotError("clé publique invalide dans l'instantané")
        }
        keyID = publicKey.keyID
        role = try reader.read()
        territories = try reader.read()
        holder = try reader.read()
        registeredAt = try reader.read()
        revokedAt = try reader.readIfPresent()
        revocationReason = try reader.readIfPresent()
    }
}

extension KeyRegistry: SnapshotCodable {
    public func write(to writer: inout SnapshotWriter) {
        writer.write(origin)
        writer.write(title)
        writer.write(sortedRecords)
    }

    public init(from reader: inout SnapshotReader) throws(SnapshotError) {
        origin = try reader.readIfPresent()
        title = try reader.readIfPresent()
        let list: [KeyRecord] = try reader.read()
        for record in list { records[record.keyID] = record }
        guard records.count == list.count else { throw SnapshotError("clé en double dans l'instantané") }
    }
}
