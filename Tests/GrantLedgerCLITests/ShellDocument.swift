import Foundation

/// The shell blocks of a Markdown document, read with the conventions of the documentation test (README,
/// « Documentation that runs »).
///
/// - A block fenced with ` ```sh ` is run; its commands are its lines that are neither blank nor comments, with
///   their continuation lines (ending in `\`) and here-documents (`<<'PY'` … `PY`).
/// - A comment line `# → TEXT` after a command documents a line of that command's standard output; `…` in TEXT
///   stands for any text within the line.
/// - `<!-- not run: REASON -->` on the line before a block skips it; the reason is mandatory.
/// - `<!-- doc test setup: grant-ledger demo -->` anywhere in a document starts its directory with the demo
///   ledger in `events/`, as that command leaves it.
struct ShellDocument {
    struct Command {
        /// The line of the document where the command starts (1-based).
        let line: Int
        /// The command as written, on one line or more.
        let text: String
        /// The `# →` lines after it: lines its standard output must hold, in this order.
        var expectedOutput: [String]
    }

    struct Block {
        /// The line of the opening fence (1-based).
        let line: Int
        /// The block's content, as written.
        let text: String
        /// Why the block is not run, from `<!-- not run: … -->`; nil for a block that runs.
        let notRunReason: String?
        let commands: [Command]
    }

    struct SyntaxError: Error, CustomStringConvertible {
        let path: String
        let line: Int
        let message: String
        var description: String { "\(path):\(line): \(message)" }

        static func misplacedNotRun(_ path: String, _ line: Int) -> SyntaxError {
            SyntaxError(path: path, line: line, message: "`<!-- not run: … -->` must come right before a ```sh block")
        }
    }

    /// The only setup a document may ask for.
    static let demoSetup = "grant-ledger demo"
    /// Other spellings of a shell fence, refused so that no shell block is silently left out.
    static let otherShellFences: Set<String> = ["bash", "shell", "console", "zsh", "shell-session", "sh-session"]

    let path: String
    let blocks: [Block]
    /// Whether the document starts from the demo ledger (`<!-- doc test setup: grant-ledger demo -->`).
    let startsFromDemo: Bool

    init(path: String, markdown: String) throws(SyntaxError) {
        self.path = path
        let lines = markdown.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var blocks: [Block] = []
        var startsFromDemo = false
        var notRun: (reason: String, line: Int)?
        var index = 0
        while index < lines.count {
            let trimmed = lines[index].trimmingCharacters(in: .whitespaces)
            let number = index + 1
            if let directive = Self.directive(trimmed) {
                switch directive {
                case .notRun(let reason):
                    guard !reason.isEmpty else {
                        throw SyntaxError(path: path, line: number, message: "`<!-- not run: … -->` needs a reason")
                    }
                    notRun = (reason, number)
                case .setup(let command):
                    guard command == Self.demoSetup else {
                        throw SyntaxError(
                            path: path, line: number,
                            message: "the only doc test setup is `\(Self.demoSetup)`, not `\(command)`")
                    }
                    startsFromDemo = true
                }
                index += 1
                continue
            }
            if trimmed.hasPrefix("```") {
                let info = trimmed.dropFirst(3).trimmingCharacters(in: .whitespaces)
                let indent = lines[index].prefix { $0 == " " }.count
                guard
                    let close = lines[(index + 1)...].firstIndex(where: {
                        $0.trimmingCharacters(in: .whitespaces) == "```"
                    })
                else { throw SyntaxError(path: path, line: number, message: "this ``` block is never closed") }
                let content = lines[(index + 1)..<close].map { line in
                    String(line.dropFirst(min(indent, line.prefix { $0 == " " }.count)))
                }
                if Self.otherShellFences.contains(info) {
                    throw SyntaxError(
                        path: path, line: number,
                        message: "write ```sh, not ```\(info), so that the doc test runs the block (or says why not)")
                }
                if info == "sh" {
                    let commands = try Self.commands(content, firstLine: number + 1, path: path)
                    if notRun == nil, let command = commands.first(where: { Self.runsSwift(Self.asRun($0.text)) }) {
                        throw SyntaxError(
                            path: path, line: command.line,
                            message:
                                "this block runs swift itself (a build or the tests): mark it `<!-- not run: … -->`")
                    }
                    blocks.append(
                        Block(
                            line: number, text: content.joined(separator: "\n"), notRunReason: notRun?.reason,
                            commands: commands))
                } else if let notRun {
                    throw .misplacedNotRun(path, notRun.line)
                }
                notRun = nil
                index = close + 1
                continue
            }
            if let notRun, !trimmed.isEmpty { throw .misplacedNotRun(path, notRun.line) }
            index += 1
        }
        if let notRun { throw .misplacedNotRun(path, notRun.line) }
        self.blocks = blocks
        self.startsFromDemo = startsFromDemo
    }

    enum Directive: Equatable {
        case notRun(String)
        case setup(String)
    }

    /// Reads `<!-- not run: REASON -->` and `<!-- doc test setup: COMMAND -->`; other comments are not directives.
    static func directive(_ line: String) -> Directive? {
        guard line.hasPrefix("<!--"), line.hasSuffix("-->"), line.count >= 7 else { return nil }
        let inner = line.dropFirst(4).dropLast(3).trimmingCharacters(in: .whitespaces)
        for (name, make) in [("not run", Directive.notRun), ("doc test setup", Directive.setup)]
        where inner.lowercased().hasPrefix(name) {
            let rest = inner.dropFirst(name.count)
            guard rest.hasPrefix(":") else { return make("") }
            return make(rest.dropFirst().trimmingCharacters(in: .whitespaces))
        }
        return nil
    }

    /// The documented output line of a comment line `# → TEXT`, or nil for any other line.
    static func expectedOutput(_ line: String) -> String? {
        guard line.hasPrefix("#") else { return nil }
        let rest = line.dropFirst().drop { $0 == " " }
        guard rest.hasPrefix("→") else { return nil }
        let text = rest.dropFirst()
        return String(text.hasPrefix(" ") ? text.dropFirst() : text).trimmingTrailingWhitespace()
    }

    /// Splits a block's lines into commands: continuation lines and here-documents stay with their command;
    /// `# →` lines go to the command before them; other comments and blank lines are dropped.
    static func commands(_ lines: [String], firstLine: Int, path: String) throws(SyntaxError) -> [Command] {
        var commands: [Command] = []
        var index = 0
        while index < lines.count {
            let trimmed = lines[index].trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty {
                index += 1
                continue
            }
            if trimmed.hasPrefix("#") {
                if let expected = expectedOutput(trimmed) {
                    guard !commands.isEmpty else {
                        throw SyntaxError(
                            path: path, line: firstLine + index, message: "a `# →` line must follow a command")
                    }
                    commands[commands.count - 1].expectedOutput.append(expected)
                }
                index += 1
                continue
            }
            let start = index
            var text = [lines[index]]
            while text[text.count - 1].hasSuffix("\\"), index + 1 < lines.count {
                index += 1
                text.append(lines[index])
            }
            for delimiter in hereDocumentDelimiters(text.joined(separator: "\n")) {
                repeat {
                    index += 1
                    guard index < lines.count else {
                        throw SyntaxError(
                            path: path, line: firstLine + start,
                            message: "the here-document ends with no `\(delimiter)` line")
                    }
                    text.append(lines[index])
                } while lines[index].trimmingCharacters(in: .init(charactersIn: "\t")) != delimiter
            }
            commands.append(Command(line: firstLine + start, text: text.joined(separator: "\n"), expectedOutput: []))
            index += 1
        }
        return commands
    }

    /// The delimiters of the here-documents a command opens (`<<WORD`, `<<-WORD`, `<<'WORD'`, `<<"WORD"`), in
    /// order; `<<<` (a here-string) opens none.
    static func hereDocumentDelimiters(_ command: String) -> [String] {
        let characters = Array(command)
        var delimiters: [String] = []
        var index = 0
        while index + 1 < characters.count {
            guard characters[index] == "<", characters[index + 1] == "<",
                index == 0 || characters[index - 1] != "<"
            else {
                index += 1
                continue
            }
            var cursor = index + 2
            guard cursor >= characters.count || characters[cursor] != "<" else {
                index += 3
                continue
            }
            if cursor < characters.count, characters[cursor] == "-" { cursor += 1 }
            while cursor < characters.count, characters[cursor] == " " { cursor += 1 }
            if cursor < characters.count, characters[cursor] == "'" || characters[cursor] == "\"" { cursor += 1 }
            var word = ""
            while cursor < characters.count,
                characters[cursor].isLetter || characters[cursor].isNumber
                    || characters[cursor] == "_"
            {
                word.append(characters[cursor])
                cursor += 1
            }
            if !word.isEmpty { delimiters.append(word) }
            index = cursor
        }
        return delimiters
    }

    /// The command as the doc test runs it: `swift run grant-ledger` becomes `grant-ledger`, the binary the test
    /// built, first on `PATH`, so that a documented `swift run` line builds nothing.
    static func asRun(_ command: String) -> String {
        command.replacing(#/swift run grant-ledger(?=\s|\)|$)/#, with: "grant-ledger")
    }

    /// Whether a command runs `swift` (a build, the tests): the doc test cannot, since it runs inside them.
    static func runsSwift(_ command: String) -> Bool {
        command.split(separator: "\n").contains { $0.contains(#/(^|[;&|(`]\s*)swift(\s|$)/#) }
    }

    /// Whether an output line is what a `# →` line documents: equal, with `…` standing for any text.
    static func line(_ line: String, matches pattern: String) -> Bool {
        let line = line.trimmingTrailingWhitespace()
        let pieces = pattern.components(separatedBy: "…")
        guard pieces.count > 1 else { return line == pattern }
        guard line.hasPrefix(pieces[0]) else { return false }
        var rest = Substring(line).dropFirst(pieces[0].count)
        for piece in pieces.dropFirst().dropLast() {
            guard let found = rest.range(of: piece) else { return false }
            rest = rest[found.upperBound...]
        }
        return rest.hasSuffix(pieces[pieces.count - 1])
    }

    /// The first documented line that the output does not hold, in order, or nil when it holds them all.
    static func firstMissing(_ expected: [String], in output: String) -> String? {
        var lines = output.split(separator: "\n", omittingEmptySubsequences: false)[...]
        for pattern in expected {
            guard let found = lines.firstIndex(where: { line(String($0), matches: pattern) }) else { return pattern }
            lines = lines[(found + 1)...]
        }
        return nil
    }
}

extension String {
    func trimmingTrailingWhitespace() -> String {
        var text = Substring(self)
        while let last = text.last, last == " " || last == "\t" || last == "\r" { text = text.dropLast() }
        return String(text)
    }
}
