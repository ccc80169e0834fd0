public import LedgerCore
public import LedgerCrypto

/// An answer of the service, independent of the HTTP server that sends it: status, media type, headers and
/// body bytes. Every operation of ``GrantLedgerService`` returns one, so the routes only translate.
public struct ServiceReply: Sendable {
    public var status: Int
    public var contentType: String
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    public init(status: Int = 200, contentType: String, headers: [(name: String, value: String)] = [], body: [UInt8]) {
        self.status = status
        self.contentType = contentType
        self.headers = headers
        self.body = body
    }

    /// Canonical JSON (RFC 8785), the only JSON the service writes: the same answer is always the same bytes.
    public static func json(_ value: JSONValue, status: Int = 200, headers: [(name: String, value: String)] = [])
        -> ServiceReply
    {
        ServiceReply(
            status: status, contentType: "application/json", headers: headers,
            body: CanonicalJSON.encode(value) + [0x0A])
    }

    public static func text(_ text: String, contentType: String = "text/plain; charset=utf-8") -> ServiceReply {
        ServiceReply(contentType: contentType, body: Array(text.utf8))
    }

    /// The JSON error body of `error`: `{"error": code, "message": …}` and, when they apply, `rule` and `seq`
    /// (a refusal) or `size`, `head` and `time` (a stale head, with its `ETag`).
    public static func error(_ error: ServiceError) -> ServiceReply {
        var object: [String: JSONValue] = ["error": .string(error.code.rawValue), "message": .string(error.message)]
        var headers: [(name: String, value: String)] = []
        if let rule = error.rule { object["rule"] = .string(rule.rawValue) }
        if let seq = error.seq { object["seq"] = .integer(seq) }
        if let head = error.head {
            object.merge(head.json) { $1 }
            headers.append(("ETag", head.etag))
        }
        if error.code == .tooManyRequests || error.code == .unavailable { headers.append(("Retry-After", "1")) }
        return .json(.object(object), status: error.code.status, headers: headers)
    }
}
