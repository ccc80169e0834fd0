import Foundation

/// The small subset of Markdown the project's documents use, rendered to ``Markup`` (so every piece of text is escaped):
/// headings, paragraphs, `-` and `1.` lists (with indented continuation lines), pipe tables, fenced code blocks,
/// and inline `code`, `**strong**` and `*emphasis*`. HTML in the source is never passed through: comments are dropped, anything
/// else is shown as text. A code span naming a published document (`docs/RULES.md`) links to its page; no other
/// link is made.
enum Markdown {
    /// The document as XHTML; heading levels never skip (a `###` after a `#` becomes `h2`).
    static func html(_ source: String, links: [String: String]) -> Markup {
        var out = Markup()
        var lines = source.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        lines = dropComments(lines)
        var index = 0
        var lastLevel = 0
        var paragraph: [String] = []
        func flush() {
            if !paragraph.isEmpty {
                out += "<p>" + inline(paragraph.joined(separator: " "), links: links) + "</p>\n"
                paragraph = []
            }
        }
        while index < lines.count {
            let line = lines[index]
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix("```") {
                flush()
                var code: [String] = []
                index += 1
                while index < lines.count, !lines[index].trimmingCharacters(in: .whitespaces).hasPrefix("```") {
                    code.append(lines[index])
                    index += 1
                }
                index += 1
                out += "<pre><code>\(code.joined(separator: "\n"))</code></pre>\n"
                continue
            }
            if trimmed.isEmpty {
                flush()
                index += 1
                continue
            }
            if let level = headingLevel(trimmed) {
                flush()
                let html = min(6, min(level, lastLevel + 1))
                lastLevel = html
                let text = trimmed.drop { $0 == "#" }.trimmingCharacters(in: .whitespaces)
                out += "<h\(html)>" + inline(text, links: links) + "</h\(html)>\n"
                index += 1
                continue
            }
            if trimmed.hasPrefix("|") {
                flush()
                var rows: [String] = []
                while index < lines.count, lines[index].trimmingCharacters(in: .whitespaces).hasPrefix("|") {
                    rows.append(lines[index].trimmingCharacters(in: .whitespaces))
                    index += 1
                }
                out += table(rows, links: links)
                continue
            }
            if let marker = listMarker(line) {
                flush()
                let ordered = marker.ordered
                var items: [String] = []
                while index < lines.count {
                    let current = lines[index]
                    if let m = listMarker(current), m.ordered == ordered {
                        items.append(String(current.dropFirst(m.length)))
                    } else if !items.isEmpty, current.hasPrefix("  "),
                        !current.trimmingCharacters(in: .whitespaces).isEmpty
                    {
                        items[items.count - 1] += " " + current.trimmingCharacters(in: .whitespaces)
                    } else {
                        break
                    }
                    index += 1
                }
                let tag: Markup = ordered ? "ol" : "ul"
                out += "<\(tag)>\n"
                for item in items { out += "<li>" + inline(item, links: links) + "</li>\n" }
                out += "</\(tag)>\n"
                continue
            }
            paragraph.append(trimmed)
            index += 1
        }
        flush()
        return out
    }

    /// Lines without `<!-- … -->` comments (which may span lines).
    static func dropComments(_ lines: [String]) -> [String] {
        var out: [String] = []
        var inComment = false
        for line in lines {
            var rest = Substring(line)
            var kept = ""
            while !rest.isEmpty {
                if inComment {
                    guard let end = rest.range(of: "-->") else {
                        rest = ""
                        break
                    }
                    rest = rest[end.upperBound...]
                    inComment = false
                } else if let start = rest.range(of: "<!--") {
                    kept += rest[..<start.lowerBound]
                    rest = rest[start.upperBound...]
                    inComment = true
                } else {
                    kept += rest
                    rest = ""
                }
            }
            // A line that was only a comment disappears (it must not end a paragraph or a list).
            if kept.trimmingCharacters(in: .whitespaces).isEmpty && line.contains("<!--") { continue }
            out.append(kept)
        }
        return out
    }

    static func headingLevel(_ line: String) -> Int? {
        let hashes = line.prefix { $0 == "#" }.count
        guard (1...6).contains(hashes), line.dropFirst(hashes).first == " " else { return nil }
        return hashes
    }

    static func listMarker(_ line: String) -> (ordered: Bool, length: Int)? {
        if line.hasPrefix("- ") || line.hasPrefix("* ") { return (false, 2) }
        let digits = line.prefix { $0.isASCII && $0.isNumber }.count
        if digits > 0, line.dropFirst(digits).hasPrefix(". ") { return (true, digits + 2) }
        return nil
    }

    /// Cells of a `| a | b |` row; a `|` inside a code span or escaped as `\|` does not split.
    static func cells(_ row: String) -> [String] {
        var cells: [String] = []
        var current = ""
        var inCode = false
        var escaped = false
        for c in row.dropFirst() {
            if escaped {
                current.append(c)
                escaped = false
            } else if c == "\\" && !inCode {
                escaped = true
            } else if c == "`" {
                inCode.toggle()
                current.append(c)
            } else if c == "|" && !inCode {
                cells.append(current.trimmingCharacters(in: .whitespaces))
                current = ""
            } else {
                current.append(c)
            }
        }
        if !current.trimmingCharacters(in: .whitespaces).isEmpty {
            cells.append(current.trimmingCharacters(in: .whitespaces))
        }
        return cells
    }

    static func table(_ rows: [String], links: [String: String]) -> Markup {
        guard rows.count >= 2 else { return "<p>" + inline(rows.first ?? "", links: links) + "</p>\n" }
        let header = cells(rows[0])
        let body = rows.dropFirst(2).map { cells($0) }
        var out: Markup =
            "<div class=\"scroll\" role=\"region\" aria-label=\"Tableau\" tabindex=\"0\">\n<table>\n<thead><tr>"
        for cell in header { out += "<th scope=\"col\">" + inline(cell, links: links) + "</th>" }
        out += "</tr></thead>\n<tbody>\n"
        for row in body {
            out += "<tr>"
            for column in 0..<header.count {
                out += "<td>" + inline(column < row.count ? row[column] : "", links: links) + "</td>"
            }
            out += "</tr>\n"
        }
        return out + "</tbody>\n</table>\n</div>\n"
    }

    /// Inline code, strong, emphasis, and the names of the published documents as links; all text escaped.
    static func inline(_ text: String, links: [String: String]) -> Markup {
        var out = Markup()
        var rest = Substring(text)
        while let tick = rest.firstIndex(of: "`") {
            out += emphasis(String(rest[..<tick]), links: links)
            let after = rest[rest.index(after: tick)...]
            guard let close = after.firstIndex(of: "`") else {
                out.append(text: String(rest[tick...]))
                return out
            }
            let code = String(after[..<close])
            let target = links[code.split(separator: "#").first.map(String.init) ?? code]
            out +=
                target.map { "<a href=\"\($0)\"><code>\(code)</code></a>" } ?? "<code>\(code)</code>"
            rest = after[after.index(after: close)...]
        }
        return out + emphasis(String(rest), links: links)
    }

    /// `**strong**`, then ``plain(_:links:)``.
    static func emphasis(_ text: String, links: [String: String]) -> Markup {
        var out = Markup()
        var rest = Substring(text)
        while let open = rest.range(of: "**") {
            guard let close = rest[open.upperBound...].range(of: "**") else { break }
            out += plain(String(rest[..<open.lowerBound]), links: links)
            out += "<strong>" + plain(String(rest[open.upperBound..<close.lowerBound]), links: links) + "</strong>"
            rest = rest[close.upperBound...]
        }
        return out + plain(String(rest), links: links)
    }

    /// Escaped text with `*emphasis*` (an asterisk before a non-space and one after a non-space).
    static func plain(_ text: String, links: [String: String]) -> Markup {
        var out = Markup()
        var rest = Substring(text)
        while let open = rest.firstIndex(of: "*") {
            let after = rest[rest.index(after: open)...]
            guard let first = after.first, first != " ", first != "*",
                let close = after.firstIndex(where: { $0 == "*" }),
                after[after.index(before: close)] != " "
            else { break }
            out += "\(String(rest[..<open]))<em>\(String(after[..<close]))</em>"
            rest = after[after.index(after: close)...]
        }
        return out + Markup(text: String(rest))
    }
}
