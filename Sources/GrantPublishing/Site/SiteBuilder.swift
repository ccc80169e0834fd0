import Foundation

import GrantDomain
import LedgerCore
public import LedgerCrypto
import Synchronization

/// The static public website (`grant-ledger publish`, `docs/PUBLISHING.md` §5): a national overview, a page
/// per call and per département, the granted projects, the downloads and a « Vérifier » page.
///
/// Pages are well-formed XHTML5 in French (`lang="fr"`), readable without JavaScript, with no external asset:
/// the style sheet is inline and charts are inline SVG, each followed by a table of the same figures. Every
/// byte derives from the log (and the identifiers file), never from the clock, so regenerating gives the
/// same files.
///
/// ```swift
/// // Written as it is built: memory grows with the applications, not with the site's bytes.
/// let written = try SiteBuilder.publish(
///     snapshot: snapshot, identifiers: identifiers, identifiersFile: bytes, ledgerDirectory: "events", to: "site")
/// // Or in memory, whole:
/// let site = try SiteBuilder(snapshot: snapshot, identifiers: identifiers, identifiersFile: bytes).files
/// ```
public struct SiteBuilder: Sendable {
    /// Relative path → bytes (empty for a site written by ``publish(snapshot:identifiers:identifiersFile:ledgerDirectory:to:)``).
    public private(set) var files: [String: [UInt8]] = [:]

    /// The marker that lets `write(_:to:)` replace a previous site and nothing else.
    public static let marker = ".grantledger-site"

    /// What ``publish(snapshot:identifiers:identifiersFile:ledgerDirectory:to:)`` wrote.
    public struct Written: Sendable, Equatable {
        /// The `.html` files.
        public let pages: Int
        /// Every file, pages included.
        public let files: Int
    }

    let snapshot: LedgerSnapshot
    let state: GrantState
    let identity: LogIdentity
    /// What each call had committed over the log, for the decision pages (``committedBefore(_:callID:)``).
    let commitments: [String: CommitmentTimeline]
    /// Each call's weighted scores, sorted (``MeritScores``).
    let meritScores: [String: [Int64]]
    /// The note key that verifies the log's checkpoints, shown on every decision page (``noteKey(_:)``).
    let noteKey: String?
    /// How many decisions are in a batch (``bundleBatch``).
    var bundleBatch = SiteBuilder.bundleBatch

    /// The whole site, in memory (``files``).
    ///
    /// - Parameter ledgerDirectory: the ledger directory the snapshot was taken from; with its `checkpoint.txt`,
    ///   every decision page offers its proof bundle (`donnees/preuves/`). Without it, the pages say there is none.
    public init(
        snapshot: LedgerSnapshot, identifiers: SCDLIdentifiers, identifiersFile: [UInt8]?,
        ledgerDirectory: String? = nil
    ) throws(PublishingError) {
        self.init(snapshot: snapshot)
        let memory = SiteMemory()
        try build(
            identifiers: identifiers, identifiersFile: identifiersFile, ledgerDirectory: ledgerDirectory, into: memory)
        self.files = memory.files
    }

    /// Builds the site and writes it into `directory` as it goes, with the guarantees of ``write(_:to:)``: the same
    /// bytes as ``init(snapshot:identifiers:identifiersFile:ledgerDirectory:)``, but only one page and one batch of
    /// proof bundles in memory at a time.
    public static func publish(
        snapshot: LedgerSnapshot, identifiers: SCDLIdentifiers, identifiersFile: [UInt8]?,
        ledgerDirectory: String? = nil, to directory: String
    ) throws(PublishingError) -> Written {
        try publish(
            snapshot: snapshot, identifiers: identifiers, identifiersFile: identifiersFile,
            ledgerDirectory: ledgerDirectory, to: directory, bundleBatch: SiteBuilder.bundleBatch)
    }

    /// ``publish(snapshot:identifiers:identifiersFile:ledgerDirectory:to:)`` with `bundleBatch` decisions per batch
    /// (tests use small batches to go through several).
    static func publish(
        snapshot: LedgerSnapshot, identifiers: SCDLIdentifiers, identifiersFile: [UInt8]?,
        ledgerDirectory: String?, to directory: String, bundleBatch: Int
    ) throws(PublishingError) -> Written {
        var builder = SiteBuilder(snapshot: snapshot)
        builder.bundleBatch = max(1, bundleBatch)
        return try writing(to: directory) { (out) throws(PublishingError) in
            try builder.build(
                identifiers: identifiers, identifiersFile: identifiersFile, ledgerDirectory: ledgerDirectory,
                into: out)
        }
    }

    private init(snapshot: LedgerSnapshot) {
        self.snapshot = snapshot
        self.state = snapshot.state
        self.identity = snapshot.identity
        self.commitments = CommitmentTimeline.all(snapshot.state)
        self.meritScores = MeritScores.all(snapshot.state)
        self.noteKey = SiteBuilder.noteKey(snapshot)
    }

    /// Makes every file of the site and puts each into `out` as soon as it is made.
    private func build(
        identifiers: SCDLIdentifiers, identifiersFile: [UInt8]?, ledgerDirectory: String?, into out: some SiteOutput
    ) throws(PublishingError) {
        // The size and SHA-256 of each download, for the downloads page.
        var downloads: [String: (count: Int, sha256: String)] = [:]
        func data(_ path: String, _ bytes: [UInt8]) throws(PublishingError) {
            downloads[path] = (bytes.count, SHA256.hash(bytes).hex)
            try out.put(path, bytes)
        }
        func put(_ path: String, _ page: Markup) throws(PublishingError) { try out.put(path, page.bytes) }

        // Downloads.
        let scdl = try SCDLExport(snapshot: snapshot, identifiers: identifiers)
        let csv = Array(scdl.csv.utf8)
        try data("donnees/subventions.csv", csv)
        try data(
            "donnees/subventions.resource.json",
            SCDLResource(
                csv: csv, fileName: "subventions.csv", identity: snapshot.identity, identifiers: identifiersFile
            ).bytes)
        if let identifiersFile { try data("donnees/identifiants-scdl.csv", identifiersFile) }
        try out.putLog(snapshot, at: "donnees/ledger.jsonl")
        downloads["donnees/ledger.jsonl"] = (identity.byteCount, identity.fileSHA256)
        if let checkpoint = snapshot.checkpoint { try data("donnees/checkpoint.txt", checkpoint) }
        let national = try FundingStatistics(snapshot: snapshot, scope: StatsScope())
        try data("donnees/statistiques.json", Array(national.render(.json).utf8))
        try data("donnees/statistiques.csv", Array(national.render(.csv).utf8))
        var byGroup: [StatsGrouping: FundingStatistics] = [:]
        for grouping in StatsGrouping.allCases {
            let stats = try FundingStatistics(snapshot: snapshot, scope: StatsScope(grouping: grouping))
            byGroup[grouping] = stats
            try data("donnees/statistiques-\(grouping.rawValue).json", Array(stats.render(.json).utf8))
            try data("donnees/statistiques-\(grouping.rawValue).csv", Array(stats.render(.csv).utf8))
        }

        // Pages.
        try put("index.html", overview(national, byGroup))
        for callID in state.callOrder {
            let stats = try FundingStatistics(snapshot: snapshot, scope: StatsScope(callID: callID))
            try out.put(
                "appels/\(HTML.fileName(callID)).html", parts: callPage(callID, stats).map { part in { part().bytes } })
        }
        for group in byGroup[.departement]!.groups {
            try put("departements/\(HTML.fileName(group.key)).html", departementPage(group))
        }
        try put("projets.html", projectsPage())
        // A batch of decisions at a time: their proof bundles (under the ledger's lock, one thread), then each bundle
        // encoded and its page rendered and both written, on every core. The next batch's bundles are built while
        // this one is written, so at most two batches are in memory.
        let decided = decided()
        let snapshot = snapshot
        let state = state
        func decisions(from start: Int) -> ArraySlice<ApplicationState>? {
            guard start < decided.endIndex else { return nil }
            let ids = decided[start..<min(start + bundleBatch, decided.endIndex)]
            return ids.compactMap { state.applications[$0] }[...]
        }
        var start = decided.startIndex
        var current = decisions(from: start).map {
            ($0, SiteBuilder.bundles(for: $0, snapshot: snapshot, directory: ledgerDirectory))
        }
        while let (batch, bundles) = current {
            start += bundleBatch
            let following = decisions(from: start)
            let next = try SiteBuilder.overlapping({ () -> [Result<DecisionBundle, PublishingError>]? in
                following.map { SiteBuilder.bundles(for: $0, snapshot: snapshot, directory: ledgerDirectory) }
            }) { () throws(PublishingError) in
                try SiteBuilder.inParallel(batch.count) { (index) throws(PublishingError) in
                    let app = batch[batch.startIndex + index]
                    let bundle = bundles[index].map(\.bytes)
                    if case .success(let bytes) = bundle { try out.put(SiteBuilder.bundlePath(app.id), bytes) }
                    try out.put(SiteBuilder.decisionPath(app.id), decisionPage(app, bundle: bundle).bytes)
                }
            }
            current = following.flatMap { following in next.map { (following, $0) } }
        }
        try put("verifier.html", verifyPage())
        try put("accessibilite.html", accessibilityPage())
        try put("mentions-legales.html", legalNoticePage())
        for document in SiteDocument.all { try put(document.path, documentPage(document)) }

        try out.put(
            SiteBuilder.marker,
            Array(
                "Site produit par grant-ledger publish à partir du journal \(identity.origin), \(identity.size) entrées, racine \(identity.rootHash).\n"
                    .utf8))
        try put("telechargements.html", downloadsPage(downloads))
    }

    /// Runs `background` on a thread of its own while `body` runs on this one, and returns what `background`
    /// made once both are done (also when `body` throws: the thread is never left running).
    static func overlapping<T: Sendable>(
        _ background: @escaping @Sendable () -> T, while body: () throws(PublishingError) -> Void
    ) throws(PublishingError) -> T {
        let result = Mutex<T?>(nil)
        let done = DispatchSemaphore(value: 0)
        let thread = Thread {
            let made = background()
            result.withLock { $0 = made }
            done.signal()
        }
        thread.start()
        let failure: PublishingError?
        do throws(PublishingError) {
            try body()
            failure = nil
        } catch {
            failure = error
        }
        done.wait()
        if let failure { throw failure }
        return result.withLock { $0 }!
    }

    /// Runs `body` for each of `0..<count`, on as many threads as there are active cores; the first error stops the
    /// threads at their next item and is thrown.
    static func inParallel(_ count: Int, _ body: @Sendable (Int) throws(PublishingError) -> Void)
        throws(PublishingError)
    {
        let threads = max(1, min(ProcessInfoCores.active, count))
        let failure = Mutex<PublishingError?>(nil)
        DispatchQueue.concurrentPerform(iterations: threads) { thread in
            for index in stride(from: thread, to: count, by: threads) {
                guard failure.withLock({ $0 == nil }) else { return }
                do throws(PublishingError) {
                    try body(index)
                } catch {
                    failure.withLock { $0 = $0 ?? error }
                    return
                }
            }
        }
        if let error = failure.withLock({ $0 }) { throw error }
    }

    /// Writes the site into `directory`: creates it, or replaces a site a previous `publish` wrote there;
    /// refuses any other non-empty directory.
    ///
    /// All or nothing: the site is built in a new hidden sibling directory, every file made durable, and only then
    /// swapped in with two renames; a failure (a full disk, say) leaves the previous site exactly as it was. A
    /// symbolic link at `directory` is resolved, and the swap happens at its target.
    public static func write(_ files: [String: [UInt8]], to directory: String) throws(PublishingError) {
        _ = try writing(to: directory) { (out) throws(PublishingError) in
            for path in files.keys.sorted() { try out.put(path, files[path]!) }
        }
    }

    /// Checks `directory` as ``write(_:to:)`` says, lets `body` fill a new hidden sibling directory, makes it
    /// durable and swaps it in; on any failure the sibling is removed and `directory` left as it was.
    private static func writing(
        to directory: String, _ body: (SiteDirectoryWriter) throws(PublishingError) -> Void
    ) throws(PublishingError) -> Written {
        let fm = FileManager.default
        var target = directory.count > 1 && directory.hasSuffix("/") ? String(directory.dropLast()) : directory
        if let resolved = try? fm.destinationOfSymbolicLink(atPath: target) {
            target = resolved.hasPrefix("/") ? resolved : (parentOf(target) + "/" + resolved)
        }
        var isDirectory: ObjCBool = false
        let exists = fm.fileExists(atPath: target, isDirectory: &isDirectory)
        if exists {
            guard isDirectory.boolValue else {
                throw PublishingError(.badInput, "\(directory) existe et n'est pas un répertoire")
            }
            let content = (try? fm.contentsOfDirectory(atPath: target)) ?? []
            guard content.isEmpty || content.contains(marker) else {
                throw PublishingError(
                    .outputOccupied,
                    "\(directory) n'est pas vide et ne contient pas de site déjà publié ; rien n'a été modifié")
            }
        }
        let parent = parentOf(target)
        let name = String(target[target.index(after: target.lastIndex(of: "/") ?? target.startIndex)...])
        do {
            try fm.createDirectory(atPath: parent, withIntermediateDirectories: true)
        } catch {
            throw PublishingError(
                .io, "impossible de créer \(parent) : \(error.localizedDescription)", underlying: error)
        }
        let staging = try makeUniqueDirectory(in: parent, prefix: "." + name + ".publish-")
        do throws(PublishingError) {
            let writer = try SiteDirectoryWriter(root: staging)
            try body(writer)
            try writer.finish()
            try swap(staging, into: target, exists: exists, parent: parent, name: name)
            return Written(pages: writer.pageCount, files: writer.fileCount)
        } catch {
            try? fm.removeItem(atPath: staging)
            throw PublishingError(error.code, error.message + " ; le site précédent, s'il y en a un, est intact")
        }
    }

    private static func parentOf(_ path: String) -> String { SiteDirectoryWriter.parentOf(path) }

    /// Creates a new directory `<prefix><random>` in `parent` (`mkdir` never reuses an existing name).
    private static func makeUniqueDirectory(in parent: String, prefix: String) throws(PublishingError) -> String {
        var generator = SystemRandomNumberGenerator()
        while true {
            let path = parent + "/" + prefix + String(generator.next() as UInt64, radix: 16)
            if Platform.makeDirectory(path, 0o755) == 0 { return path }
            guard Platform.lastError == Platform.Errno.exists else {
                throw PublishingError(.io, "impossible de créer \(path) : \(Platform.errorText(Platform.lastError))")
            }
        }
    }

    private static func syncDirectory(_ path: String) throws(PublishingError) {
        try SiteDirectoryWriter.syncDirectory(path)
    }

    private static func failure(_ what: String) -> PublishingError { SiteDirectoryWriter.failure(what) }

    /// Puts the complete site at `target`: the previous one is renamed aside, the new one renamed in, and the
    /// previous one removed; should the second rename fail, the previous site is renamed back.
    private static func swap(_ staging: String, into target: String, exists: Bool, parent: String, name: String)
        throws(PublishingError)
    {
        guard exists else {
            guard Platform.rename(staging, target) == 0 else {
                throw failure("impossible de renommer le nouveau site en \(target)")
            }
            try syncDirectory(parent)
            return
        }
        let aside = try makeUniqueDirectory(in: parent, prefix: "." + name + ".previous-")
        guard Platform.rename(target, aside) == 0 else {
            let error = failure("impossible de mettre de côté le site précédent")
            rmdir(aside)
            throw error
        }
        guard Platform.rename(staging, target) == 0 else {
            let error = failure("impossible de renommer le nouveau site en \(target)")
            Platform.rename(aside, target)
            throw error
        }
        try syncDirectory(parent)
        // The new site is in place; the previous one goes (a leftover would only be a hidden directory).
        try? FileManager.default.removeItem(atPath: aside)
    }

    // MARK: - Layout

    static let style: Markup = """
        :root{color:#161616;background:#fff}
        body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;line-height:1.5;margin:0;overflow-wrap:break-word}
        .skip{position:absolute;left:-10000px}.skip:focus{left:1rem;top:1rem;background:#fff;padding:.5rem}
        header,main,footer{max-width:72rem;margin:0 auto;padding:0 1rem}
        header{border-bottom:4px solid #000091;padding-top:1rem}
        header p.site{font-weight:700;font-size:1.25rem;margin:0}
        nav ul{list-style:none;padding:0;margin:.5rem 0 1rem;display:flex;flex-wrap:wrap;gap:.25rem 1.25rem}
        a{color:#000091;text-decoration:underline}a:focus{outline:3px solid #0a76f6;outline-offset:2px}
        nav a[aria-current]{font-weight:700;text-decoration:none;border-bottom:3px solid #000091}
        h1{font-size:1.9rem;line-height:1.25}h2{margin-top:2.5rem;border-bottom:1px solid #ddd}
        .scroll{overflow-x:auto;margin:1rem 0;max-width:100%}.scroll:focus{outline:3px solid #0a76f6}
        table{border-collapse:collapse;width:100%}
        caption{text-align:left;font-weight:700;padding:.25rem 0}
        th,td{border:1px solid #929292;padding:.3rem .5rem;text-align:left;vertical-align:top}
        thead th{background:#eee}
        .num{text-align:right;white-space:nowrap}.nowrap{white-space:nowrap}
        .chart{width:100%;max-width:40rem;display:block;margin:1rem 0}
        .chart .label{font-size:14px;fill:#161616}.chart .value{font-size:14px;fill:#161616;font-weight:700}
        .note{background:#f6f6f6;border-left:4px solid #000091;padding:.5rem 1rem}
        .kpi{list-style:none;padding:0;margin:1rem 0;display:grid;grid-template-columns:repeat(auto-fit,minmax(9.5rem,1fr));gap:.75rem}
        .kpi li{border:1px solid #929292;border-top:4px solid #000091;padding:.5rem .75rem}
        .kpi strong{display:block;font-size:1.125rem;line-height:1.3;white-space:nowrap}
        code,pre{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.9em}
        pre{background:#f6f6f6;padding:.75rem;overflow-x:auto;white-space:pre-wrap;word-break:break-all}
        .hash{word-break:break-all}
        footer{border-top:1px solid #ddd;margin-top:3rem;padding-bottom:2rem;font-size:.9rem}
        .footer-links{list-style:none;padding:0;display:flex;flex-wrap:wrap;gap:.25rem 1.25rem}
        """

    static let navigation: [(path: String, label: String)] = [
        ("index.html", "Vue d'ensemble"), ("projets.html", "Projets aidés"),
        ("telechargements.html", "Téléchargements"), ("verifier.html", "Vérifier"),
    ]

    /// A whole page; `depth` is the number of folders below the site root.
    func page(path: String, title: String, depth: Int, body: Markup) -> Markup {
        let (head, foot) = frame(path: path, title: title, depth: depth)
        return head + body + foot
    }

    /// The markup before and after a page's body (``page(path:title:depth:body:)``).
    func frame(path: String, title: String, depth: Int) -> (head: Markup, foot: Markup) {
        let root = String(repeating: "../", count: depth)
        var nav: Markup = "<nav aria-label=\"Navigation principale\"><ul>"
        for item in SiteBuilder.navigation {
            let current: Markup = item.path == path ? " aria-current=\"page\"" : ""
            nav += "<li><a href=\"\(root)\(item.path)\"\(current)>\(item.label)</a></li>"
        }
        nav += "</ul></nav>"
        let head: Markup = """
            <!DOCTYPE html>
            <html xmlns="http://www.w3.org/1999/xhtml" lang="fr" xml:lang="fr">
            <head>
            <meta charset="utf-8"/>
            <meta name="viewport" content="width=device-width, initial-scale=1"/>
            <title>\(title) — \(identity.title)</title>
            <style>
            \(SiteBuilder.style)
            </style>
            </head>
            <body>
            <a class="skip" href="#contenu">Aller au contenu</a>
            <header>
            <p class="site">\(identity.title)</p>
            \(nav)
            </header>
            <main id="contenu">

            """
        let foot: Markup = """
            </main>
            <footer>
            <p>Chiffres calculés à partir du journal signé <code>\(identity.origin)</code> : \(HTML.integer(identity.size)) entrées, dernière entrée le \(dateFrench(identity.headDate)).<br/>
            Racine RFC 6962 : <code class="hash">\(identity.rootHash)</code>. <a href="\(root)verifier.html">Comment vérifier ces chiffres</a>.</p>
            <p>Données publiées sous la Licence Ouverte / Open Licence version 2.0 (Etalab), mises à jour le \(dateFrench(identity.headDate)), en application du décret n° 2017-779 du 5 mai 2017 et de l'arrêté du 17 novembre 2017 (données essentielles des conventions de subvention).</p>
            <ul class="footer-links">
            <li><a href="\(root)\(SiteDocument.rules.path)">Les règles des décisions</a></li>
            <li><a href="\(root)\(SiteDocument.publishing.path)">Les chiffres publiés et leurs définitions</a></li>
            <li><a href="\(root)\(SiteDocument.format.path)">Le format du journal</a></li>
            <li><a href="\(root)\(SiteDocument.proofs.path)">Les preuves</a></li>
            <li><a href="\(root)accessibilite.html">Accessibilité : non conforme (non auditée)</a></li>
            <li><a href="\(root)mentions-legales.html">Mentions légales</a></li>
            </ul>
            </footer>
            </body>
            </html>

            """
        return (head, foot)
    }

    func dateFrench(_ iso: String) -> String {
        (try? CalendarDate(iso: iso))?.frenchLong ?? iso
    }

    // MARK: - Shared sections

    /// The figures of a scope as a two-column table.
    func figuresTable(_ caption: String, _ figures: FundingFigures) -> Markup {
        let rows = figures.rows.filter { row in
            if case .cents(nil) = row.value { return false }
            return true
        }
        return HTML.table(
            caption: caption, headers: ["Indicateur", "Valeur"],
            rows: rows.map { ["\($0.label)", HTML.figure($0.value.french)] }, numeric: [1])
    }

    /// Budget bars (envelope / committed / paid) of calls, then the same figures as a table.
    func budget(_ calls: [FundingStatistics.CallBudget], id: String, depth: Int) -> Markup {
        var out: Markup =
            "<p>Pour chaque appel, en euros : l'enveloppe (gris), le montant engagé (bleu) et le montant versé (vert), à la même échelle pour tous les appels.</p>\n"
        let scale = calls.map { max($0.envelopeCents, $0.committedCents) }.max() ?? 1
        for (index, call) in calls.enumerated() {
            let title = "Budget de l'appel \(call.callID) : enveloppe, montant engagé, montant versé"
            out += "<h3>\(call.callID) — \(call.title)</h3>\n"
            out += BarChart.svg(
                id: "\(id)-\(index)", title: title, scale: scale,
                bars: [
                    .init(
                        label: "Enveloppe", value: call.envelopeCents, text: FrenchFormat.euros(call.envelopeCents),
                        color: BarChart.grey),
                    .init(label: "Engagé", value: call.committedCents, text: FrenchFormat.euros(call.committedCents)),
                    .init(
                        label: "Versé", value: call.paidCents, text: FrenchFormat.euros(call.paidCents),
                        color: BarChart.green),
                ])
        }
        out += HTML.table(
            caption: "Budget par appel (mêmes chiffres que les barres)",
            headers: ["Appel", "Enveloppe", "Engagé", "Versé", "Disponible"],
            rows: calls.map {
                [
                    callLink($0.callID, depth: depth) + " — \($0.title)",
                    HTML.euros($0.envelopeCents), HTML.euros($0.committedCents), HTML.euros($0.paidCents),
                    HTML.euros($0.remainingCents),
                ]
            }, numeric: [1, 2, 3, 4])
        return out
    }

    /// A grouped chart (grants and committed money per group) with its table.
    func groupChart(_ stats: FundingStatistics, id: String, title: String, caption: String, groupHeader: String)
        -> Markup
    {
        let groups = stats.groups
        var out: Markup =
            "<p>Longueur des barres : nombre d'aides accordées ; au-dessus de chaque barre, ce nombre et le montant engagé.</p>\n"
        out += BarChart.svg(
            id: id, title: title,
            bars: groups.map {
                .init(
                    label: $0.label, value: $0.figures.granted,
                    text:
                        "\(FrenchFormat.integer($0.figures.granted)) aide\($0.figures.granted > 1 ? "s" : "") · \(FrenchFormat.euros($0.figures.committedCents))"
                )
            })
        out += HTML.table(
            caption: caption, headers: [groupHeader, "Dossiers", "Aides accordées", "Montant engagé", "Montant versé"],
            rows: groups.map {
                [
                    "\($0.label)", HTML.integer($0.figures.applications), HTML.integer($0.figures.granted),
                    HTML.euros($0.figures.committedCents), HTML.euros($0.figures.paidCents),
                ]
            }, numeric: [1, 2, 3, 4])
        return out
    }

    /// Granted applications, in call then submission order, optionally filtered.
    func grants(_ include: (ApplicationState) -> Bool = { _ in true }) -> [ApplicationState] {
        state.callOrder.flatMap { call in
            state.applications(ofCall: call) { $0.decision?.outcome == .granted && include($0) }
        }
    }

    /// The table of granted projects (public bodies only: no provider, no person); each project links to its
    /// decision page.
    func projectsTable(_ apps: some Sequence<ApplicationState>, caption: String, depth: Int) -> Markup {
        HTML.table(
            caption: caption, headers: SiteBuilder.projectHeaders, items: apps, numeric: SiteBuilder.projectNumeric
        ) { projectRow($0, depth: depth) }
    }

    static let projectHeaders = [
        "Projet (page de la décision)", "Bénéficiaire", "Département", "Appel", "Décision", "Accordé", "Versé", "État",
    ]
    static let projectNumeric: Set<Int> = [5, 6]

    /// The row of a granted project in ``projectsTable(_:caption:depth:)``.
    func projectRow(_ app: ApplicationState, depth: Int) -> [Markup] {
        let a = app.application
        let d = app.decision!
        return [
            decisionLink(app, depth: depth) + "<br/>dossier <span class=\"nowrap\">\(a.applicationID)</span>",
            "\(a.applicant.name)", departementLink(a.applicant.departement, depth: depth),
            callLink(a.callID, depth: depth),
            "<span class=\"nowrap\">\(d.reference)</span> du \(HTML.figure(d.decidedOn.frenchLong))"
                + (d.deviation != nil ? " (écart déclaré)" : ""),
            HTML.euros(d.amountCents), HTML.euros(app.paidCents), "\(app.status.label)",
        ]
    }

    static let rejectionHeaders = ["Projet (page de la décision)", "Demandeur", "Décision", "Motif"]

    /// The row of a rejected application, linked to its decision page.
    func rejectionRow(_ app: ApplicationState, depth: Int) -> [Markup] {
        let d = app.decision!
        return [
            decisionLink(app, depth: depth) + "<br/>dossier <span class=\"nowrap\">\(app.id)</span>",
            "\(app.application.applicant.name)",
            "<span class=\"nowrap\">\(d.reference)</span> du \(HTML.figure(d.decidedOn.frenchLong))",
            "\(d.motive.label)" + (d.deviation != nil ? " (écart déclaré)" : ""),
        ]
    }

    /// A table of the applications of `ids` that `row` gives cells for, as parts made when they are written: the
    /// opening, a part per 1 024 ids, the closing. A call's table can run to tens of thousands of rows.
    func tableParts(
        caption: String, headers: [String], numeric: Set<Int> = [], ids: [String],
        row: @escaping (ApplicationState) -> [Markup]?
    ) -> [() -> Markup] {
        var parts: [() -> Markup] = [{ HTML.tableOpening(caption: caption, headers: headers, numeric: numeric) }]
        let state = state
        for start in stride(from: ids.startIndex, to: ids.endIndex, by: 1024) {
            let slice = ids[start..<min(start + 1024, ids.endIndex)]
            parts.append {
                HTML.tableRows(slice.lazy.compactMap { state.applications[$0] }, numeric: numeric, row: row)
            }
        }
        parts.append { HTML.tableClosing }
        return parts
    }

    /// The grids of the calls' current versions, one table per distinct grid, naming the calls it applies to.
    func gridsInForce() -> Markup {
        var grids: [(grid: [GridLine], name: String?, calls: [String])] = []
        for id in state.callOrder {
            guard let call = state.calls[id]?.call else { continue }
            if let index = grids.firstIndex(where: { $0.grid == call.grid && $0.name == call.gridName }) {
                grids[index].calls.append(id)
            } else {
                grids.append((call.grid, call.gridName, [id]))
            }
        }
        var out: Markup = ""
        for grid in grids {
            let calls = grid.calls.map { "appel \($0)" }.joined(separator: ", ")
            out += HTML.table(
                caption: "Grille des montants en vigueur (\(calls))",
                headers: ["Ligne", "Demandeurs", "Montant"],
                rows: grid.grid.enumerated().map {
                    ["\($0.offset + 1)", "\($0.element.label)", HTML.euros($0.element.amountCents)]
                }, numeric: [2])
        }
        return out
    }

    // MARK: - Pages

    func overview(_ national: FundingStatistics, _ byGroup: [StatsGrouping: FundingStatistics]) -> Markup {
        let t = national.total
        var body: Markup = "<h1>Où va l'argent du programme : vue d'ensemble</h1>\n"
        body +=
            "<p class=\"note\">Toutes les données de ce site sont calculées à partir du journal public, signé et chaîné des décisions (\(HTML.integer(identity.size)) entrées au \(dateFrench(identity.headDate))). Chacun peut les recalculer : voir <a href=\"verifier.html\">Vérifier</a>.</p>\n"
        body += "<h2 id=\"essentiel\">L'essentiel</h2>\n<ul class=\"kpi\">\n"
        let headline: [(Markup, String)] = [
            (HTML.integer(t.applications), "dossiers déposés"),
            (HTML.integer(t.granted), "aides accordées"),
            (HTML.euros(t.committedCents), "engagés"),
            (HTML.euros(t.paidCents), "versés"),
            (HTML.figure(t.acceptanceRate.french(places: 2, percent: true)), "des dossiers décidés sont aidés"),
        ]
        for (figure, label) in headline { body += "<li><strong>\(figure)</strong> \(label)</li>\n" }
        body += "</ul>\n"
        body +=
            "<p>« Engagé » : les aides accordées, moins la part non versée des aides retirées ; « versé » : les paiements enregistrés. Définitions exactes : <a href=\"\(SiteDocument.publishing.path)\">les chiffres publiés et leurs définitions</a>.</p>\n"
        body += "<h2 id=\"grille\">Les montants en vigueur</h2>\n" + gridsInForce()
        body += "<h2 id=\"budget\">Budget par appel</h2>\n" + budget(national.calls, id: "budget", depth: 0)
        body += "<h2 id=\"demandeurs\">Aides par type de demandeur et taille</h2>\n"
        body += groupChart(
            byGroup[.populationBand]!, id: "par-taille",
            title: "Aides accordées par type de demandeur et tranche de population",
            caption: "Aides par type de demandeur et tranche de population", groupHeader: "Demandeur")
        body += "<h2 id=\"actions\">Aides par action</h2>\n"
        body += groupChart(
            byGroup[.action]!, id: "par-action", title: "Aides accordées par action",
            caption: "Aides par action", groupHeader: "Action")
        body += "<h2 id=\"temps\">Dans le temps</h2>\n" + overTime(national)
        body += "<h2 id=\"departements\">Départements</h2>\n"
        body += groupChart(
            byGroup[.departement]!, id: "par-departement", title: "Aides accordées par département du demandeur",
            caption: "Aides par département du demandeur", groupHeader: "Département")
        body +=
            "<ul>\n"
            + byGroup[.departement]!.groups.map { "<li>\(departementLink($0.key, depth: 0))</li>\n" }.joined()
            + "</ul>\n"
        body +=
            "<h2 id=\"appels\">Appels à projets</h2>\n<ul>\n"
            + national.calls.map { "<li>\(callLink($0.callID, depth: 0)) — \($0.title)</li>\n" }.joined()
            + "</ul>\n"
        body += "<h2 id=\"chiffres\">Tous les chiffres</h2>\n" + figuresTable("Chiffres de l'ensemble des appels", t)
        return page(path: "index.html", title: "Vue d'ensemble", depth: 0, body: body)
    }

    /// Grants by month of decision and payments by month of payment (the statistics' `months`), as charts and a
    /// table.
    func overTime(_ stats: FundingStatistics) -> Markup {
        let months = stats.months
        var out: Markup = "<h3>Montants accordés, par mois de décision</h3>\n"
        out += BarChart.svg(
            id: "accordes-par-mois", title: "Montants accordés par mois de décision",
            bars: months.map {
                .init(label: $0.label, value: $0.grantedCents, text: FrenchFormat.euros($0.grantedCents))
            })
        out += "<h3>Montants versés, par mois de versement</h3>\n"
        out += BarChart.svg(
            id: "verses-par-mois", title: "Montants versés par mois",
            bars: months.map {
                .init(
                    label: $0.label, value: $0.paidCents, text: FrenchFormat.euros($0.paidCents),
                    color: BarChart.green)
            })
        out += HTML.table(
            caption: "Aides accordées (par mois de décision) et versements (par mois de paiement)",
            headers: ["Mois", "Aides accordées", "Montant accordé", "Montant versé"],
            rows: months.map {
                ["\($0.label)", HTML.integer($0.granted), HTML.euros($0.grantedCents), HTML.euros($0.paidCents)]
            }, numeric: [1, 2, 3])
        return out
    }

    /// The page of a call, in parts made as they are written: its table of rejected applications can run to tens of
    /// thousands of rows, and is never whole in memory.
    func callPage(_ callID: String, _ stats: FundingStatistics) -> [() -> Markup] {
        let callState = state.calls[callID]!
        let call = callState.call
        var body: Markup = "<h1>Appel \(callID) : \(call.title)</h1>\n"
        let territories =
            call.territories.contains("*")
            ? "toute la France" : call.territories.map(DepartementNames.label).joined(separator: ", ")
        body += "<ul>\n<li>Territoire : \(territories)</li>\n"
        body +=
            "<li>Dépôt des dossiers du \(HTML.figure(call.opensAt.frenchLong)) au \(HTML.figure(call.closesAt.frenchLong))</li>\n"
        body +=
            "<li>Enveloppe : \(HTML.euros(call.envelopeCents)) ; version \(callState.versions.count) de l'appel (entrée \(callState.current.seq), empreinte <code class=\"hash\">\(callState.current.hash)</code>)</li>\n"
        body +=
            "<li>Note minimale : \(HTML.integer(call.threshold)) sur \(HTML.integer(call.maximumScore))</li>\n</ul>\n"
        body += "<h2>Budget</h2>\n" + budget(stats.calls, id: "budget-appel", depth: 1)
        body += "<h2>Chiffres</h2>\n" + figuresTable("Chiffres de l'appel \(callID)", stats.total)
        body += "<h2>Règles publiées</h2>\n"
        body += HTML.table(
            caption: "Montants forfaitaires (la première ligne applicable fixe le montant)",
            headers: ["Ligne", "Demandeurs", "Montant"],
            rows: call.grid.enumerated().map {
                ["\($0.offset + 1)", "\($0.element.label)", HTML.euros($0.element.amountCents)]
            },
            numeric: [2])
        body += HTML.table(
            caption: "Critères de notation (note pondérée = somme des poids × notes)",
            headers: ["Critère", "Poids", "Note maximale"],
            rows: call.criteria.map { ["\($0.label)", HTML.integer($0.weight), HTML.integer($0.max)] },
            numeric: [1, 2])
        body += "<h2>Projets aidés</h2>\n"
        let (head, foot) = frame(path: "appels/\(HTML.fileName(callID)).html", title: "Appel \(callID)", depth: 1)
        let ids = callState.applicationIDs
        var parts: [() -> Markup] = [{ head }, { body }]
        parts += tableParts(
            caption: "Aides accordées au titre de l'appel \(callID)", headers: SiteBuilder.projectHeaders,
            numeric: SiteBuilder.projectNumeric, ids: ids
        ) { $0.decision?.outcome == .granted ? projectRow($0, depth: 1) : nil }
        if ids.contains(where: { state.applications[$0]?.decision?.outcome == .rejected }) {
            parts.append { "<h2>Demandes rejetées</h2>\n" }
            parts += tableParts(
                caption: "Demandes rejetées au titre de l'appel \(callID)", headers: SiteBuilder.rejectionHeaders,
                ids: ids
            ) { $0.decision?.outcome == .rejected ? rejectionRow($0, depth: 1) : nil }
        }
        parts.append { foot }
        return parts
    }

    func departementPage(_ group: FundingStatistics.Group) -> Markup {
        let code = group.key
        var body: Markup = "<h1>Département \(group.label)</h1>\n"
        body +=
            "<p>Dossiers déposés par des collectivités du département \(code), tous appels confondus.</p>\n"
        let calls = state.callOrder.compactMap { id -> FundingStatistics.CallBudget? in
            guard let c = state.calls[id], c.call.covers(departement: code) else { return nil }
            return FundingStatistics.CallBudget(
                callID: id, title: c.call.title, territories: c.call.territories,
                envelopeCents: c.envelopeCents, committedCents: c.committedCents, paidCents: c.paidCents)
        }
        if !calls.isEmpty {
            body += "<h2>Budget des appels couvrant le département</h2>\n" + budget(calls, id: "budget-dep", depth: 1)
        }
        body += "<h2>Chiffres</h2>\n" + figuresTable("Chiffres du département \(group.label)", group.figures)
        body +=
            "<h2>Projets aidés</h2>\n"
            + projectsTable(
                grants { $0.application.applicant.departement == code },
                caption: "Aides accordées aux collectivités du département \(group.label)", depth: 1)
        return page(
            path: "departements/\(HTML.fileName(code)).html", title: "Département \(group.label)", depth: 1, body: body)
    }

    func projectsPage() -> Markup {
        let apps = grants()
        var body: Markup = "<h1>Projets aidés</h1>\n"
        body +=
            "<p>Les \(HTML.integer(Int64(apps.count))) aides accordées, dans l'ordre des appels puis des dépôts. Les bénéficiaires sont des collectivités : aucune donnée personnelle n'est publiée (CRPA, art. L. 312-1-2). Chaque projet mène à la page de sa décision : notes, montant, enveloppe, versements et preuve téléchargeable. Les mêmes aides figurent au format national SCDL « Subventions » dans <a href=\"donnees/subventions.csv\">subventions.csv</a> ; les demandes rejetées sont sur la page de chaque appel.</p>\n"
        body += projectsTable(apps, caption: "Aides accordées", depth: 0)
        return page(path: "projets.html", title: "Projets aidés", depth: 0, body: body)
    }

    /// - Parameter downloads: the size and SHA-256 of each file of `donnees/` the site has.
    func downloadsPage(_ downloads: [String: (count: Int, sha256: String)]) -> Markup {
        let descriptions: [(String, String)] =
            [
                (
                    "donnees/ledger.jsonl",
                    "Le journal lui-même : une entrée JSON canonique signée par ligne (voir « Le format du journal »)."
                ),
                (
                    "donnees/checkpoint.txt",
                    "Le dernier point de contrôle signé du journal (taille et racine RFC 6962)."
                ),
                ("donnees/subventions.csv", "Les aides au format SCDL « Subventions » 2.1.1 (schema.data.gouv.fr)."),
                (
                    "donnees/subventions.resource.json",
                    "Le descripteur de subventions.csv (Frictionless) : son schéma, son SHA-256, et la taille et la racine du journal dont il est tiré."
                ),
                (
                    "donnees/identifiants-scdl.csv",
                    "Les SIRET utilisés par l'export SCDL (ils ne figurent pas dans le journal)."
                ),
                ("donnees/statistiques.json", "Les chiffres de l'ensemble, en JSON canonique."),
                ("donnees/statistiques.csv", "Les chiffres de l'ensemble, en CSV."),
            ]
            + StatsGrouping.allCases.flatMap { g -> [(String, String)] in
                [
                    (
                        "donnees/statistiques-\(g.rawValue).json",
                        "Les chiffres par \(SiteBuilder.groupingLabel(g)), en JSON canonique."
                    ),
                    (
                        "donnees/statistiques-\(g.rawValue).csv",
                        "Les chiffres par \(SiteBuilder.groupingLabel(g)), en CSV."
                    ),
                ]
            }
        var body: Markup =
            "<h1>Téléchargements</h1>\n<p>Fichiers ouverts, recalculables à partir du journal (voir <a href=\"verifier.html\">Vérifier</a>). Chaque empreinte est le SHA-256 du fichier.</p>\n"
        body += dataConditions
        body += HTML.table(
            caption: "Fichiers", headers: ["Fichier", "Contenu", "Taille (octets)", "SHA-256"],
            rows: descriptions.compactMap { path, text in
                guard let file = downloads[path] else { return nil }
                return [
                    "<a href=\"\(path)\">\(String(path.dropFirst("donnees/".count)))</a>", "\(text)",
                    HTML.integer(Int64(file.count)), "<code class=\"hash\">\(file.sha256)</code>",
                ]
            }, numeric: [2])
        if downloads["donnees/checkpoint.txt"] == nil {
            body += "<p>Aucun point de contrôle signé n'accompagnait le journal lors de la publication.</p>\n"
        }
        return page(path: "telechargements.html", title: "Téléchargements", depth: 0, body: body)
    }

    static func groupingLabel(_ grouping: StatsGrouping) -> String {
        switch grouping {
        case .departement: return "département du demandeur"
        case .applicantKind: return "type de demandeur"
        case .action: return "action"
        case .month: return "mois de dépôt"
        case .populationBand: return "type de demandeur et tranche de population"
        }
    }

    func verifyPage() -> Markup {
        let example = grants().first?.id ?? "IDENTIFIANT"
        var body: Markup = "<h1>Vérifier les chiffres et les décisions</h1>\n"
        body +=
            "<p>Ce site ne demande pas qu'on le croie sur parole. Toutes ses données viennent d'un journal public où chaque événement (appel, dossier, notation, décision, versement) est une ligne signée par l'autorité qui l'a pris et chaînée à la précédente par son empreinte SHA-256. Quiconque peut télécharger le journal, en vérifier l'intégrité et les signatures, puis recalculer chaque chiffre publié.</p>\n"
        body += "<h2>Le journal publié</h2>\n<ul>\n"
        body += "<li>Nom (origine) : <code>\(identity.origin)</code></li>\n"
        body +=
            "<li>Taille : \(HTML.integer(identity.size)) entrées, \(HTML.integer(Int64(identity.byteCount))) octets</li>\n"
        body += "<li>SHA-256 du fichier : <code class=\"hash\">\(identity.fileSHA256)</code></li>\n"
        body +=
            "<li>Empreinte de la dernière entrée (seq \(identity.headSeq.map(String.init) ?? "-")) : <code class=\"hash\">\(identity.headHash)</code></li>\n"
        body +=
            "<li>Racine de l'arbre de Merkle (RFC 6962) : <code class=\"hash\">\(identity.rootHash)</code></li>\n</ul>\n"
        body +=
            "<p>La racine change si un seul octet d'une seule ligne change ; c'est la valeur que signe un point de contrôle"
        body +=
            snapshot.checkpoint != nil
            ? " (le dernier est publié : <a href=\"donnees/checkpoint.txt\">checkpoint.txt</a>).</p>\n"
            : " (aucun point de contrôle n'accompagnait le journal lors de cette publication).</p>\n"
        body += "<h2>1. Télécharger et vérifier le journal</h2>\n"
        body +=
            "<pre><code>mkdir registre &amp;&amp; cd registre\n# télécharger donnees/ledger.jsonl dans ce dossier, puis :\nsha256sum ledger.jsonl      # doit afficher \(identity.fileSHA256)\ngrant-ledger verify --ledger .</code></pre>\n"
        body +=
            "<p><code>verify</code> relit chaque ligne : forme canonique, chaînage, signatures Ed25519 et toutes les règles du programme (<a href=\"\(SiteDocument.rules.path)\">les règles des décisions</a>). Il se termine avec le code 0 si tout est conforme. Sans l'outil, <a href=\"\(SiteDocument.format.path)\">le format du journal</a> (§9) explique comment vérifier une ligne avec <code>openssl</code>.</p>\n"
        body += "<h2>2. Recalculer les chiffres</h2>\n"
        body +=
            "<pre><code>grant-ledger stats --ledger . --check statistiques.json\ngrant-ledger stats --ledger . --check statistiques-departement.csv\ngrant-ledger stats --ledger . --by departement --format csv</code></pre>\n"
        body +=
            "<p><code>stats --check</code> recalcule le fichier publié à partir du journal et dit s'il correspond, octet pour octet ; sinon il liste chaque chiffre qui diffère. Les définitions exactes des chiffres : <a href=\"\(SiteDocument.publishing.path)\">les chiffres publiés et leurs définitions</a>.</p>\n"
        body += "<h2>3. Recalculer le fichier SCDL</h2>\n"
        body +=
            "<pre><code>grant-ledger export scdl --ledger . --identifiers identifiants-scdl.csv --check subventions.csv</code></pre>\n"
        body +=
            "<p>Le descripteur <code>subventions.resource.json</code>, téléchargé à côté, dit de quel état du journal le fichier est tiré (nombre d'entrées et racine RFC 6962) : <code>--check</code> recalcule l'export à cette taille, même si le journal a grandi depuis, et nomme la première ligne qui diffère.</p>\n"
        body += "<h2>4. Vérifier une décision</h2>\n"
        body +=
            "<pre><code>grant-ledger show \(example) --ledger .\ngrant-ledger explain \(example) --ledger .</code></pre>\n"
        body +=
            "<p><code>show</code> donne l'historique du dossier (dépôt, notation, décision, versements) avec la place de chaque événement dans le journal ; <code>explain</code> refait le calcul de la décision : la version de l'appel appliquée, les critères, poids et notes, le seuil, la ligne de la grille qui fixe le montant et l'état de l'enveloppe, comme l'exige le code des relations entre le public et l'administration (art. L. 311-3-1) pour une décision prise sur le fondement d'un traitement algorithmique.</p>\n"
        if snapshot.checkpoint != nil, let noteKey {
            body += "<h2>5. Vérifier une décision sans le journal entier</h2>\n"
            body +=
                "<p>Un dossier de preuve de quelques kilo-octets suffit : les événements de la décision, la version de l'appel et les clés des signataires, chacun avec sa preuve d'inclusion (RFC 6962) dans le point de contrôle signé. Toute personne qui détient le journal peut le produire ; chacun peut le vérifier hors ligne avec la clé publique du journal :</p>\n"
            body +=
                "<pre><code>grant-ledger bundle \(example) --ledger . --out dossier.json\ngrant-ledger verify-bundle dossier.json --trust '\(noteKey)'</code></pre>\n"
        }
        return page(path: "verifier.html", title: "Vérifier", depth: 0, body: body)
    }
}
