public import LedgerCore
import LedgerCrypto

/// Why the service refused or failed a request: a code for programs, one French sentence for a person, and the
/// cause when there is one.
///
/// Codes are values of an extensible struct (new codes do not break callers that switch over the ones they know);
/// each maps to one HTTP status in ``ServiceError/Code/status`` and nowhere else.
public struct ServiceError: Error, Sendable, CustomStringConvertible {
    /// What kind of refusal or failure.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        /// The code as it appears in JSON error bodies (`"error": "stale_head"`).
        public let rawValue: String
        /// The HTTP status this code is answered with.
        public let status: Int

        public init(_ rawValue: String, status: Int) {
            self.rawValue = rawValue
            self.status = status
        }

        public var description: String { rawValue }

        /// No such log, application or resource.
        public static let notFound = Code("not_found", status: 404)
        /// A request that cannot be understood: bad JSON, a line that is not an entry, a bad query parameter.
        public static let badRequest = Code("bad_request", status: 400)
        /// A write without `If-Match`.
        public static let preconditionRequired = Code("precondition_required", status: 428)
        /// `If-Match` names a head that is no longer the log's: re-read the head, re-sign, resend.
        public static let staleHead = Code("stale_head", status: 412)
        /// The rules refused an entry (`rule` says which).
        public static let refused = Code("refused", status: 422)
        /// A body, a batch or an entry over the limits.
        public static let tooLarge = Code("too_large", status: 413)
        /// Too many requests at once from one client.
        public static let tooManyRequests = Code("too_many_requests", status: 429)
        /// The log cannot take writes now (it fails its integrity checks, or its storage failed).
        public static let unavailable = Code("unavailable", status: 503)
        /// A method the resource does not have.
        public static let methodNotAllowed = Code("method_not_allowed", status: 405)
        /// A failure of the server itself (storage, I/O).
        public static let internalFailure = Code("internal", status: 500)
        /// The client took too long to send its request.
        public static let timeout = Code("request_timeout", status: 408)
    }

    public let code: Code
    /// One sentence, in French.
    public let message: String
    /// For `.refused`: the rule that refused, and the seq of the refused entry.
    public var rule: RuleID? = nil
    public var seq: Int64? = nil
    /// For `.staleHead`: the log's current head.
    public var head: LogHead? = nil
    /// What caused it, when it wraps a lower-level error.
    public let underlying: (any Error & Sendable)?

    public init(_ code: Code, _ message: String, underlying: (any Error & Sendable)? = nil) {
        self.code = code
        self.message = message
        self.underlying = underlying
    }

    public var description: String { message }

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
