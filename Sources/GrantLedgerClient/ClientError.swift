public import LedgerCore
public import LedgerCrypto

/// The errors of requests to a GrantLedger server.
public enum ClientFailure: ErrorDomain {
    public struct Details: ErrorDetails, Hashable {
        /// The HTTP status, when the server answered.
        public var status: Int?
        /// For `.refused`: the rule.
        public var rule: RuleID?
        public init() {}
    }
}

/// Why a request to a GrantLedger server failed: a code for programs, one French sentence for a person, and the
/// cause when there is one.
public typealias ClientError = CodedError<ClientFailure>

extension ErrorCode where Domain == ClientFailure {
    /// The server could not be reached, or the connection failed.
    public static let network = Self("network")
    /// The rules refused an entry (`rule` says which): the same refusal as a local append.
    public static let refused = Self("refused")
    /// The head kept moving: every attempt was answered 412.
    public static let contention = Self("contention")
    /// The server answered an error status (see `status`).
    public static let server = Self("server")
    /// The server answered something that is not what the API documents.
    public static let badResponse = Self("bad_response")
    /// The request could not be built (a bad URL, a bad argument).
    public static let badInput = Self("bad_input")
}
