import Foundation
import GrantDomain
import GrantLedgerTestSupport
@testable import GrantPublishing
import LedgerCore
import LedgerCrypto
import Testing

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// A valid, signed log whose every free text is hostile markup: the site built from it must show that text, escaped,
/// and nothing of it as markup.
@Suite("Static site: hostile text in the log comes out escaped on every page")
struct HostileSiteTests {
    static let hostile = MarkupTests.hostile
    static let escaped = MarkupTests.escaped

    static func time(_ text: String) -> Timestamp { Timestamp(rfc3339: text)! }
    static func date(_ text: String) -> CalendarDate { try! CalendarDate(iso: text) }
    static func key(_ byte: UInt8) -> Ed25519PrivateKey {
        try! Ed25519PrivateKey(seed: [UInt8](repeating: byte, count: 32))
    }

    /// A Cantal call, its criteria, three applications, a grant paid then withdrawn by its applicant, a grant with
    /// a declared deviation, a rejection: titles, criteria labels, population sources, decision references, motive
    /// texts, the deviation, the payment reference and the withdrawal's reason all carry ``hostile``.
    static func hostileLedger(in directory: String) throws {
        let hostile = Self.hostile
        let reference = try ReferenceData.shared()
        let ledger = Ledger(directory: directory, domain: { GrantRules(reference: reference) })
        let operations = GrantOperations(ledger: ledger, reference: reference)
        let (authority, instructor, prefect, payer) = (key(1), key(2), key(3), key(4))
        try ledger.create(
            origin: "test.example/hostile", title: "Test \(hostile)", authority: authority,
            time: time("2021-01-04T09:00:00Z"))
        for (signer, role, holder) in [
            (instructor, Role.prefecture, "Instruction"), (prefect, .prefecture, "Préfet"), (payer, .payer, "DRFiP"),
        ] {
            try ledger.append(
                type: EventCatalog.keyRegistered,
                payload: KeyRegistry.registrationPayload(
                    signer.publicKey, role: role, territories: role == .payer ? ["*"] : ["15"], holder: holder),
                signer: authority, time: time("2021-01-04T09:01:00Z"))
        }
        let call = GrantCall(
            callID: "15-2021-01", title: "Appel \(hostile)", territories: ["15"], opensAt: date("2021-03-01"),
            closesAt: date("2021-05-31"), envelopeCents: 2_000_000,
            criteria: GrantCall.nationalCriteria.map {
                Criterion(id: $0.id, label: "\($0.label) \(hostile)", weight: $0.weight, max: $0.max)
            },
            threshold: 15, rules: CallRules(meritOrder: false),
            referenceData: ReferencePin(name: "collectivites", sha256: reference.datasetID))
        try operations.publish(call, amend: false, signer: prefect, time: time("2021-01-15T09:00:00Z"))
        let applicants = [
            Applicant(
                kind: .commune, name: "Vernols", siren: "211502539", insee: "15253", departement: "15",
                population: 59, populationSource: "INSEE \(hostile)"),
            Applicant(
                kind: .commune, name: "Aurillac", siren: "211500145", insee: "15014", departement: "15",
                population: 26_189, populationSource: "INSEE \(hostile)"),
            Applicant(
                kind: .commune, name: "Saint-Flour", siren: "211501879", insee: "15187", departement: "15",
                population: 6_390, populationSource: "INSEE \(hostile)"),
        ]
        for (index, applicant) in applicants.enumerated() {
            try operations.submit(
                GrantApplication(
                    applicationID: "15-2021-01-000\(index + 1)", callID: "15-2021-01", applicant: applicant,
                    action: .strategyStudy, title: "Projet \(hostile) \(index + 1)", summary: "Résumé \(hostile)",
                    requestedCents: 500_000,
                    provider: Provider(name: "Prestataire \(hostile)", siret: "73282932000074", departement: "15"),
                    submittedOn: date("2021-03-15")),
                signer: instructor, time: time("2021-03-16T09:0\(index):00Z"))
        }
        for (index, note) in [Int64(5), 4, 1].enumerated() {
            try operations.score(
                ApplicationScore(
                    applicationID: "15-2021-01-000\(index + 1)",
                    scores: ["impact": note, "need": note, "local_provider": note], comment: "Note \(hostile)"),
                signer: instructor, time: time("2021-06-01T09:0\(index):00Z"))
        }
        for (index, grant) in [true, true, false].enumerated() {
            _ = try operations.decide(
                applicationID: "15-2021-01-000\(index + 1)", grant: grant, motive: grant ? nil : .belowThreshold,
                amountCents: nil, motiveText: "Texte \(hostile)", reference: "Arrêté \(hostile) \(index + 1)",
                decidedOn: date("2021-07-01"), deviation: index == 1 ? "Écart \(hostile)" : nil, signer: prefect,
                time: time("2021-07-01T09:0\(index):00Z"))
        }
        try operations.pay(
            GrantPayment(
                applicationID: "15-2021-01-0001", amountCents: 100_000, reference: "DRFIP \(hostile)",
                paidOn: date("2021-09-01")),
            signer: payer, time: time("2021-09-01T09:00:00Z"))
        try operations.withdraw(
            applicationID: "15-2021-01-0001", reason: "Raison \(hostile)", reference: nil, on: date("2021-10-01"),
            byApplicant: true, signer: instructor, time: time("2021-10-01T09:00:00Z"))
    }

    @Test("every page is well-formed, has no markup of the log's text, and shows that text escaped")
    func hostileLog() throws {
        let directory = TestDirectory.path("grantledger-hostile")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try Self.hostileLedger(in: directory)
        let snapshot = try LedgerSnapshot.verified(directory: directory)
        let identifiers = try SCDLIdentifiers(csv: DemoFixture.identifiersCSV(for: snapshot), source: "test")
        let site = try SiteBuilder(
            snapshot: snapshot, identifiers: identifiers, identifiersFile: nil, ledgerDirectory: directory)
        var showing: Set<String> = []
        for (path, bytes) in site.files where path.hasSuffix(".html") {
            let parser = XMLParser(data: Data(bytes))
            let inspector = PageInspector()
            parser.delegate = inspector
            #expect(parser.parse(), "\(path): \(parser.parserError.map { "\($0)" } ?? "")")
            #expect(inspector.elements["script"] == nil, "\(path)")
            let page = String(decoding: bytes, as: UTF8.self)
            #expect(!page.contains("<script") && !page.contains("'q'") && !page.contains("\"x\""), "\(path)")
            if page.contains(Self.escaped) { showing.insert(path) }
        }
        // The log's title is in every page's header; the rest where it belongs.
        #expect(showing.count == site.files.keys.filter { $0.hasSuffix(".html") }.count)
        let text = { (path: String) in String(decoding: site.files[path] ?? [], as: UTF8.self) }
        let escaped = Self.escaped
        #expect(text("index.html").contains("Appel \(escaped)"))
        let call = text("appels/15-2021-01.html")
        #expect(call.contains("<h1>Appel 15-2021-01 : Appel \(escaped)</h1>"))
        #expect(call.contains("<th scope=\"row\">Impact du projet \(escaped)</th>"))
        #expect(text("projets.html").contains(">Projet \(escaped) 2</a>"))
        let withdrawn = text("decisions/15-2021-01-0001.html")
        for field in [
            "« Projet \(escaped) 1 »", "selon « INSEE \(escaped) »", "Arrêté \(escaped) 1", "Texte \(escaped)",
            "<td>DRFIP \(escaped)</td>", "Raison : « Raison \(escaped) »", "Retrait par le demandeur",
        ] {
            #expect(withdrawn.contains(field), "\(field)")
        }
        #expect(text("decisions/15-2021-01-0002.html").contains("justification : « Écart \(escaped) »"))
        // Literal markup stays as written: the apostrophes of the page's own sentences are not escaped.
        #expect(text("decisions/15-2021-01-0003.html").contains("(l'appel n'applique pas l'ordre de mérite)"))
        // Scorers' comments and providers are on no page, escaped or not.
        for path in site.files.keys where path.hasSuffix(".html") {
            #expect(!text(path).contains("Note \(escaped)") && !text(path).contains("Prestataire"), "\(path)")
        }
    }
}
