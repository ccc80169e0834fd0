import Foundation
import GrantLedgerTestSupport
import Synchronization
import Testing

/// Runs the built `grant-ledger` binary, as a user would.
struct CLIRunner {
    struct Result {
        let status: Int32
        let stdout: String
        let stderr: String
    }

    /// The binary beside the test bundle (SwiftPM puts products and tests in the same folder).
    static let binary: String = {
        var candidates: [URL] = []
        candidates.append(Bundle.main.bundleURL)
        candidates.append(URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent())
        candidates.append(Bundle.main.bundleURL.deletingLastPathComponent())
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        candidates.append(root.appendingPathComponent(".build/debug"))
        for directory in candidates {
            let path = directory.appendingPathComponent("grant-ledger").path
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return root.appendingPathComponent(".build/debug/grant-ledger").path
    }()

    let directory: String
    var environment: [String: String] = [:]

    init() {
        directory = TestDirectory.make("grantledger-cli")
        // What `verify` remembers stays with the test (docs/PROOFS.md §9), never in the user's home.
        environment["GRANT_LEDGER_STATE_DIR"] = directory + "/.verifier-state"
    }

    func path(_ name: String) -> String { directory + "/" + name }

    @discardableResult
    func run(_ arguments: [String], stdin: String? = nil) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.binary)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        var env = ProcessInfo.processInfo.environment
        env["GRANT_LEDGER"] = nil
        env["GRANT_LEDGER_PASSPHRASE"] = nil
        for (key, value) in environment { env[key] = value }
        process.environment = env
        let inputPath = directory + "/.stdin-\(UUID().uuidString)"
        try Data((stdin ?? "").utf8).write(to: URL(fileURLWithPath: inputPath))
        defer { try? FileManager.default.removeItem(atPath: inputPath) }
        process.standardInput = try FileHandle(forReadingFrom: URL(fileURLWithPath: inputPath))
        return try Self.capture(process, in: directory)
    }

    /// Runs `process` to completion with its output in temporary files (no pipe can fill up and block).
    static func capture(_ process: Process, in directory: String) throws -> Result {
        let id = UUID().uuidString
        let outPath = directory + "/.stdout-\(id)", errPath = directory + "/.stderr-\(id)"
        _ = FileManager.default.createFile(atPath: outPath, contents: nil)
        _ = FileManager.default.createFile(atPath: errPath, contents: nil)
        defer {
            try? FileManager.default.removeItem(atPath: outPath)
            try? FileManager.default.removeItem(atPath: errPath)
        }
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: outPath))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
        try process.run()
        process.waitUntilExit()
        return Result(
            status: process.terminationStatus,
            stdout: String(decoding: try Data(contentsOf: URL(fileURLWithPath: outPath)), as: UTF8.self),
            stderr: String(decoding: try Data(contentsOf: URL(fileURLWithPath: errPath)), as: UTF8.self))
    }

    /// Runs a shell command line in the test directory, with the binary as `$G`.
    @discardableResult
    func shell(_ script: String) throws -> Result {
        try CLIRunner(directory: directory, environment: environment).runShell(script)
    }

    private init(directory: String, environment: [String: String]) {
        self.directory = directory
        self.environment = environment
    }

    private func runShell(_ script: String) throws -> Result {
        try Self.capture(shellProcess(script), in: directory)
    }

    /// Starts a shell command line without waiting for it (its output is discarded).
    func startShell(_ script: String) throws -> Process {
        let process = shellProcess(script)
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    /// `/bin/sh -c script` in the test directory, with the binary as `$G` and no ledger or passphrase inherited.
    private func shellProcess(_ script: String) -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", script]
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        var env = ProcessInfo.processInfo.environment
        env["G"] = Self.binary
        env["GRANT_LEDGER"] = nil
        for (key, value) in environment { env[key] = value }
        process.environment = env
        process.standardInput = FileHandle.nullDevice
        return process
    }

    func read(_ name: String) throws -> Data { try Data(contentsOf: URL(fileURLWithPath: path(name))) }

    /// Puts in `name` what `grant-ledger demo --out name` followed by `arguments` leaves there, and returns that
    /// command's result.
    ///
    /// The demo is deterministic (`GrantCommandTests` checks it byte for byte), so the command runs once per test
    /// process and distinct `arguments`, and each caller gets a copy (`cp -a`: the same bytes, modes and times):
    /// building it costs seconds of CPU, most of a test that only needs a ledger to work on.
    @discardableResult
    func demo(_ name: String, _ arguments: [String] = []) throws -> Result {
        let (directory, result) = try DemoCache.built(arguments)
        let copy = Process()
        copy.executableURL = URL(fileURLWithPath: "/bin/cp")
        copy.arguments = ["-a", directory, path(name)]
        let copied = try Self.capture(copy, in: self.directory)
        try #require(copied.status == 0, "cp -a failed: \(copied.stderr)")
        return result
    }
}

/// The demo ledgers `CLIRunner.demo` copies, each built by the binary once per test process.
private enum DemoCache {
    private static let built = Mutex<[[String]: (directory: String, result: CLIRunner.Result)]>([:])

    /// The directory of the demo built with `arguments`, and the result of the command that built it.
    static func built(_ arguments: [String]) throws -> (directory: String, result: CLIRunner.Result) {
        try built.withLock { cache in
            if let done = cache[arguments] { return done }
            let runner = CLIRunner()
            let result = try runner.run(["demo", "--out", "demo"] + arguments)
            try #require(result.status == 0, "grant-ledger demo \(arguments) failed: \(result.stderr)")
            cache[arguments] = (runner.path("demo"), result)
            return (runner.path("demo"), result)
        }
    }
}

/// Checks that an error is one clear sentence: one line on stderr, no stack trace.
func expectOneSentence(
    _ result: CLIRunner.Result, status: Int32, mentioning words: [String] = [],
    sourceLocation: SourceLocation = #_sourceLocation
) {
    #expect(result.status == status, "exit \(result.status), stderr: \(result.stderr)", sourceLocation: sourceLocation)
    let lines = result.stderr.split(separator: "\n")
    #expect(lines.count == 1, "stderr: \(result.stderr)", sourceLocation: sourceLocation)
    #expect(result.stderr.hasPrefix("grant-ledger: "), sourceLocation: sourceLocation)
    for word in words {
        #expect(result.stderr.contains(word), "\(word) not in: \(result.stderr)", sourceLocation: sourceLocation)
    }
}
