import Synchronization
public import LedgerCore
public import LedgerCrypto

/// One published version of a call.
public struct CallVersion: Sendable, Equatable {
    public let seq: Int64
    /// Entry hash (hex): what decisions name in `call_version`.
    public let hash: String
    public let time: Timestamp
    public let signer: String
    public let call: GrantCall

    /// The day this version was published: applications cannot be dated before it.
    public var publishedOn: CalendarDate { CalendarDate(time) }
}

/// A call with its versions and budget.
public struct CallState: Sendable, Equatable {
    public internal(set) var versions: [CallVersion]
    /// Sum of standing grants, less the unpaid part of withdrawn ones.
    public internal(set) var committedCents: Int64 = 0
    public internal(set) var paidCents: Int64 = 0
    /// Application ids in submission order.
    public internal(set) var applicationIDs: [String] {
        get { savedApplicationIDs.value }
        _modify { yield &savedApplicationIDs.value }
        set { savedApplicationIDs.value = newValue }
    }
    /// SIREN → application id of its standing grant.
    public internal(set) var standingGrants = SnapshotTable<String>()
    /// Whether a decision on one of its applications has been recorded.
    public internal(set) var hasDecisions = false
    /// The committed amount over the declared dates of decisions and withdrawals (`BUD-ENVELOPE`).
    var commitments = EnvelopeTimeline()
    /// Weighted scores of granted applications, and of `envelope_exhausted` rejections (for the merit order).
    var grantedScores: [ScoredApplication] {
        get { savedGrantedScores.value }
        _modify { yield &savedGrantedScores.value }
        set { savedGrantedScores.value = newValue }
    }
    var exhaustedScores: [ScoredApplication] {
        get { savedExhaustedScores.value }
        _modify { yield &savedExhaustedScores.value }
        set { savedExhaustedScores.value = newValue }
    }
    var minGrantedScore: Int64? = nil
    var maxExhaustedScore: Int64? = nil
    // The large collections, which a write session decodes from the state snapshot only if its entries read them.
    var savedApplicationIDs = SnapshotLazy<[String]>([])
    var savedGrantedScores = SnapshotLazy<[ScoredApplication]>([])
    var savedExhaustedScores = SnapshotLazy<[ScoredApplication]>([])

    public var current: CallVersion { versions[versions.count - 1] }
    public var call: GrantCall { current.call }
    public var envelopeCents: Int64 { call.envelopeCents }
    public var remainingCents: Int64 { call.envelopeCents - committedCents }
}

/// A weighted score of one application of a call (for the merit order).
struct ScoredApplication: Sendable, Equatable {
    let id: String
    let score: Int64
}

/// The life cycle of an application.
public enum ApplicationStatus: String, Sendable, CaseIterable {
    case submitted
    case scored
    case granted
    case rejected
    case partlyPaid = "partly_paid"
    case fullyPaid = "fully_paid"
    case withdrawn
    case grantWithdrawn = "grant_withdrawn"

    public var label: String {
        switch self {
        case .submitted: return "déposée"
        case .scored: return "notée"
        case .granted: return "accordée"
        case .rejected: return "rejetée"
        case .partlyPaid: return "partiellement versée"
        case .fullyPaid: return "intégralement versée"
        case .withdrawn: return "retirée par le demandeur"
        case .grantWithdrawn: return "aide retirée"
        }
    }
}

/// Where an event of an application's history sits in the log.
///
/// Held for every event of every application, so it holds no text of its own: the hash as 32 bytes, and the
/// type and signer as numbers in the table of shared texts (``SharedText``), of which a log has a handful: 56
/// bytes an event.
public struct EventRef: Sendable, Equatable {
    public let seq: Int64
    /// The entry's hash.
    public let digest: Digest
    public let time: Timestamp
    private let typeNumber: UInt32
    private let signerNumber: UInt32

    public var type: String { SharedText.text(typeNumber) }
    public var signer: String { SharedText.text(signerNumber) }

    /// The entry's hash, in hexadecimal.
    public var hash: String { digest.hex }

    init(_ entry: Entry) {
        self.init(seq: entry.seq, digest: entry.hash, type: entry.type, time: entry.time, signer: entry.actor)
    }

    init(seq: Int64, digest: Digest, type: String, time: Timestamp, signer: String) {
        self.seq = seq
        self.digest = digest
        self.time = time
        (typeNumber, signerNumber) = SharedText.numbers(type, signer)
    }
}

/// One copy of each of the few texts that many values repeat (event types, signers' key ids, the call version a
/// decision cites, the source of an applicant's population), shared by the state's values instead of one
/// allocation each; an event of a history holds the numbers of its type and signer here.
///
/// Only texts of accepted events are shared, never those of a refused one: the table grows with the keys, call
/// versions and applications of the logs replayed, never with their entries or with what was refused.
enum SharedText {
    private struct Table {
        var numbers: [String: UInt32] = [:]
        var texts: [String] = []
        /// The last texts asked for: a replay asks for the same few types and signers entry after entry. A text
        /// is compared whole only with those of its length and first byte (a signer's key id is 64 hexadecimal
        /// digits: its first byte tells most of them apart), which costs less than hashing it.
        var recent: [(text: String, length: Int, first: UInt8, number: UInt32)] = []
        var nextRecent = 0

        mutating func number(_ text: String) -> UInt32 {
            let length = text.utf8.count
            let first = text.utf8.first ?? 0
            for slot in recent where slot.length == length && slot.first == first && slot.text == text {
                return slot.number
            }
            let number: UInt32
            if let known = numbers[text] {
                number = known
            } else {
                number = UInt32(texts.count)
                numbers[text] = number
                texts.append(text)
            }
            if recent.count < 16 {
                recent.append((text, length, first, number))
            } else {
                recent[nextRecent] = (text, length, first, number)
                nextRecent = (nextRecent + 1) % 16
            }
            return number
        }
    }

    private static let table = Mutex(Table())

    static func shared(_ text: String) -> String {
        table.withLock { $0.texts[Int($0.number(text))] }
    }

    static func number(_ text: String) -> UInt32 {
        table.withLock { $0.number(text) }
    }

    /// The numbers of two texts (one lock for both: an event's type and signer).
    static func numbers(_ first: String, _ second: String) -> (UInt32, UInt32) {
        table.withLock { ($0.number(first), $0.number(second)) }
    }

    static func text(_ number: UInt32) -> String {
        table.withLock { $0.texts[Int(number)] }
    }
}

/// The current state of an application, folded from its events.
public struct ApplicationState: Sendable, Equatable {
    /// The application as submitted, which nothing changes after (its fields are in one box: reading an
    /// application's state out of its table is one reference count for it rather than one per text it holds).
    public let application: GrantApplication
    public internal(set) var history: [EventRef]
    public internal(set) var score: ApplicationScore? = nil
    public internal(set) var weightedScore: Int64? = nil
    /// The key id of the score's signer.
    public var scorer: String? { scorerNumber.map(SharedText.text) }
    public internal(set) var decision: GrantDecision? = nil
    /// The key id of the decision's signer.
    public var decider: String? { deciderNumber.map(SharedText.text) }
    /// 1-based number of the grid line that fixed the amount, when one matched.
    public internal(set) var gridLineNumber: Int? = nil
    public internal(set) var payments: [GrantPayment] = []
    public internal(set) var paidCents: Int64 = 0
    public internal(set) var withdrawal: Withdrawal? = nil
    public internal(set) var withdrawnByApplicant = false
    /// The numbers of ``scorer`` and ``decider`` in the shared-text table: 5 bytes each instead of 16.
    var scorerNumber: UInt32? = nil
    var deciderNumber: UInt32? = nil
    /// The date of its latest event: the declared date (`submitted_on`, `decided_on`, `paid_on`,
    /// `withdrawn_on`), or the day it was recorded for a score, which declares none. The dates of an
    /// application's events never go backwards (`SEQ-DATES`).
    public internal(set) var lastDate: CalendarDate

    init(application: GrantApplication, history: [EventRef], lastDate: CalendarDate) {
        self.application = application
        self.history = history
        self.lastDate = lastDate
    }

    public var id: String { application.applicationID }

    public var isStandingGrant: Bool { decision?.outcome == .granted && withdrawal == nil }

    public var status: ApplicationStatus {
        if withdrawal != nil { return withdrawnByApplicant ? .withdrawn : .grantWithdrawn }
        guard let decision else { return score == nil ? .submitted : .scored }
        if decision.outcome == .rejected { return .rejected }
        if paidCents == 0 { return .granted }
        return paidCents >= decision.amountCents ? .fullyPaid : .partlyPaid
    }
}

/// The projections of a grant ledger: calls with their versions and budgets, applications with their
/// life cycle. A pure fold of the accepted entries of the log (see `GrantRules`); the changes are the
/// methods of `GrantState+Changes.swift`.
public struct GrantState: Sendable, Equatable {
    /// An object of the state that an event creates or changes.
    enum Object: Hashable, Sendable {
        case call(String)
        case application(String)
    }

    public internal(set) var calls: [String: CallState] = [:]
    /// Call ids in publication order.
    public internal(set) var callOrder: [String] = []
    /// Applications by id: a table that a write session reads from the state snapshot one record at a time.
    public internal(set) var applications = SnapshotTable<ApplicationState>()
    /// Payment references already used, by their comparison key (``GrantPayment/referenceKey``).
    public internal(set) var paymentReferences: Set<String> = []
    /// Decisions that declared a deviation: application id → justification.
    public internal(set) var declaredDeviations: [String: String] = [:]
    /// Objects an event was refused for (never created, or left without a change it should have had), with
    /// the seq of the fault: what later events find wrong about them follows from that fault.
    var dependencies: [Object: Int64] = [:]

    public init() {}

    /// Applications of a call, in submission order.
    public func applications(ofCall callID: String) -> [ApplicationState] {
        (calls[callID]?.applicationIDs ?? []).compactMap { applications[$0] }
    }

    /// The applications of `callID` that `include` keeps, in submission order: only those are copied out of the
    /// table (a call's applications can be hundreds of thousands, its grants a few hundred).
    public func applications(ofCall callID: String, where include: (ApplicationState) -> Bool) -> [ApplicationState] {
        var kept: [ApplicationState] = []
        for id in calls[callID]?.applicationIDs ?? [] {
            if let application = applications[id], include(application) { kept.append(application) }
        }
        return kept
    }

    /// The earliest fault that the application or its call depends on, if any.
    func dependency(application: String?, call: String?) -> Int64? {
        let a = application.flatMap { dependencies[.application($0)] }
        let c = call.flatMap { dependencies[.call($0)] }
        switch (a, c) {
        case (let a?, let c?): return min(a, c)
        default: return a ?? c
        }
    }
}

/// The committed amount of a call over the declared dates of its decisions and withdrawals.
///
/// A grant dated *d* commits its amount from *d* on; a withdrawal dated *w* frees the unpaid part from *w*
/// on. A new grant dated *d* fits the envelope when the committed amount, with it, stays within the
/// envelope on every day from *d* on (`BUD-ENVELOPE`): a grant back-dated before the withdrawal that freed
/// the money does not fit. All sums are checked: an overflow is reported, never a crash.
struct EnvelopeTimeline: Sendable, Equatable, SnapshotCodable {
    /// Net change of the committed amount on each date, sorted by date.
    private var changes: [Change] = []

    struct Change: Sendable, Equatable {
        let date: CalendarDate
        var cents: Int64
    }

    init() {}

    func write(to writer: inout SnapshotWriter) {
        writer.write(unsigned: UInt64(changes.count))
        for change in changes {
            writer.write(change.date)
            writer.write(change.cents)
        }
    }

    init(from reader: inout SnapshotReader) throws(SnapshotError) {
        let count = try reader.readCount()
        for _ in 0..<count {
            let date: CalendarDate = try reader.read()
            guard changes.last.map({ $0.date < date }) ?? true else {
                throw SnapshotError("échéancier d'enveloppe désordonné dans l'instantané")
            }
            changes.append(Change(date: date, cents: try reader.read()))
        }
    }

    /// Adds `cents` (positive for a grant, negative for a withdrawal) from `date` on; false on overflow.
    mutating func add(_ cents: Int64, on date: CalendarDate) -> Bool {
        var low = 0
        var high = changes.count
        while low < high {
            let mid = (low + high) / 2
            if changes[mid].date < date { low = mid + 1 } else { high = mid }
        }
        if low < changes.count, changes[low].date == date {
            let (sum, overflow) = changes[low].cents.addingReportingOverflow(cents)
            guard !overflow else { return false }
            changes[low].cents = sum
        } else {
            changes.insert(Change(date: date, cents: cents), at: low)
        }
        return true
    }

    /// The highest committed amount on any day from `date` on; nil if the sum overflows.
    func peak(from date: CalendarDate) -> Int64? {
        var committed: Int64 = 0
        var peak: Int64? = nil
        for change in changes {
            // The amount on `date` itself is what was committed before the first later change.
            if change.date > date, peak == nil { peak = committed }
            let (sum, overflow) = committed.addingReportingOverflow(change.cents)
            guard !overflow else { return nil }
            committed = sum
            if change.date > date { peak = max(peak ?? committed, committed) }
        }
        return peak ?? committed
    }
}
