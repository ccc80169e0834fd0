import Foundation
import Testing

/// Progress on stderr: shown only on a terminal, never in a pipe, never with `--quiet`.
@Suite("grant-ledger: progress on stderr")
struct ProgressCommandTests {
    @Test("verify and status keep stderr empty in a pipe; --quiet is accepted; a terminal gets the progress line")
    func progress() throws {
        let cli = CLIRunner()
        defer { try? FileManager.default.removeItem(atPath: cli.directory) }
        #expect(try cli.run(["demo", "--out", "demo", "--applications", "1400", "--quiet"]).status == 0)
        for arguments in [["verify", "--ledger", "demo"], ["verify", "--ledger", "demo", "-q"]] {
            let result = try cli.run(arguments)
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stderr.isEmpty, "stderr is not a terminal: no progress, got \(result.stderr)")
        }
        // On a terminal (script(1) gives the command one), the line shows the rate and is erased at the end; with
        // --quiet, nothing.
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/script") else { return }
        let shown = try cli.shell(
            "/usr/bin/script -qec '\(CLIRunner.binary) verify --ledger demo >/dev/null' /dev/null")
        #expect(shown.status == 0, "\(shown.stderr)")
        #expect(shown.stdout.contains("entrées/s"), "\(shown.stdout)")
        #expect(shown.stdout.contains("\r\u{1B}[K"))
        let quiet = try cli.shell(
            "/usr/bin/script -qec '\(CLIRunner.binary) verify --ledger demo --quiet >/dev/null' /dev/null")
        #expect(quiet.status == 0)
        #expect(!quiet.stdout.contains("entrées/s"), "\(quiet.stdout)")
    }
}
