import ArgumentParser
import Foundation
import GrantDomain
import GrantLedgerClient
import GrantPublishing
import LedgerCore
import LedgerCrypto
import Synchronization

/// Options every command that reads or writes a ledger shares.
struct LedgerOptions: ParsableArguments {
    @Option(
        name: .long,
        help: "Le répertoire du registre (par défaut : $GRANT_LEDGER, sinon ./events), avant ou après la sous-commande."
    )
    var ledger: String?

    var directory: String {
        if let ledger { return ledger }
        if let fromEnvironment = ProcessInfo.processInfo.environment["GRANT_LEDGER"], !fromEnvironment.isEmpty {
            return fromEnvironment
        }
        return "events"
    }
}

/// The domain the CLI works with.
typealias CLIDomain = GrantRules

func makeLedger(_ options: LedgerOptions) -> Ledger<CLIDomain> {
    Ledger(directory: options.directory, domain: { CLIDomain() })
}

/// Runs a command body; a library error becomes one sentence on stderr and the documented exit code.
///
/// This is the CLI's one reading of errors: every library error is a ``CodedError``, so one `catch` sees them all,
/// and ``exitStatus(for:)`` and ``sentence(for:)`` are the only places that tell them apart.
func runReporting(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch let error as ExitCode {
        throw error
    } catch let error as any CodedFailure {
        printError(sentence(for: error))
        throw ExitCode(exitStatus(for: error))
    }
}

/// The documented exit code of a library error: 1 when a rule, a signature, a proof or the log's own history
/// refused (the answer is « non »), 2 when the input or the files could not be used (no answer was given).
func exitStatus(for error: any CodedFailure) -> Int32 {
    switch error {
    case let error as LedgerError: error.code == .ruleViolated ? 1 : 2
    // A server's refusal is a rule's refusal, as it would be locally.
    case let error as ClientError: error.code == .refused ? 1 : 2
    case let error as MirrorError: error.code == .fetchFailed || error.code == .local ? 2 : 1
    case let error as PublishingError: error.code == .logInvalid ? 1 : 2
    case let error as TransparencyError:
        [.malformedNote, .malformedKey, .malformedCheckpoint, .malformedProof, .storage, .signingFailed]
            .contains(error.code) ? 2 : 1
    default: 2
    }
}

/// The sentence printed for a library error: its message, and for the ledger's faults the command that examines
/// or mends them.
func sentence(for error: any CodedFailure) -> String {
    switch error {
    case let error as LedgerError: error.message + advice(for: error.code)
    case let error as JSONError: "JSON invalide : \(error.message)"
    case let error as PublishingError:
        error.message + advice(for: error.code)
            + ((error.underlying as? LedgerError).map { advice(for: $0.code) } ?? "")
    default: error.message
    }
}

/// What to run or give next after a publishing error.
func advice(for code: PublishingError.Code) -> String {
    switch code {
    case .logInvalid: " ; lancez grant-ledger verify"
    case .missingIdentifier:
        " ; donnez-les avec --identifiers FICHIER (grant-ledger export scdl --template écrit le fichier à remplir)"
    case .outputOccupied: " ; choisissez un autre --out"
    default: ""
    }
}

/// What to run next after a library error, in the CLI's words: the libraries state the fault, the CLI names the
/// command that examines or mends it.
func advice(for code: LedgerError.Code) -> String {
    switch code {
    case .corrupt: " ; lancez grant-ledger verify"
    case .tornTail: " ; lancez grant-ledger repair pour les mettre de côté"
    default: ""
    }
}

/// Prints one sentence on stderr: one line whatever the message holds (controls and line breaks are shown
/// escaped, never obeyed).
func printError(_ message: String) {
    var text = "grant-ledger: " + Terminal.printable(message, keepNewlines: false)
    if !text.hasSuffix(".") { text += "." }
    FileHandle.standardError.write(Data((text + "\n").utf8))
}

/// Writes text for a person to stdout, with any control character shown escaped: it may quote the log.
func emit(_ text: String) {
    FileHandle.standardOutput.write(Data((Terminal.printable(text) + "\n").utf8))
}

/// Writes machine output (JSON, CSV, proofs) to stdout: its exact bytes, unless stdout is a terminal.
func emitMachine(_ bytes: [UInt8]) {
    FileHandle.standardOutput.write(Data(Terminal.machineOutput(bytes, to: 1)))
}

/// The passphrase of an encrypted key: $GRANT_LEDGER_PASSPHRASE, else a prompt on the terminal.
func passphrase(prompt: String, confirm: Bool = false) throws(LedgerError) -> String? {
    if let fromEnvironment = ProcessInfo.processInfo.environment["GRANT_LEDGER_PASSPHRASE"] {
        guard !fromEnvironment.isEmpty else { throw LedgerError(.badInput, "GRANT_LEDGER_PASSPHRASE est vide") }
        return fromEnvironment
    }
    guard let first = Terminal.readSecret(prompt: prompt) else {
        throw LedgerError(
            .badInput,
            "une phrase secrète est nécessaire et aucun terminal ne permet de la demander ; définissez GRANT_LEDGER_PASSPHRASE"
        )
    }
    guard !first.isEmpty else { throw LedgerError(.badInput, "la phrase secrète ne doit pas être vide") }
    if confirm {
        guard Terminal.readSecret(prompt: "Répétez la phrase secrète : ") == first else {
            throw LedgerError(.badInput, "les deux phrases secrètes diffèrent ; rien n'a été écrit")
        }
    }
    return first
}

/// The public key of a key file, private (PKCS#8 PEM, its passphrase asked for when it has one) or public (SPKI PEM).
func loadPublicKey(ofKeyFile path: String) throws(LedgerError) -> Ed25519PublicKey {
    let text = String(decoding: try KeyFiles.read(path), as: UTF8.self)
    return text.contains("PRIVATE KEY-----") ? try loadSigningKey(path).publicKey : try KeyFiles.loadPublicKey(path)
}

func loadSigningKey(_ path: String) throws(LedgerError) -> Ed25519PrivateKey {
    try KeyFiles.loadPrivateKey(
        path,
        passphrase: { () throws(LedgerError) -> String? in
            try passphrase(prompt: "Phrase secrète pour \(path) : ")
        })
}

/// Reads a file, or standard input for "-": pipes and `/dev/stdin` alike, at most 16 MiB.
func readInput(_ path: String) throws(LedgerError) -> [UInt8] {
    if path == "-" { return try KeyFiles.readStandardInput() }
    return try KeyFiles.read(path)
}

/// Reads and parses a JSON input file (or "-"); a UTF-8 byte-order mark at its start, as some editors write, is
/// skipped.
func readJSONInput(_ path: String) throws -> JSONValue {
    var bytes = try readInput(path)
    if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
    do {
        return try JSONParser.parse(bytes)
    } catch {
        throw LedgerError(
            .badInput, "\(path == "-" ? "l'entrée standard" : path) n'est pas du JSON valide : \(error.description)",
            underlying: error)
    }
}

/// Parses an optional `--time` value.
func parseTime(_ text: String?) throws(LedgerError) -> Timestamp? {
    guard let text else { return nil }
    guard let time = Timestamp(rfc3339: text) else {
        throw LedgerError(
            .badInput, "--time \(text) n'est pas une heure RFC 3339 UTC à la seconde, comme 2021-03-01T09:30:00Z")
    }
    return time
}

/// What a command built and reads until its end, kept until the process exits instead of freed piece by piece
/// when the command returns: the exit gives the memory back at once, whereas freeing the replayed state of
/// 100 000 applications object by object took a tenth of a second of every command that rebuilt it.
enum UntilExit {
    private static let kept = Mutex<[any Sendable]>([])

    /// Keeps `value` alive until the process exits, and returns it.
    @discardableResult
    static func keep<Value: Sendable>(_ value: Value) -> Value {
        kept.withLock { $0.append(value) }
        return value
    }
}
