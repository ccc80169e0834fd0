/// One département of the reference data (`departements.csv`).
public struct Departement: Hashable, Sendable, Codable {
    public var code: DepartementCode
    public var name: String
    /// The two-digit région code.
    public var region: String
    /// The commune of the préfecture.
    public var chefLieu: INSEECommuneCode

    public init(code: DepartementCode, name: String, region: String, chefLieu: INSEECommuneCode) {
        self.code = code
        self.name = name
        self.region = region
        self.chefLieu = chefLieu
    }
}
