import ArgumentParser
import Foundation
import GrantService
import Hummingbird
import LedgerCore
import LedgerCrypto
import LedgerPostgres
import Logging
import ServiceLifecycle

/// `grant-ledger-server`: serves every ledger directory under `--logs` over HTTP (docs/SERVICE.md).
@main
struct GrantLedgerServerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "grant-ledger-server",
        abstract:
            "Sert des registres en HTTP, depuis un répertoire ou une base PostgreSQL partagée par plusieurs serveurs.",
        subcommands: [Serve.self, Migrate.self, Copy.self], defaultSubcommand: Serve.self)
}

/// `grant-ledger-server [serve]`.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Sert les registres d'un répertoire en HTTP : écritures signées par les clients, lecture par tuiles.",
        discussion: """
            Chaque sous-répertoire de --logs qui contient un ledger.jsonl est un registre, nommé par son \
            répertoire. Avec --store (ou GRANT_LEDGER_STORE), les registres sont ceux d'une base PostgreSQL, que \
            plusieurs serveurs peuvent servir ensemble (docs/SERVICE.md §6). L'API est décrite dans docs/openapi.yaml (servie sur /openapi.yaml) et docs/SERVICE.md. \
            Le serveur affiche l'adresse où il écoute, puis s'arrête proprement sur SIGTERM ou SIGINT.
            """)

    @Option(help: "Le répertoire des registres (un sous-répertoire par registre).") var logs: String?
    @OptionGroup var database: DatabaseOptions
    @Option(help: "L'adresse d'écoute.") var host = "127.0.0.1"
    @Option(help: "Le port d'écoute ; 0 choisit un port libre, affiché au démarrage.") var port = 8080
    @Option(
        name: .customLong("checkpoint-key"),
        help: "La clé privée qui signe les points de contrôle (une clé d'autorité enregistrée dans chaque registre).")
    var checkpointKey: String?
    @Option(help: "Intervalle minimal entre deux points de contrôle, en secondes.") var checkpointInterval = 2.0
    @Option(help: "Taille maximale d'un corps de requête, en octets.") var maxBody = 8 << 20
    @Option(help: "Nombre maximal d'entrées par lot.") var maxBatch = 1_000
    @Option(help: "Requêtes simultanées admises par adresse de client.") var maxClientRequests = 64
    @Option(help: "Délai maximal pour recevoir le corps d'une requête, en secondes.") var bodyTimeout = 30.0
    @Option(help: "Délai au bout duquel une connexion inactive est fermée, en secondes.") var idleTimeout = 30.0
    @Option(help: "Niveau de journal : trace, debug, info, notice, warning, error, critical.") var logLevel = "info"

    func run() async throws {
        var logger = Logger(label: "grant-ledger-server")
        logger.logLevel = Logger.Level(rawValue: logLevel) ?? .info
        let url = try database.url()
        guard (logs == nil) != (url == nil) else {
            fail("donnez soit --logs (un répertoire), soit --store (une base PostgreSQL), mais pas les deux")
        }
        var configuration = ServiceConfiguration(logsDirectory: logs ?? "")
        configuration.checkpointInterval = .milliseconds(Int64(max(0.05, checkpointInterval) * 1000))
        configuration.limits.maxBodyBytes = maxBody
        configuration.limits.maxBatchEntries = maxBatch
        configuration.limits.maxConcurrentRequestsPerClient = maxClientRequests
        configuration.limits.bodyTimeout = .milliseconds(Int64(max(0.05, bodyTimeout) * 1000))
        configuration.limits.idleTimeout = .milliseconds(Int64(max(0.05, idleTimeout) * 1000))
        var fileService: GrantLedgerService? = nil
        do {
            if let checkpointKey {
                configuration.checkpointKey = try KeyFiles.loadPrivateKey(
                    checkpointKey,
                    passphrase: { () throws(LedgerError) -> String? in
                        ProcessInfo.processInfo.environment["GRANT_LEDGER_PASSPHRASE"]
                    })
            }
            if url == nil { fileService = try GrantLedgerService.open(configuration, logger: logger) }
        } catch let error as ServiceError {
            fail(error.message)
        } catch let error as LedgerError {
            fail(error.message)
        }
        if let fileService {
            try await serve(fileService, logger: logger)
            return
        }
        guard let url else { return }
        let database: PostgresLedgerDatabase
        do { database = try PostgresLedgerDatabase(url: url, logger: logger) } catch { fail(error.message) }
        let configured = configuration
        try await withThrowingDiscardingTaskGroup { group in
            group.addTask { await database.run() }
            let service: GrantLedgerService
            do throws(ServiceError) {
                service = try await GrantLedgerService.open(configured, database: database, logger: logger)
            } catch {
                fail(error.message)
            }
            try await serve(service, logger: logger)
            group.cancelAll()
        }
    }

    private func serve(_ service: GrantLedgerService, logger: Logger) async throws {
        let host = self.host
        let app = GrantLedgerServer.application(service: service, host: host, port: port, logger: logger) { bound in
            let names = service.logs.keys.sorted().joined(separator: ", ")
            let line = "grant-ledger-server : à l'écoute sur http://\(host):\(bound) ; registres : \(names)\n"
            FileHandle.standardOutput.write(Data(line.utf8))
        }
        try await app.runService()
    }
}

/// Prints one sentence on standard error and exits with status 2.
func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("grant-ledger-server : \(message).\n".utf8))
    Foundation.exit(2)
}
