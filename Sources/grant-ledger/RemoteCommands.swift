import ArgumentParser
import Dispatch
import Foundation
import GrantDomain
import GrantLedgerClient
import LedgerCore
import LedgerCrypto
import Synchronization

/// `--server URL` and `--log NAME`: write to a GrantLedger server instead of a ledger directory (docs/SERVICE.md).
struct RemoteOptions: ParsableArguments {
    @Option(
        help:
            "Écrire sur ce serveur GrantLedger (par défaut $GRANT_LEDGER_SERVER) plutôt que dans un répertoire de registre."
    )
    var server: String?
    @Option(help: "Le nom du registre sur le serveur (avec --server).") var log: String?

    /// The client, when the command writes to a server; nil for a local ledger.
    func client() throws -> LedgerServerClient? {
        let environment = ProcessInfo.processInfo.environment["GRANT_LEDGER_SERVER"].flatMap { $0.isEmpty ? nil : $0 }
        guard let url = server ?? environment else {
            if log != nil {
                throw LedgerError(.badInput, "--log nomme un registre sur un serveur : donnez aussi --server URL")
            }
            return nil
        }
        guard let log else {
            throw LedgerError(
                .badInput, "--server demande --log NOM, le registre sur le serveur (GET /v1/logs les liste)")
        }
        return try LedgerServerClient(server: url, log: log)
    }
}

/// Runs async client work from a synchronous command and waits for it.
func waitFor<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) throws -> T {
    let result = Mutex<Result<T, any Error>?>(nil)
    let done = DispatchSemaphore(value: 0)
    Task {
        let outcome: Result<T, any Error>
        do { outcome = .success(try await body()) } catch { outcome = .failure(error) }
        result.withLock { $0 = outcome }
        done.signal()
    }
    done.wait()
    return try result.withLock { $0! }.get()
}

extension LedgerServerClient {
    /// Signs `events` as one batch against the server's head and appends them (re-signing after a 412).
    func appendSigned(_ events: [(type: String, payload: JSONValue)], signer: Ed25519PrivateKey, time: Timestamp?)
        throws -> [Entry]
    {
        let batch = events.map { RemoteEvent(type: $0.type, payload: $0.payload) }
        return try appendSigned(signer: signer, time: time) { _ throws(LedgerError) in batch }
    }

    /// Signs the events `make` builds for the entry time `when` (`time`, else now or the head's time, whichever is
    /// later) against the server's head, and appends them; `make` runs again after each 412.
    func appendSigned(
        signer: Ed25519PrivateKey, time: Timestamp?,
        _ make: @escaping @Sendable (_ when: Timestamp) throws(LedgerError) -> [RemoteEvent]
    ) throws -> [Entry] {
        let client = self
        return try waitFor {
            try await client.append { (head) throws(LedgerError) -> [Entry] in
                let when = head.entryTime(time)
                return try head.sign(try make(when).map { ($0.type, $0.payload) }, signer: signer, time: when)
            }
        }
    }

    /// The head, synchronously.
    func currentHead() throws -> LogHead {
        let client = self
        return try waitFor { try await client.head() }
    }

    /// What a decision needs from the server: the application and its call's current version, each read from its
    /// entry line, whose hash must be the one the server names. Nil when the server has no such application (the
    /// engine then refuses the decision, as it would locally).
    func decisionContext(_ applicationID: String) throws -> (GrantApplication, (GrantCall, String)?)? {
        let client = self
        let json: JSONValue
        do {
            json = try waitFor { try await client.getJSON("applications/\(applicationID)") }
        } catch let error as ClientError where error.status == 404 {
            return nil
        }
        func entry(_ value: JSONValue?) throws -> Entry {
            guard let value, let entry = try? Entry(line: CanonicalJSON.encode(value)) else {
                throw ClientError(.badResponse, "le serveur a renvoyé une entrée illisible pour \(applicationID)")
            }
            return entry
        }
        let entries = try (json["entries"]?.arrayValue ?? []).map { try entry($0) }
        guard let submitted = entries.first(where: { $0.type == GrantEventType.applicationSubmitted }),
            let application = try? GrantApplication(payload: submitted.payload)
        else {
            throw ClientError(.badResponse, "le serveur n'a pas renvoyé le dépôt du dossier \(applicationID)")
        }
        guard let call = json["call"], call != .null else { return (application, nil) }
        let callEntry = try entry(call["entry"])
        guard callEntry.hash.hex == call["version"]?.stringValue,
            let grantCall = try? GrantCall(payload: callEntry.payload)
        else {
            throw ClientError(.badResponse, "la version d'appel renvoyée par le serveur ne correspond pas à son hash")
        }
        return (application, (grantCall, callEntry.hash.hex))
    }
}

/// An event to sign, as a Sendable value.
struct RemoteEvent: Sendable {
    let type: String
    let payload: JSONValue
}

/// Appends one event locally or on the server, as the options say; the entry as logged.
func appendEvent(
    _ type: String, _ payload: JSONValue, remote: RemoteOptions, ledger: LedgerOptions, signer: Ed25519PrivateKey,
    time: Timestamp?
) throws -> Entry {
    if let client = try remote.client() {
        return try client.appendSigned([(type, payload)], signer: signer, time: time)[0]
    }
    return try makeLedger(ledger).append(type: type, payload: payload, signer: signer, time: time)
}

struct Mirror: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mirror",
        abstract:
            "Copier le registre d'un serveur dans un répertoire local par ses tuiles, en ne faisant confiance qu'à sa clé.",
        discussion: """
            Incrémental : chaque exécution récupère le nouveau point de contrôle, vérifie sa signature avec --trust \
            et qu'il prolonge le dernier vérifié ici, prouve chaque nouvelle entrée contre lui, puis les ajoute \
            (docs/PROOFS.md §9.4). Lancez ensuite grant-ledger verify --ledger RÉP. Code de sortie 0 quand la copie \
            est à jour, 1 quand le registre du serveur ne tient pas (signature fausse, fourche, tuile qui ne prouve \
            pas), 2 quand le serveur est injoignable.
            """)
    @OptionGroup var remote: RemoteOptions
    @Option(help: "Le répertoire de registre local à créer ou à mettre à jour.") var out: String
    @Option(help: "La clé de note du registre, nom+hex+base64 (grant-ledger key note-key).") var trust: String

    @OptionGroup var progress: ProgressOptions

    func run() throws {
        try progress.showing("copie") { try execute() }
    }

    private func execute() throws {
        try runReporting {
            guard let client = try remote.client() else {
                throw LedgerError(.badInput, "mirror demande --server URL (ou GRANT_LEDGER_SERVER) et --log NOM")
            }
            let result = try mirrorLog(client, into: out, trust: trust)
            let size = result.checkpoint.checkpoint.size
            emit(
                "miroir de \(client.log) dans \(out) : \(result.appended) entrée\(result.appended == 1 ? "" : "s") ajoutée\(result.appended == 1 ? "" : "s"), \(size) au total ; point de contrôle de taille \(size) vérifié"
            )
        }
    }
}

/// Syncs `directory` with the server's log through its tiles (``LogMirror``).
func mirrorLog(_ client: LedgerServerClient, into directory: String, trust: String) throws -> LogMirror.SyncResult {
    let key: NoteVerifier
    do { key = try NoteVerifier(verifierKey: trust) } catch {
        throw LedgerError(
            .badInput, "--trust n'est pas une clé de note (nom+hex+base64) : \(error.message)", underlying: error)
    }
    let fetcher = HTTPTileFetcher(prefix: client.tilesPrefix)
    return try waitFor { try await LogMirror.sync(fetcher: fetcher, into: directory, trustedKey: key) }
}
