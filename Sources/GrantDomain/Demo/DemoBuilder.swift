import Foundation
public import LedgerCore
public import LedgerCrypto

/// Builds the realistic, deterministic demo ledger (`grant-ledger demo`).
///
/// Everything derives from the seed: keys (labelled DEMO ONLY), applicants picked among real communes and
/// EPCIs of the reference data, scores, decisions and payments. The same options always give the same bytes.
/// Three prefectures instruct one call each (two on the national grid, one on its own grid published then
/// amended), decisions follow the merit order within each envelope and use every motive, one decision
/// declares a deviation, some grants are paid in two instalments and some only in part, one grant is
/// withdrawn, one application is withdrawn by its applicant, and the Cantal prefect's first key is revoked.
public struct DemoBuilder: Sendable {
    public static let origin = "relance-numerique.demo.grantledger.example/2021"
    public static let title = "Relance numérique des collectivités — démonstration (DEMO)"

    public let seed: UInt64
    public let applications: Int
    let reference: ReferenceData

    public init(seed: UInt64 = 2021, applications: Int = 60, reference: ReferenceData) {
        self.seed = seed
        self.applications = applications
        self.reference = reference
    }

    /// A demo key: its file name, holder, role and territories.
    public struct DemoKey: Sendable {
        public let file: String
        public let holder: String
        public let role: Role
        public let territories: [String]
        public let key: Ed25519PrivateKey
    }

    /// What was built.
    public struct Summary: Sendable {
        public let entries: Int64
        public let applications: Int
        public let keys: [DemoKey]
    }

    /// The key derived from the seed for `name`: SHA-256("grantledger demo v1|seed|name") as Ed25519 seed.
    func demoKey(_ name: String) -> Ed25519PrivateKey {
        var bytes = SHA256.hash(Array("grantledger demo v1|\(seed)|\(name)".utf8)).bytes
        defer { Secure.cleanse(&bytes) }
        return try! Ed25519PrivateKey(seed: bytes)
    }

    struct CallPlan {
        let departement: String
        let departementName: String
        let publisher: String  // key name
        let instructor: String
        let decider: String
        var call: GrantCall
        var amendment: GrantCall?
    }

    struct AppPlan {
        let application: GrantApplication
        var scores: [String: Int64]?
        var incomplete = false
        var withdrawnByApplicant = false
    }

    /// Writes the demo ledger into `directory` (which must not hold a ledger) and its keys into
    /// `directory/demo-keys/`.
    public func build(into directory: String) throws(LedgerError) -> Summary {
        var random = DemoRandom(seed: seed)
        let pin = ReferencePin(name: "collectivites-cog-2026", sha256: reference.datasetID)

        // Keys.
        var keys: [String: DemoKey] = [:]
        func add(_ name: String, _ holder: String, _ role: Role, _ territories: [String]) {
            keys[name] = DemoKey(file: name, holder: holder, role: role, territories: territories, key: demoKey(name))
        }
        add("autorite", "Autorité de gestion du programme (DEMO)", .authority, ["*"])
        add("prefecture-du-cantal-2020", "Préfecture du Cantal, préfet en poste en 2020 (DEMO)", .prefecture, ["15"])
        add("prefecture-du-cantal", "Préfecture du Cantal (DEMO)", .prefecture, ["15"])
        add("prefecture-du-cantal-instruction", "Préfecture du Cantal, service instructeur (DEMO)", .prefecture, ["15"])
        add("prefecture-de-la-gironde", "Préfecture de la Gironde (DEMO)", .prefecture, ["33"])
        add(
            "prefecture-de-la-gironde-instruction", "Préfecture de la Gironde, service instructeur (DEMO)", .prefecture,
            ["33"])
        add("prefecture-du-nord", "Préfecture du Nord (DEMO)", .prefecture, ["59"])
        add("prefecture-du-nord-instruction", "Préfecture du Nord, service instructeur (DEMO)", .prefecture, ["59"])
        add("drfip-paiement", "Direction régionale des finances publiques, paiement (DEMO)", .payer, ["*"])
        add("cour-des-comptes", "Cour des comptes, auditeur (DEMO)", .auditor, ["*"])

        // Calls (envelopes are fixed below, once the merit order is known).
        let opens = try! CalendarDate(year: 2021, month: 3, day: 1)
        let closes = try! CalendarDate(year: 2021, month: 5, day: 31)
        var plans = [
            CallPlan(
                departement: "15", departementName: "Cantal", publisher: "prefecture-du-cantal-2020",
                instructor: "prefecture-du-cantal-instruction", decider: "prefecture-du-cantal",
                call: GrantCall(
                    callID: "15-2021-01", title: "Accompagnement numérique des collectivités du Cantal",
                    territories: ["15"],
                    opensAt: opens, closesAt: closes, envelopeCents: 1,
                    eligibleApplicants: [.commune, .communauteDeCommunes, .communauteDAgglomeration],
                    threshold: 15, referenceData: pin)),
            CallPlan(
                departement: "33", departementName: "Gironde", publisher: "prefecture-de-la-gironde",
                instructor: "prefecture-de-la-gironde-instruction", decider: "prefecture-de-la-gironde",
                call: GrantCall(
                    callID: "33-2021-01", title: "France numérique en Gironde : études et accompagnement",
                    territories: ["33"],
                    opensAt: opens, closesAt: closes, envelopeCents: 1,
                    eligibleActions: [.strategyStudy, .projectSupport],
                    eligibleApplicants: [.commune, .communauteDeCommunes], gridName: nil,
                    grid: [
                        GridLine(applicantKinds: [.commune], populationMax: 1_999, amountCents: 400_000),
                        GridLine(
                            applicantKinds: [.commune], populationMin: 2_000, populationMax: 9_999, amountCents: 800_000
                        ),
                        GridLine(applicantKinds: [.commune], populationMin: 10_000, amountCents: 1_200_000),
                        GridLine(applicantKinds: [.communauteDeCommunes], amountCents: 1_500_000),
                    ],
                    threshold: 18, referenceData: pin)),
            CallPlan(
                departement: "59", departementName: "Nord", publisher: "autorite",
                instructor: "prefecture-du-nord-instruction", decider: "prefecture-du-nord",
                call: GrantCall(
                    callID: "59-2021-01", title: "Relance numérique dans le Nord", territories: ["59"],
                    opensAt: opens, closesAt: closes, envelopeCents: 1, threshold: 16, referenceData: pin)),
        ]

        // Applications, round-robin over the calls.
        let days =
            Int(Timestamp(date: closes.iso)!.secondsSinceEpoch - Timestamp(date: opens.iso)!.secondsSinceEpoch) / 86_400
        let pools: [[Applicant]] = plans.map { applicantPool($0.departement) }
        var apps: [AppPlan] = []
        var counters = [Int](repeating: 0, count: plans.count)
        for index in 0..<applications {
            let c = index % plans.count
            counters[c] += 1
            let plan = plans[c]
            var applicant = pools[c][random.next(pools[c].count)]
            if counters[c] == 3,
                let outsider = pools[c].first(where: { !plan.call.eligibleApplicants.contains($0.kind) })
            {
                applicant = outsider  // an applicant the call does not admit
            }
            if counters[c] == 7, let first = apps.first(where: { $0.application.callID == plan.call.callID }) {
                applicant = first.application.applicant  // a second application by the same applicant
            }
            // Ineligible kinds and actions occur naturally (Gironde refuses agglomerations and deployments).
            let action = GrantAction.allCases[random.next(3)]
            let local = random.next(10) < 7
            let providerDep =
                local ? plan.departement : ["12", "19", "24", "43", "46", "62", "63", "75"][random.next(8)]
            let provider = Provider(
                name: "DEMO Conseil numérique \(c + 1)-\(random.next(40) + 1)",
                siret: makeSIRET(&random), departement: providerDep)
            let submitted = try! CalendarDate(
                iso: Timestamp(date: opens.iso)!.adding(seconds: Int64(random.next(days + 1)) * 86_400).date)
            let number = String(format: "%04d", counters[c])
            let grid = plan.call.gridLine(kind: applicant.kind, population: applicant.population)
            let application = GrantApplication(
                applicationID: "\(plan.call.callID)-\(number)", callID: plan.call.callID, applicant: applicant,
                action: action,
                title: "\(action.label) — \(applicant.name)",
                summary:
                    "Projet de démonstration (DEMO) : \(action.label.lowercased()) pour \(applicant.name), avec un prestataire \(local ? "du département" : "extérieur au département").",
                requestedCents: grid?.line.amountCents ?? 1_000_000, provider: provider, submittedOn: submitted)
            var app = AppPlan(application: application)
            let roll = random.next(100)
            if roll < 4 {
                app.incomplete = true
            } else if counters[c] == 5 {
                app.withdrawnByApplicant = true
            } else {
                let localScore: Int64 = local ? Int64(4 + random.next(2)) : Int64(1 + random.next(2))
                app.scores = [
                    "impact": Int64(1 + random.next(5)), "need": Int64(1 + random.next(5)),
                    "local_provider": localScore,
                ]
            }
            apps.append(app)
        }

        // Merit order and envelopes: each envelope funds about two thirds of the fundable applications, so
        // that the rest are rejected as "envelope exhausted" with nothing left over.
        var decisions: [String: GrantDecision] = [:]
        var deviationID: String? = nil
        for c in plans.indices {
            let call = plans[c].call
            let ranked = apps.filter {
                $0.application.callID == call.callID && $0.scores != nil && !$0.withdrawnByApplicant
            }
            .sorted {
                (call.weightedScore($0.scores!), $1.application.applicationID) > (
                    call.weightedScore($1.scores!), $0.application.applicationID
                )
            }
            var fundable: [(AppPlan, Int64)] = []
            var awarded: Set<String> = []
            for app in ranked {
                let a = app.application
                guard call.eligibleApplicants.contains(a.applicant.kind), call.eligibleActions.contains(a.action),
                    call.weightedScore(app.scores!) >= call.threshold, !awarded.contains(a.applicant.siren),
                    let line = call.gridLine(kind: a.applicant.kind, population: a.applicant.population)
                else { continue }
                awarded.insert(a.applicant.siren)
                fundable.append((app, line.line.amountCents))
            }
            let funded = max(1, (fundable.count * 2 + 2) / 3)
            var envelope: Int64 = fundable.prefix(funded).reduce(0) { $0 + $1.1 }
            if call.callID == "33-2021-01", let first = fundable.first {
                deviationID = first.0.application.applicationID
                envelope += 200_000  // the deviation's extra amount
            }
            plans[c].call.envelopeCents = envelope
            if call.callID == "33-2021-01" {
                var amended = plans[c].call
                amended.envelopeCents = envelope
                // published short, amended before opening
                plans[c].call.envelopeCents = max(100_000, envelope - 2_000_000)
                plans[c].amendment = amended
            }
        }

        // Each call names its granting body for open data, with a FICTITIOUS SIRET (an invented SIREN).
        for index in plans.indices {
            let attribuant = Attribuant(
                name: keys[plans[index].decider]!.holder, siret: DemoBuilder.fictitiousSIRET(index))
            plans[index].call.attribuant = attribuant
            plans[index].amendment?.attribuant = attribuant
        }

        // Write the log.
        let reference = self.reference
        let ledger = Ledger(directory: directory, domain: { GrantRules(reference: reference) })
        var clock = Timestamp(rfc3339: "2021-01-04T09:00:00Z")!
        func at(_ date: CalendarDate) -> Timestamp {
            let start = Timestamp(date: date.iso)!.adding(seconds: 9 * 3600)
            clock = max(clock.adding(seconds: 60), start)
            return clock
        }
        let authority = keys["autorite"]!.key
        _ = try ledger.create(origin: DemoBuilder.origin, title: DemoBuilder.title, authority: authority, time: clock)
        let versionHashes = try ledger.write { (w) throws(LedgerError) -> [String: String] in
            func append(_ type: String, _ payload: JSONValue, _ signer: String, _ time: Timestamp) throws(LedgerError)
                -> Entry
            {
                let entry = try w.append(type: type, payload: payload, signer: keys[signer]!.key, time: time)
                if w.pendingCount >= 1000 { try w.flush() }
                return entry
            }
            let jan = try! CalendarDate(year: 2021, month: 1, day: 4)
            for name in keys.keys.sorted() where name != "autorite" {
                let k = keys[name]!
                _ = try append(
                    EventCatalog.keyRegistered,
                    [
                        "key_id": .string(k.key.publicKey.keyID),
                        "public_key": .string(PublicKeyText.encode(k.key.publicKey)),
                        "role": .string(k.role.rawValue), "territories": .array(k.territories.map { .string($0) }),
                        "holder": .string(k.holder),
                    ], "autorite", at(jan))
            }
            var hashes: [String: String] = [:]
            for plan in plans {
                hashes[plan.call.callID] = try append(
                    GrantEventType.callPublished, plan.call.payload, plan.publisher,
                    at(try! CalendarDate(year: 2021, month: 1, day: 15))
                ).hash.hex
            }
            for plan in plans {
                if let amendment = plan.amendment {
                    hashes[plan.call.callID] = try append(
                        GrantEventType.callAmended, amendment.payload, plan.publisher,
                        at(try! CalendarDate(year: 2021, month: 2, day: 10))
                    ).hash.hex
                }
            }
            let planByCall = Dictionary(uniqueKeysWithValues: plans.map { ($0.call.callID, $0) })
            for app in apps.sorted(by: {
                ($0.application.submittedOn, $0.application.applicationID) < (
                    $1.application.submittedOn, $1.application.applicationID
                )
            }) {
                let plan = planByCall[app.application.callID]!
                _ = try append(
                    GrantEventType.applicationSubmitted, app.application.payload, plan.instructor,
                    at(app.application.submittedOn))
            }
            let withdrawnOn = try! CalendarDate(year: 2021, month: 6, day: 2)
            for app in apps where app.withdrawnByApplicant {
                let plan = planByCall[app.application.callID]!
                _ = try append(
                    GrantEventType.applicationWithdrawn,
                    Withdrawal(
                        applicationID: app.application.applicationID,
                        reason: "Le conseil municipal a renoncé au projet (DEMO).",
                        reference: nil, withdrawnOn: withdrawnOn
                    ).payload, plan.instructor, at(withdrawnOn))
            }
            let scoredOn = try! CalendarDate(year: 2021, month: 6, day: 14)
            for app in apps where app.scores != nil && !app.withdrawnByApplicant {
                let plan = planByCall[app.application.callID]!
                _ = try append(
                    GrantEventType.applicationScored,
                    ApplicationScore(
                        applicationID: app.application.applicationID, scores: app.scores!,
                        comment: "Notation de démonstration (DEMO)."
                    ).payload, plan.instructor, at(scoredOn))
            }
            // The Cantal prefect changes: the 2020 key is revoked.
            let june = try! CalendarDate(year: 2021, month: 6, day: 21)
            _ = try append(
                EventCatalog.keyRevoked,
                [
                    "key_id": .string(keys["prefecture-du-cantal-2020"]!.key.publicKey.keyID),
                    "reason": "Changement de préfet au 21 juin 2021 (DEMO).",
                ], "autorite", at(june))

            // Decisions, call by call, in merit order.
            var decisionNumber = 0
            let decidedOn = try! CalendarDate(year: 2021, month: 7, day: 6)
            for plan in plans {
                let call = plan.amendment ?? plan.call
                var remaining = call.envelopeCents
                var awarded: Set<String> = []
                let candidates = apps.filter { $0.application.callID == call.callID && !$0.withdrawnByApplicant }
                let ranked = candidates.sorted { a, b in
                    let sa = a.scores.map { call.weightedScore($0) } ?? -1,
                        sb = b.scores.map { call.weightedScore($0) } ?? -1
                    return (sa, b.application.applicationID) > (sb, a.application.applicationID)
                }
                for app in ranked {
                    let a = app.application
                    decisionNumber += 1
                    let score = app.scores.map { call.weightedScore($0) }
                    let line = call.gridLine(kind: a.applicant.kind, population: a.applicant.population)
                    var outcome = DecisionOutcome.rejected, amount: Int64 = 0, motive = DecisionMotive.criteriaMet
                    var deviation: String? = nil
                    if app.incomplete {
                        motive = .incompleteFile
                    } else if !call.eligibleApplicants.contains(a.applicant.kind) {
                        motive = .ineligibleApplicant
                    } else if !call.eligibleActions.contains(a.action) {
                        motive = .ineligibleAction
                    } else if let score, score < call.threshold {
                        motive = .belowThreshold
                    } else if awarded.contains(a.applicant.siren) {
                        motive = .duplicateAward
                    } else if let line {
                        let extra: Int64 = a.applicationID == deviationID ? 200_000 : 0
                        if remaining >= line.line.amountCents + extra {
                            outcome = .granted
                            amount = line.line.amountCents + extra
                            if extra > 0 {
                                deviation =
                                    "Surcoût d'accessibilité (RGAA) validé par le comité départemental du 1er juillet 2021 (DEMO)."
                            }
                            remaining -= amount
                            awarded.insert(a.applicant.siren)
                        } else {
                            motive = .envelopeExhausted
                        }
                    } else {
                        motive = .ineligibleApplicant
                    }
                    let text =
                        outcome == .granted
                        ? "Projet retenu au vu des critères publiés de l'appel \(call.callID)."
                        : "Rejet : \(motive.label)."
                    let decision = GrantDecision(
                        applicationID: a.applicationID, outcome: outcome, amountCents: amount,
                        motive: outcome == .granted ? .criteriaMet : motive,
                        motiveText: text, callVersion: hashes[call.callID]!,
                        reference: "Arrêté n° 2021-\(plan.departement)-\(String(format: "%04d", decisionNumber))",
                        decidedOn: decidedOn, deviation: deviation)
                    decisions[a.applicationID] = decision
                    _ = try append(GrantEventType.decisionRecorded, decision.payload, plan.decider, at(decidedOn))
                }
            }
            return hashes
        }
        _ = versionHashes

        // Payments and one withdrawn grant, in the autumn.
        try ledger.write { (w) throws(LedgerError) in
            var paymentNumber = 0
            func pay(_ id: String, _ cents: Int64, _ on: CalendarDate) throws(LedgerError) {
                paymentNumber += 1
                try w.append(
                    type: GrantEventType.paymentRecorded,
                    payload: GrantPayment(
                        applicationID: id, amountCents: cents,
                        reference: "DRFIP-2021-\(String(format: "%06d", paymentNumber))", paidOn: on
                    ).payload,
                    signer: keys["drfip-paiement"]!.key, time: at(on))
                if w.pendingCount >= 1000 { try w.flush() }
            }
            let granted = apps.map(\.application.applicationID).filter { decisions[$0]?.outcome == .granted }.sorted()
            let september = try! CalendarDate(year: 2021, month: 9, day: 15)
            let october = try! CalendarDate(year: 2021, month: 10, day: 15)
            let november = try! CalendarDate(year: 2021, month: 11, day: 17)
            let december = try! CalendarDate(year: 2021, month: 12, day: 15)
            var plansFor: [String: Int] = [:]
            for (index, id) in granted.enumerated() { plansFor[id] = index % 5 }
            for id in granted where plansFor[id]! >= 2 {
                try pay(id, decisions[id]!.amountCents / 2, september)  // advance of half
            }
            for id in granted where plansFor[id]! < 2 {
                try pay(id, decisions[id]!.amountCents, october)  // paid in full at once
            }
            if let withdrawn = granted.first(where: { plansFor[$0]! == 4 }) {
                let plan = plans.first { withdrawn.hasPrefix($0.call.callID) }!
                try w.append(
                    type: GrantEventType.decisionWithdrawn,
                    payload: Withdrawal(
                        applicationID: withdrawn,
                        reason:
                            "Projet non réalisé dans le délai de la convention : conditions de l'aide non remplies (CRPA L. 242-2) (DEMO).",
                        reference: "Arrêté de retrait n° 2021-\(plan.departement)-R001", withdrawnOn: november
                    ).payload,
                    signer: keys[plan.decider]!.key, time: at(november))
                plansFor[withdrawn] = -1
            }
            for id in granted where plansFor[id]! == 2 || plansFor[id]! == 3 {
                try pay(id, decisions[id]!.amountCents - decisions[id]!.amountCents / 2, december)  // balance
            }
        }

        // A checkpoint of the finished log, signed by the authority (C2SP tlog-checkpoint, docs/PROOFS.md).
        _ = try LedgerCheckpoints.sign(ledger, key: authority)
        try writeKeys(keys.values.sorted { $0.file < $1.file }, into: directory + "/demo-keys")
        try writeIdentifiers(applicants: apps.map(\.application.applicant), into: directory + "/identifiants-scdl.csv")
        let entries = (try ledger.store.readTail().last?.seq ?? -1) + 1
        return Summary(entries: entries, applications: apps.count, keys: keys.values.sorted { $0.file < $1.file })
    }

    /// Real communes and EPCIs of a département, as applicants.
    func applicantPool(_ departement: String) -> [Applicant] {
        let source = "INSEE, populations légales (COG 2026, jeu \(reference.datasetID.prefix(12)))"
        var pool: [Applicant] = []
        for commune in reference.communes.values where commune.departement.rawValue == departement {
            guard let siren = commune.siren else { continue }
            pool.append(
                Applicant(
                    kind: .commune, name: commune.name, siren: siren.rawValue, insee: commune.insee.rawValue,
                    departement: departement, population: Int64(commune.population), populationSource: source))
        }
        for epci in reference.epcis.values where epci.departement.rawValue == departement {
            pool.append(
                Applicant(
                    kind: epci.applicantKind, name: epci.name, siren: epci.siren.rawValue, insee: nil,
                    departement: departement, population: Int64(epci.population),
                    populationSource: "DGCL 2025, population des EPCI"))
        }
        // Larger authorities apply more often: weight by a rough size class, deterministically.
        pool.sort { $0.siren < $1.siren }
        return pool + pool.filter { $0.population >= 5_000 } + pool.filter { $0.population >= 5_000 }
    }

    func makeSIRET(_ random: inout DemoRandom) -> String {
        var digits = (0..<8).map { _ in random.next(10) }
        digits.append(Luhn.checkDigit(digits))
        digits += [0, 0, 0, 1 + random.next(9)]
        digits.append(Luhn.checkDigit(digits))
        return digits.map(String.init).joined()
    }

    /// The SCDL identifiers file of the demo (`docs/PUBLISHING.md` §4): FICTITIOUS SIRETs that pass the Luhn
    /// check — a beneficiary's real SIREN followed by an invented establishment number. (The granting bodies'
    /// SIRETs are in the calls.) A real ledger's file holds the real SIRETs.
    func writeIdentifiers(applicants: [Applicant], into path: String) throws(LedgerError) {
        var lines = [
            "# DEMO : SIRET FICTIFS (SIREN réels suivis d'un numéro d'établissement inventé), pour la démonstration uniquement.",
            "type,cle,nom,siret",
        ]
        var seen: Set<String> = []
        for applicant in applicants.sorted(by: { $0.siren < $1.siren }) where seen.insert(applicant.siren).inserted {
            lines.append(
                "beneficiaire,\(applicant.siren),\(csvField(applicant.name)),\(DemoBuilder.complete(applicant.siren + "0001"))"
            )
        }
        try KeyFiles.writeNew(path, Array((lines.joined(separator: "\n") + "\n").utf8), mode: 0o644)
    }

    /// The FICTITIOUS SIRET of the demo's `index`-th granting body: an invented SIREN 179000xx, NIC 0001x.
    static func fictitiousSIRET(_ index: Int) -> String {
        complete(complete("17" + String(format: "%06d", 900_001 + index)) + "0001")
    }

    /// `prefix` followed by the digit that makes it pass the Luhn check.
    static func complete(_ prefix: String) -> String {
        prefix + String(Luhn.checkDigit(prefix.compactMap { $0.wholeNumberValue }))
    }

    private func csvField(_ text: String) -> String {
        text.contains(",") || text.contains("\"")
            ? "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : text
    }

    func writeKeys(_ keys: [DemoKey], into directory: String) throws(LedgerError) {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw LedgerError(.io, "cannot create \(directory): \(error.localizedDescription)")
        }
        for key in keys {
            let privatePath = "\(directory)/\(key.file).pem"
            let publicPath = "\(directory)/\(key.file).pub.pem"
            var pem: [UInt8]
            do throws(KeyError) { pem = try key.key.pkcs8PEM(passphrase: nil) } catch {
                throw LedgerError(.key, error.message)
            }
            let label = Array(
                "DEMO ONLY: derived from the public demo seed \(seed); never use it for real decisions.\n\(key.holder), \(key.role.rawValue), territories \(key.territories.joined(separator: " "))\n"
                    .utf8)
            try KeyFiles.writeNew(privatePath, label + pem, mode: 0o600)
            Secure.cleanse(&pem)
            try KeyFiles.writeNew(publicPath, Array(key.key.publicKey.pem.utf8), mode: 0o644)
        }
    }
}

/// SplitMix64: a tiny, portable, deterministic generator (the demo must give the same bytes everywhere).
struct DemoRandom {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func nextUInt64() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A number in 0..<bound.
    mutating func next(_ bound: Int) -> Int { Int(nextUInt64() % UInt64(bound)) }
}
