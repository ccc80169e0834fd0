/// The event types a ledger understands and who may sign each one.
///
/// The verifier never skips what it does not know: an entry whose type is not in the catalogue fails
/// `INT-TYPE`.
public struct EventCatalog: Sendable {
    /// One event type.
    public struct Spec: Sendable {
        public let name: String
        public let roles: Set<Role>
        public let summary: String

        public init(_ name: String, roles: Set<Role>, summary: String) {
            self.name = name
            self.roles = roles
            self.summary = summary
        }
    }

    public private(set) var specs: [String: Spec] = [:]

    public init(_ specs: [Spec]) {
        for spec in specs { self.specs[spec.name] = spec }
    }

    public subscript(name: String) -> Spec? { specs[name] }

    /// The catalogue plus `other`'s types.
    public func adding(_ other: [Spec]) -> EventCatalog {
        var copy = self
        for spec in other { copy.specs[spec.name] = spec }
        return copy
    }

    /// Names sorted alphabetically.
    public var names: [String] { specs.keys.sorted() }

    public static let ledgerCreated = "ledger.created"
    public static let keyRegistered = "key.registered"
    public static let keyRevoked = "key.revoked"

    /// The types defined by the ledger format itself.
    public static let core = EventCatalog([
        Spec(
            ledgerCreated, roles: [.authority],
            summary: "creates the ledger; seq 0 only, self-signed by the authority key"),
        Spec(keyRegistered, roles: [.authority], summary: "registers a key with a role and territories"),
        Spec(keyRevoked, roles: [.authority], summary: "revokes a key from the next seq on"),
    ])
}
