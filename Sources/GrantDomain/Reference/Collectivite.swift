/// A département or a région as an applicant: the collectivité that exercises its powers, with its SIREN.
///
/// Usually the Département or the Région itself; where a collectivité à statut particulier exercises those
/// powers, it is that collectivité: the Ville de Paris (75), the Collectivité européenne d'Alsace (67 and 68),
/// the Collectivité de Corse (2A and 2B), the collectivités territoriales de Martinique and de Guyane; the
/// Département de Mayotte also exercises the powers of a région. The Département du Rhône does not cover the
/// communes of the Métropole de Lyon (`excludedEPCI`).
public struct Collectivite: Hashable, Sendable {
    public enum Level: String, Sendable, Hashable {
        case departement
        case region
    }

    public var siren: SIREN
    public var level: Level
    /// The département or région code it is known by.
    public var code: String
    public var name: String
    /// The départements whose communes it covers.
    public var departements: [DepartementCode]
    /// An EPCI whose member communes it does not cover.
    public var excludedEPCI: SIREN?
    /// The sum of the populations of the communes it covers, in this dataset.
    public var population: Int

    /// The applicant kind it applies as.
    public var applicantKind: ApplicantKind { level == .departement ? .departement : .region }
}
