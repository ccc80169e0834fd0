/// Rules that give events their meaning, plugged into the replay by a higher layer (`GrantDomain`).
///
/// The same value serves append-time validation and the verifier: `apply` checks an entry against the
/// state built from the entries before it, records outcomes, then folds the entry in.
/// Decodes the payload of an entry of type `type` into what a domain's rules read (``DomainRules/payloadDecoder``).
public typealias PayloadDecoder = @Sendable (_ type: String, _ payload: JSONValue) -> (any Sendable)?

public protocol DomainRules: Sendable {
    /// The event types these rules define, with who may sign them.
    static var eventTypes: [EventCatalog.Spec] { get }

    /// The roles a key may be registered with, besides ``Role/authority``; nil accepts any lowercase word (a
    /// bare ledger, whose roles are only labels).
    static var roles: [Role]? { get }

    /// Whether `code` names a territory a key may cover (`"*"`, meaning all, is the format's own).
    static func isTerritory(_ code: String) -> Bool

    /// The role's name for people, in findings (the log keeps `role.rawValue`).
    static func label(of role: Role) -> String

    /// Decodes payloads on the threads that parse the log, in parallel, before the rules see them in order: it may
    /// depend on nothing but the type and the payload. ``apply(_:signer:keys:outcomes:)`` finds the result in
    /// ``Entry/decoded`` (nil for entries parsed elsewhere: it must then decode them itself, the same way). Nil (the
    /// default): nothing is decoded in advance.
    static var payloadDecoder: PayloadDecoder? { get }

    /// Checks `entry` (already checked for integrity and signer role) and folds it into the state.
    mutating func apply(_ entry: Entry, signer: KeyRecord?, keys: KeyRegistry, outcomes: inout RuleOutcomes)

    /// Remembers that `entry` was refused before the domain could judge it (integrity, signer, signature,
    /// or an earlier fault it depends on, at `root`): what it would have created or changed is missing, and
    /// later entries that rely on it are reported as depending on `root` rather than failing again.
    mutating func refuse(_ entry: Entry, root: Int64)

    /// Checks that the log is complete after replay (end-of-log rules); called once by the verifier.
    func finish(outcomes: inout RuleOutcomes)

    /// What a saved state of these rules depends on besides the log (docs/FORMAT.md §10): the encoding of
    /// ``writeSnapshot(to:)``, the version of the rules, the reference data they read. A snapshot is used only by
    /// rules of the same identity, so it must change whenever any of them does. Nil (the default): the state is
    /// never saved, and every write session replays the whole log.
    var snapshotIdentity: String? { get }

    /// Saves the state that ``apply(_:signer:keys:outcomes:)`` and ``refuse(_:root:)`` have built: everything
    /// they read back later.
    func writeSnapshot(to writer: inout SnapshotWriter)

    /// Restores what ``writeSnapshot(to:)`` saved, into rules made fresh by the caller.
    mutating func readSnapshot(from reader: inout SnapshotReader) throws(SnapshotError)
}

extension DomainRules {
    public static var roles: [Role]? { nil }
    public static var payloadDecoder: PayloadDecoder? { nil }

    public static func label(of role: Role) -> String { role == .authority ? "autorité" : role.rawValue }

    /// Any short code of letters and digits.
    public static func isTerritory(_ code: String) -> Bool {
        !code.isEmpty && code.utf8.count <= 16
            && code.utf8.allSatisfy {
                ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A)
            }
    }

    public mutating func refuse(_ entry: Entry, root: Int64) {}
    public func finish(outcomes: inout RuleOutcomes) {}
    public var snapshotIdentity: String? { nil }
    public func writeSnapshot(to writer: inout SnapshotWriter) {}
    public mutating func readSnapshot(from reader: inout SnapshotReader) throws(SnapshotError) {}
}

/// No domain: the bare ledger format (`ledger.created`, `key.registered`, `key.revoked`).
public struct NoDomainRules: DomainRules {
    public static let eventTypes: [EventCatalog.Spec] = []

    public init() {}

    public mutating func apply(_ entry: Entry, signer: KeyRecord?, keys: KeyRegistry, outcomes: inout RuleOutcomes) {}

    /// No state of its own: a snapshot holds the chain position and the keys only.
    public var snapshotIdentity: String? { "core/1" }
}
