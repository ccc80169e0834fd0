public import LedgerCrypto

/// A SIRET: a SIREN followed by a 5-digit NIC, identifying one establishment of a legal person.
///
/// The SCDL « Subventions » open-data schema identifies the granting body and the beneficiary by SIRET, so
/// published rows must carry a valid one. The check is Luhn over the 14 digits, except for La Poste
/// (SIREN 356000000), which has more establishments than the NIC check digit allows: its SIRETs other than
/// the head office 35600000000048 are valid iff their digit sum is a multiple of 5. The first 9 digits must
/// also be a valid ``SIREN``: every real SIRET satisfies this, and it catches typing errors that happen to
/// keep the 14-digit Luhn sum.
///
/// ```swift
/// let siret = try SIRET(validating: "73282932000074")
/// siret.siren.rawValue // "732829320"
/// SIRET.isValid("35600000049837") // true, La Poste rule
/// ```
public struct SIRET: ValidatedIdentifier {
    /// The 14 ASCII digits.
    public let rawValue: String

    /// The head office of La Poste, the one La Poste SIRET checked with Luhn.
    public static let laPosteHeadOffice = "35600000000048"

    /// Validates `text`: exactly 14 ASCII digits (no spaces) passing Luhn, or the La Poste rule.
    public init(validating text: some StringProtocol) throws(InputError) {
        guard Luhn.isDigits(text, count: 14) else {
            throw InputError(
                .invalidSIRET,
                "« \(text) » n'est pas un SIRET valide : un SIRET a exactement 14 chiffres, sans espaces."
            )
        }
        let digits = Array(text.utf8)
        guard Luhn.isValid(digits.prefix(9)) else {
            throw InputError(
                .invalidSIRET,
                "« \(text) » n'est pas un SIRET valide : ses 9 premiers chiffres ne sont pas un SIREN valide."
            )
        }
        if digits.starts(with: SIREN.laPoste.rawValue.utf8), text != SIRET.laPosteHeadOffice {
            guard Luhn.digitSum(digits) % 5 == 0 else {
                throw InputError(
                    .invalidSIRET,
                    "« \(text) » n'est pas un SIRET valide : un SIRET de La Poste doit avoir une somme de chiffres divisible par 5."
                )
            }
        } else {
            guard Luhn.isValid(digits) else {
                throw InputError(.invalidSIRET, "« \(text) » n'est pas un SIRET valide : sa clé de Luhn est fausse.")
            }
        }
        rawValue = String(text)
    }

    /// True iff `text` is a valid SIRET.
    public static func isValid(_ text: some StringProtocol) -> Bool {
        (try? SIRET(validating: text)) != nil
    }

    /// The legal person this establishment belongs to (the first 9 digits, validated on construction).
    public var siren: SIREN { SIREN(unchecked: String(rawValue.prefix(9))) }

    /// The establishment number within the legal person (the last 5 digits).
    public var nic: String { String(rawValue.suffix(5)) }

}
