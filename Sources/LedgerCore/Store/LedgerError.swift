/// An error of the ledger as a whole: a file that cannot be used, a refused append, a lock.
///
/// `message` is one sentence for a person; `code` is for programs.
public struct LedgerError: Error, Sendable, CustomStringConvertible {
    public enum Code: Sendable, Equatable {
        /// The ledger directory or its file is missing.
        case notFound
        /// `init` on a directory that already holds a ledger.
        case alreadyExists
        /// An I/O call failed.
        case io
        /// The disk is full (`ENOSPC`): nothing was written.
        case noSpace
        /// The ledger directory cannot be written (read-only mount, permissions): reading still works.
        case readOnly
        /// Bytes after the commit point (docs/FORMAT.md §5): a write was interrupted.
        case tornTail
        /// A line that is not a valid entry where one was needed (the head, for an append).
        case corrupt
        /// An append was refused by a rule; the rule id is given.
        case ruleViolated(RuleID)
        /// A key could not be used.
        case key
        /// Input that is not usable (arguments, files).
        case badInput
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
