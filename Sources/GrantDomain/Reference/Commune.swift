/// One commune of the reference data (`communes.csv`).
///
/// Grant rules need a commune's population (thresholds such as « moins de 5 000 habitants »), its
/// département and région (envelopes), its SIREN (the applicant's identity) and its EPCI (joint
/// applications), so they travel together.
public struct Commune: Hashable, Sendable, Codable {
    /// The INSEE code, the key of the table.
    public var insee: INSEECommuneCode
    /// The official name, with articles and accents (`L'Abergement-Clémenciat`).
    public var name: String
    public var departement: DepartementCode
    /// The two-digit région code (see ``Region``).
    public var region: String
    /// The commune's own SIREN; nil for the 4 island communes outside any EPCI, for which the source
    /// (built from the DGCL EPCI membership lists) has none.
    public var siren: SIREN?
    /// The EPCI the commune belongs to; nil for the 4 island communes outside any EPCI (Île-de-Bréhat,
    /// Île-de-Sein, Ouessant, L'Île-d'Yeu).
    public var epciSIREN: SIREN?
    /// Population municipale (DGCL 2025 figure, else INSEE légale); Paris, Lyon and Marseille as a whole.
    public var population: Int

    public init(
        insee: INSEECommuneCode,
        name: String,
        departement: DepartementCode,
        region: String,
        siren: SIREN?,
        epciSIREN: SIREN?,
        population: Int
    ) {
        self.insee = insee
        self.name = name
        self.departement = departement
        self.region = region
        self.siren = siren
        self.epciSIREN = epciSIREN
        self.population = population
    }
}
