import Foundation
import GrantDomain
@testable import GrantPublishing
import LedgerCore
import Testing

@Suite("Static site: a page per decision, with its proof")
struct DecisionPageTests {
    static var site: SiteBuilder { SiteTests.site }
    static var state: GrantState { DemoFixture.snapshot.state }

    /// Text as the pages escape it.
    static func esc(_ text: String) -> String { text.replacing("'", with: "&#39;") }

    static func text(_ path: String) -> String? {
        site.files[path].map { String(decoding: $0, as: UTF8.self) }
    }

    @Test("every decision, granted or rejected, has its page, and only decisions do")
    func everyDecision() throws {
        let decided = Self.state.applications.values.filter { $0.decision != nil }
        #expect(decided.contains { $0.decision?.outcome == .rejected })
        let pages = Self.site.files.keys.filter { $0.hasPrefix("decisions/") }
        #expect(pages.count == decided.count)
        for app in decided {
            let page = try #require(Self.text("decisions/\(app.id).html"), "\(app.id)")
            #expect(page.contains(app.id))
            #expect(page.contains(Self.esc(app.application.applicant.name)))
            #expect(page.contains(app.decision!.callVersion), "\(app.id): the call version applied")
            for event in app.history { #expect(page.contains(event.hash), "\(app.id): entry \(event.seq)") }
            if let deviation = app.decision?.deviation {
                #expect(page.contains(Self.esc(deviation)), "\(app.id): the justification")
            }
            if let withdrawal = app.withdrawal {
                #expect(page.contains(Self.esc(withdrawal.reason)), "\(app.id): the reason")
            }
            for payment in app.payments { #expect(page.contains(payment.reference), "\(app.id)") }
            #expect(page.contains(Self.esc(app.decision!.motive.label)), "\(app.id): the motive in words")
            #expect(!page.contains(app.application.provider.name), "\(app.id): no provider")
            if app.score != nil { #expect(page.contains("Rang dans l'ordre de mérite"), "\(app.id)") }
        }
    }

    /// The figures the pages take from the per-call indexes built once (merit rank, amount committed before the
    /// decision) are those of the direct computation over every application of the call.
    @Test("merit ranks and amounts committed before each decision match the direct computation")
    func ranksAndCommitments() throws {
        let state = Self.state
        var checked = 0
        for app in state.applications.values {
            guard app.decision != nil, let weighted = app.weightedScore, let call = state.calls[app.application.callID]
            else { continue }
            let scores = call.applicationIDs.compactMap { state.applications[$0]?.weightedScore }
            let rank = scores.filter { $0 > weighted }.count + 1
            let page = try #require(Self.text("decisions/\(app.id).html"))
            #expect(
                page.contains(
                    "Rang dans l'ordre de mérite : \(HTML.integer(Int64(rank)).html) sur \(HTML.integer(Int64(scores.count)).html)"
                ),
                "\(app.id)")
            let decided = try #require(app.history.first { $0.type == GrantEventType.decisionRecorded })
            var committed: Int64 = 0
            for other in state.applications(ofCall: app.application.callID) {
                guard let decision = other.decision, decision.outcome == .granted,
                    let at = other.history.first(where: { $0.type == GrantEventType.decisionRecorded }),
                    at.seq < decided.seq
                else { continue }
                committed &+= decision.amountCents
                let withdrawn = other.history.first {
                    $0.seq > at.seq
                        && ($0.type == GrantEventType.decisionWithdrawn
                            || $0.type == GrantEventType.applicationWithdrawn)
                }
                if let withdrawn, withdrawn.seq < decided.seq {
                    committed &-= decision.amountCents &- other.payments.reduce(Int64(0)) { $0 &+ $1.amountCents }
                }
            }
            #expect(Self.site.committedBefore(decided.seq, callID: app.application.callID) == committed, "\(app.id)")
            checked += 1
        }
        #expect(checked > 20)
    }

    @Test("a withdrawn grant and a declared deviation are shown with their reasons")
    func withdrawalAndDeviation() {
        let apps = Self.state.applications.values
        #expect(apps.contains { $0.decision?.deviation != nil }, "the demo declares a deviation")
        #expect(
            apps.contains { $0.decision?.outcome == .granted && $0.withdrawal != nil }, "the demo withdraws a grant")
    }

    @Test("each list links every grant to its decision page")
    func listsLink() throws {
        let projects = try #require(Self.text("projets.html"))
        for app in Self.state.applications.values where app.decision?.outcome == .granted {
            #expect(projects.contains("href=\"decisions/\(app.id).html\""), "\(app.id)")
            let call = try #require(Self.text("appels/\(app.application.callID).html"))
            #expect(call.contains("href=\"../decisions/\(app.id).html\""), "\(app.id)")
        }
        for app in Self.state.applications.values where app.decision?.outcome == .rejected {
            let call = try #require(Self.text("appels/\(app.application.callID).html"))
            #expect(call.contains("href=\"../decisions/\(app.id).html\""), "\(app.id)")
        }
        #expect(projects.contains(">Cantal (15)</a>"))
        #expect(projects.contains(">Appel 15-2021-01</a>"))
    }

    @Test("the bundle offered is the one grant-ledger bundle builds, and it verifies with the published key")
    func bundles() throws {
        let checkpoint = try #require(DemoFixture.snapshot.checkpoint)
        let store = LedgerStore(directory: DemoFixture.directory)
        var checked = 0
        for app in Self.state.applications.values where app.decision != nil {
            let published = try #require(Self.site.files["donnees/preuves/\(app.id).json"], "\(app.id)")
            let built = try DecisionBundle.build(
                store: store, applicationID: app.id, checkpoint: checkpoint, label: "checkpoint.txt")
            #expect(published == built.bytes, "\(app.id)")
            let page = try #require(Self.text("decisions/\(app.id).html"))
            #expect(page.contains("href=\"../donnees/preuves/\(app.id).json\""))
            let trust = try #require(page.firstMatch(of: /--trust '([^']+)'/)).1
            let report = try BundleVerifier.verify(
                published, trust: String(trust), reference: try? ReferenceData.shared())
            #expect(report.isValid, "\(app.id): \(report.text)")
            checked += 1
        }
        #expect(checked > 0)
    }

    @Test("without a checkpoint, a decision page says there is no bundle and offers explain")
    func noCheckpoint() throws {
        let snapshot = DemoFixture.snapshot
        let bare = LedgerSnapshot(
            identity: snapshot.identity, state: snapshot.state, keys: snapshot.keys, logBytes: try snapshot.readLog(),
            checkpoint: nil)
        let site = try SiteBuilder(
            snapshot: bare, identifiers: DemoFixture.identifiers, identifiersFile: nil,
            ledgerDirectory: DemoFixture.directory)
        #expect(!site.files.keys.contains { $0.hasPrefix("donnees/preuves/") })
        let id = try #require(snapshot.state.applications.values.first { $0.decision != nil }?.id)
        let page = String(decoding: try #require(site.files["decisions/\(id).html"]), as: UTF8.self)
        #expect(page.contains("Pas de dossier de preuve"))
        #expect(page.contains("grant-ledger explain \(id)"))
    }

    @Test("the month series of the statistics adds up to the totals, and the site shows it")
    func months() throws {
        let stats = try FundingStatistics(snapshot: DemoFixture.snapshot, scope: StatsScope())
        #expect(!stats.months.isEmpty)
        #expect(stats.months.reduce(0) { $0 + $1.granted } == stats.total.granted)
        #expect(stats.months.reduce(0) { $0 + $1.grantedCents } == stats.total.grantedCents)
        #expect(stats.months.reduce(0) { $0 + $1.paidCents } == stats.total.paidCents)
        #expect(stats.months.map(\.key) == stats.months.map(\.key).sorted())
        let index = try #require(Self.text("index.html"))
        for month in stats.months {
            #expect(index.contains(FrenchFormat.euros(month.grantedCents).replacing(" ", with: "\u{00A0}")))
        }
        #expect(stats.render(.json).contains("\"months\":[{"))
    }

    @Test("the home page opens on the headline figures and the grid, the detailed table after")
    func homeFirst() throws {
        let index = try #require(Self.text("index.html"))
        let kpi = try #require(index.range(of: "class=\"kpi\""))
        let grid = try #require(index.range(of: "Grille des montants en vigueur"))
        let detail = try #require(index.range(of: Self.esc("Chiffres de l'ensemble des appels")))
        #expect(kpi.lowerBound < grid.lowerBound && grid.lowerBound < detail.lowerBound)
        #expect(index.components(separatedBy: "<li><strong>").count - 1 == 5)
    }

    @Test("tables scroll in a labelled, focusable region; charts are in CSS pixels")
    func phoneLayout() {
        for (path, bytes) in Self.site.files where path.hasSuffix(".html") {
            let page = String(decoding: bytes, as: UTF8.self)
            let tables = page.components(separatedBy: "<table>").count - 1
            let regions = page.components(separatedBy: "<div class=\"scroll\" role=\"region\" aria-label=\"").count - 1
            #expect(tables == regions, "\(path)")
            #expect(!page.contains("viewBox="), "\(path): a scaled chart")
        }
    }

    @Test("licence, update date and legal basis on the downloads; accessibility and legal notice pages")
    func openDataConventions() throws {
        let downloads = try #require(Self.text("telechargements.html"))
        #expect(downloads.contains("Licence Ouverte / Open Licence version 2.0"))
        #expect(downloads.contains("décret n° 2017-779"))
        #expect(downloads.contains("arrêté du 17 novembre 2017"))
        #expect(downloads.contains("Mise à jour : 15 décembre 2021"))
        #expect(Self.text("accessibilite.html")?.contains("RGAA") == true)
        #expect(Self.text("mentions-legales.html") != nil)
        #expect(Self.text("index.html")?.contains("href=\"accessibilite.html\"") == true)
    }
}

@Suite("Static site: the rules, format, proofs and publishing documents as pages")
struct DocumentPageTests {
    @Test("each document is a page; the site links to it, never to a repository path")
    func documents() throws {
        let files = SiteTests.site.files
        for name in ["rules", "format", "proofs", "publishing"] {
            let page = String(decoding: try #require(files["documentation/\(name).html"], "\(name)"), as: UTF8.self)
            #expect(page.contains("<div lang=\"en\" xml:lang=\"en\">"))
            #expect(page.contains("<h1>"))
        }
        let rules = String(decoding: files["documentation/rules.html"]!, as: UTF8.self)
        #expect(rules.contains("<table>") && rules.contains("<em>"))
        #expect(!rules.contains("<!--"))
        let verify = String(decoding: files["verifier.html"]!, as: UTF8.self)
        #expect(!verify.contains("docs/RULES.md") && verify.contains("href=\"documentation/rules.html\""))
    }

    @Test("the Markdown subset: everything escaped, comments dropped, code spans naming a document linked")
    func markdown() {
        let html = Markdown.html(
            "# T <b>\n\nA *b* **c** `docs/RULES.md` `x|y` <script>\n<!-- hidden -->\n\n| a | b |\n|---|---|\n| `p|q` | 2 |\n\n- one\n  two\n- three\n\n```\n<i>\n```\n",
            links: ["docs/RULES.md": "r.html"]
        ).html
        #expect(html.contains("<h1>T &lt;b&gt;</h1>"))
        #expect(html.contains("A <em>b</em> <strong>c</strong> <a href=\"r.html\"><code>docs/RULES.md</code></a>"))
        #expect(html.contains("&lt;script&gt;") && !html.contains("hidden") && !html.contains("<script"))
        #expect(html.contains("<td><code>p|q</code></td><td>2</td>"))
        #expect(html.contains("<li>one two</li>\n<li>three</li>"))
        #expect(html.contains("<pre><code>&lt;i&gt;</code></pre>"))
    }
}
