/// The legal nature of an EPCI as the DGCL writes it (`CC`, `CA`, `CU`, `METRO`, `MET69`).
///
/// Kept distinct from ``ApplicantKind`` because the DGCL singles out the Métropole de Lyon (`MET69`), which
/// also holds a département's powers; for eligibility it is a métropole like the others.
public enum EPCINature: String, Hashable, Sendable, Codable, CaseIterable, CustomStringConvertible {
    case communauteDeCommunes = "CC"
    case communauteDAgglomeration = "CA"
    case communauteUrbaine = "CU"
    case metropole = "METRO"
    /// The Métropole de Lyon (SIREN 200046977).
    case metropoleDeLyon = "MET69"

    /// The applicant kind used by grant rules: `MET69` counts as ``ApplicantKind/metropole``.
    public var applicantKind: ApplicantKind {
        switch self {
        case .communauteDeCommunes: .communauteDeCommunes
        case .communauteDAgglomeration: .communauteDAgglomeration
        case .communauteUrbaine: .communauteUrbaine
        case .metropole, .metropoleDeLyon: .metropole
        }
    }

    public var description: String { rawValue }
}
