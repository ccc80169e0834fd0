public import LedgerCrypto

/// The errors of loading reference data.
public enum ReferenceDataFailure: ErrorDomain {}

/// Reference data that could not be found, read or trusted.
///
/// Loading stops at the first problem rather than skipping a bad row: a silently missing commune would make
/// a grant rule give a different answer, and the dataset hash would no longer describe what was used.
public typealias ReferenceDataError = CodedError<ReferenceDataFailure>

extension ErrorCode where Domain == ReferenceDataFailure {
    /// The bundled resources or a file of the directory are missing.
    public static let missingFile = Self("missingFile")
    /// A file exists but could not be read.
    public static let unreadableFile = Self("unreadableFile")
    /// A file is not the expected CSV (syntax, header, a value that does not parse).
    public static let malformedFile = Self("malformedFile")
    /// Files disagree (a duplicate key, a commune in an unknown EPCI).
    public static let inconsistent = Self("inconsistent")
}
