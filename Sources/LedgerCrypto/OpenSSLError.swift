import COpenSSL

/// An error reported by OpenSSL, carrying OpenSSL's own message.
///
/// The OpenSSL error queue is per thread, so the message is drained right after the failing call.
public struct OpenSSLError: Error, Sendable, CustomStringConvertible {
    /// What GrantLedger was doing when OpenSSL failed, e.g. "reading the private key".
    public let operation: String
    /// OpenSSL's own reason strings, oldest first (may be empty).
    public let reasons: [String]

    public init(operation: String, reasons: [String]) {
        self.operation = operation
        self.reasons = reasons
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

    public var description: String {
        reasons.isEmpty
            ? "échec d'OpenSSL en \(operation)"
            : "échec d'OpenSSL en \(operation) : \(reasons.joined(separator: "; "))"
    }
}
