/// What a registered key may sign (`docs/FORMAT.md` §6).
///
/// The format knows one role, the authority that creates the ledger and registers keys; a domain declares its
/// own (`GrantDomain` declares `prefecture`, `payer`, `auditor`) through ``DomainRules/roles``, and its event
/// catalogue says which role signs what. The raw value is what `key.registered` payloads hold.
public struct Role: RawRepresentable, Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    public let rawValue: String

    public init(rawValue: String) {
        self.rawValue = rawValue
    }

    public var description: String { rawValue }

    public static func < (lhs: Role, rhs: Role) -> Bool { lhs.rawValue < rhs.rawValue }

    /// The programme's authority: creates the ledger, registers and revokes keys.
    public static let authority = Role(rawValue: "authority")
}
