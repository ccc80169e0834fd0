/// One of the 18 régions of the reference data (`regions.csv`).
///
/// Région codes stay plain two-digit strings (`11` Île-de-France, `94` Corse): they are only ever looked up
/// here, so a dedicated type would add nothing the lookup does not already check.
public struct Region: Hashable, Sendable, Codable {
    /// Two digits, e.g. `84`.
    public var code: String
    public var name: String
    /// The commune of the préfecture de région.
    public var chefLieu: INSEECommuneCode

    public init(code: String, name: String, chefLieu: INSEECommuneCode) {
        self.code = code
        self.name = name
        self.chefLieu = chefLieu
    }
}
