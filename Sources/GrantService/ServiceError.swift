public import LedgerCore
public import LedgerCrypto

/// The errors the service answers: each code maps to one HTTP status in ``ErrorCode/status`` and nowhere else.
public enum ServiceFailure: ErrorDomain {
    public struct Details: ErrorDetails, Hashable {
        /// For `.refused`: the rule that refused, and the seq of the refused entry.
        public var rule: RuleID?
        public var seq: Int64?
        /// For `.staleHead`: the log's current head.
        public var head: LogHead?
        public init() {}
    }
}

/// Why the service refused or failed a request: a code for programs (it appears in JSON error bodies,
/// `"error": "stale_head"`), one French sentence for a person, and the cause when there is one.
public typealias ServiceError = CodedError<ServiceFailure>

extension ErrorCode where Domain == ServiceFailure {
    /// No such log, application or resource.
    public static let notFound = Self("not_found")
    /// A request that cannot be understood: bad JSON, a line that is not an entry, a bad query parameter.
    public static let badRequest = Self("bad_request")
    /// A write without `If-Match`.
    public static let preconditionRequired = Self("precondition_required")
    /// `If-Match` names a head that is no longer the log's: re-read the head, re-sign, resend.
    public static let staleHead = Self("stale_head")
    /// The rules refused an entry (`rule` says which).
    public static let refused = Self("refused")
    /// A body, a batch or an entry over the limits.
    public static let tooLarge = Self("too_large")
    /// Too many requests at once from one client.
    public static let tooManyRequests = Self("too_many_requests")
    /// The log cannot take writes now (it fails its integrity checks, or its storage failed).
    public static let unavailable = Self("unavailable")
    /// A method the resource does not have.
    public static let methodNotAllowed = Self("method_not_allowed")
    /// A failure of the server itself (storage, I/O).
    public static let internalFailure = Self("internal")
    /// The client took too long to send its request.
    public static let timeout = Self("request_timeout")
}

extension ErrorCode where Domain == ServiceFailure {
    /// The HTTP status this code is answered with.
    public var status: Int {
        switch self {
        case .notFound: 404
        case .badRequest: 400
        case .preconditionRequired: 428
        case .staleHead: 412
        case .refused: 422
        case .tooLarge: 413
        case .tooManyRequests: 429
        case .unavailable: 503
        case .methodNotAllowed: 405
        case .internalFailure: 500
        case .timeout: 408
        default: rawValue.hasPrefix("http_") ? Int(rawValue.dropFirst(5)) ?? 500 : 500
        }
    }

    /// An HTTP error of the framework that no code above names: answered with its own status.
    public static func http(_ status: Int) -> Self { Self("http_\(status)") }
}

extension CodedError where Domain == ServiceFailure {
    /// The service's reading of a store error: what a client can act on, or an internal failure.
    static func storage(_ error: LedgerError, log: String) -> ServiceError {
        switch error.code {
        case .notFound: ServiceError(.notFound, "le registre \(log) est introuvable", underlying: error)
        case .badInput: ServiceError(.badRequest, "requête invalide : \(error.message)", underlying: error)
        default:
            ServiceError(
                .internalFailure, "le stockage du registre \(log) a échoué : \(error.message)", underlying: error)
        }
    }
}
