import Foundation
import Testing

/// The built `grant-ledger-server`, started on 127.0.0.1 with `--port 0`: the port it prints is the one it bound.
final class ServerProcess: @unchecked Sendable {
    // Mutated only by the test that owns it, on one task at a time.
    let process: Process
    let port: Int
    let outputPath: String
    var url: String { "http://127.0.0.1:\(port)" }

    /// The built executable `name`; `GRANT_LEDGER_SERVER` names another `grant-ledger-server` (a release build, for
    /// `PostgresBench`).
    static func binary(_ name: String) -> String {
        if name == "grant-ledger-server", let path = ProcessInfo.processInfo.environment["GRANT_LEDGER_SERVER"] {
            return path
        }
        var candidates: [URL] = [
            Bundle.main.bundleURL, URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent(),
            Bundle.main.bundleURL.deletingLastPathComponent(),
        ]
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        candidates.append(root.appendingPathComponent(".build/debug"))
        for directory in candidates {
            let path = directory.appendingPathComponent(name).path
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return root.appendingPathComponent(".build/debug/\(name)").path
    }

    /// Starts the server on `logs` and waits (at most 60 s) for the line that gives its port. With `store`, the
    /// server serves that PostgreSQL database instead (given in the environment, as an operator would), and `logs`
    /// is only where its output goes. With `oneCore`, the server runs on one CPU (`taskset -c 0`), so Swift's
    /// cooperative pool has one thread: a handler that blocks it, waiting for something that itself needs the pool,
    /// hangs the server at once instead of once in a while.
    init(logs: String, checkpointKey: String, arguments: [String] = [], store: String? = nil, oneCore: Bool = false)
        throws
    {
        outputPath = logs + "/../server-\(UUID().uuidString).out"
        _ = FileManager.default.createFile(atPath: outputPath, contents: nil)
        let process = Process()
        let binary = Self.binary("grant-ledger-server")
        process.executableURL = URL(fileURLWithPath: oneCore ? "/usr/bin/taskset" : binary)
        process.arguments =
            (oneCore ? ["--cpu-list", "0", binary] : []) + (store == nil ? ["--logs", logs] : [])
            + [
                "--host", "127.0.0.1", "--port", "0", "--checkpoint-key", checkpointKey,
                "--checkpoint-interval", "0.2", "--log-level", "warning",
            ] + arguments
        if let store {
            var environment = ProcessInfo.processInfo.environment
            environment["GRANT_LEDGER_STORE"] = store
            // A server keeps the operator's default: the test process's longer wait is its own.
            environment["GRANT_LEDGER_PG_TIMEOUT"] = nil
            process.environment = environment
        }
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: outputPath))
        process.standardError = process.standardOutput
        process.standardInput = FileHandle.nullDevice
        try process.run()
        self.process = process
        let deadline = Date().addingTimeInterval(60)
        var found: Int? = nil
        while found == nil && Date() < deadline && process.isRunning {
            let text = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
            if let range = text.range(of: "http://127.0.0.1:") {
                found = Int(text[range.upperBound...].prefix { $0.isNumber })
            } else {
                Thread.sleep(forTimeInterval: 0.05)
            }
        }
        guard let found else {
            process.terminate()
            let text = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
            throw ServiceTestError("the server did not start: \(text)")
        }
        port = found
    }

    /// `kill -9`: no shutdown of any kind.
    func kill() {
        Foundation.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// SIGTERM, and wait for the graceful shutdown (10 s at most, then SIGKILL: a test never hangs on it).
    func stop() {
        if process.isRunning {
            process.terminate()
            let deadline = Date().addingTimeInterval(10)
            while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
            #expect(!process.isRunning, "the server did not stop within 10 s of SIGTERM")
            if process.isRunning { kill() }
        }
        try? FileManager.default.removeItem(atPath: outputPath)
    }
}

struct ServiceTestError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
