/// What a registered key may sign (`docs/FORMAT.md` §6).
public enum Role: String, Sendable, CaseIterable, Codable, Comparable {
    /// The programme's authority: creates the ledger, registers and revokes keys, may publish calls.
    case authority
    /// A prefecture: instructs and decides the applications of its territories.
    case prefecture
    /// A paying agent: records payments.
    case payer
    /// An auditor: may sign attestations; never decisions.
    case auditor

    public static func < (lhs: Role, rhs: Role) -> Bool { lhs.rawValue < rhs.rawValue }

    /// Parses a role name, with a sentence listing the valid ones on failure.
    public static func parse(_ text: String) throws(LedgerError) -> Role {
        guard let role = Role(rawValue: text) else {
            let names = Role.allCases.map(\.rawValue).joined(separator: ", ")
            throw LedgerError(.badInput, "unknown role \"\(text)\"; a role is one of \(names)")
        }
        return role
    }
}
