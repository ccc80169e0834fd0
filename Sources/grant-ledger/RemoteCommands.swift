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
    @Option(help: "Write to this GrantLedger server (default: $GRANT_LEDGER_SERVER) instead of a ledger directory.")
    var server: String?
    @Option(help: "The log's name on the server (with --server).") var log: String?

    /// The client, when the command writes to a server; nil for a local ledger.
    func client() throws -> LedgerServerClient? {
        let environment = ProcessInfo.processInfo.environment["GRANT_LEDGER_SERVER"].flatMap { $0.isEmpty ? nil : $0 }
        guard let url = server ?? environment else {
            if log != nil { throw LedgerError(.badInput, "--log names a log on a server: give --server URL too") }
            return nil
        }
        guard let log else {
            throw LedgerError(.badInput, "--server needs --log NAME, the log on the server (GET /v1/logs lists them)")
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
        abstract: "Copy a server's log into a local ledger directory through its tiles, trusting only its key.",
        discussion: """
            Incremental: each run fetches the new checkpoint, checks its signature with --trust and that it extends \
            the last one verified here, proves every new entry against it, then appends them (docs/PROOFS.md §9.4). \
            Then run grant-ledger verify --ledger DIR. Exit 0 when the copy is up to date, 1 when the server's log \
            does not hold (a bad signature, a fork, a tile that does not prove), 2 when it cannot be reached.
            """)
    @OptionGroup var remote: RemoteOptions
    @Option(help: "The local ledger directory to create or bring up to date.") var out: String
    @Option(help: "The log's note verifier key, name+hex+base64 (grant-ledger key note-key).") var trust: String

    func run() throws {
        try runReporting {
            guard let client = try remote.client() else {
                throw LedgerError(.badInput, "mirror needs --server URL (or GRANT_LEDGER_SERVER) and --log NAME")
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
        throw LedgerError(.badInput, "--trust is not a note verifier key (name+hex+base64): \(error.message)")
    }
    let fetcher = HTTPTileFetcher(prefix: client.tilesPrefix)
    return try waitFor { try await LogMirror.sync(fetcher: fetcher, into: directory, trustedKey: key) }
}
