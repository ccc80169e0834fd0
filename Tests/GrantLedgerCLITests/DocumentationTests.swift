import Foundation
import Testing

/// Documentation that runs: every ```sh block of `README.md` and `docs/*.md` is run as written against the built
/// `grant-ledger`, with the conventions of `ShellDocument` (README, « Documentation that runs »).
///
/// Each document runs in a fresh directory that holds a copy of `docs/examples/` and `scripts/`, as the root of a
/// clone would, its blocks in order in one `bash` session (`set -o pipefail`) with the binary first on `PATH`;
/// `swift run grant-ledger` is run as `grant-ledger`. A document marked `<!-- doc test setup: grant-ledger demo -->`
/// starts with the demo ledger in `events/`, built once per run.
@Suite("Documentation: the sh blocks of README.md and docs/*.md run as written")
struct DocumentationTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// `README.md`, then `docs/*.md` by name.
    static func documents() throws -> [String] {
        let docs = try FileManager.default.contentsOfDirectory(
            atPath: repository.appendingPathComponent("docs").path)
        return ["README.md"] + docs.filter { $0.hasSuffix(".md") }.sorted().map { "docs/" + $0 }
    }

    /// The documents whose every command block issue 16 asks to run: each must run at least one block.
    static let mustRun = ["README.md", "docs/FORMAT.md", "docs/PROOFS.md", "docs/PUBLISHING.md"]

    @Test("every ```sh block runs as written and prints the output it documents")
    func documentationRuns() throws {
        let root = FileManager.default.temporaryDirectory.path + "/grantledger-docs-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        var demo: String?
        var report: [String] = []
        var totals = (ran: 0, skipped: 0, commands: 0)
        for path in try Self.documents() {
            let markdown = try String(contentsOf: Self.repository.appendingPathComponent(path), encoding: .utf8)
            let document: ShellDocument
            do { document = try ShellDocument(path: path, markdown: markdown) } catch {
                Issue.record(Comment(rawValue: error.description))
                continue
            }
            let runnable = document.blocks.filter { $0.notRunReason == nil }
            let skipped = document.blocks.filter { $0.notRunReason != nil }
            if Self.mustRun.contains(path) {
                #expect(!runnable.isEmpty, "\(path) runs no ```sh block")
            }
            guard !document.blocks.isEmpty else { continue }
            let directory = root + "/" + path.replacingOccurrences(of: "/", with: "-")
            if document.startsFromDemo, demo == nil { demo = try Self.buildDemo(in: root + "/demo") }
            let run = try DocumentRun(
                document: document, directory: directory, demo: document.startsFromDemo ? demo : nil)
            if let failure = run.failure { Issue.record(Comment(rawValue: failure)) }
            totals = (totals.ran + run.blocksRun, totals.skipped + skipped.count, totals.commands + run.commandsRun)
            report.append(
                "  \(path): \(run.blocksRun) of \(document.blocks.count) sh blocks ran (\(run.commandsRun) commands)"
                    + (run.failure == nil ? "" : ", then one failed"))
            report += skipped.map { "    not run, line \($0.line): \($0.notRunReason ?? "")" }
        }
        let total = "\(totals.ran) sh blocks ran (\(totals.commands) commands), \(totals.skipped) not run"
        print((["Documentation test: " + total] + report).joined(separator: "\n"))
    }

    /// The demo ledger, built once for every document that starts from it.
    static func buildDemo(in directory: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CLIRunner.binary)
        process.arguments = ["demo", "--out", directory]
        process.standardInput = FileHandle.nullDevice
        let result = try CLIRunner.capture(process, in: FileManager.default.temporaryDirectory.path)
        try #require(result.status == 0, "grant-ledger demo failed: \(result.stderr)")
        return directory
    }

    @Test("the conventions: commands, continuations, here-documents, # → lines, not-run reasons")
    func conventions() throws {
        let markdown = """
            Text.

            ```sh
            # a comment
            grant-ledger demo
            grant-ledger key register --public-key k.pub.pem \\
                --holder "Préfecture"    # trailing comment
            python3 - a b <<'PY'
            print('ok')
            # not a comment of the block: part of the here-document
            PY
            #  → ok
            # → a…b…c
            ```

            <!-- not run: needs a server -->
            ```sh
            grant-ledger serve
            ```

            ```json
            {"a": 1}
            ```
            <!-- doc test setup: grant-ledger demo -->
            """
        let document = try ShellDocument(path: "T.md", markdown: markdown)
        #expect(document.startsFromDemo)
        #expect(document.blocks.count == 2)
        let commands = document.blocks[0].commands
        #expect(commands.map(\.line) == [5, 6, 8])
        #expect(commands[1].text.hasSuffix("--holder \"Préfecture\"    # trailing comment"))
        #expect(commands[2].text.hasSuffix("# not a comment of the block: part of the here-document\nPY"))
        #expect(commands[2].expectedOutput == ["ok", "a…b…c"])
        #expect(document.blocks[0].notRunReason == nil)
        #expect(document.blocks[1].notRunReason == "needs a server")
        #expect(ShellDocument.hereDocumentDelimiters("cat <<-\"EOF\" <<<here | x <<END") == ["EOF", "END"])
    }

    @Test(
        "a malformed convention is an error, not a silent skip",
        arguments: [
            ("<!-- not run -->\n```sh\nls\n```", "needs a reason"),
            ("<!-- not run:   -->\n```sh\nls\n```", "needs a reason"),
            ("<!-- not run: why -->\n\nSome text.\n```sh\nls\n```", "right before"),
            ("<!-- not run: why -->\n```json\n{}\n```", "right before"),
            ("```bash\nls\n```", "write ```sh"),
            ("```sh\nls\n", "never closed"),
            ("```sh\n# → out\nls\n```", "must follow a command"),
            ("```sh\ncat <<EOF\nx\n```", "here-document"),
            ("```sh\nswift build -c release\n```", "runs swift"),
            ("```sh\ncd x && swift test\n```", "runs swift"),
            ("<!-- doc test setup: make -->", "only doc test setup"),
        ])
    func malformed(markdown: String, message: String) {
        #expect {
            _ = try ShellDocument(path: "T.md", markdown: markdown)
        } throws: { error in
            String(describing: error).contains(message)
        }
    }

    @Test("documented output: whole lines in order, … for any text")
    func outputMatching() {
        #expect(ShellDocument.firstMissing(["b", "d"], in: "a\nb\nc\nd\n") == nil)
        #expect(ShellDocument.firstMissing(["d", "b"], in: "a\nb\nc\nd\n") == "b")
        #expect(ShellDocument.firstMissing(["b"], in: "ab\n") == "b")
        #expect(
            ShellDocument.firstMissing(["Signature Verified Successfully"], in: "Signature Verified Successfully  \n")
                == nil)
        #expect(ShellDocument.line("key id 06e3…2fa9  signer.der", matches: "key id 06e3…2fa9  signer.der"))
        #expect(ShellDocument.line("key id 06e3fd8f2fa9  signer.der", matches: "key id 06e3…2fa9  signer.der"))
        #expect(!ShellDocument.line("key id 06e3fd8f2fa8  signer.der", matches: "key id 06e3…2fa9  signer.der"))
        #expect(ShellDocument.line("abc", matches: "a…b…c"))
        #expect(!ShellDocument.line("ab", matches: "ab…b"))
        #expect(
            ShellDocument.asRun("x=$(swift run grant-ledger key note-key k.pem)")
                == "x=$(grant-ledger key note-key k.pem)")
        #expect(ShellDocument.asRun("swift run grant-ledger-bench") == "swift run grant-ledger-bench")
    }
}

/// One document's runnable blocks, run in order in one `bash` session in a fresh directory.
struct DocumentRun {
    /// What went wrong first, with the block, the command and its output; nil when every command exited 0 and
    /// printed what it documents.
    let failure: String?
    /// How many commands exited 0 and printed what they document, and how many blocks did so entirely.
    let commandsRun: Int
    let blocksRun: Int

    /// How long a document may run before it is stopped.
    static let timeout: TimeInterval = 900

    init(document: ShellDocument, directory: String, demo: String?) throws {
        let fm = FileManager.default
        let work = directory + "/work", captures = directory + "/output"
        try fm.createDirectory(atPath: work + "/docs", withIntermediateDirectories: true)
        try fm.createDirectory(atPath: captures, withIntermediateDirectories: true)
        let repository = DocumentationTests.repository
        try fm.copyItem(
            atPath: repository.appendingPathComponent("docs/examples").path, toPath: work + "/docs/examples")
        try fm.copyItem(atPath: repository.appendingPathComponent("scripts").path, toPath: work + "/scripts")
        if let demo { try fm.copyItem(atPath: demo, toPath: work + "/events") }

        var plan: [(block: ShellDocument.Block, command: ShellDocument.Command)] = []
        var script = "set -o pipefail\n"
        for block in document.blocks where block.notRunReason == nil {
            for command in block.commands {
                let file = "'\(captures)/\(plan.count)"
                script += """
                    {
                    \(ShellDocument.asRun(command.text))
                    } >\(file).out' 2>\(file).err' </dev/null
                    doc_test_status=$?
                    echo $doc_test_status >\(file).status'
                    [ $doc_test_status = 0 ] || exit 0

                    """
                plan.append((block, command))
            }
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = ["-c", script]
        process.currentDirectoryURL = URL(fileURLWithPath: work)
        var environment = ProcessInfo.processInfo.environment
        environment["GRANT_LEDGER"] = nil
        environment["GRANT_LEDGER_PASSPHRASE"] = nil
        // What verify remembers (docs/PROOFS.md §10) stays in this document's directory: every document rebuilds a
        // demo of the same origin, which the user's own history would rightly refuse.
        environment["GRANT_LEDGER_STATE_DIR"] = work + "/.verifier-state"
        let binaries = URL(fileURLWithPath: CLIRunner.binary).deletingLastPathComponent().path
        environment["PATH"] = binaries + ":" + (environment["PATH"] ?? "/usr/bin:/bin")
        process.environment = environment
        process.standardInput = FileHandle.nullDevice
        _ = fm.createFile(atPath: captures + "/shell.err", contents: nil)
        process.standardOutput = FileHandle.nullDevice
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: captures + "/shell.err"))
        let finished = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in finished.signal() }
        try process.run()
        var timedOut = false
        if finished.wait(timeout: .now() + Self.timeout) == .timedOut {
            timedOut = true
            process.terminate()
            finished.wait()
        }

        func read(_ name: String) -> String {
            (try? String(contentsOfFile: captures + "/" + name, encoding: .utf8)) ?? ""
        }
        var failure: String?
        var passed = 0
        for (index, item) in plan.enumerated() {
            let place = "\(document.path), block at line \(item.block.line), command at line \(item.command.line)"
            guard let status = Int32(read("\(index).status").trimmingCharacters(in: .whitespacesAndNewlines)) else {
                let why =
                    timedOut
                    ? "did not finish within \(Int(Self.timeout)) s"
                    : "was not run by the shell: \(read("shell.err").trimmingCharacters(in: .whitespacesAndNewlines))"
                failure = Self.describe(
                    place + " " + why, item, stdout: read("\(index).out"), stderr: read("\(index).err"))
                break
            }
            let stdout = read("\(index).out"), stderr = read("\(index).err")
            if status != 0 {
                failure = Self.describe(place + " exited with status \(status)", item, stdout: stdout, stderr: stderr)
                break
            }
            if let missing = ShellDocument.firstMissing(item.command.expectedOutput, in: stdout) {
                failure = Self.describe(
                    place + ": its output has no line `\(missing)` (documented by `# → \(missing)`"
                        + (item.command.expectedOutput.count > 1 ? ", after the documented lines before it)" : ")"),
                    item, stdout: stdout, stderr: stderr)
                break
            }
            passed += 1
        }
        self.failure = failure
        commandsRun = passed
        blocksRun = Set(plan.map(\.block.line)).subtracting(plan[passed...].map(\.block.line)).count
    }

    static func describe(
        _ headline: String, _ item: (block: ShellDocument.Block, command: ShellDocument.Command), stdout: String,
        stderr: String
    ) -> String {
        let run = ShellDocument.asRun(item.command.text)
        return headline + ":\n" + indent(item.command.text)
            + (run == item.command.text ? "" : "\n  run as:\n" + indent(run))
            + "\n  stdout:\n" + indent(stdout) + "\n  stderr:\n" + indent(stderr)
            + "\n  the block:\n" + indent(item.block.text)
    }

    /// Indents text for a failure message, keeping its last 60 lines.
    static func indent(_ text: String) -> String {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let kept = lines.count > 60 ? ["… (\(lines.count - 60) lines before)"] + lines.suffix(60) : lines
        return kept.map { "    " + $0 }.joined(separator: "\n")
    }
}
