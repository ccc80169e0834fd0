public import Hummingbird
import HummingbirdCore
import LedgerCore
import LedgerCrypto
public import Logging
import NIOCore
import ServiceLifecycle

/// Runs a ``GrantLedgerService`` over HTTP/1.1 with Hummingbird, with graceful shutdown (SIGTERM, SIGINT) through
/// swift-service-lifecycle and a checkpoint signer beside it.
///
/// ```swift
/// let service = try GrantLedgerService.open(configuration, logger: logger)
/// let app = GrantLedgerServer.application(service: service, host: "127.0.0.1", port: 8080, logger: logger)
/// try await app.runService()
/// ```
public enum GrantLedgerServer {
    /// The application: the service's router on `host:port` (port 0 picks a free port; `onBound` receives it).
    public static func application(
        service: GrantLedgerService, host: String, port: Int, logger: Logger,
        onBound: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        let limits = service.configuration.limits
        var app = Application(
            router: service.router(),
            server: .http1(configuration: HTTP1Channel.Configuration(idleTimeout: TimeAmount(limits.idleTimeout))),
            configuration: ApplicationConfiguration(
                address: .hostname(host, port: port), serverName: "grant-ledger-server",
                availableConnectionsDelegate: MaximumAvailableConnections(limits.maxConnections)),
            onServerRunning: { channel in await onBound(channel.localAddress?.port ?? port) },
            logger: logger)
        if let key = service.configuration.checkpointKey {
            app.addServices(CheckpointSigner(service: service, key: key, logger: logger))
        }
        if service.database != nil { app.addServices(AppendFollower(service: service)) }
        return app
    }
}

/// Signs a checkpoint of each log that grew, at most every ``ServiceConfiguration/checkpointInterval``, so that
/// mirrors and auditors see new entries within seconds, and signing costs nothing while a log is idle.
struct CheckpointSigner: Service {
    let service: GrantLedgerService
    let key: Ed25519PrivateKey
    let logger: Logger

    func run() async throws {
        await signGrownLogs()
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                let interval = service.configuration.checkpointInterval
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
            } catch {
                break
            }
            await signGrownLogs()
        }
        // A last checkpoint of what was acknowledged before shutting down.
        await signGrownLogs()
    }

    private func signGrownLogs() async {
        for name in service.logs.keys.sorted() {
            do {
                if let signed = try await service.logs[name]!.signCheckpointIfGrown(key: key) {
                    logger.debug(
                        "point de contrôle signé",
                        metadata: ["log": .string(name), "size": "\(signed.checkpoint.size)"])
                }
            } catch {
                logger.warning(
                    "le point de contrôle n'a pas pu être signé : \(error.message)", metadata: ["log": .string(name)])
            }
        }
    }
}

/// Listens for the other servers' appends on a shared database (``GrantLedgerService/followOtherServers()``).
struct AppendFollower: Service {
    let service: GrantLedgerService

    func run() async throws {
        await cancelWhenGracefulShutdown { await service.followOtherServers() }
    }
}

extension TimeAmount {
    init(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        self = .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
