import ArgumentParser
import Foundation

@main
struct GrantLedger: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "grant-ledger",
        abstract: "A tamper-evident, signed, hash-chained ledger of public grant decisions.",
        discussion: """
            The ledger is a directory (default ./events, or --ledger DIR, or GRANT_LEDGER). Exit codes: 0 success; \
            1 refused by a rule, or verification found problems; 2 unusable input.
            """,
        subcommands: [
            Demo.self, Init.self, KeyCommand.self, Append.self, Log.self, Verify.self, Repair.self,
            CallCommand.self, ApplicationCommand.self, Score.self, Decide.self, Pay.self, Withdraw.self, Show.self,
            Status.self,
            Import.self, Explain.self,
            Stats.self, Export.self, Publish.self,
            CheckpointCommand.self, Prove.self, VerifyProof.self, Witness.self,
            BundleCommand.self, VerifyBundle.self, Mirror.self,
        ]
    )

    /// Parses and runs, keeping the documented exit codes: 0, 1 (refused, or problems found), 2 (unusable input).
    /// An argument error is one sentence and exit 2, not argument-parser's usage text and 64; `--help` prints help.
    static func main() {
        var command: any ParsableCommand
        do {
            command = try parseAsRoot()
        } catch {
            reportAndExit(error)
        }
        do {
            try command.run()
        } catch {
            reportAndExit(error)
        }
        Foundation.exit(0)
    }

    private static func reportAndExit(_ error: any Error) -> Never {
        if let code = error as? ExitCode { Foundation.exit(code.rawValue) }
        // Help and version requests exit 0 with their text, as usual.
        if exitCode(for: error) == .success { exit(withError: error) }
        let lines = message(for: error).split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        var sentence = lines.first { !$0.isEmpty } ?? "invalid arguments"
        if sentence.hasPrefix("Error: ") { sentence.removeFirst("Error: ".count) }
        if sentence.hasSuffix(".") { sentence.removeLast() }
        printError("\(sentence) (see grant-ledger help)")
        Foundation.exit(2)
    }
}
