public import LedgerCrypto

/// What a request may cost the server: bounds on what one client can send and hold.
public struct ServiceLimits: Sendable {
    /// The largest request body, in bytes (a batch of 64 entries of the maximum size is 4 MiB).
    public var maxBodyBytes = 8 << 20
    /// The most entries one batch may carry.
    public var maxBatchEntries = 1_000
    /// How long a client may take to send its whole request body.
    public var bodyTimeout: Duration = .seconds(30)
    /// How long a connection may stay idle (no byte read or written) before it is closed: it also bounds how slowly
    /// a client may send its headers.
    public var idleTimeout: Duration = .seconds(30)
    /// Requests one client address may have in progress at once; more are answered 429.
    public var maxConcurrentRequestsPerClient = 64
    /// Connections the server holds open at once; more wait in the kernel's backlog.
    public var maxConnections = 1_024

    public init() {}
}

/// How the service runs.
public struct ServiceConfiguration: Sendable {
    /// The directory whose sub-directories are the logs (each a ledger directory, named by its folder).
    public var logsDirectory: String
    /// The key that signs checkpoints: a registered, non-revoked authority key of each log it signs for.
    public var checkpointKey: Ed25519PrivateKey?
    /// How often, at most, a checkpoint is signed after appends.
    public var checkpointInterval: Duration = .seconds(2)
    public var limits = ServiceLimits()

    public init(logsDirectory: String, checkpointKey: Ed25519PrivateKey? = nil) {
        self.logsDirectory = logsDirectory
        self.checkpointKey = checkpointKey
    }
}
