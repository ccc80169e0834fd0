public import GrantDomain

/// How applications are grouped in a statistics output (`--by`).
public enum StatsGrouping: String, Sendable, CaseIterable, Hashable {
    /// The applicant's département.
    case departement
    /// The applicant's kind (commune, communauté de communes, …).
    case applicantKind = "applicant_kind"
    /// The action applied for.
    case action
    /// The month of submission (`YYYY-MM`).
    case month
    /// The applicant's kind and, for communes, its population band (the programme's small-commune aim).
    case populationBand = "population_band"
}

/// What a statistics output covers: all calls or one, grouped or not.
public struct StatsScope: Sendable, Hashable {
    public var callID: String?
    public var grouping: StatsGrouping?

    public init(callID: String? = nil, grouping: StatsGrouping? = nil) {
        self.callID = callID
        self.grouping = grouping
    }
}

/// A population band of the site's charts and of `--by population_band`.
public enum PopulationBand {
    /// Upper bounds (exclusive) of the commune bands.
    public static let communeBounds: [Int64] = [1_000, 5_000, 20_000]

    /// Sortable key and French label of an applicant's band.
    public static func of(_ applicant: Applicant) -> (key: String, label: String) {
        guard applicant.kind == .commune else {
            let order = ApplicantKind.allCases.firstIndex(of: applicant.kind) ?? 0
            return ("\(order + 1)-\(applicant.kind.rawValue)", capitalized(applicant.kind.label))
        }
        let p = applicant.population
        if p < 1_000 { return ("0-commune-a", "Commune de moins de 1 000 habitants") }
        if p < 5_000 { return ("0-commune-b", "Commune de 1 000 à 4 999 habitants") }
        if p < 20_000 { return ("0-commune-c", "Commune de 5 000 à 19 999 habitants") }
        return ("0-commune-d", "Commune de 20 000 habitants ou plus")
    }
}

func capitalized(_ text: String) -> String {
    guard let first = text.first else { return text }
    return first.uppercased() + text.dropFirst()
}
