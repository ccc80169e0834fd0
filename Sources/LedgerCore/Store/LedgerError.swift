public import LedgerCrypto

/// The errors of the ledger as a whole.
public enum LedgerFailure: ErrorDomain {
    public struct Details: ErrorDetails, Hashable {
        /// For `.ruleViolated`: the rule that refused.
        public var rule: RuleID?
        public init() {}
    }
}

/// An error of the ledger as a whole: a file that cannot be used, a refused append, a lock.
///
/// `message` is one sentence for a person; `code` is for programs; `rule` names the refusing rule.
public typealias LedgerError = CodedError<LedgerFailure>

extension CodedError where Domain == LedgerFailure {
    /// An append refused by `rule`; the message reads « refusé (RULE) : `message` ».
    public init(refusedBy rule: RuleID, _ message: String) {
        self.init(.ruleViolated, "refusé (\(rule)) : \(message)")
        details.rule = rule
    }
}

extension ErrorCode where Domain == LedgerFailure {
    /// The ledger directory or its file is missing.
    public static let notFound = Self("notFound")
    /// `init` on a directory that already holds a ledger.
    public static let alreadyExists = Self("alreadyExists")
    /// An I/O call failed.
    public static let io = Self("io")
    /// The disk is full (`ENOSPC`): nothing was written.
    public static let noSpace = Self("noSpace")
    /// The ledger directory cannot be written (read-only mount, permissions): reading still works.
    public static let readOnly = Self("readOnly")
    /// Bytes after the commit point (docs/FORMAT.md §5): a write was interrupted.
    public static let tornTail = Self("tornTail")
    /// A line that is not a valid entry where one was needed (the head, for an append).
    public static let corrupt = Self("corrupt")
    /// A record of the state snapshot (a cache, docs/FORMAT.md §10) was found damaged during a write session: the
    /// snapshot is removed and nothing judged with it is written; running the command again replays the log.
    public static let damagedSnapshot = Self("damagedSnapshot")
    /// An append was refused by a rule; `rule` says which.
    public static let ruleViolated = Self("ruleViolated")
    /// A key could not be used.
    public static let key = Self("key")
    /// Input that is not usable (arguments, files).
    public static let badInput = Self("badInput")
}
