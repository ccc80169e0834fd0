public import LedgerCore

/// One published version of a call.
public struct CallVersion: Sendable {
    public let seq: Int64
    /// Entry hash (hex): what decisions name in `call_version`.
    public let hash: String
    public let time: Timestamp
    public let signer: String
    public let call: GrantCall
}

/// A call with its versions and budget.
public struct CallState: Sendable {
    public internal(set) var versions: [CallVersion]
    /// Sum of standing grants, less the unpaid part of withdrawn ones.
    public internal(set) var committedCents: Int64 = 0
    public internal(set) var paidCents: Int64 = 0
    /// Application ids in submission order.
    public internal(set) var applicationIDs: [String] = []
    /// SIREN → application id of its standing grant.
    public internal(set) var standingGrants: [String: String] = [:]
    /// Weighted scores of granted applications, and of `envelope_exhausted` rejections (for the merit order).
    var grantedScores: [(id: String, score: Int64)] = []
    var exhaustedScores: [(id: String, score: Int64)] = []
    var minGrantedScore: Int64? = nil
    var maxExhaustedScore: Int64? = nil

    public var current: CallVersion { versions[versions.count - 1] }
    public var call: GrantCall { current.call }
    public var envelopeCents: Int64 { call.envelopeCents }
    public var remainingCents: Int64 { call.envelopeCents - committedCents }
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
public struct EventRef: Sendable {
    public let seq: Int64
    public let hash: String
    public let type: String
    public let time: Timestamp
    public let signer: String
}

/// The current state of an application, folded from its events.
public struct ApplicationState: Sendable {
    public let application: GrantApplication
    public internal(set) var history: [EventRef]
    public internal(set) var score: ApplicationScore? = nil
    public internal(set) var weightedScore: Int64? = nil
    public internal(set) var scorer: String? = nil
    public internal(set) var decision: GrantDecision? = nil
    public internal(set) var decider: String? = nil
    /// 1-based number of the grid line that fixed the amount, when one matched.
    public internal(set) var gridLineNumber: Int? = nil
    public internal(set) var payments: [GrantPayment] = []
    public internal(set) var paidCents: Int64 = 0
    public internal(set) var withdrawal: Withdrawal? = nil
    public internal(set) var withdrawnByApplicant = false

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
/// life cycle. A pure fold of the log (see `GrantRules`).
public struct GrantState: Sendable {
    public internal(set) var calls: [String: CallState] = [:]
    /// Call ids in publication order.
    public internal(set) var callOrder: [String] = []
    public internal(set) var applications: [String: ApplicationState] = [:]
    public internal(set) var paymentReferences: Set<String> = []
    /// Decisions that declared a deviation: application id → justification.
    public internal(set) var declaredDeviations: [String: String] = [:]

    public init() {}

    /// Applications of a call, in submission order.
    public func applications(ofCall callID: String) -> [ApplicationState] {
        (calls[callID]?.applicationIDs ?? []).compactMap { applications[$0] }
    }
}
