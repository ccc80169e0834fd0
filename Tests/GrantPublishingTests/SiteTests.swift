import Foundation
import GrantDomain
import GrantPublishing
import Testing
import GrantLedgerTestSupport
import LedgerCore

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// Collects links, ids and the structure of one XHTML page while XMLParser checks it is well-formed.
final class PageInspector: NSObject, XMLParserDelegate {
    var links: [String] = []
    var ids: [String] = []
    var rootLang: String?
    var elements: [String: Int] = [:]
    var headings: [Int] = []
    /// `svg`, `table` and `h2` in document order.
    var sequence: [String] = []

    /// True when every chart is followed by a data table before the next section.
    var everyChartHasATable: Bool {
        var pendingChart = false
        for name in sequence {
            switch name {
            case "svg": pendingChart = true
            case "table": pendingChart = false
            default: if pendingChart { return false }
            }
        }
        return !pendingChart
    }

    func parser(
        _ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
        attributes: [String: String] = [:]
    ) {
        elements[name, default: 0] += 1
        if ["svg", "table", "h2"].contains(name) { sequence.append(name) }
        if name == "html" { rootLang = attributes["lang"] }
        if name.count == 2, name.hasPrefix("h"), let level = Int(name.dropFirst()) { headings.append(level) }
        for key in ["href", "src"] { if let link = attributes[key] { links.append(link) } }
        if let id = attributes["id"] { ids.append(id) }
    }
}

@Suite("Static site")
struct SiteTests {
    static let site: SiteBuilder = try! SiteBuilder(
        snapshot: DemoFixture.snapshot, identifiers: DemoFixture.identifiers,
        identifiersFile: Array(DemoFixture.identifiersCSV.utf8), ledgerDirectory: DemoFixture.directory)

    var pages: [String] { Self.site.files.keys.filter { $0.hasSuffix(".html") }.sorted() }

    @Test("the expected pages and downloads exist")
    func layout() throws {
        let files = Self.site.files
        for path in [
            "index.html", "projets.html", "telechargements.html", "verifier.html", "donnees/ledger.jsonl",
            "donnees/subventions.csv", "donnees/statistiques.json", "donnees/statistiques.csv",
            "appels/15-2021-01.html", "appels/33-2021-01.html", "appels/59-2021-01.html",
            "departements/15.html", "departements/33.html", "departements/59.html",
        ] {
            #expect(files[path] != nil, "\(path)")
        }
        #expect(try files["donnees/ledger.jsonl"] == DemoFixture.snapshot.readLog())
    }

    @Test("every page is well-formed XHTML in French, with one h1, and every chart has a table")
    func wellFormed() throws {
        for path in pages {
            let parser = XMLParser(data: Data(Self.site.files[path]!))
            let inspector = PageInspector()
            parser.delegate = inspector
            #expect(parser.parse(), "\(path): \(parser.parserError.map { "\($0)" } ?? "") line \(parser.lineNumber)")
            #expect(inspector.rootLang == "fr", "\(path)")
            #expect(inspector.headings.filter { $0 == 1 }.count == 1, "\(path)")
            #expect(
                zip(inspector.headings, inspector.headings.dropFirst()).allSatisfy { $1 <= $0 + 1 },
                "\(path): heading levels skip")
            #expect(inspector.everyChartHasATable, "\(path): a chart without its data table")
            #expect(inspector.elements["script"] == nil, "\(path)")
            #expect(Set(inspector.ids).count == inspector.ids.count, "\(path): duplicate id")
        }
    }

    @Test("every link points to a file of the site; nothing external")
    func links() throws {
        for path in pages {
            let parser = XMLParser(data: Data(Self.site.files[path]!))
            let inspector = PageInspector()
            parser.delegate = inspector
            _ = parser.parse()
            let base = path.split(separator: "/").dropLast().map(String.init)
            for link in inspector.links {
                #expect(!link.contains("://") && !link.hasPrefix("//"), "\(path) links outside: \(link)")
                if link.hasPrefix("#") {
                    #expect(inspector.ids.contains(String(link.dropFirst())), "\(path): no anchor \(link)")
                    continue
                }
                var parts = base
                for component in link.split(separator: "#").first!.split(separator: "/") {
                    if component == ".." {
                        _ = parts.popLast()
                    } else if component != "." {
                        parts.append(String(component))
                    }
                }
                let target = parts.joined(separator: "/")
                #expect(Self.site.files[target] != nil, "\(path) links to missing \(link)")
            }
        }
    }

    @Test("regenerating gives the same bytes")
    func deterministic() throws {
        let again = try SiteBuilder(
            snapshot: try LedgerSnapshot.verified(directory: DemoFixture.directory),
            identifiers: DemoFixture.identifiers, identifiersFile: Array(DemoFixture.identifiersCSV.utf8),
            ledgerDirectory: DemoFixture.directory)
        #expect(again.files == Self.site.files)
    }

    @Test("the site's figures are the statistics' and the SCDL file's")
    func agrees() throws {
        let stats = try FundingStatistics(snapshot: DemoFixture.snapshot, scope: StatsScope())
        #expect(Self.site.files["donnees/statistiques.json"] == Array(stats.render(.json).utf8))
        let scdl = try SCDLExport(snapshot: DemoFixture.snapshot, identifiers: DemoFixture.identifiers)
        #expect(Self.site.files["donnees/subventions.csv"] == Array(scdl.csv.utf8))
        let index = String(decoding: Self.site.files["index.html"]!, as: UTF8.self)
        let nbsp = { (s: String) in s.replacing(" ", with: "\u{00A0}") }
        #expect(index.contains(nbsp(FrenchFormat.euros(stats.total.committedCents))))
        #expect(index.contains(nbsp(FrenchFormat.euros(stats.total.paidCents))))
        #expect(index.contains(DemoFixture.snapshot.identity.rootHash))
        let projects = String(decoding: Self.site.files["projets.html"]!, as: UTF8.self)
        #expect(projects.components(separatedBy: "<tr>").count - 2 == Int(stats.total.granted))
    }

    @Test("no personal data: providers appear nowhere")
    func noProvider() {
        for (path, bytes) in Self.site.files
        where path.hasSuffix(".html") || path.hasSuffix(".csv") && !path.contains("statistiques") {
            let text = String(decoding: bytes, as: UTF8.self)
            for app in DemoFixture.snapshot.state.applications.values {
                #expect(!text.contains(app.application.provider.name), "\(path)")
            }
        }
    }

    @Test(
        "tidy finds no error, when it is installed",
        .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/tidy")))
    func tidy() throws {
        let directory = TestDirectory.path("grantledger-site")
        try SiteBuilder.write(Self.site.files, to: directory)
        for path in pages {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/tidy")
            process.arguments = ["-errors", "-q", "-xml", directory + "/" + path]
            let errors = Pipe()
            process.standardError = errors
            process.standardOutput = FileHandle.nullDevice
            try process.run()
            let output = errors.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            #expect(process.terminationStatus == 0, "\(path): \(String(decoding: output, as: UTF8.self))")
        }
        // A second write replaces the previous site; another directory is refused.
        try SiteBuilder.write(Self.site.files, to: directory)
        #expect(throws: PublishingError.self) { try SiteBuilder.write(Self.site.files, to: DemoFixture.directory) }
    }
}
