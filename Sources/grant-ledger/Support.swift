import ArgumentParser
import Foundation
import GrantDomain
import GrantLedgerClient
import LedgerCore
import LedgerCrypto

/// Options every command that reads or writes a ledger shares.
struct LedgerOptions: ParsableArguments {
    @Option(name: .long, help: "The ledger directory (default: $GRANT_LEDGER, else ./events).")
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

/// Runs a command body, turning library errors into one sentence on stderr and an exit code.
func runReporting(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch let error as LedgerError {
        printError(error.message)
        if case .ruleViolated = error.code { throw ExitCode(1) }
        throw ExitCode(2)
    } catch let error as ExitCode {
        throw error
    } catch let error as KeyError {
        printError(error.message)
        throw ExitCode(2)
    } catch let error as JSONError {
        printError("bad JSON: \(error.description)")
        throw ExitCode(2)
    } catch let error as ClientError {
        // A server's refusal is a rule's refusal, as it would be locally.
        printError(error.message)
        throw ExitCode(error.code == .refused ? 1 : 2)
    } catch let error as MirrorError {
        printError(error.message)
        throw ExitCode(error.code == .fetchFailed || error.code == .local ? 2 : 1)
    }
}

func printError(_ message: String) {
    var text = "grant-ledger: " + message
    if !text.hasSuffix(".") { text += "." }
    FileHandle.standardError.write(Data((text + "\n").utf8))
}

/// Writes to stdout without buffering surprises.
func emit(_ text: String) {
    FileHandle.standardOutput.write(Data((text + "\n").utf8))
}

/// The passphrase of an encrypted key: $GRANT_LEDGER_PASSPHRASE, else a prompt on the terminal.
func passphrase(prompt: String, confirm: Bool = false) throws(LedgerError) -> String? {
    if let fromEnvironment = ProcessInfo.processInfo.environment["GRANT_LEDGER_PASSPHRASE"] {
        guard !fromEnvironment.isEmpty else { throw LedgerError(.badInput, "GRANT_LEDGER_PASSPHRASE is empty") }
        return fromEnvironment
    }
    guard let first = Terminal.readSecret(prompt: prompt) else {
        throw LedgerError(
            .badInput, "a passphrase is needed and there is no terminal to ask it on; set GRANT_LEDGER_PASSPHRASE")
    }
    guard !first.isEmpty else { throw LedgerError(.badInput, "the passphrase must not be empty") }
    if confirm {
        guard Terminal.readSecret(prompt: "Repeat the passphrase: ") == first else {
            throw LedgerError(.badInput, "the two passphrases differ; nothing was written")
        }
    }
    return first
}

func loadSigningKey(_ path: String) throws(LedgerError) -> Ed25519PrivateKey {
    try KeyFiles.loadPrivateKey(
        path,
        passphrase: { () throws(LedgerError) -> String? in
            try passphrase(prompt: "Passphrase for \(path): ")
        })
}

/// Reads a file, or standard input for "-".
func readInput(_ path: String) throws -> [UInt8] {
    if path == "-" { return Array(FileHandle.standardInput.readDataToEndOfFile()) }
    return try KeyFiles.read(path)
}

/// Parses an optional `--time` value.
func parseTime(_ text: String?) throws(LedgerError) -> Timestamp? {
    guard let text else { return nil }
    guard let time = Timestamp(rfc3339: text) else {
        throw LedgerError(.badInput, "--time \(text) is not RFC 3339 UTC to the second, like 2021-03-01T09:30:00Z")
    }
    return time
}
