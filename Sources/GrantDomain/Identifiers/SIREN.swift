public import LedgerCrypto

/// A SIREN: the 9-digit number INSEE gives every legal person, here the identity of an applicant.
///
/// Grants go to legal persons, and names change (communes merge, EPCI rename) while the SIREN stays, so the
/// ledger records SIRENs. The check digit is verified on construction, which catches most typing errors
/// (every single-digit error and most swaps) before a wrong number is signed into the log. The value is a
/// string, never an integer: leading zeros are significant.
///
/// ```swift
/// let paris = try SIREN(validating: "217500016")
/// SIREN("217500017") // nil: wrong check digit
/// ```
public struct SIREN: Hashable, Comparable, Sendable, Codable, LosslessStringConvertible {
    /// The 9 ASCII digits.
    public let rawValue: String

    /// La Poste, whose SIRETs follow a different check rule (see ``SIRET``).
    public static let laPoste = SIREN(unchecked: "356000000")

    /// Validates `text`: exactly 9 ASCII digits (no spaces) passing Luhn.
    public init(validating text: some StringProtocol) throws(InputError) {
        guard Luhn.isDigits(text, count: 9) else {
            throw InputError(
                .invalidSIREN,
                "« \(text) » n'est pas un SIREN valide : un SIREN a exactement 9 chiffres, sans espaces."
            )
        }
        guard Luhn.isValid(text.utf8) else {
            throw InputError(.invalidSIREN, "« \(text) » n'est pas un SIREN valide : sa clé de Luhn est fausse.")
        }
        rawValue = String(text)
    }

    /// Nil unless `description` is a valid SIREN.
    public init?(_ description: String) {
        guard let value = try? SIREN(validating: description) else { return nil }
        self = value
    }

    init(unchecked rawValue: String) {
        self.rawValue = rawValue
    }

    /// True iff `text` is a valid SIREN.
    public static func isValid(_ text: some StringProtocol) -> Bool {
        Luhn.isDigits(text, count: 9) && Luhn.isValid(text.utf8)
    }

    public var description: String { rawValue }

    public static func < (lhs: SIREN, rhs: SIREN) -> Bool { lhs.rawValue < rhs.rawValue }

    /// Decodes a JSON string and validates it: a log holding an invalid SIREN is refused, not repaired.
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        try self.init(validating: text)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}
