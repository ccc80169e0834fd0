import COpenSSL

/// The errors OpenSSL reports.
public enum OpenSSLFailure: ErrorDomain {
    public struct Details: ErrorDetails, Hashable {
        /// What GrantLedger was doing when OpenSSL failed, e.g. "lisant la clé privée".
        public var operation = ""
        /// OpenSSL's own reason strings, oldest first (may be empty).
        public var reasons: [String] = []
        public init() {}
    }
}

/// An error reported by OpenSSL, carrying OpenSSL's own message.
///
/// The OpenSSL error queue is per thread, so the message is drained right after the failing call.
public typealias OpenSSLError = CodedError<OpenSSLFailure>

extension ErrorCode where Domain == OpenSSLFailure {
    /// An OpenSSL call failed.
    public static let failed = Self("failed")
}

extension CodedError where Domain == OpenSSLFailure {
    /// The error of `operation`, with OpenSSL's reasons.
    public init(operation: String, reasons: [String]) {
        self.init(
            .failed,
            reasons.isEmpty
                ? "échec d'OpenSSL en \(operation)"
                : "échec d'OpenSSL en \(operation) : \(reasons.joined(separator: "; "))")
        details.operation = operation
        details.reasons = reasons
    }

    /// Drains the calling thread's OpenSSL error queue into an error value.
    static func drain(_ operation: String) -> OpenSSLError {
        OpenSSLError(operation: operation, reasons: drainQueue())
    }

    static func drainQueue() -> [String] {
        var reasons: [String] = []
        while true {
            let code = ERR_get_error()
            if code == 0 { break }
            var buffer = [CChar](repeating: 0, count: 256)
            ERR_error_string_n(code, &buffer, buffer.count)
            let end = buffer.firstIndex(of: 0) ?? buffer.count
            reasons.append(String(decoding: buffer[..<end].map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        return reasons
    }

    /// Empties the calling thread's error queue after an expected failure (e.g. a bad signature).
    static func clearQueue() {
        ERR_clear_error()
    }
}
