public import GrantDomain

/// The published figures for one set of applications (the whole log, a call, a département, …).
///
/// Every figure is defined in `docs/PUBLISHING.md` §2; amounts are integer cents, ratios exact fractions.
/// A grant is an application whose decision is `granted`, whatever happened after (a withdrawn grant stays a
/// grant that was awarded, and is counted again in `grantsWithdrawn`).
public struct FundingFigures: Sendable, Hashable {
    /// Population below which a commune is « petite » for the programme's stated aim.
    public static let smallCommuneLimit: Int64 = 5_000

    public var applications: Int64 = 0
    public var decided: Int64 = 0
    public var granted: Int64 = 0
    public var rejected: Int64 = 0
    /// Rejections by motive, every rejection motive listed (zeros included), in `DecisionMotive` order.
    public var rejectedByMotive: [(motive: DecisionMotive, count: Int64)] = FundingFigures.rejectionMotives.map {
        ($0, 0)
    }
    /// No decision and not withdrawn.
    public var pending: Int64 = 0
    /// Applications withdrawn by the applicant (before or after a decision).
    public var withdrawnByApplicant: Int64 = 0
    /// Grants withdrawn afterwards, by the prefecture (CRPA L. 242-2) or by the applicant.
    public var grantsWithdrawn: Int64 = 0
    /// Σ granted amounts.
    public var grantedCents: Int64 = 0
    /// Σ standing grants + Σ paid part of withdrawn grants: what `status` calls « engagé ».
    public var committedCents: Int64 = 0
    public var paidCents: Int64 = 0
    /// Σ envelopes and envelope − committed; only for scopes made of whole calls.
    public var envelopeCents: Int64? = nil
    public var remainingCents: Int64? = nil
    /// granted / decided.
    public var acceptanceRate = ExactRatio(0, 0)
    /// Grants to communes under 5 000 inhabitants / grants.
    public var smallCommuneGrantShare = ExactRatio(0, 0)
    /// Committed cents of those grants / committed cents.
    public var smallCommuneMoneyShare = ExactRatio(0, 0)
    /// Grants whose provider is in the applicant's département / grants.
    public var localProviderShare = ExactRatio(0, 0)
    /// Weighted scores of scored applications.
    public var scored: Int64 = 0
    public var meanScore = ExactRatio(0, 0)
    public var medianScore = ExactRatio(0, 0)
    /// Days from `submitted_on` to `decided_on`, over decided applications.
    public var medianDaysToDecision = ExactRatio(0, 0)
    /// Grants with at least one payment, and the median days from `decided_on` to their first `paid_on`.
    public var paidGrants: Int64 = 0
    public var medianDaysToFirstPayment = ExactRatio(0, 0)
    /// Decisions that declared a deviation.
    public var declaredDeviations: Int64 = 0

    /// The motives a rejection may give.
    public static let rejectionMotives: [DecisionMotive] = DecisionMotive.allCases.filter { $0 != .criteriaMet }

    public init() {}

    /// Whether a sum of amounts overflowed (a log of millions of grants of billions of euros): the figures are
    /// then not published (``FundingStatistics`` refuses them).
    public private(set) var overflowed = false

    /// The figures of `applications`.
    public init(_ applications: some Sequence<ApplicationState>) {
        var overflowed = false
        func add(_ total: inout Int64, _ amount: Int64) {
            let (sum, overflow) = total.addingReportingOverflow(amount)
            if overflow { overflowed = true } else { total = sum }
        }
        var scores: [Int64] = []
        var toDecision: [Int64] = []
        var toPayment: [Int64] = []
        var motives: [DecisionMotive: Int64] = [:]
        var small: Int64 = 0, smallCents: Int64 = 0, local: Int64 = 0
        for app in applications {
            self.applications += 1
            if let score = app.weightedScore { scores.append(score) }
            if app.withdrawnByApplicant { withdrawnByApplicant += 1 }
            guard let decision = app.decision else {
                if app.withdrawal == nil { pending += 1 }
                continue
            }
            decided += 1
            toDecision.append(app.application.submittedOn.days(to: decision.decidedOn))
            if decision.deviation != nil { declaredDeviations += 1 }
            guard decision.outcome == .granted else {
                rejected += 1
                motives[decision.motive, default: 0] += 1
                continue
            }
            granted += 1
            add(&grantedCents, decision.amountCents)
            let committed = app.withdrawal == nil ? decision.amountCents : app.paidCents
            add(&committedCents, committed)
            add(&paidCents, app.paidCents)
            if app.withdrawal != nil { grantsWithdrawn += 1 }
            let applicant = app.application.applicant
            if applicant.kind == .commune && applicant.population < FundingFigures.smallCommuneLimit {
                small += 1
                add(&smallCents, committed)
            }
            if app.application.provider.departement == applicant.departement { local += 1 }
            if let first = app.payments.map(\.paidOn).min() {
                paidGrants += 1
                toPayment.append(decision.decidedOn.days(to: first))
            }
        }
        self.overflowed = overflowed
        rejectedByMotive = FundingFigures.rejectionMotives.map { ($0, motives[$0] ?? 0) }
        acceptanceRate = ExactRatio(granted, decided)
        smallCommuneGrantShare = ExactRatio(small, granted)
        smallCommuneMoneyShare = ExactRatio(smallCents, committedCents)
        localProviderShare = ExactRatio(local, granted)
        scored = Int64(scores.count)
        meanScore = ExactRatio.mean(scores)
        medianScore = ExactRatio.median(scores)
        medianDaysToDecision = ExactRatio.median(toDecision)
        medianDaysToFirstPayment = ExactRatio.median(toPayment)
    }

    public static func == (lhs: FundingFigures, rhs: FundingFigures) -> Bool {
        lhs.rows.map(\.value) == rhs.rows.map(\.value)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(rows.map(\.value))
    }
}
