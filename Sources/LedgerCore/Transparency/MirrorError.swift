public import LedgerCrypto

/// The errors of extending a local copy of a tiled log.
public enum MirrorFailure: ErrorDomain {}

/// Why ``LogMirror/sync(fetcher:into:trustedKey:)`` refused to extend a local copy. Nothing was written when it
/// is thrown.
///
/// `message` is one sentence for a person; `code` says who is at fault: the transport, the log (a bad signature,
/// tiles or entries that do not match what it signed, a history that changed), or the local copy.
public typealias MirrorError = CodedError<MirrorFailure>

extension ErrorCode where Domain == MirrorFailure {
    /// A resource could not be fetched.
    public static let fetchFailed = Self("fetchFailed")
    /// The checkpoint is not signed by the trusted key, is for another log, or is malformed.
    public static let checkpointRefused = Self("checkpointRefused")
    /// A tile or an entry bundle does not match the signed checkpoint: the server or the network altered it.
    public static let tampered = Self("tampered")
    /// The log's signed history differs from what was verified before: rolled back, or rewritten (a fork).
    public static let forked = Self("forked")
    /// An entry the log proves is not a ledger line this tool can store.
    public static let invalidEntry = Self("invalidEntry")
    /// The local copy cannot be used (changed, cut, torn, unreadable) or could not be written.
    public static let local = Self("local")
}
