/// One EPCI à fiscalité propre of the reference data (`epci.csv`): a grouping of communes that can apply
/// for grants in its own name.
public struct EPCI: Hashable, Sendable, Codable {
    /// The key of the table.
    public var siren: SIREN
    /// The DGCL name (`CA "Saintes - Grandes Rives - L'Agglo"`).
    public var name: String
    public var nature: EPCINature
    /// The département of the seat.
    public var departement: DepartementCode
    /// Number of member communes.
    public var memberCount: Int
    public var population: Int

    /// The applicant kind for grant rules.
    public var applicantKind: ApplicantKind { nature.applicantKind }

    public init(
        siren: SIREN,
        name: String,
        nature: EPCINature,
        departement: DepartementCode,
        memberCount: Int,
        population: Int
    ) {
        self.siren = siren
        self.name = name
        self.nature = nature
        self.departement = departement
        self.memberCount = memberCount
        self.population = population
    }
}
