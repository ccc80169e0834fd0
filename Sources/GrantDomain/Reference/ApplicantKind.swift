/// The kind of local authority (collectivité or EPCI) that applies for a grant.
///
/// Grant calls are open to some kinds only (a call may target communes and communautés de communes but not
/// métropoles), and rates often differ by kind, so the kind is recorded with the applicant. The raw values
/// are the snake_case words written in the log and in published data; do not rename them.
public enum ApplicantKind: String, Hashable, Sendable, Codable, CaseIterable, CustomStringConvertible {
    case commune
    case departement
    case region
    case communauteDeCommunes = "communaute_de_communes"
    case communauteDAgglomeration = "communaute_d_agglomeration"
    case communauteUrbaine = "communaute_urbaine"
    /// Every métropole, the Métropole de Lyon (DGCL `MET69`) included.
    case metropole

    /// The SIRENE legal-category code of this kind (catégorie juridique, REFERENCE.md § Identifiers).
    ///
    /// The Métropole de Lyon is a collectivité à statut particulier and may carry another category in SIRENE;
    /// this is the category of ordinary métropoles.
    public var sireneLegalCategory: String {
        switch self {
        case .commune: "7210"
        case .departement: "7220"
        case .region: "7230"
        case .communauteUrbaine: "7343"
        case .metropole: "7344"
        case .communauteDeCommunes: "7346"
        case .communauteDAgglomeration: "7348"
        }
    }

    /// True for the groupings of communes (EPCI à fiscalité propre).
    public var isEPCI: Bool {
        switch self {
        case .commune, .departement, .region: false
        case .communauteDeCommunes, .communauteDAgglomeration, .communauteUrbaine, .metropole: true
        }
    }

    public var description: String { rawValue }
}
