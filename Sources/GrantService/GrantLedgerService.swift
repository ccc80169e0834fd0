import Foundation
import GrantDomain
import GrantPublishing
import LedgerCore
public import LedgerCrypto
public import LedgerPostgres
public import Logging
import Synchronization

/// The GrantLedger service: every log under a directory, each with its state in memory and its single writer, and
/// the operations the HTTP API exposes (docs/SERVICE.md, docs/openapi.yaml).
///
/// Each operation parses nothing and decides nothing the libraries do not: it finds the log, calls one function
/// (the store, the rule engine through ``ServedLog``, the publishing module) and shapes a ``ServiceReply``.
///
/// ```swift
/// let service = try GrantLedgerService.open(ServiceConfiguration(logsDirectory: "logs"), logger: logger)
/// let reply = try await service.head(log: "national")
/// ```
public final class GrantLedgerService: Sendable {
    public let configuration: ServiceConfiguration
    /// The logs, by name; fixed at start.
    public let logs: [String: ServedLog]
    public let metrics: ServiceMetrics
    /// The PostgreSQL database the logs are in, nil for ledger directories.
    public let database: PostgresLedgerDatabase?
    let logger: Logger
    /// Figures and exports are computed once per log size.
    let publications = Mutex<[String: Publication]>([:])

    struct Publication: Sendable {
        let size: UInt64
        let snapshot: LedgerSnapshot
    }

    init(
        configuration: ServiceConfiguration, logs: [String: ServedLog], database: PostgresLedgerDatabase? = nil,
        logger: Logger
    ) {
        self.configuration = configuration
        self.logs = logs
        self.database = database
        self.logger = logger
        self.metrics = ServiceMetrics()
    }

    /// `log`, after logging that it is served (and why it takes no writes, if it does not verify).
    private static func announced(_ log: ServedLog, name: String, logger: Logger) -> ServedLog {
        if let failure = log.verificationFailure { logger.warning("\(failure)") }
        logger.info("registre \(name) : \(log.head.size) entrées", metadata: ["log": .string(name)])
        return log
    }

    /// Names a log may have in a URL: letters, digits, `.`, `_` and `-`, not starting with `.`; and not a name the
    /// API's own paths use.
    public static func isValidLogName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.count <= 64 && !name.hasPrefix(".") && !reservedNames.contains(name)
            && name.unicodeScalars.allSatisfy {
                ($0 >= "a" && $0 <= "z") || ($0 >= "A" && $0 <= "Z") || ($0 >= "0" && $0 <= "9") || $0 == "."
                    || $0 == "_" || $0 == "-"
            }
    }

    static let reservedNames: Set<String> = ["v1", "metrics", "healthz", "openapi.yaml"]

    /// Opens every log under `configuration.logsDirectory`: each sub-directory that holds a `ledger.jsonl`, replayed
    /// and verified once.
    ///
    /// - Throws: `.notFound` when the directory cannot be read or holds no log.
    public static func open(_ configuration: ServiceConfiguration, logger: Logger) throws(ServiceError)
        -> GrantLedgerService
    {
        let root = configuration.logsDirectory
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: root).sorted()
        } catch {
            throw ServiceError(.notFound, "le répertoire des registres \(root) ne peut pas être lu", underlying: error)
        }
        let rules = GrantRules()
        var logs: [String: ServedLog] = [:]
        for name in names where isValidLogName(name) {
            let directory = root + "/" + name
            guard FileManager.default.fileExists(atPath: directory + "/" + LedgerStore.logFileName) else { continue }
            try recoverInterruptedWrite(LedgerStore(directory: directory), name: name, logger: logger)
            let log = try ServedLog.open(
                name: name, storage: FileLogStorage(directory: directory, name: name), rules: rules)
            logs[name] = announced(log, name: name, logger: logger)
        }
        guard !logs.isEmpty else {
            throw ServiceError(
                .notFound,
                "le répertoire \(root) ne contient aucun registre (un sous-répertoire avec un \(LedgerStore.logFileName))"
            )
        }
        return GrantLedgerService(configuration: configuration, logs: logs, logger: logger)
    }

    /// Sets aside what a process killed while writing left after the log's commit point, as `grant-ledger repair`
    /// does (docs/FORMAT.md §5): those bytes were never acknowledged, and a log that ends past its commit point takes
    /// no writes. Run before the log is opened, under the writer lock; a log cut or rewritten (its commit point
    /// names bytes it no longer has) is not a crash and is left as it is, served read-only.
    static func recoverInterruptedWrite(_ store: LedgerStore, name: String, logger: Logger) throws(ServiceError) {
        do throws(LedgerError) {
            let view = try store.view()
            guard view.mismatch == nil, view.uncommittedBytes > 0 else { return }
            let result = try store.repair()
            if let side = result.sideFile {
                logger.warning(
                    "registre \(name) : \(result.removedBytes) octets d'une écriture interrompue, jamais acquittée, mis de côté dans \(side)",
                    metadata: ["log": .string(name)])
            }
        } catch  where error.code == .readOnly {
            logger.warning("registre \(name) : \(error.message)", metadata: ["log": .string(name)])
        } catch {
            throw ServiceError.storage(error, log: name)
        }
    }

    /// Opens every log of a PostgreSQL database (docs/SERVICE.md §6), each replayed and verified once from its
    /// lines; the client must be running.
    ///
    /// - Throws: `.notFound` when the database holds no log; `.unavailable` when it cannot be reached.
    public static func open(
        _ configuration: ServiceConfiguration, database: PostgresLedgerDatabase, logger: Logger
    ) async throws(ServiceError) -> GrantLedgerService {
        let names: [String]
        do { names = try await database.logNames() } catch {
            throw PostgresLogStorage.serviceError(error, log: "*")
        }
        let rules = GrantRules()
        var logs: [String: ServedLog] = [:]
        for name in names where isValidLogName(name) {
            let store: PostgresLogStore
            do { store = try await database.log(name) } catch {
                throw PostgresLogStorage.serviceError(error, log: name)
            }
            let result: Result<ServedLog, ServiceError> = await withCheckedContinuation { continuation in
                BlockingReads.queue.async {
                    do throws(ServiceError) {
                        continuation.resume(
                            returning: .success(
                                try ServedLog.open(name: name, storage: PostgresLogStorage(store: store), rules: rules))
                        )
                    } catch {
                        continuation.resume(returning: .failure(error))
                    }
                }
            }
            let log = try result.get()
            logs[name] = announced(log, name: name, logger: logger)
        }
        guard !logs.isEmpty else {
            throw ServiceError(
                .notFound,
                "la base ne contient aucun registre (grant-ledger-server copy en ajoute un depuis un répertoire)")
        }
        return GrantLedgerService(configuration: configuration, logs: logs, database: database, logger: logger)
    }

    /// Follows the appends of the other servers on the database until the task is cancelled: each log another
    /// server appended to catches up in the background (``ServedLog/heard(size:)``), and writes skip the query that
    /// asks the database for them (docs/SERVICE.md §6). Returns at once for ledger directories.
    public func followOtherServers() async {
        guard let database else { return }
        let logs = self.logs
        await database.follow { name, size in logs[name]?.heard(size: size) }
    }

    /// The log named `name`.
    public func log(_ name: String) throws(ServiceError) -> ServedLog {
        guard let log = logs[name] else { throw ServiceError(.notFound, "aucun registre ne s'appelle « \(name) »") }
        return log
    }

    // MARK: - Writes

    /// `GET /v1/logs/{log}/head`.
    public func head(log name: String) async throws(ServiceError) -> ServiceReply {
        let log = try log(name)
        try await log.refresh()
        let head = log.head
        var object = head.json
        object["log"] = .string(name)
        return .json(.object(object), headers: [("ETag", head.etag), ("Cache-Control", "no-cache")])
    }

    /// `POST /v1/logs/{log}/entries`: parses the body, checks `If-Match`, appends through the log's writer.
    public func append(log name: String, body: [UInt8], ifMatch: String?) async throws(ServiceError) -> ServiceReply {
        let log = try log(name)
        guard let ifMatch else {
            throw ServiceError(
                .preconditionRequired,
                "une écriture doit donner la tête attendue du registre dans If-Match (GET /v1/logs/\(name)/head)")
        }
        guard let expected = Self.parseEntityTag(ifMatch) else {
            throw ServiceError(.badRequest, "If-Match doit être le hash de la tête, entre guillemets : \"<64 hex>\"")
        }
        let entries = try EntryBatch.parse(body, maxEntries: configuration.limits.maxBatchEntries)
        let started = ContinuousClock.now
        let result: ServedLog.AppendResult
        do {
            result = try await log.append(entries, ifMatch: expected)
        } catch {
            metrics.recordRefusal(log: name, error: error)
            throw error
        }
        metrics.recordAppend(log: name, entries: result.created ? entries.count : 0, since: started)
        var object = result.head.json
        object["entries"] = .array(
            result.entries.map { ["seq": .integer($0.seq), "hash": .string($0.hash.hex)] })
        object["created"] = .bool(result.created)
        return .json(.object(object), status: result.created ? 201 : 200, headers: [("ETag", result.head.etag)])
    }

    /// `"<64 hex>"` → the digest; weak tags and lists are not heads.
    static func parseEntityTag(_ text: String) -> Digest? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard trimmed.count == 66, trimmed.first == "\"", trimmed.last == "\"" else { return nil }
        return Digest(hex: String(trimmed.dropFirst().dropLast()))
    }
}
