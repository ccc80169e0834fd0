/// A document of `docs/` published as a page of the site, so the site's references to the rules, the format
/// and the proofs lead somewhere a reader can follow (the Markdown is embedded in the library at build time).
struct SiteDocument: Sendable {
    let name: String
    let title: String
    let bytes: [UInt8]

    /// The page, relative to the site root.
    var path: String { "documentation/\(name.lowercased()).html" }

    static let rules = SiteDocument(name: "RULES", title: "Les règles des décisions", bytes: PackageResources.RULES_md)
    static let format = SiteDocument(name: "FORMAT", title: "Le format du journal", bytes: PackageResources.FORMAT_md)
    static let proofs = SiteDocument(name: "PROOFS", title: "Les preuves", bytes: PackageResources.PROOFS_md)
    static let publishing = SiteDocument(
        name: "PUBLISHING", title: "Les chiffres publiés et leurs définitions", bytes: PackageResources.PUBLISHING_md)

    static let all = [rules, format, proofs, publishing]

    /// Code spans naming a document (`docs/RULES.md`, `RULES.md`) → its page, from a page `depth` folders deep.
    static func links(depth: Int) -> [String: String] {
        let root = String(repeating: "../", count: depth)
        var links: [String: String] = [:]
        for document in all {
            links["docs/\(document.name).md"] = root + document.path
            links["\(document.name).md"] = root + document.path
        }
        return links
    }
}

extension SiteBuilder {
    func documentPage(_ document: SiteDocument) -> Markup {
        var body: Markup =
            "<p class=\"note\">\(document.title) : le document de référence <code>docs/\(document.name).md</code> du logiciel GrantLedger, en anglais, tel qu'il accompagne la version qui a produit ce site.</p>\n"
        body += "<div lang=\"en\" xml:lang=\"en\">\n"
        body += Markdown.html(String(decoding: document.bytes, as: UTF8.self), links: SiteDocument.links(depth: 1))
        body += "</div>\n"
        return page(path: document.path, title: document.title, depth: 1, body: body)
    }
}
