public import LedgerCore

/// Why a request to a GrantLedger server failed: a code for programs, one French sentence for a person, and the
/// cause when there is one.
public struct ClientError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure; an extensible set.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public init(_ rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// The server could not be reached, or the connection failed.
        public static let network = Code("network")
        /// The rules refused an entry (`rule` says which): the same refusal as a local append.
        public static let refused = Code("refused")
        /// The head kept moving: every attempt was answered 412.
        public static let contention = Code("contention")
        /// The server answered an error status (see `status`).
        public static let server = Code("server")
        /// The server answered something that is not what the API documents.
        public static let badResponse = Code("bad_response")
        /// The request could not be built (a bad URL, a bad argument).
        public static let badInput = Code("bad_input")
    }

    public let code: Code
    public let message: String
    /// The HTTP status, when the server answered.
    public var status: Int? = nil
    /// For `.refused`: the rule.
    public var rule: RuleID? = nil
    public let underlying: (any Error & Sendable)?

    public init(_ code: Code, _ message: String, underlying: (any Error & Sendable)? = nil) {
        self.code = code
        self.message = message
        self.underlying = underlying
    }

    public var description: String { message }
}
