public import LedgerCrypto

/// The errors of statistics, exports and sites.
public enum PublishingFailure: ErrorDomain {}

/// Why a statistic, an export or a site could not be produced: one sentence for a person, a code for programs.
///
/// Like `LedgerError`, the message is written to be printed as is by the CLI; it never holds a stack trace.
public typealias PublishingError = CodedError<PublishingFailure>

extension ErrorCode where Domain == PublishingFailure {
    /// The ledger cannot be read.
    public static let unreadable = Self("unreadable")
    /// The log does not verify: nothing is published from it.
    public static let logInvalid = Self("logInvalid")
    /// An identifier the SCDL schema requires is missing or invalid.
    public static let missingIdentifier = Self("missingIdentifier")
    /// The output directory holds files that are not a site published earlier: nothing is written over them.
    public static let outputOccupied = Self("outputOccupied")
    /// An option or an input file is not usable.
    public static let badInput = Self("badInput")
    /// A file could not be written.
    public static let io = Self("io")
}
