public import GrantDomain
import LedgerCore
public import LedgerCrypto

/// The statistics of a verified log for one scope: the total, the groups and the calls
/// (`grant-ledger stats`, `docs/PUBLISHING.md` §2).
///
/// A pure function of the snapshot and the scope, so the same log always gives the same figures, and
/// ``FundingStatistics/render(_:)`` the same bytes.
///
/// ```swift
/// let snapshot = try LedgerSnapshot.verified(directory: "events")
/// let stats = try FundingStatistics(snapshot: snapshot, scope: StatsScope(grouping: .departement))
/// print(stats.render(.table))
/// ```
public struct FundingStatistics: Sendable {
    /// One group of applications.
    public struct Group: Sendable, Hashable {
        public let key: String
        public let label: String
        public let figures: FundingFigures
    }

    /// One call's budget, as `status` shows it.
    public struct CallBudget: Sendable, Hashable {
        public let callID: String
        public let title: String
        public let territories: [String]
        public let envelopeCents: Int64
        public let committedCents: Int64
        public let paidCents: Int64
        public var remainingCents: Int64 { envelopeCents - committedCents }
    }

    public let identity: LogIdentity
    public let scope: StatsScope
    public let total: FundingFigures
    public let groups: [Group]
    public let calls: [CallBudget]
    /// Grants by month of decision and payments by month of payment (`months` in JSON).
    public let months: [Month]

    public init(snapshot: LedgerSnapshot, scope: StatsScope) throws(PublishingError) {
        let state = snapshot.state
        if let callID = scope.callID, state.calls[callID] == nil {
            throw PublishingError(.badInput, "il n'y a pas d'appel \(callID) dans ce registre")
        }
        let callIDs = state.callOrder.filter { scope.callID == nil || $0 == scope.callID }
        // Read in place, one at a time: a copy of every application would double the memory of a large log.
        let applications = callIDs.lazy.flatMap { state.calls[$0]?.applicationIDs ?? [] }.compactMap {
            state.applications[$0]
        }
        calls = callIDs.compactMap { id in
            state.calls[id].map {
                CallBudget(
                    callID: id, title: $0.call.title, territories: $0.call.territories, envelopeCents: $0.envelopeCents,
                    committedCents: $0.committedCents, paidCents: $0.paidCents)
            }
        }
        var total = FundingFigures(applications)
        var envelope: Int64 = 0
        for call in calls {
            let (sum, overflow) = envelope.addingReportingOverflow(call.envelopeCents)
            guard !overflow, !total.overflowed else {
                throw PublishingError(
                    .badInput, "les montants de ce registre ne peuvent pas être additionnés (dépassement de capacité)")
            }
            envelope = sum
        }
        total.envelopeCents = envelope
        total.remainingCents = envelope - total.committedCents
        self.total = total
        self.months = FundingStatistics.months(applications)
        self.identity = snapshot.identity
        self.scope = scope
        guard let grouping = scope.grouping else {
            groups = []
            return
        }
        var members: [String: [String]] = [:]
        var labels: [String: String] = [:]
        for app in applications {
            let (key, label) = FundingStatistics.group(of: app, by: grouping)
            members[key, default: []].append(app.id)
            labels[key] = label
        }
        groups = members.keys.sorted().map { key in
            Group(
                key: key, label: labels[key]!,
                figures: FundingFigures(members[key]!.lazy.compactMap { state.applications[$0] }))
        }
    }

    /// The group key and label of an application.
    public static func group(of app: ApplicationState, by grouping: StatsGrouping) -> (key: String, label: String) {
        let applicant = app.application.applicant
        switch grouping {
        case .departement:
            return (applicant.departement, DepartementNames.label(applicant.departement))
        case .applicantKind:
            return (applicant.kind.rawValue, capitalized(applicant.kind.label))
        case .action:
            return (app.application.action.rawValue, app.application.action.label)
        case .month:
            let date = app.application.submittedOn
            return (date.monthKey, "\(CalendarDate.frenchMonthNames[date.month - 1]) \(date.year)")
        case .populationBand:
            return PopulationBand.of(applicant)
        }
    }
}

/// Département names from the bundled reference data (`15` → « Cantal »).
public enum DepartementNames {
    private static let names: [String: String] = {
        guard let reference = try? ReferenceData.shared() else { return [:] }
        var names: [String: String] = [:]
        for (code, departement) in reference.departements { names[code.rawValue] = departement.name }
        return names
    }()

    public static func name(_ code: String) -> String? { names[code] }

    /// « 15 — Cantal », or the code alone when the name is unknown.
    public static func label(_ code: String) -> String {
        name(code).map { "\(code) — \($0)" } ?? code
    }
}
