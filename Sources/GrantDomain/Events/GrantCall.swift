public import LedgerCore

/// One line of an amount grid: who it applies to and the flat amount. The first matching line wins.
public struct GridLine: Sendable, Hashable {
    public let applicantKinds: [ApplicantKind]
    /// Inclusive population bounds; nil means unbounded.
    public let populationMin: Int64?
    public let populationMax: Int64?
    public let amountCents: Int64

    public init(
        applicantKinds: [ApplicantKind], populationMin: Int64? = nil, populationMax: Int64? = nil, amountCents: Int64
    ) {
        self.applicantKinds = applicantKinds
        self.populationMin = populationMin
        self.populationMax = populationMax
        self.amountCents = amountCents
    }

    public func matches(kind: ApplicantKind, population: Int64) -> Bool {
        applicantKinds.contains(kind) && population >= (populationMin ?? 0) && population <= (populationMax ?? .max)
    }

    /// « commune de moins de 5 000 habitants », « commune de 5 000 habitants ou plus », …
    public var label: String {
        let kinds = applicantKinds.map(\.label).joined(separator: ", ")
        switch (populationMin, populationMax) {
        case (nil, nil): return kinds
        case (nil, let max?): return "\(kinds) de moins de \(FrenchFormat.integer(max + 1)) habitants"
        case (let min?, nil): return "\(kinds) de \(FrenchFormat.integer(min)) habitants ou plus"
        case (let min?, let max?):
            return "\(kinds) de \(FrenchFormat.integer(min)) à \(FrenchFormat.integer(max)) habitants"
        }
    }

    var payload: JSONValue {
        var object: [String: JSONValue] = [
            "applicant_kinds": .array(applicantKinds.map { .string($0.rawValue) }),
            "amount_cents": .integer(amountCents),
        ]
        if let populationMin { object["population_min"] = .integer(populationMin) }
        if let populationMax { object["population_max"] = .integer(populationMax) }
        return .object(object)
    }
}

/// A scoring criterion: integer weight and maximum.
public struct Criterion: Sendable, Hashable {
    public let id: String
    public let label: String
    public let weight: Int64
    public let max: Int64

    public init(id: String, label: String, weight: Int64, max: Int64) {
        self.id = id
        self.label = label
        self.weight = weight
        self.max = max
    }
}

/// Process rules a call may enable.
public struct CallRules: Sendable, Hashable {
    public var oneAwardPerApplicant: Bool
    public var scorerDistinctFromDecider: Bool
    public var meritOrder: Bool

    public init(oneAwardPerApplicant: Bool = true, scorerDistinctFromDecider: Bool = true, meritOrder: Bool = true) {
        self.oneAwardPerApplicant = oneAwardPerApplicant
        self.scorerDistinctFromDecider = scorerDistinctFromDecider
        self.meritOrder = meritOrder
    }
}

/// The reference dataset a call relies on, pinned by SHA-256 so a verifier can re-check later.
public struct ReferencePin: Sendable, Hashable {
    public let name: String
    public let sha256: String

    public init(name: String, sha256: String) {
        self.name = name
        self.sha256 = sha256
    }
}

/// The granting body named in a call, for open data (SCDL `nomAttribuant`, `idAttribuant`).
public struct Attribuant: Sendable, Hashable {
    public let name: String
    /// 14 digits passing the Luhn check.
    public let siret: String

    public init(name: String, siret: String) {
        self.name = name
        self.siret = siret
    }
}

/// The aid scheme (« dispositif d'aide ») a call belongs to, for open data (SCDL `dispositifAide`): a programme
/// such as « France Relance — Transformation numérique des collectivités territoriales ».
///
/// `id` is the scheme's identifier in the national « schéma des dispositifs d'aide » when the publisher knows it
/// (SCDL asks for that identifier); the name alone is published otherwise.
public struct AidScheme: Sendable, Hashable {
    public let name: String
    public let id: String?

    public init(name: String, id: String? = nil) {
        self.name = name
        self.id = id
    }

    /// The value of SCDL `dispositifAide`: the identifier when known, else the name.
    public var scdlValue: String { id ?? name }
}

/// A call for applications: the published criteria every decision must follow (`docs/EVENTS.md`).
public struct GrantCall: Sendable, Hashable {
    /// The published fields, held once (``SharedFields``): a call is read out of the state for nearly every event
    /// checked (its version, envelope, grid, criteria).
    private struct Fields: Sendable, Hashable {
        var callID: String
        var title: String
        var territories: [String]
        var opensAt: CalendarDate
        var closesAt: CalendarDate
        var envelopeCents: Int64
        var eligibleActions: [GrantAction]
        var eligibleApplicants: [ApplicantKind]
        var gridName: String?
        var grid: [GridLine]
        var criteria: [Criterion]
        var threshold: Int64
        var rules: CallRules
        var referenceData: ReferencePin
        var attribuant: Attribuant?
        var dispositif: AidScheme?
    }

    private var shared: SharedFields<Fields>

    public var callID: String {
        get { shared.fields.callID }
        set { shared.update { $0.callID = newValue } }
    }

    public var title: String {
        get { shared.fields.title }
        set { shared.update { $0.title = newValue } }
    }

    /// Département codes, or `["*"]` for the whole country.
    public var territories: [String] {
        get { shared.fields.territories }
        set { shared.update { $0.territories = newValue } }
    }

    public var opensAt: CalendarDate {
        get { shared.fields.opensAt }
        set { shared.update { $0.opensAt = newValue } }
    }

    public var closesAt: CalendarDate {
        get { shared.fields.closesAt }
        set { shared.update { $0.closesAt = newValue } }
    }

    public var envelopeCents: Int64 {
        get { shared.fields.envelopeCents }
        set { shared.update { $0.envelopeCents = newValue } }
    }

    public var eligibleActions: [GrantAction] {
        get { shared.fields.eligibleActions }
        set { shared.update { $0.eligibleActions = newValue } }
    }

    public var eligibleApplicants: [ApplicantKind] {
        get { shared.fields.eligibleApplicants }
        set { shared.update { $0.eligibleApplicants = newValue } }
    }

    /// The grid's name when it is a preset (e.g. `national`), else nil.
    public var gridName: String? {
        get { shared.fields.gridName }
        set { shared.update { $0.gridName = newValue } }
    }

    public var grid: [GridLine] {
        get { shared.fields.grid }
        set { shared.update { $0.grid = newValue } }
    }

    public var criteria: [Criterion] {
        get { shared.fields.criteria }
        set { shared.update { $0.criteria = newValue } }
    }

    /// Minimum weighted score for a grant.
    public var threshold: Int64 {
        get { shared.fields.threshold }
        set { shared.update { $0.threshold = newValue } }
    }

    public var rules: CallRules {
        get { shared.fields.rules }
        set { shared.update { $0.rules = newValue } }
    }

    public var referenceData: ReferencePin {
        get { shared.fields.referenceData }
        set { shared.update { $0.referenceData = newValue } }
    }

    /// The granting body (name and SIRET) published with the call, if given.
    public var attribuant: Attribuant? {
        get { shared.fields.attribuant }
        set { shared.update { $0.attribuant = newValue } }
    }

    /// The aid scheme the call belongs to, if given.
    public var dispositif: AidScheme? {
        get { shared.fields.dispositif }
        set { shared.update { $0.dispositif = newValue } }
    }

    /// At most this many criteria (the weighted score then stays far below overflow: weights and maxima are
    /// at most 1 000 each).
    public static let maximumCriteria = 50
    /// At most this many grid lines.
    public static let maximumGridLines = 64
    /// The largest threshold: the largest weighted score possible.
    public static let maximumThreshold: Int64 = Int64(maximumCriteria) * 1000 * 1000

    /// The national grid: 5 000 € for communes under 5 000 inhabitants, 10 000 € for other communes,
    /// 20 000 € for départements, régions and intercommunalities.
    public static let nationalGrid: [GridLine] = [
        GridLine(applicantKinds: [.commune], populationMax: 4_999, amountCents: 500_000),
        GridLine(applicantKinds: [.commune], populationMin: 5_000, amountCents: 1_000_000),
        GridLine(
            applicantKinds: [
                .departement, .region, .communauteDeCommunes, .communauteDAgglomeration,
                .communauteUrbaine, .metropole,
            ], amountCents: 2_000_000),
    ]

    /// The programme's three criteria: impact, need for a digital upgrade, local providers.
    public static let nationalCriteria: [Criterion] = [
        Criterion(id: "impact", label: "Impact du projet", weight: 3, max: 5),
        Criterion(id: "need", label: "Besoin de mise à niveau numérique", weight: 2, max: 5),
        Criterion(id: "local_provider", label: "Ancrage local des prestataires", weight: 1, max: 5),
    ]

    public init(
        callID: String, title: String, territories: [String], opensAt: CalendarDate, closesAt: CalendarDate,
        envelopeCents: Int64, eligibleActions: [GrantAction] = GrantAction.allCases,
        eligibleApplicants: [ApplicantKind] = ApplicantKind.allCases, gridName: String? = "national",
        grid: [GridLine] = GrantCall.nationalGrid, criteria: [Criterion] = GrantCall.nationalCriteria,
        threshold: Int64 = 15, rules: CallRules = CallRules(), referenceData: ReferencePin,
        attribuant: Attribuant? = nil, dispositif: AidScheme? = nil
    ) {
        shared = SharedFields(
            Fields(
                callID: callID,
                title: title,
                territories: territories,
                opensAt: opensAt,
                closesAt: closesAt,
                envelopeCents: envelopeCents,
                eligibleActions: eligibleActions,
                eligibleApplicants: eligibleApplicants,
                gridName: gridName,
                grid: grid,
                criteria: criteria,
                threshold: threshold,
                rules: rules,
                referenceData: referenceData,
                attribuant: attribuant,
                dispositif: dispositif))
    }

    /// The first grid line that applies, with its 1-based number.
    public func gridLine(kind: ApplicantKind, population: Int64) -> (number: Int, line: GridLine)? {
        for (index, line) in grid.enumerated() where line.matches(kind: kind, population: population) {
            return (index + 1, line)
        }
        return nil
    }

    /// Σ weight × score, exactly, in integers.
    public func weightedScore(_ scores: CriterionScores) -> Int64 {
        criteria.reduce(0) { $0 + $1.weight * (scores[$1.id] ?? 0) }
    }

    public func weightedScore(_ scores: [String: Int64]) -> Int64 { weightedScore(CriterionScores(scores)) }

    public var maximumScore: Int64 { criteria.reduce(0) { $0 + $1.weight * $1.max } }

    public func covers(departement: String) -> Bool {
        territories.contains("*") || territories.contains(departement)
    }

    /// Decodes a payload, with every problem listed.
    public init(payload: JSONValue) throws(PayloadError) {
        var f = PayloadFields(payload)
        let callID = f.identifier("call_id")
        let title = f.string("title", maxLength: 256)
        let territories = f.strings("territories")
        if let territories {
            let bad = territories.filter { $0 != "*" && DepartementCode($0) == nil }
            if !bad.isEmpty { f.problems.append("territoires inconnus : \(bad.joined(separator: ", "))") }
            if territories.contains("*") && territories.count > 1 {
                f.problems.append("« * » doit être seul dans territories")
            }
        }
        let opensAt = f.date("opens_at")
        let closesAt = f.date("closes_at")
        let envelope = f.integer("envelope_cents", min: 1, max: Money.maximumCents)
        let actions = f.enumValues("eligible_actions", GrantAction.self)
        let applicants = f.enumValues("eligible_applicants", ApplicantKind.self)
        let gridName = f.identifier("grid_name", optional: true)
        var grid: [GridLine] = []
        for (index, item) in (f.array("grid", maxCount: GrantCall.maximumGridLines) ?? []).enumerated() {
            var line = PayloadFields(item, path: "grid[\(index)]")
            let kinds = line.enumValues("applicant_kinds", ApplicantKind.self)
            let min = line.integer("population_min", optional: true, max: Applicant.maximumPopulation)
            let max = line.integer("population_max", optional: true, max: Applicant.maximumPopulation)
            let amount = line.integer("amount_cents", min: 1, max: Money.maximumCents)
            if let min, let max, min > max { line.problems.append("grid[\(index)] : population_min > population_max") }
            f.absorb(line)
            if let kinds, let amount {
                grid.append(
                    GridLine(applicantKinds: kinds, populationMin: min, populationMax: max, amountCents: amount))
            }
        }
        if f.object["grid"] != nil && grid.isEmpty && f.problems.isEmpty {
            f.problems.append("grid ne doit pas être vide")
        }
        var criteria: [Criterion] = []
        for (index, item) in (f.array("criteria", maxCount: GrantCall.maximumCriteria) ?? []).enumerated() {
            var c = PayloadFields(item, path: "criteria[\(index)]")
            let id = c.identifier("id")
            let label = c.string("label", maxLength: 256)
            let weight = c.integer("weight", min: 1, max: 1000)
            let max = c.integer("max", min: 1, max: 1000)
            f.absorb(c)
            if let id, let label, let weight, let max {
                criteria.append(Criterion(id: id, label: label, weight: weight, max: max))
            }
        }
        if Set(criteria.map(\.id)).count != criteria.count { f.problems.append("criteria : identifiants en double") }
        if f.object["criteria"] != nil && criteria.isEmpty && f.problems.isEmpty {
            f.problems.append("criteria ne doit pas être vide")
        }
        let threshold = f.integer("threshold", min: 0, max: GrantCall.maximumThreshold)
        var rules = CallRules()
        if var r = f.nested("rules") {
            rules = CallRules(
                oneAwardPerApplicant: r.bool("one_award_per_applicant") ?? true,
                scorerDistinctFromDecider: r.bool("scorer_distinct_from_decider") ?? true,
                meritOrder: r.bool("merit_order") ?? true)
            f.absorb(r)
        }
        var pin: ReferencePin? = nil
        if var r = f.nested("reference_data") {
            let name = r.identifier("name")
            let sha = r.string("sha256", kind: .code, maxLength: 64)
            if let sha,
                sha.utf8.count != 64 || !sha.utf8.allSatisfy({ ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 102) })
            {
                r.problems.append("reference_data.sha256 doit être 64 chiffres hexadécimaux minuscules")
            }
            f.absorb(r)
            if let name, let sha { pin = ReferencePin(name: name, sha256: sha) }
        }
        var attribuant: Attribuant? = nil
        if var a = f.nested("attribuant", optional: true) {
            let name = a.string("name", maxLength: 256)
            let siret = a.string("siret", kind: .code, maxLength: 14)
            if let siret, !SIRET.isValid(siret) {
                a.problems.append("attribuant.siret \(siret) n'est pas un SIRET valide (14 chiffres, clé de Luhn)")
            }
            f.absorb(a)
            if let name, let siret { attribuant = Attribuant(name: name, siret: siret) }
        }
        var dispositif: AidScheme? = nil
        if var d = f.nested("dispositif", optional: true) {
            let name = d.string("name", maxLength: 256)
            let id = d.identifier("id", optional: true)
            f.absorb(d)
            if let name { dispositif = AidScheme(name: name, id: id) }
        }
        f.rejectUnknown()
        if let opensAt, let closesAt, closesAt < opensAt {
            f.problems.append("closes_at (\(closesAt)) précède opens_at (\(opensAt))")
        }
        if let threshold, !criteria.isEmpty, threshold > criteria.reduce(0, { $0 + $1.weight * $1.max }) {
            f.problems.append("threshold \(threshold) dépasse la note pondérée maximale")
        }
        guard f.problems.isEmpty, let callID, let title, let territories, let opensAt, let closesAt, let envelope,
            let actions, let applicants, let threshold, let pin
        else { throw PayloadError(f.problems) }
        self.init(
            callID: callID, title: title, territories: territories, opensAt: opensAt, closesAt: closesAt,
            envelopeCents: envelope, eligibleActions: actions, eligibleApplicants: applicants, gridName: gridName,
            grid: grid, criteria: criteria, threshold: threshold, rules: rules, referenceData: pin,
            attribuant: attribuant, dispositif: dispositif)
    }

    /// The payload of `call.published` / `call.amended`.
    public var payload: JSONValue {
        var object: [String: JSONValue] = [
            "call_id": .string(callID), "title": .string(title), "territories": .array(territories.map { .string($0) }),
            "opens_at": .string(opensAt.iso), "closes_at": .string(closesAt.iso),
            "envelope_cents": .integer(envelopeCents),
            "eligible_actions": .array(eligibleActions.map { .string($0.rawValue) }),
            "eligible_applicants": .array(eligibleApplicants.map { .string($0.rawValue) }),
            "grid": .array(grid.map(\.payload)),
            "criteria": .array(
                criteria.map {
                    [
                        "id": .string($0.id), "label": .string($0.label), "weight": .integer($0.weight),
                        "max": .integer($0.max),
                    ]
                }),
            "threshold": .integer(threshold),
            "rules": [
                "one_award_per_applicant": .bool(rules.oneAwardPerApplicant),
                "scorer_distinct_from_decider": .bool(rules.scorerDistinctFromDecider),
                "merit_order": .bool(rules.meritOrder),
            ],
            "reference_data": ["name": .string(referenceData.name), "sha256": .string(referenceData.sha256)],
        ]
        if let gridName { object["grid_name"] = .string(gridName) }
        if let attribuant {
            object["attribuant"] = ["name": .string(attribuant.name), "siret": .string(attribuant.siret)]
        }
        if let dispositif {
            var scheme: [String: JSONValue] = ["name": .string(dispositif.name)]
            if let id = dispositif.id { scheme["id"] = .string(id) }
            object["dispositif"] = .object(scheme)
        }
        return .object(object)
    }
}
