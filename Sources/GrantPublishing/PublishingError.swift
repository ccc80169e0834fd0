/// Why a statistic, an export or a site could not be produced: one sentence for a person, a code for programs.
///
/// Like `LedgerError`, the message is written to be printed as is by the CLI; it never holds a stack trace.
public struct PublishingError: Error, Sendable, CustomStringConvertible {
    public enum Code: Sendable, Equatable {
        /// The ledger cannot be read.
        case unreadable
        /// The log does not verify: nothing is published from it.
        case logInvalid
        /// An identifier the SCDL schema requires is missing or invalid.
        case missingIdentifier
        /// An option or an input file is not usable.
        case badInput
        /// A file could not be written.
        case io
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
