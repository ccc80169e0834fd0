import GrantDomain
import LedgerCore

/// A figure's value, typed so each output format writes it its own way.
public enum FigureValue: Sendable, Hashable {
    case count(Int64)
    case cents(Int64?)
    /// A share in [0, 1] (written with 4 decimals, or as a percentage with 2).
    case share(ExactRatio)
    /// A mean or median (written with 2 decimals).
    case average(ExactRatio)
    /// A median number of days: in JSON and CSV as an average; for people « 84 jours », « 84,5 jours ».
    case days(ExactRatio)
}

/// One named figure: a stable id (JSON member, CSV column) and a French label.
public struct FigureRow: Sendable, Hashable {
    public let id: String
    public let label: String
    public let value: FigureValue
}

extension FundingFigures {
    /// Decimals of shares (JSON, CSV) and of means and medians.
    public static let sharePlaces = 4
    public static let averagePlaces = 2

    /// Every figure, in publication order (`docs/PUBLISHING.md` §2).
    public var rows: [FigureRow] {
        var rows: [FigureRow] = [
            FigureRow(id: "applications", label: "Dossiers déposés", value: .count(applications)),
            FigureRow(id: "decided", label: "Dossiers décidés", value: .count(decided)),
            FigureRow(id: "granted", label: "Aides accordées", value: .count(granted)),
            FigureRow(id: "rejected", label: "Dossiers rejetés", value: .count(rejected)),
        ]
        for (motive, count) in rejectedByMotive {
            rows.append(
                FigureRow(id: "rejected_\(motive.rawValue)", label: "Rejets : \(motive.label)", value: .count(count)))
        }
        rows += [
            FigureRow(id: "pending", label: "Dossiers sans décision", value: .count(pending)),
            FigureRow(
                id: "withdrawn_by_applicant", label: "Dossiers retirés par le demandeur",
                value: .count(withdrawnByApplicant)),
            FigureRow(
                id: "grants_withdrawn", label: "Aides retirées après attribution", value: .count(grantsWithdrawn)),
            FigureRow(
                id: "acceptance_rate", label: "Taux d'acceptation (accordées / décidées)", value: .share(acceptanceRate)
            ),
            FigureRow(id: "envelope_cents", label: "Enveloppe", value: .cents(envelopeCents)),
            FigureRow(id: "granted_cents", label: "Montant accordé", value: .cents(grantedCents)),
            FigureRow(id: "committed_cents", label: "Montant engagé", value: .cents(committedCents)),
            FigureRow(id: "paid_cents", label: "Montant versé", value: .cents(paidCents)),
            FigureRow(id: "remaining_cents", label: "Enveloppe disponible", value: .cents(remainingCents)),
            FigureRow(
                id: "small_commune_grant_share",
                label: "Part des aides allant aux communes de moins de 5 000 habitants",
                value: .share(smallCommuneGrantShare)),
            FigureRow(
                id: "small_commune_money_share",
                label: "Part du montant engagé allant aux communes de moins de 5 000 habitants",
                value: .share(smallCommuneMoneyShare)),
            FigureRow(
                id: "local_provider_share",
                label: "Part des projets aidés dont le prestataire est dans le département du demandeur",
                value: .share(localProviderShare)),
            FigureRow(id: "scored", label: "Dossiers notés", value: .count(scored)),
            FigureRow(id: "mean_score", label: "Note pondérée moyenne", value: .average(meanScore)),
            FigureRow(id: "median_score", label: "Note pondérée médiane", value: .average(medianScore)),
            FigureRow(
                id: "median_days_to_decision", label: "Délai médian du dépôt à la décision",
                value: .days(medianDaysToDecision)),
            FigureRow(id: "paid_grants", label: "Aides ayant reçu au moins un versement", value: .count(paidGrants)),
            FigureRow(
                id: "median_days_to_first_payment", label: "Délai médian de la décision au premier versement",
                value: .days(medianDaysToFirstPayment)),
            FigureRow(
                id: "declared_deviations", label: "Écarts déclarés aux critères publiés",
                value: .count(declaredDeviations)),
        ]
        return rows
    }
}

extension FigureValue {
    /// The value for people: `5 000,00 €`, `66,67 %`, `17,50`, `84 jours`, `—` when undefined.
    public var french: String {
        switch self {
        case .count(let value): return FrenchFormat.integer(value)
        case .cents(let cents): return cents.map { FrenchFormat.euros($0) } ?? "—"
        case .share(let ratio): return ratio.french(places: 2, percent: true)
        case .average(let ratio): return ratio.french(places: FundingFigures.averagePlaces)
        case .days(let ratio):
            // A median of whole days is whole or a half.
            guard ratio.isDefined else { return ratio.french(places: 0) }
            let whole = ratio.numerator % ratio.denominator == 0
            let text = ratio.french(places: whole ? 0 : 1)
            return text + (whole && ratio.numerator / ratio.denominator <= 1 ? " jour" : " jours")
        }
    }

    /// The value for CSV: integers, euros with a point and 2 decimals, shares with 4 decimals; "" when undefined.
    public var plain: String {
        switch self {
        case .count(let value): return String(value)
        case .cents(let cents): return cents.map { Money.formatDecimal(cents: $0) } ?? ""
        case .share(let ratio): return ratio.decimal(places: FundingFigures.sharePlaces) ?? ""
        case .average(let ratio), .days(let ratio): return ratio.decimal(places: FundingFigures.averagePlaces) ?? ""
        }
    }
}
