import GrantDomain
import LedgerCore

extension FundingStatistics {
    /// One month of the time series (`docs/PUBLISHING.md` §2): the grants decided that month, and the payments
    /// made that month on grants of the scope.
    public struct Month: Sendable, Hashable {
        /// `YYYY-MM`.
        public let key: String
        /// « mars 2021 ».
        public let label: String
        /// Grants whose `decided_on` falls in the month (whatever happened to them afterwards).
        public let granted: Int64
        /// Σ of their granted amounts.
        public let grantedCents: Int64
        /// Σ of the payments on grants whose `paid_on` falls in the month.
        public let paidCents: Int64
    }

    /// The months with a grant decided or a payment made, in order. The sums add up to `granted`,
    /// `granted_cents` and `paid_cents` of the total, which the caller has checked do not overflow.
    static func months(_ applications: some Sequence<ApplicationState>) -> [Month] {
        var granted: [String: (count: Int64, cents: Int64)] = [:]
        var paid: [String: Int64] = [:]
        for app in applications {
            guard let decision = app.decision, decision.outcome == .granted else { continue }
            granted[decision.decidedOn.monthKey, default: (0, 0)].count += 1
            granted[decision.decidedOn.monthKey, default: (0, 0)].cents += decision.amountCents
            for payment in app.payments { paid[payment.paidOn.monthKey, default: 0] += payment.amountCents }
        }
        return Set(granted.keys).union(paid.keys).sorted().map { key in
            let label =
                (try? CalendarDate(iso: key + "-01")).map {
                    "\(CalendarDate.frenchMonthNames[$0.month - 1]) \($0.year)"
                } ?? key
            return Month(
                key: key, label: label, granted: granted[key]?.count ?? 0, grantedCents: granted[key]?.cents ?? 0,
                paidCents: paid[key] ?? 0)
        }
    }

    /// The `months` member of the JSON document.
    var monthsJSON: JSONValue {
        .array(
            months.map {
                [
                    "month": .string($0.key), "label": .string($0.label), "granted": .integer($0.granted),
                    "granted_cents": .integer($0.grantedCents), "paid_cents": .integer($0.paidCents),
                ]
            })
    }
}
