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
public struct SIREN: ValidatedIdentifier {
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

    init(unchecked rawValue: String) {
        self.rawValue = rawValue
    }

    /// True iff `text` is a valid SIREN.
    public static func isValid(_ text: some StringProtocol) -> Bool {
        Luhn.isDigits(text, count: 9) && Luhn.isValid(text.utf8)
    }

}
