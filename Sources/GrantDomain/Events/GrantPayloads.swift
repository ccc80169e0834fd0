public import LedgerCore
public import LedgerCrypto

/// The applicant of an application.
public struct Applicant: Sendable, Hashable {
    /// The largest population the format accepts (France has fewer than 70 million inhabitants).
    public static let maximumPopulation: Int64 = 1_000_000_000

    public var kind: ApplicantKind
    public var name: String
    public var siren: String
    /// INSEE code, for a commune only.
    public var insee: String?
    public var departement: String
    public var population: Int64
    public var populationSource: String

    public init(
        kind: ApplicantKind, name: String, siren: String, insee: String?, departement: String, population: Int64,
        populationSource: String
    ) {
        self.kind = kind
        self.name = name
        self.siren = siren
        self.insee = insee
        self.departement = departement
        self.population = population
        self.populationSource = populationSource
    }
}

/// The company that will provide the expertise.
public struct Provider: Sendable, Hashable {
    public var name: String
    public var siret: String
    public var departement: String

    public init(name: String, siret: String, departement: String) {
        self.name = name
        self.siret = siret
        self.departement = departement
    }
}

/// `application.submitted`.
public struct GrantApplication: Sendable, Hashable {
    /// The submitted fields, held once (``SharedFields``): an application is handed from its decoded payload to
    /// the rules and into the state.
    private struct Fields: Sendable, Hashable {
        var applicationID: String
        var callID: String
        var applicant: Applicant
        var action: GrantAction
        var title: String
        var summary: String
        var requestedCents: Int64
        var provider: Provider
        var submittedOn: CalendarDate
    }

    private var shared: SharedFields<Fields>

    public var applicationID: String {
        get { shared.fields.applicationID }
        set { shared.update { $0.applicationID = newValue } }
    }

    public var callID: String {
        get { shared.fields.callID }
        set { shared.update { $0.callID = newValue } }
    }

    public var applicant: Applicant {
        get { shared.fields.applicant }
        set { shared.update { $0.applicant = newValue } }
    }

    public var action: GrantAction {
        get { shared.fields.action }
        set { shared.update { $0.action = newValue } }
    }

    public var title: String {
        get { shared.fields.title }
        set { shared.update { $0.title = newValue } }
    }

    public var summary: String {
        get { shared.fields.summary }
        set { shared.update { $0.summary = newValue } }
    }

    public var requestedCents: Int64 {
        get { shared.fields.requestedCents }
        set { shared.update { $0.requestedCents = newValue } }
    }

    public var provider: Provider {
        get { shared.fields.provider }
        set { shared.update { $0.provider = newValue } }
    }

    public var submittedOn: CalendarDate {
        get { shared.fields.submittedOn }
        set { shared.update { $0.submittedOn = newValue } }
    }

    public init(
        applicationID: String, callID: String, applicant: Applicant, action: GrantAction, title: String,
        summary: String,
        requestedCents: Int64, provider: Provider, submittedOn: CalendarDate
    ) {
        shared = SharedFields(
            Fields(
                applicationID: applicationID,
                callID: callID,
                applicant: applicant,
                action: action,
                title: title,
                summary: summary,
                requestedCents: requestedCents,
                provider: provider,
                submittedOn: submittedOn))
    }

    public init(payload: JSONValue) throws(PayloadError) {
        var f = PayloadFields(payload)
        let id = f.identifier("application_id")
        let callID = f.identifier("call_id")
        var applicant: Applicant? = nil
        if var a = f.nested("applicant") {
            let kind = a.enumValue("kind", ApplicantKind.self)
            let name = a.string("name", maxLength: 256)
            let siren = a.string("siren", kind: .code, maxLength: 9)
            let insee = a.string("insee", optional: true, kind: .code, maxLength: 5)
            let departement = a.string("departement", kind: .code, maxLength: 3)
            let population = a.integer("population", min: 0, max: Applicant.maximumPopulation)
            let source = a.string("population_source", maxLength: 256)
            f.absorb(a)
            if let kind, let name, let siren, let departement, let population, let source {
                applicant = Applicant(
                    kind: kind, name: name, siren: siren, insee: insee, departement: departement,
                    population: population, populationSource: source)
            }
        }
        let action = f.enumValue("action", GrantAction.self)
        let title = f.string("title", maxLength: 256)
        let summary = f.string("summary", kind: .multiline, maxLength: 4096)
        let requested = f.integer("requested_cents", min: 1, max: Money.maximumCents)
        var provider: Provider? = nil
        if var p = f.nested("provider") {
            let name = p.string("name", maxLength: 256)
            let siret = p.string("siret", kind: .code, maxLength: 14)
            let departement = p.string("departement", kind: .code, maxLength: 3)
            f.absorb(p)
            if let name, let siret, let departement {
                provider = Provider(name: name, siret: siret, departement: departement)
            }
        }
        let submittedOn = f.date("submitted_on")
        f.rejectUnknown()
        guard f.problems.isEmpty, let id, let callID, let applicant, let action, let title, let summary, let requested,
            let provider, let submittedOn
        else { throw PayloadError(f.problems) }
        self.init(
            applicationID: id, callID: callID, applicant: applicant, action: action, title: title, summary: summary,
            requestedCents: requested, provider: provider, submittedOn: submittedOn)
    }

    public var payload: JSONValue {
        var applicantObject: [String: JSONValue] = [
            "kind": .string(applicant.kind.rawValue), "name": .string(applicant.name),
            "siren": .string(applicant.siren),
            "departement": .string(applicant.departement), "population": .integer(applicant.population),
            "population_source": .string(applicant.populationSource),
        ]
        if let insee = applicant.insee { applicantObject["insee"] = .string(insee) }
        return [
            "application_id": .string(applicationID), "call_id": .string(callID), "applicant": .object(applicantObject),
            "action": .string(action.rawValue), "title": .string(title), "summary": .string(summary),
            "requested_cents": .integer(requestedCents),
            "provider": [
                "name": .string(provider.name), "siret": .string(provider.siret),
                "departement": .string(provider.departement),
            ],
            "submitted_on": .string(submittedOn.iso),
        ]
    }
}

/// The points of a score, one integer per criterion id.
///
/// Kept for every scored application, so kept small: one array sorted by criterion id (a dictionary of three
/// criteria took about twice the memory).
public struct CriterionScores: Sendable, Hashable, Sequence, ExpressibleByDictionaryLiteral {
    public typealias Element = (key: String, value: Int64)

    /// Sorted by `key`, each key once.
    private var points: [Element]

    public init(_ dictionary: [String: Int64]) {
        points = dictionary.map { (key: $0.key, value: $0.value) }.sorted { $0.key < $1.key }
    }

    /// A later value of a repeated criterion replaces the earlier one.
    public init(dictionaryLiteral elements: (String, Int64)...) {
        self.init(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }

    /// The points given for criterion `id`.
    public subscript(id: String) -> Int64? {
        // A call has at most ``GrantCall/maximumCriteria`` criteria: a scan.
        points.first { $0.key == id }?.value
    }

    /// The criterion ids, sorted.
    public var keys: [String] { points.map(\.key) }
    public var count: Int { points.count }

    /// The same points in a dictionary.
    public var dictionary: [String: Int64] {
        Dictionary(uniqueKeysWithValues: points.map { ($0.key, $0.value) })
    }

    public func makeIterator() -> IndexingIterator<[Element]> { points.makeIterator() }

    public static func == (lhs: CriterionScores, rhs: CriterionScores) -> Bool {
        KeyedPairs.equal(lhs.points, rhs.points)
    }

    public func hash(into hasher: inout Hasher) { KeyedPairs.hash(points, into: &hasher) }
}

/// `application.scored`: one integer per criterion of the call.
public struct ApplicationScore: Sendable, Hashable {
    public var applicationID: String
    public var scores: CriterionScores
    public var comment: String

    public init(applicationID: String, scores: [String: Int64], comment: String) {
        self.init(applicationID: applicationID, scores: CriterionScores(scores), comment: comment)
    }

    public init(applicationID: String, scores: CriterionScores, comment: String) {
        self.applicationID = applicationID
        self.scores = scores
        self.comment = comment
    }

    public init(payload: JSONValue) throws(PayloadError) {
        var f = PayloadFields(payload)
        let id = f.identifier("application_id")
        var scores: [String: Int64] = [:]
        if var s = f.nested("scores") {
            if s.object.count > GrantCall.maximumCriteria {
                s.problems.append("scores compte plus de \(GrantCall.maximumCriteria) critères")
            }
            for key in s.object.keys.sorted() {
                if let problem = PayloadFields.problem(key, kind: .identifier) {
                    s.problems.append("scores : critère \(problem)")
                } else if let value = s.integer(key, min: 0, max: 1000) {
                    scores[key] = value
                }
            }
            f.absorb(s)
        }
        let comment = f.string("comment", kind: .multiline, maxLength: 4096)
        f.rejectUnknown()
        guard f.problems.isEmpty, let id, let comment else { throw PayloadError(f.problems) }
        self.init(applicationID: id, scores: scores, comment: comment)
    }

    public var payload: JSONValue {
        [
            "application_id": .string(applicationID),
            "scores": .object(scores.dictionary.mapValues { .integer($0) }),
            "comment": .string(comment),
        ]
    }
}

/// `decision.recorded`.
public struct GrantDecision: Sendable, Hashable {
    public var applicationID: String
    public var outcome: DecisionOutcome
    /// The granted amount; 0 for a rejection.
    public var amountCents: Int64
    public var motive: DecisionMotive
    public var motiveText: String
    /// The entry hash of the call version applied.
    public var callVersion: String
    /// The arrêté number.
    public var reference: String
    public var decidedOn: CalendarDate
    /// A declared departure from the published criteria, with its justification.
    public var deviation: String?

    public init(
        applicationID: String, outcome: DecisionOutcome, amountCents: Int64, motive: DecisionMotive, motiveText: String,
        callVersion: String, reference: String, decidedOn: CalendarDate, deviation: String? = nil
    ) {
        self.applicationID = applicationID
        self.outcome = outcome
        self.amountCents = amountCents
        self.motive = motive
        self.motiveText = motiveText
        self.callVersion = callVersion
        self.reference = reference
        self.decidedOn = decidedOn
        self.deviation = deviation
    }

    public init(payload: JSONValue) throws(PayloadError) {
        var f = PayloadFields(payload)
        let id = f.identifier("application_id")
        let outcome = f.enumValue("outcome", DecisionOutcome.self)
        let amount = f.integer("amount_cents", min: 0, max: Money.maximumCents)
        let motive = f.enumValue("motive", DecisionMotive.self)
        let motiveText = f.string("motive_text", kind: .multiline, maxLength: 4096)
        let version = f.string("call_version", kind: .code, maxLength: 64)
        let reference = f.string("reference", maxLength: 128)
        let decidedOn = f.date("decided_on")
        var deviation: String? = nil
        if var d = f.nested("deviation", optional: true) {
            deviation = d.string(
                "justification", kind: .multiline, maxLength: 4096,
                minimumVisible: GrantRules.minimumJustificationLength)
            f.absorb(d)
        }
        f.rejectUnknown()
        if let outcome, let amount {
            if outcome == .rejected && amount != 0 { f.problems.append("un rejet a amount_cents = 0 (ici \(amount))") }
            if outcome == .granted && amount == 0 { f.problems.append("une attribution a un montant positif") }
        }
        if let version, Digest(hex: version) == nil {
            f.problems.append("call_version doit être le hash (64 hexadécimaux) d'une version de l'appel")
        }
        guard f.problems.isEmpty, let id, let outcome, let amount, let motive, let motiveText, let version,
            let reference, let decidedOn
        else { throw PayloadError(f.problems) }
        self.init(
            applicationID: id, outcome: outcome, amountCents: amount, motive: motive, motiveText: motiveText,
            callVersion: version, reference: reference, decidedOn: decidedOn, deviation: deviation)
    }

    public var payload: JSONValue {
        var object: [String: JSONValue] = [
            "application_id": .string(applicationID), "outcome": .string(outcome.rawValue),
            "amount_cents": .integer(amountCents),
            "motive": .string(motive.rawValue), "motive_text": .string(motiveText),
            "call_version": .string(callVersion),
            "reference": .string(reference), "decided_on": .string(decidedOn.iso),
        ]
        if let deviation { object["deviation"] = ["justification": .string(deviation)] }
        return .object(object)
    }
}

/// `decision.withdrawn` (by the prefecture) and `application.withdrawn` (by the applicant).
public struct Withdrawal: Sendable, Hashable {
    public var applicationID: String
    public var reason: String
    /// The withdrawal act's reference; required for `decision.withdrawn`, absent for `application.withdrawn`.
    public var reference: String?
    public var withdrawnOn: CalendarDate

    public init(applicationID: String, reason: String, reference: String?, withdrawnOn: CalendarDate) {
        self.applicationID = applicationID
        self.reason = reason
        self.reference = reference
        self.withdrawnOn = withdrawnOn
    }

    public init(payload: JSONValue, requiresReference: Bool) throws(PayloadError) {
        var f = PayloadFields(payload)
        let id = f.identifier("application_id")
        let reason = f.string("reason", kind: .multiline, maxLength: 4096)
        let reference = f.string("reference", optional: !requiresReference, maxLength: 128)
        let on = f.date("withdrawn_on")
        f.rejectUnknown()
        if !requiresReference && reference != nil { f.problems.append("application.withdrawn n'a pas de reference") }
        guard f.problems.isEmpty, let id, let reason, let on else { throw PayloadError(f.problems) }
        self.init(applicationID: id, reason: reason, reference: reference, withdrawnOn: on)
    }

    public var payload: JSONValue {
        var object: [String: JSONValue] = [
            "application_id": .string(applicationID), "reason": .string(reason),
            "withdrawn_on": .string(withdrawnOn.iso),
        ]
        if let reference { object["reference"] = .string(reference) }
        return .object(object)
    }
}

/// `payment.recorded`.
public struct GrantPayment: Sendable, Hashable {
    /// How references are compared for uniqueness (`PAY-REFERENCE`): letters and digits only, case folded,
    /// so that `DRFIP-2021-0001` and `drfip 2021 0001` are one reference, as a paying agent would read them.
    public var referenceKey: String {
        String(String.UnicodeScalarView(reference.unicodeScalars.filter { TextRules.visibleCount(String($0)) == 1 }))
            .uppercased()
    }

    public var applicationID: String
    public var amountCents: Int64
    public var reference: String
    public var paidOn: CalendarDate

    public init(applicationID: String, amountCents: Int64, reference: String, paidOn: CalendarDate) {
        self.applicationID = applicationID
        self.amountCents = amountCents
        self.reference = reference
        self.paidOn = paidOn
    }

    public init(payload: JSONValue) throws(PayloadError) {
        var f = PayloadFields(payload)
        let id = f.identifier("application_id")
        let amount = f.integer("amount_cents", min: 1, max: Money.maximumCents)
        let reference = f.string("reference", maxLength: 128)
        let paidOn = f.date("paid_on")
        f.rejectUnknown()
        guard f.problems.isEmpty, let id, let amount, let reference, let paidOn else { throw PayloadError(f.problems) }
        self.init(applicationID: id, amountCents: amount, reference: reference, paidOn: paidOn)
    }

    public var payload: JSONValue {
        [
            "application_id": .string(applicationID), "amount_cents": .integer(amountCents),
            "reference": .string(reference),
            "paid_on": .string(paidOn.iso),
        ]
    }
}

extension FrenchFormat {
    /// `5 000,00 €`.
    public static func euros(_ cents: Int64) -> String {
        Money.formatFrench(cents: cents)
    }
}
