public import LedgerCrypto

/// The errors of values typed by a person or read from a file.
public enum InputFailure: ErrorDomain {}

/// A value typed by a person, or read from a file, that GrantDomain refuses.
///
/// Identifiers, amounts and dates reach the ledger from user input and from open data; a wrong one must be
/// stopped before it is signed into the log, where it could never be corrected. The `message` is one
/// sentence that names the bad value, so the CLI can print it as is; the `code` lets callers branch
/// without parsing text. Modelled on swift-certificates' `CertificateError`: a struct with an extensible
/// code rather than an enum, so new codes are not source-breaking (``CodedError``).
///
/// ```swift
/// do {
///     _ = try SIREN(validating: "217500017")
/// } catch {
///     print(error.message) // "217500017" is not a valid SIREN: its Luhn check digit is wrong.
/// }
/// ```
public typealias InputError = CodedError<InputFailure>

extension ErrorCode where Domain == InputFailure {
    /// Not a 9-digit, Luhn-valid SIREN.
    public static let invalidSIREN = Self("invalidSIREN")
    /// Not a 14-digit SIRET that passes Luhn (or the La Poste rule).
    public static let invalidSIRET = Self("invalidSIRET")
    /// Not a 5-character INSEE commune code.
    public static let invalidINSEECommune = Self("invalidINSEECommune")
    /// Not one of the 101 département codes.
    public static let invalidDepartement = Self("invalidDepartement")
    /// Not a non-negative euro amount with at most two decimals.
    public static let invalidAmount = Self("invalidAmount")
    /// Not a real calendar date in the expected notation.
    public static let invalidDate = Self("invalidDate")
    /// Not a role of the grant domain.
    public static let invalidRole = Self("invalidRole")
}
