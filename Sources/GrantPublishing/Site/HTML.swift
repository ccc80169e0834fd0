import GrantDomain
import LedgerCore

/// A fragment of the site's XHTML, safe by construction: text is escaped on its way in, so no page, cell or
/// attribute can carry unescaped text by mistake.
///
/// A `Markup` is made only of
/// - string literals of our own source, trusted as markup: `"<h2>Budget</h2>\n"`. Their type is `StaticString`, so
///   a `String` computed at run time can never become one;
/// - text (`String`), escaped for element content and attribute values alike (`&`, `<`, `>`, `"`, `'`) when it
///   is interpolated, appended with ``append(text:)``, or wrapped with ``init(text:)``;
/// - integers, written in decimal;
/// - other `Markup` values, inserted as they are.
///
/// ```swift
/// let link: Markup = "<a href=\"\(path)\">\(title)</a>"   // path and title are Strings: both escaped
/// var body: Markup = "<h1>\(title)</h1>\n"
/// body += link + "<br/>\n"
/// ```
///
/// A string literal interpolated into a `Markup` is text like any `String` (escaped); a literal meant as markup
/// inside an interpolation must say so by its type (`let note: Markup = granted ? "<em>oui</em>" : "non"`).
/// There is no initializer from a run-time `String` that does not escape it: the Markdown documents and the
/// charts are built from literals and escaped text like every page.
struct Markup: Sendable, Equatable, ExpressibleByStringInterpolation {
    /// The XHTML as UTF-8, ready to be written: a page goes to its file without a copy, and a literal goes in
    /// without an intermediate `String`.
    private(set) var bytes: [UInt8]

    /// The XHTML.
    var html: String { String(decoding: bytes, as: UTF8.self) }

    /// Nothing.
    init() { bytes = [] }

    /// `text`, escaped.
    init(text: String) {
        bytes = []
        bytes.append(escaping: text)
    }

    /// Trusted markup: a literal of our source.
    init(stringLiteral literal: StaticString) {
        bytes = []
        bytes.append(literal)
    }

    init(stringInterpolation: StringInterpolation) { bytes = stringInterpolation.bytes }

    /// `text`, escaped, its spaces made no-break spaces (U+00A0): escaping adds no space, so they are the text's.
    init(noBreakText text: String) {
        var escaped: [UInt8] = []
        escaped.append(escaping: text)
        bytes = []
        bytes.reserveCapacity(escaped.count + 8)
        for byte in escaped {
            if byte == 0x20 {
                bytes.append(0xC2)
                bytes.append(0xA0)
            } else {
                bytes.append(byte)
            }
        }
    }

    /// Appends `text`, escaped.
    mutating func append(text: String) { bytes.append(escaping: text) }

    static func + (lhs: Markup, rhs: Markup) -> Markup {
        var sum = lhs
        sum.bytes += rhs.bytes
        return sum
    }

    static func += (lhs: inout Markup, rhs: Markup) { lhs.bytes += rhs.bytes }

    /// Literal segments go in as they are; interpolated `String`s are escaped, integers written in decimal and
    /// `Markup` values inserted as they are. Values of any other type do not compile.
    struct StringInterpolation: StringInterpolationProtocol {
        fileprivate var bytes: [UInt8] = []

        init(literalCapacity: Int, interpolationCount: Int) {
            bytes.reserveCapacity(literalCapacity + 16 * interpolationCount)
        }

        mutating func appendLiteral(_ literal: StaticString) { bytes.append(literal) }

        /// Text, escaped.
        mutating func appendInterpolation(_ text: String) { bytes.append(escaping: text) }

        mutating func appendInterpolation(_ markup: Markup) { bytes += markup.bytes }

        mutating func appendInterpolation(_ value: some BinaryInteger) { bytes += String(value).utf8 }
    }
}

extension [UInt8] {
    /// Appends the UTF-8 of a literal of our source.
    fileprivate mutating func append(_ literal: StaticString) {
        literal.withUTF8Buffer { append(contentsOf: $0) }
    }

    /// Appends `text` escaped for XHTML element content and attribute values. The five characters escaped are
    /// ASCII, and no byte of a multi-byte UTF-8 sequence is ASCII, so escaping byte by byte is escaping character
    /// by character.
    fileprivate mutating func append(escaping text: String) {
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "&"): append(contentsOf: "&amp;".utf8)
            case UInt8(ascii: "<"): append(contentsOf: "&lt;".utf8)
            case UInt8(ascii: ">"): append(contentsOf: "&gt;".utf8)
            case UInt8(ascii: "\""): append(contentsOf: "&quot;".utf8)
            case UInt8(ascii: "'"): append(contentsOf: "&#39;".utf8)
            default: append(byte)
            }
        }
    }
}

extension DefaultStringInterpolation {
    /// A ``Markup`` interpolated into a plain `String` is almost certainly a mistake (the `String` would be escaped
    /// again on its way into a page): this overload, chosen before the generic one, makes it a compiler warning.
    @available(*, deprecated, message: "Markup in a String: build a Markup instead")
    mutating func appendInterpolation(_ markup: Markup) { appendLiteral(markup.html) }
}

extension Sequence where Element == Markup {
    /// The fragments one after the other, `separator` between them.
    func joined(separator: Markup = Markup()) -> Markup {
        var out = Markup()
        for (index, fragment) in enumerated() {
            if index > 0 { out += separator }
            out += fragment
        }
        return out
    }
}

/// Helpers for the site's pages: well-formed XHTML5 (so any XML parser can check it), escaped text, French
/// figures that do not break across lines.
enum HTML {
    /// Spaces inside a figure become no-break spaces, so `5 000,00 €` stays on one line.
    static func figure(_ text: String) -> Markup {
        Markup(noBreakText: text)
    }

    static func euros(_ cents: Int64) -> Markup { figure(FrenchFormat.euros(cents)) }
    static func integer(_ value: Int64) -> Markup { figure(FrenchFormat.integer(value)) }

    /// A data table: caption, header row, body rows (a text cell is `"\(text)"`: escaped); `numeric` columns align
    /// right.
    static func table(
        caption: String, headers: [String], rows: [[Markup]], numeric: Set<Int> = [],
        rowHeaders: Bool = true
    ) -> Markup {
        table(caption: caption, headers: headers, items: rows, numeric: numeric, rowHeaders: rowHeaders) { $0 }
    }

    /// The table of ``table(caption:headers:rows:numeric:rowHeaders:)`` with a row per item of `items`, each made
    /// by `row` when its turn comes: a table of tens of thousands of rows holds one row's cells at a time.
    static func table<Items: Sequence>(
        caption: String, headers: [String], items: Items, numeric: Set<Int> = [], rowHeaders: Bool = true,
        row cells: (Items.Element) -> [Markup]
    ) -> Markup {
        var out = tableOpening(caption: caption, headers: headers, numeric: numeric)
        out += tableRows(items, numeric: numeric, rowHeaders: rowHeaders, row: cells)
        return out + tableClosing
    }

    /// What comes before a table's body rows (``table(caption:headers:items:numeric:rowHeaders:row:)`` in parts).
    static func tableOpening(caption: String, headers: [String], numeric: Set<Int> = []) -> Markup {
        // A labelled, focusable scroll container: a wide table scrolls inside it, never the page (WCAG 1.4.10).
        var out: Markup = "<div class=\"scroll\" role=\"region\" aria-label=\"\(caption)\" tabindex=\"0\">\n"
        out += "<table>\n<caption>\(caption)</caption>\n<thead><tr>"
        for (index, header) in headers.enumerated() {
            out += "<th scope=\"col\"\(numericClass(index, numeric))>\(header)</th>"
        }
        out += "</tr></thead>\n<tbody>\n"
        return out
    }

    /// Body rows of a table: one per item for which `row` gives cells.
    static func tableRows<Items: Sequence>(
        _ items: Items, numeric: Set<Int> = [], rowHeaders: Bool = true, row cells: (Items.Element) -> [Markup]?
    ) -> Markup {
        var out = Markup()
        for item in items {
            guard let row = cells(item) else { continue }
            out += "<tr>"
            for (index, cell) in row.enumerated() {
                if index == 0 && rowHeaders {
                    out += "<th scope=\"row\"\(numericClass(index, numeric))>\(cell)</th>"
                } else {
                    out += "<td\(numericClass(index, numeric))>\(cell)</td>"
                }
            }
            out += "</tr>\n"
        }
        return out
    }

    /// What comes after a table's body rows.
    static let tableClosing: Markup = "</tbody>\n</table>\n</div>\n"

    private static func numericClass(_ index: Int, _ numeric: Set<Int>) -> Markup {
        numeric.contains(index) ? " class=\"num\"" : Markup()
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
    static func svg(id: String, title: String, scale: Int64? = nil, bars: [Bar]) -> Markup {
        let height = max(1, bars.count) * rowHeight + 4
        let maximum = max(1, scale ?? 0, bars.map(\.value).max() ?? 1)
        var out: Markup =
            "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" role=\"img\" aria-labelledby=\"\(id)\" "
        out += "width=\"100%\" height=\"\(height)\">\n"
        out += "<title id=\"\(id)\">\(title)</title>\n"
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
            out += "<text x=\"0\" y=\"\(y + 16)\" class=\"label\">\(bar.label)</text>\n"
            out += "<text x=\"0\" y=\"\(y + 35)\" class=\"value\">\(HTML.figure(bar.text))</text>\n"
            out +=
                "<rect x=\"0\" y=\"\(y + 42)\" width=\"\(permille / 10).\(permille % 10)%\" height=\"12\" fill=\"\(bar.color)\"/>\n"
        }
        return out + "</svg>\n"
    }
}
