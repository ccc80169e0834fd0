@testable import GrantPublishing
import Testing

/// The site's pages are ``Markup``: text is escaped wherever it goes in (element content, attribute values, table
/// cells, chart labels), and only literals of our source are written as they are.
@Suite("Site markup: text escaped by default")
struct MarkupTests {
    /// Text that would open an element, leave an attribute value or start an entity if written as it is.
    static let hostile = "<script>alert(\"x\")</script> & 'q' >"
    static let escaped = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;q&#39; &gt;"

    @Test("text interpolated into element content or an attribute value comes out escaped")
    func interpolation() {
        let hostile = Self.hostile
        let link: Markup = "<a href=\"\(hostile)\" title='\(hostile)'>\(hostile)</a>"
        #expect(link.html == "<a href=\"\(Self.escaped)\" title='\(Self.escaped)'>\(Self.escaped)</a>")
        #expect(Markup(text: hostile).html == Self.escaped)
        var appended: Markup = "<p>"
        appended.append(text: hostile)
        appended += "</p>"
        #expect(appended.html == "<p>\(Self.escaped)</p>")
        // A string literal inside an interpolation is text too; integers are written in decimal.
        let literal: Markup = "\("<b>")\(Int64(-12))\(7)"
        #expect(literal.html == "&lt;b&gt;-127")
        // Markup goes in as it is, once: nothing is escaped twice.
        let nested: Markup = "<li>\(link)</li>"
        #expect(nested.html == "<li>" + link.html + "</li>")
        #expect([link, "<br/>", Markup(text: "&")].joined(separator: "\n").html == link.html + "\n<br/>\n&amp;")
    }

    @Test("a table escapes its caption, headers and text cells, and writes markup cells as they are")
    func table() {
        let hostile = Self.hostile
        let escaped = Self.escaped
        let table = HTML.table(
            caption: "Tableau \(hostile)", headers: ["Nom \(hostile)", "Montant"],
            rows: [["\(hostile)", HTML.euros(500_000)], ["<em>vu</em>", "\("<i>")"]], numeric: [1])
        let expected = """
            <div class="scroll" role="region" aria-label="Tableau \(escaped)" tabindex="0">
            <table>
            <caption>Tableau \(escaped)</caption>
            <thead><tr><th scope="col">Nom \(escaped)</th><th scope="col" class="num">Montant</th></tr></thead>
            <tbody>
            <tr><th scope="row">\(escaped)</th><td class="num">5\u{00A0}000,00\u{00A0}€</td></tr>
            <tr><th scope="row"><em>vu</em></th><td class="num">&lt;i&gt;</td></tr>
            </tbody>
            </table>
            </div>

            """
        #expect(table.html == expected)
    }

    @Test("chart titles, labels, values, ids and colours are escaped")
    func chart() {
        let hostile = Self.hostile
        let svg = BarChart.svg(
            id: hostile, title: hostile, bars: [.init(label: hostile, value: 1, text: hostile, color: hostile)]
        ).html
        #expect(!svg.contains("<script") && !svg.contains("'q'"))
        #expect(svg.contains("aria-labelledby=\"\(Self.escaped)\""))
        #expect(svg.contains("<title id=\"\(Self.escaped)\">\(Self.escaped)</title>"))
        #expect(svg.contains("class=\"label\">\(Self.escaped)</text>"))
        #expect(svg.contains("class=\"value\">\(Self.escaped.replacing(" ", with: "\u{00A0}"))</text>"))
        #expect(svg.contains("fill=\"\(Self.escaped)\"/>"))
    }

    @Test("a page built from typed parts is exactly the expected bytes, whatever its text")
    func page() {
        let site = SiteTests.site
        let hostile = Self.hostile
        var body: Markup = "<h1>\(hostile)</h1>\n"
        body += "<p>\(HTML.integer(1_234)) dossiers, <a href=\"\(hostile)\">\(hostile)</a></p>\n"
        body += HTML.table(caption: hostile, headers: [hostile], rows: [["\(hostile)"]])
        let page = site.page(path: "x.html", title: hostile, depth: 1, body: body).html
        let siteTitle = Markup(text: site.identity.title).html
        #expect(
            page.hasPrefix("<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"fr\" xml:lang=\"fr\">")
        )
        #expect(page.contains("\n<title>\(Self.escaped) — \(siteTitle)</title>\n"))
        #expect(page.contains("<li><a href=\"../index.html\">Vue d&#39;ensemble</a></li>"))
        let main = """
            <main id="contenu">
            <h1>\(Self.escaped)</h1>
            <p>1\u{00A0}234 dossiers, <a href="\(Self.escaped)">\(Self.escaped)</a></p>
            <div class="scroll" role="region" aria-label="\(Self.escaped)" tabindex="0">
            <table>
            <caption>\(Self.escaped)</caption>
            <thead><tr><th scope="col">\(Self.escaped)</th></tr></thead>
            <tbody>
            <tr><th scope="row">\(Self.escaped)</th></tr>
            </tbody>
            </table>
            </div>
            </main>
            """
        #expect(page.contains(main))
        #expect(!page.contains("<script") && !page.contains("'q'"))
        #expect(page.hasSuffix("</footer>\n</body>\n</html>\n"))
    }

    @Test("Markdown source text is escaped, in headings, tables, code and emphasis alike")
    func markdown() {
        let hostile = Self.hostile
        let html = Markdown.html(
            "# \(hostile)\n\n*\(hostile)* **\(hostile)** `\(hostile)`\n\n| \(hostile) |\n|---|\n| x |\n\n```\n\(hostile)\n```\n",
            links: [:]
        ).html
        #expect(html.contains("<h1>\(Self.escaped)</h1>"))
        #expect(html.contains("<code>\(Self.escaped)</code>"))
        #expect(html.contains("<th scope=\"col\">\(Self.escaped)</th>"))
        #expect(html.contains("<pre><code>\(Self.escaped)</code></pre>"))
        #expect(!html.contains("<script") && !html.contains("'q'"))
    }
}
