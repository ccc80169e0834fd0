public import LedgerCrypto

/// The INSEE code of a commune (code officiel géographique), e.g. `75056` for Paris, `2A004` for Ajaccio.
///
/// It is the key of the commune reference data and is *not* the postal code. It is a 5-character string,
/// never a number: leading zeros matter (`01001`) and Corsica uses `2A`/`2B`. The accepted shape is
/// REFERENCE.md's `^(?:[0-9]{2}|2[AB])[0-9]{3}$|^97[1-6][0-9]{2}$`; whether the commune exists is a question
/// for ``ReferenceData``, since communes merge every year.
///
/// ```swift
/// let ajaccio = try INSEECommuneCode(validating: "2A004")
/// ajaccio.departement?.rawValue // "2A"
/// ```
public struct INSEECommuneCode: ValidatedIdentifier {
    /// The 5 characters.
    public let rawValue: String

    /// Validates the shape of `text` (not the existence of the commune).
    public init(validating text: some StringProtocol) throws(InputError) {
        guard INSEECommuneCode.hasValidShape(text) else {
            throw InputError(
                .invalidINSEECommune,
                "« \(text) » n'est pas un code commune INSEE : 5 caractères attendus, comme 75056, 2A004 ou 97411."
            )
        }
        rawValue = String(text)
    }

    /// True iff `text` matches `^(?:[0-9]{2}|2[AB])[0-9]{3}$|^97[1-6][0-9]{2}$`.
    ///
    /// Hand-written rather than a `Regex` because it runs for all 34 875 communes at load time.
    public static func hasValidShape(_ text: some StringProtocol) -> Bool {
        let utf8 = text.utf8
        guard utf8.count == 5 else { return false }
        func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
        var iterator = utf8.makeIterator()
        let first = iterator.next()!
        let second = iterator.next()!
        while let byte = iterator.next() {
            guard isDigit(byte) else { return false }
        }
        if isDigit(first) && isDigit(second) { return true }
        return first == UInt8(ascii: "2") && (second == UInt8(ascii: "A") || second == UInt8(ascii: "B"))
    }

    /// The département this code belongs to, or nil when the code has a valid shape but no département.
    ///
    /// Overseas codes take three characters (`97411` → `974`), the others two (`2A004` → `2A`). Nil for
    /// shapes that the pattern allows but no département owns: `975xx`, `977xx`, `978xx` (collectivités
    /// d'outre-mer such as Saint-Pierre-et-Miquelon), `00xxx`, `20xxx`, `96xxx`, `98xxx`, `99xxx`.
    public var departement: DepartementCode? {
        DepartementCode(String(rawValue.prefix(departementPrefixLength)))
    }

    /// Whether this code belongs to `departement`: the same as `self.departement == departement`, without building
    /// a second code (it runs for every commune at load time).
    func belongs(to departement: DepartementCode) -> Bool {
        departement.rawValue.utf8.count == departementPrefixLength
            && rawValue.utf8.starts(with: departement.rawValue.utf8)
    }

    /// How many leading characters name the département: three overseas (`97…`), two elsewhere.
    private var departementPrefixLength: Int { rawValue.utf8.starts(with: "97".utf8) ? 3 : 2 }

}
