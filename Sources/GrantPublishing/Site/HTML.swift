import GrantDomain

/// Helpers for the site's pages: well-formed XHTML5 (so any XML parser can check it), escaped text, French
/// figures that do not break across lines.
enum HTML {
    /// Escapes text for element content and attribute values.
    static func esc(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for c in text.unicodeScalars {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }

    /// Spaces inside a figure become no-break spaces, so `5 000,00 €` stays on one line.
    static func figure(_ text: String) -> String {
        esc(text.replacing(" ", with: "\u{00A0}"))
    }

    static func euros(_ cents: Int64) -> String { figure(FrenchFormat.euros(cents)) }
    static func integer(_ value: Int64) -> String { figure(FrenchFormat.integer(value)) }

    /// A data table: caption, header row, body rows (cells already escaped); `numeric` columns align right.
    static func table(
        caption: String, headers: [String], rows: [[String]], numeric: Set<Int> = [], rowHeaders: Bool = true
    )
        -> String
    {
        // A labelled, focusable scroll container: a wide table scrolls inside it, never the page (WCAG 1.4.10).
        var out = "<div class=\"scroll\" role=\"region\" aria-label=\"\(esc(caption))\" tabindex=\"0\">\n"
        out += "<table>\n<caption>\(esc(caption))</caption>\n<thead><tr>"
        for (index, header) in headers.enumerated() {
            out += "<th scope=\"col\"\(numeric.contains(index) ? " class=\"num\"" : "")>\(esc(header))</th>"
        }
        out += "</tr></thead>\n<tbody>\n"
        for row in rows {
            out += "<tr>"
            for (index, cell) in row.enumerated() {
                let cls = numeric.contains(index) ? " class=\"num\"" : ""
                if index == 0 && rowHeaders {
                    out += "<th scope=\"row\"\(cls)>\(cell)</th>"
                } else {
                    out += "<td\(cls)>\(cell)</td>"
                }
            }
            out += "</tr>\n"
        }
        return out + "</tbody>\n</table>\n</div>\n"
    }

    /// A file name from an identifier: letters, digits, `.`, `_`, `-`; anything else becomes `-`.
    static func fileName(_ id: String) -> String {
        let safe = String(
            id.unicodeScalars.map { c -> Character in
                let v = c.value
                let ok =
                    (v >= 0x30 && v <= 0x39) || (v >= 0x41 && v <= 0x5A) || (v >= 0x61 && v <= 0x7A) || c == "_"
                    || c == "-" || c == "."
                return ok ? Character(c) : "-"
            })
        return safe.hasPrefix(".") ? "_" + safe : safe
    }
}

/// Horizontal bar charts as inline SVG in CSS pixels (no `viewBox`, so text is never scaled down): each bar has
/// its label on a first line, its value on a second, and the bar below, as long as a share of the chart's width;
/// so nothing overflows a phone's width and text renders at its set size (14 px). Colours have at least 4.5:1
/// contrast on white.
enum BarChart {
    struct Bar {
        let label: String
        let value: Int64
        let text: String
        var color: String = BarChart.blue
    }

    static let blue = "#000091"
    static let green = "#18753c"
    static let grey = "#595959"

    static let rowHeight = 60

    /// An SVG with one bar per item; `id` names its title for `aria-labelledby`.
    /// `scale` is the value of a full-length bar (default: the largest bar), so charts side by side compare.
    static func svg(id: String, title: String, scale: Int64? = nil, bars: [Bar]) -> String {
        let height = max(1, bars.count) * rowHeight + 4
        let maximum = max(1, scale ?? 0, bars.map(\.value).max() ?? 1)
        var out = "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" role=\"img\" aria-labelledby=\"\(id)\" "
        out += "width=\"100%\" height=\"\(height)\">\n"
        out += "<title id=\"\(id)\">\(HTML.esc(title))</title>\n"
        for (index, bar) in bars.enumerated() {
            let y = index * rowHeight
            // Tenths of a percent of the width, 1000 × value ÷ maximum in 128 bits: value ≤ maximum, so the
            // quotient fits, whatever the amounts.
            let permille =
                bar.value <= 0
                ? 0
                : max(
                    3,
                    Int(
                        maximum.dividingFullWidth(Int64(1000).multipliedFullWidth(by: min(bar.value, maximum)))
                            .quotient))
            out += "<text x=\"0\" y=\(q(y + 16)) class=\"label\">\(HTML.esc(bar.label))</text>\n"
            out += "<text x=\"0\" y=\(q(y + 35)) class=\"value\">\(HTML.figure(bar.text))</text>\n"
            out +=
                "<rect x=\"0\" y=\(q(y + 42)) width=\"\(permille / 10).\(permille % 10)%\" height=\"12\" fill=\"\(bar.color)\"/>\n"
        }
        return out + "</svg>\n"
    }

    private static func q(_ value: Int) -> String { "\"\(value)\"" }
}
