import Synchronization

/// The stable id of a rule of `docs/RULES.md`, e.g. `INT-SIGNATURE`.
///
/// One typed catalogue for every layer: the format's rules are declared here, a domain adds its own in an
/// extension (`GrantDomain` declares `EVT-PAYLOAD`, `BUD-ENVELOPE`, …), and outcomes, findings, the verifier's
/// JSON and the CLI all carry this type, so a misspelt id is a compile error rather than a rule never reported.
/// The raw value is what documents and machine outputs show. Making an id numbers it under a lock (``RuleIndex``):
/// declare ids as `static let`, as here, rather than spelling a literal where rules are checked.
public struct RuleID: RawRepresentable, Hashable, Comparable, Sendable, ExpressibleByStringLiteral,
    CustomStringConvertible
{
    public let rawValue: String
    /// A small number of this process for the id (the same for the same raw value), so that tallies are kept in an
    /// array: a replay counts several checks per entry, and hashing the id each time was a measurable part of it.
    let index: Int

    public init(rawValue: String) {
        self.rawValue = rawValue
        self.index = RuleIndex.index(of: rawValue)
    }

    public init(_ rawValue: String) {
        self.init(rawValue: rawValue)
    }

    public init(stringLiteral value: String) {
        self.init(rawValue: value)
    }

    public var description: String { rawValue }

    /// The family, i.e. the prefix before the first `-` (`INT`, `AUT`, `KEY`, `BUD`, …).
    public var family: Substring { rawValue.prefix { $0 != "-" } }

    public static func < (lhs: RuleID, rhs: RuleID) -> Bool { lhs.rawValue < rhs.rawValue }

    public static func == (lhs: RuleID, rhs: RuleID) -> Bool { lhs.index == rhs.index }

    public func hash(into hasher: inout Hasher) { hasher.combine(rawValue) }
}

/// The numbers of the rule ids met so far in this process, handed out in order from 0.
enum RuleIndex {
    private static let numbers = Mutex<[String: Int]>([:])

    static func index(of rawValue: String) -> Int {
        numbers.withLock { numbers in
            if let known = numbers[rawValue] { return known }
            let next = numbers.count
            numbers[rawValue] = next
            return next
        }
    }
}

// MARK: - The format's rules (docs/FORMAT.md §3–§7)

extension RuleID {
    /// The line is the canonical JSON of a well-formed entry (and every string is NFC).
    public static let canonical: RuleID = "INT-CANONICAL"
    /// `v` is 1.
    public static let version: RuleID = "INT-VERSION"
    /// `seq` follows the previous entry's.
    public static let sequence: RuleID = "INT-SEQ"
    /// `prev` is the previous line's hash.
    public static let previousHash: RuleID = "INT-PREV"
    /// `time` is not earlier than the previous authentic entry's.
    public static let timeOrder: RuleID = "INT-TIME"
    /// `time` is not beyond the verifier's clock plus the tolerance.
    public static let future: RuleID = "INT-FUTURE"
    /// The first entry, and only it, is `ledger.created`; an empty log has none.
    public static let genesis: RuleID = "INT-GENESIS"
    /// The event type is known.
    public static let eventType: RuleID = "INT-TYPE"
    /// The Ed25519 signature verifies.
    public static let signature: RuleID = "INT-SIGNATURE"
    /// The log ends with a complete line.
    public static let torn: RuleID = "INT-TORN"
    /// The signer is a registered key.
    public static let signerKnown: RuleID = "AUT-KEY"
    /// The signer was not revoked.
    public static let signerRevoked: RuleID = "AUT-REVOKED"
    /// The signer's role may sign this type.
    public static let signerRole: RuleID = "AUT-ROLE"
    /// `ledger.created` is well-formed and self-signed.
    public static let keyGenesis: RuleID = "KEY-GENESIS"
    /// A key registration is well-formed.
    public static let keyRegister: RuleID = "KEY-REGISTER"
    /// A key revocation is well-formed.
    public static let keyRevoke: RuleID = "KEY-REVOKE"
}
