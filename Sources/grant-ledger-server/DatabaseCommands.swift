import ArgumentParser
import Foundation
import LedgerCore
import LedgerCrypto
import LedgerPostgres
import Logging

/// Where the PostgreSQL connection string comes from: never printed, and best kept out of the command line (which
/// other users of the machine can read): an environment variable or a file.
struct DatabaseOptions: ParsableArguments {
    static let environmentVariable = "GRANT_LEDGER_STORE"

    @Option(
        name: .customLong("store"),
        help: ArgumentHelp(
            "La base PostgreSQL : postgres://utilisateur@hôte:port/base (mot de passe de préférence dans \(environmentVariable) ou --store-file).",
            valueName: "adresse"))
    var store: String?
    @Option(
        name: .customLong("store-file"),
        help: ArgumentHelp("Un fichier dont la première ligne est l'adresse de la base.", valueName: "fichier"))
    var storeFile: String?

    /// The connection string from `--store`, `--store-file` or `GRANT_LEDGER_STORE`, in that order; nil for none.
    /// A password missing from it is taken from `PGPASSWORD`, as libpq does.
    func url() throws -> String? {
        var url = store
        if url == nil, let storeFile {
            guard let text = try? String(contentsOfFile: storeFile, encoding: .utf8) else {
                fail("le fichier \(storeFile) ne peut pas être lu")
            }
            url = text.split(whereSeparator: \.isNewline).first.map(String.init)
        }
        if url == nil { url = ProcessInfo.processInfo.environment[Self.environmentVariable] }
        guard var url, !url.isEmpty else { return nil }
        if var components = URLComponents(string: url), components.password == nil,
            let password = ProcessInfo.processInfo.environment["PGPASSWORD"]
        {
            components.password = password
            url = components.string ?? url
        }
        return url
    }

    /// The connection string, required.
    func requiredURL() throws -> String {
        guard let url = try url() else {
            fail("donnez la base avec --store, --store-file ou la variable \(Self.environmentVariable)")
        }
        return url
    }
}

/// `grant-ledger-server migrate`: creates the tables of the PostgreSQL store.
struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Crée les tables de la base PostgreSQL (sans effet sur une base qui les a déjà).")

    @OptionGroup var database: DatabaseOptions

    func run() async throws {
        let url = try database.requiredURL()
        do {
            try await PostgresLedgerDatabase.with(url: url, logger: quietLogger()) { database in
                try await database.migrate()
            }
        } catch let error as LedgerError {
            fail(error.message)
        }
        print("grant-ledger-server : tables prêtes.")
    }
}

/// `grant-ledger-server copy`: copies one log between a ledger directory and the PostgreSQL store, byte for byte.
struct Copy: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Copie un registre, octet pour octet, d'un répertoire vers la base PostgreSQL ou inversement.",
        discussion: """
            --from et --to sont chacun un répertoire de registre ou une adresse postgres://… suivie de \
            #<registre> (le nom du registre dans la base ; par défaut, le nom du répertoire). Les points de \
            contrôle signés sont copiés avec les entrées. La destination doit être vide.
            """)

    @Option(help: ArgumentHelp("La source : un répertoire ou postgres://…#registre.", valueName: "source"))
    var from: String
    @Option(help: ArgumentHelp("La destination : un répertoire ou postgres://…#registre.", valueName: "destination"))
    var to: String

    func run() async throws {
        let source = Endpoint(from), destination = Endpoint(to)
        guard source.isDatabase != destination.isDatabase else {
            fail("copy copie d'un répertoire vers une base ou d'une base vers un répertoire")
        }
        do {
            if case .directory(let directory) = source, case .database(let url, let name) = destination {
                let count = try await PostgresLedgerDatabase.with(url: url, logger: quietLogger()) { database in
                    try await LogCopy.toDatabase(
                        directory: directory, database: database, name: name ?? Endpoint.lastComponent(directory))
                }
                print("grant-ledger-server : \(count) entrées copiées dans la base.")
            } else if case .database(let url, let name) = source, case .directory(let directory) = destination {
                let count = try await PostgresLedgerDatabase.with(url: url, logger: quietLogger()) { database in
                    try await LogCopy.toDirectory(
                        database: database, name: name ?? Endpoint.lastComponent(directory), directory: directory)
                }
                print("grant-ledger-server : \(count) entrées copiées dans \(directory).")
            }
        } catch let error as LedgerError {
            fail(error.message)
        }
    }
}

/// One side of a copy.
enum Endpoint {
    case directory(String)
    case database(url: String, log: String?)

    init(_ text: String) {
        guard text.hasPrefix("postgres://") || text.hasPrefix("postgresql://") else {
            self = .directory(text)
            return
        }
        if let hash = text.lastIndex(of: "#") {
            self = .database(url: String(text[..<hash]), log: String(text[text.index(after: hash)...]))
        } else {
            self = .database(url: text, log: nil)
        }
    }

    var isDatabase: Bool {
        if case .database = self { return true }
        return false
    }

    static func lastComponent(_ path: String) -> String {
        String(path.split(separator: "/").last ?? Substring(path))
    }
}

/// A logger for commands that stop: warnings and errors only, never a connection string.
func quietLogger() -> Logger {
    var logger = Logger(label: "grant-ledger-server")
    logger.logLevel = .warning
    return logger
}
