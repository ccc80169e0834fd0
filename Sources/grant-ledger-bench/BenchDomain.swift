import LedgerCore
import LedgerCrypto

/// A minimal domain for the `events` corpus: one event type, `bench.note`, that a prefecture key signs for
/// one of its territories.
///
/// It exists so the bench can build a log shaped like a real one (a few keys, many events) with nothing
/// but `LedgerCore`: with `NoDomainRules` every entry must register a new key, so the key registry, which
/// the verifier keeps in memory, grows with the log.
struct BenchDomain: DomainRules {
    static let noteType = "bench.note"
    /// The one role of this domain besides the authority.
    static let signerRole = Role(rawValue: "prefecture")
    static let roles: [Role]? = [signerRole]
    static let eventTypes: [EventCatalog.Spec] = [
        EventCatalog.Spec(noteType, roles: [signerRole], summary: "a benchmark event about one application")
    ]

    /// Notes accepted so far (a stand-in for a projection).
    private(set) var notes = 0
    private(set) var totalCents: Int64 = 0

    /// Whether `apply` decodes payloads. The no-signature figure of the issue is "parse + canonical + chain",
    /// so the bench measures it with `false` (signer, role and type are still checked by the core), and also
    /// reports the rate with payload decoding, which is what a domain's rules add.
    let readsPayloads: Bool

    /// The bench's one rule: a constant, since making a ``RuleID`` numbers it under a lock.
    static let noteRule: RuleID = "BENCH-NOTE"

    init(readsPayloads: Bool = true) {
        self.readsPayloads = readsPayloads
    }

    mutating func apply(_ entry: Entry, signer: KeyRecord?, keys: KeyRegistry, outcomes: inout RuleOutcomes) {
        notes += 1
        guard readsPayloads else { return }
        let payload = entry.payload
        let territory = payload["departement"]?.stringValue
        let cents = payload["amount_cents"]?.integerValue
        outcomes.check(
            BenchDomain.noteRule, seq: entry.seq,
            passed: cents != nil && territory.map { signer?.covers(territory: $0) ?? false } == true,
            "bench.note needs amount_cents and a departement the signer covers")
        totalCents &+= cents ?? 0
    }
}
