/// Rules that give events their meaning, plugged into the replay by a higher layer (`GrantDomain`).
///
/// The same value serves append-time validation and the verifier: `apply` checks an entry against the
/// state built from the entries before it, records outcomes, then folds the entry in.
public protocol DomainRules: Sendable {
    /// The event types these rules define, with who may sign them.
    static var eventTypes: [EventCatalog.Spec] { get }

    /// Checks `entry` (already checked for integrity and signer role) and folds it into the state.
    mutating func apply(_ entry: Entry, signer: KeyRecord?, keys: KeyRegistry, outcomes: inout RuleOutcomes)

    /// Checks that the log is complete after replay (end-of-log rules); called once by the verifier.
    func finish(outcomes: inout RuleOutcomes)
}

extension DomainRules {
    public func finish(outcomes: inout RuleOutcomes) {}
}

/// No domain: the bare ledger format (`ledger.created`, `key.registered`, `key.revoked`).
public struct NoDomainRules: DomainRules {
    public static let eventTypes: [EventCatalog.Spec] = []

    public init() {}

    public mutating func apply(_ entry: Entry, signer: KeyRecord?, keys: KeyRegistry, outcomes: inout RuleOutcomes) {}
}
