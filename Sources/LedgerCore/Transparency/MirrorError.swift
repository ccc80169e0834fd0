/// Why ``LogMirror/sync(fetcher:into:trustedKey:)`` refused to extend a local copy. Nothing was written when it
/// is thrown.
///
/// `message` is one sentence for a person; `code` says who is at fault: the transport, the log (a bad signature,
/// tiles or entries that do not match what it signed, a history that changed), or the local copy.
public struct MirrorError: Error, Sendable, CustomStringConvertible {
    public enum Code: Sendable, Hashable {
        /// A resource could not be fetched.
        case fetchFailed
        /// The checkpoint is not signed by the trusted key, is for another log, or is malformed.
        case checkpointRefused
        /// A tile or an entry bundle does not match the signed checkpoint: the server or the network altered it.
        case tampered
        /// The log's signed history differs from what was verified before: rolled back, or rewritten (a fork).
        case forked
        /// An entry the log proves is not a ledger line this tool can store.
        case invalidEntry
        /// The local copy cannot be used (changed, cut, torn, unreadable) or could not be written.
        case local
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
