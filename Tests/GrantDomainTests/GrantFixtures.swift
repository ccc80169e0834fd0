import Foundation
@testable import GrantDomain
import LedgerCore
import LedgerCrypto
import GrantLedgerTestSupport

/// A small Cantal ledger with hand-checkable figures, built through the same operations as the CLI.
struct GrantFixture {
    let directory: String
    let ledger: Ledger<GrantRules>
    let operations: GrantOperations
    let reference: ReferenceData
    let authority = Self.key(1)
    let instructor = Self.key(2)
    let prefect = Self.key(3)
    let payer = Self.key(4)
    let gironde = Self.key(5)

    static func key(_ byte: UInt8) -> Ed25519PrivateKey {
        try! Ed25519PrivateKey(seed: [UInt8](repeating: byte, count: 32))
    }

    static func time(_ text: String) -> Timestamp { Timestamp(rfc3339: text)! }
    static func date(_ text: String) -> CalendarDate { try! CalendarDate(iso: text) }

    init() throws {
        directory = TestDirectory.path("grantdomain")
        reference = try ReferenceData.shared()
        let reference = self.reference
        ledger = Ledger(directory: directory, domain: { GrantRules(reference: reference) })
        operations = GrantOperations(ledger: ledger, reference: reference)
        try ledger.create(
            origin: "test.example/cantal", title: "Test", authority: authority, time: Self.time("2021-01-04T09:00:00Z"))
        for (key, role, territory, holder) in [
            (instructor, Role.prefecture, "15", "Préfecture du Cantal, instruction"),
            (prefect, .prefecture, "15", "Préfecture du Cantal"),
            (payer, .payer, "*", "DRFiP"), (gironde, .prefecture, "33", "Préfecture de la Gironde"),
        ] {
            try ledger.append(
                type: EventCatalog.keyRegistered,
                payload: KeyRegistry.registrationPayload(
                    key.publicKey, role: role, territories: [territory], holder: holder),
                signer: authority, time: Self.time("2021-01-04T09:01:00Z"))
        }
    }

    /// Envelope 20 000 €, national grid and criteria, threshold 15, open March to May 2021.
    func call(envelope: Int64 = 2_000_000) -> GrantCall {
        GrantCall(
            callID: "15-2021-01", title: "Appel du Cantal", territories: ["15"], opensAt: Self.date("2021-03-01"),
            closesAt: Self.date("2021-05-31"), envelopeCents: envelope, threshold: 15,
            referenceData: ReferencePin(name: "collectivites", sha256: reference.datasetID))
    }

    static let vernols = Applicant(
        kind: .commune, name: "Vernols", siren: "211502539", insee: "15253", departement: "15",
        population: 59, populationSource: "INSEE")
    static let aurillac = Applicant(
        kind: .commune, name: "Aurillac", siren: "211500145", insee: "15014", departement: "15",
        population: 26_189, populationSource: "INSEE")
    static let hautesTerres = Applicant(
        kind: .communauteDeCommunes, name: "CC Hautes Terres", siren: "200066637", insee: nil,
        departement: "15", population: 11_118, populationSource: "DGCL")
    static let saintFlour = Applicant(
        kind: .commune, name: "Saint-Flour", siren: "211501879", insee: "15187", departement: "15",
        population: 6_390, populationSource: "INSEE")

    func application(_ id: String, _ applicant: Applicant, submitted: String = "2021-03-15") -> GrantApplication {
        GrantApplication(
            applicationID: id, callID: "15-2021-01", applicant: applicant, action: .strategyStudy,
            title: "Étude \(applicant.name)",
            summary: "Étude stratégique.", requestedCents: 500_000,
            provider: Provider(name: "Conseil", siret: "73282932000074", departement: "15"),
            submittedOn: Self.date(submitted))
    }

    func score(_ id: String, _ impact: Int64, _ need: Int64, _ local: Int64) -> ApplicationScore {
        ApplicationScore(
            applicationID: id, scores: ["impact": impact, "need": need, "local_provider": local], comment: "ok")
    }

    /// The scenario of `docs/EVENTS.md`'s worked figures: A and B granted, C rejected for envelope, D below
    /// threshold; A paid in full, B paid 4 000 €.
    func buildScenario() throws {
        try operations.publish(call(), amend: false, signer: prefect, time: Self.time("2021-01-15T09:00:00Z"))
        try operations.submit(
            application("A", Self.vernols), signer: instructor, time: Self.time("2021-03-16T09:00:00Z"))
        try operations.submit(
            application("B", Self.aurillac), signer: instructor, time: Self.time("2021-03-16T09:01:00Z"))
        try operations.submit(
            application("C", Self.hautesTerres), signer: instructor, time: Self.time("2021-03-16T09:02:00Z"))
        try operations.submit(
            application("D", Self.saintFlour), signer: instructor, time: Self.time("2021-03-16T09:03:00Z"))
        try operations.score(score("A", 5, 5, 5), signer: instructor, time: Self.time("2021-06-01T09:00:00Z"))  // 30
        try operations.score(score("B", 4, 4, 4), signer: instructor, time: Self.time("2021-06-01T09:01:00Z"))  // 24
        try operations.score(score("C", 3, 3, 3), signer: instructor, time: Self.time("2021-06-01T09:02:00Z"))  // 18
        try operations.score(score("D", 1, 2, 3), signer: instructor, time: Self.time("2021-06-01T09:03:00Z"))  // 10
        try decide("A", grant: true, at: "2021-07-01T09:00:00Z")
        try decide("B", grant: true, at: "2021-07-01T09:01:00Z")
        try decide("C", grant: false, motive: .envelopeExhausted, at: "2021-07-01T09:02:00Z")
        try decide("D", grant: false, motive: .belowThreshold, at: "2021-07-01T09:03:00Z")
        try operations.pay(
            GrantPayment(applicationID: "A", amountCents: 500_000, reference: "P1", paidOn: Self.date("2021-09-01")),
            signer: payer, time: Self.time("2021-09-01T09:00:00Z"))
        try operations.pay(
            GrantPayment(applicationID: "B", amountCents: 400_000, reference: "P2", paidOn: Self.date("2021-09-01")),
            signer: payer, time: Self.time("2021-09-01T09:01:00Z"))
    }

    @discardableResult
    func decide(
        _ id: String, grant: Bool, motive: DecisionMotive? = nil, amount: Int64? = nil, deviation: String? = nil,
        signer: Ed25519PrivateKey? = nil, at time: String
    ) throws -> GrantOperations.DecisionResult {
        try operations.decide(
            applicationID: id, grant: grant, motive: motive, amountCents: amount, motiveText: nil,
            reference: "Arrêté \(id)",
            decidedOn: Self.date(String(time.prefix(10))), deviation: deviation, signer: signer ?? prefect,
            time: Self.time(time))
    }

    var state: GrantState { get throws { try ledger.replay().domain.state } }

    var bytes: Data { get throws { try Data(contentsOf: URL(fileURLWithPath: ledger.store.logPath)) } }
}
