import Foundation
import LedgerCore

/// The phases of the demo that plan before anything is written: who signs, the calls, the applications and
/// the envelopes.
extension DemoBuilder {
    /// The authority key's name.
    static let authority = "autorite"
    /// The Cantal prefect's first key, revoked mid-year.
    static let revokedPrefect = "prefecture-du-cantal-2020"
    /// The paying agency's key.
    static let payer = "drfip-paiement"

    /// One call of the demo and who acts on it (key names of ``cast()``).
    struct CallPlan {
        let departement: String
        let publisher: String
        let instructor: String
        let decider: String
        var call: GrantCall
        /// The version in force after the amendment, when the call is published short and amended before it opens.
        var amendment: GrantCall?
        /// Whether the call uses its own grid: it is the one amended, and its best application is granted a
        /// declared deviation.
        let ownGrid: Bool

        /// The version decisions apply.
        var inForce: GrantCall { amendment ?? call }
    }

    /// One application of the demo and how its instruction ends.
    struct AppPlan {
        let application: GrantApplication
        var scores: [String: Int64]?
        var incomplete = false
        var withdrawnByApplicant = false
    }

    /// The demo's keys: an authority, three prefectures (instruction and decision), a payer, an auditor.
    func cast() -> [String: DemoKey] {
        var keys: [String: DemoKey] = [:]
        func add(_ name: String, _ holder: String, _ role: Role, _ territories: [String]) {
            keys[name] = DemoKey(file: name, holder: holder, role: role, territories: territories, key: demoKey(name))
        }
        add(Self.authority, "Autorité de gestion du programme (DEMO)", .authority, ["*"])
        add(Self.revokedPrefect, "Préfecture du Cantal, préfet en poste en 2020 (DEMO)", .prefecture, ["15"])
        add("prefecture-du-cantal", "Préfecture du Cantal (DEMO)", .prefecture, ["15"])
        add("prefecture-du-cantal-instruction", "Préfecture du Cantal, service instructeur (DEMO)", .prefecture, ["15"])
        add("prefecture-de-la-gironde", "Préfecture de la Gironde (DEMO)", .prefecture, ["33"])
        add(
            "prefecture-de-la-gironde-instruction", "Préfecture de la Gironde, service instructeur (DEMO)", .prefecture,
            ["33"])
        add("prefecture-du-nord", "Préfecture du Nord (DEMO)", .prefecture, ["59"])
        add("prefecture-du-nord-instruction", "Préfecture du Nord, service instructeur (DEMO)", .prefecture, ["59"])
        add(Self.payer, "Direction régionale des finances publiques, paiement (DEMO)", .payer, ["*"])
        add("cour-des-comptes", "Cour des comptes, auditeur (DEMO)", .auditor, ["*"])
        return keys
    }

    /// The three calls (their envelopes are fixed by ``fixEnvelopes(_:applications:)``).
    func callPlans(pin: ReferencePin) -> [CallPlan] {
        let opens = try! CalendarDate(year: 2021, month: 3, day: 1)
        let closes = try! CalendarDate(year: 2021, month: 5, day: 31)
        return [
            CallPlan(
                departement: "15", publisher: Self.revokedPrefect, instructor: "prefecture-du-cantal-instruction",
                decider: "prefecture-du-cantal",
                call: GrantCall(
                    callID: "15-2021-01", title: "Accompagnement numérique des collectivités du Cantal",
                    territories: ["15"],
                    opensAt: opens, closesAt: closes, envelopeCents: 1,
                    eligibleApplicants: [.commune, .communauteDeCommunes, .communauteDAgglomeration],
                    threshold: 15, referenceData: pin), ownGrid: false),
            CallPlan(
                departement: "33", publisher: "prefecture-de-la-gironde",
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
                    threshold: 18, referenceData: pin), ownGrid: true),
            CallPlan(
                departement: "59", publisher: Self.authority, instructor: "prefecture-du-nord-instruction",
                decider: "prefecture-du-nord",
                call: GrantCall(
                    callID: "59-2021-01", title: "Relance numérique dans le Nord", territories: ["59"],
                    opensAt: opens, closesAt: closes, envelopeCents: 1, threshold: 16, referenceData: pin),
                ownGrid: false),
        ]
    }

    /// The applications, round-robin over the calls: real applicants of each département, an applicant the
    /// call does not admit, a second application by the same applicant, incomplete files, one withdrawal.
    func applicationPlans(_ calls: [CallPlan], random: inout SplitMix64) -> [AppPlan] {
        let opens = calls[0].call.opensAt
        let days = Int(opens.days(to: calls[0].call.closesAt))
        let pools: [[Applicant]] = calls.map { applicantPool($0.departement) }
        var apps: [AppPlan] = []
        var counters = [Int](repeating: 0, count: calls.count)
        for index in 0..<applications {
            let c = index % calls.count
            counters[c] += 1
            let plan = calls[c]
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
            let submitted = opens.adding(days: random.next(days + 1))
            let grid = plan.call.gridLine(kind: applicant.kind, population: applicant.population)
            let application = GrantApplication(
                applicationID: "\(plan.call.callID)-\(String(format: "%04d", counters[c]))", callID: plan.call.callID,
                applicant: applicant, action: action,
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
        return apps
    }

    /// Merit order and envelopes: each envelope funds about two thirds of the fundable applications, so that the
    /// rest are rejected as "envelope exhausted" with nothing left over. The call with its own grid is published
    /// short and amended before it opens, and its best application gets a declared deviation (returned).
    func fixEnvelopes(_ calls: inout [CallPlan], applications apps: [AppPlan]) -> String? {
        var deviating: String? = nil
        for c in calls.indices {
            let call = calls[c].call
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
            // A call with nothing fundable (a tiny demo) still has an envelope: 1 000 €.
            var envelope: Int64 = max(100_000, fundable.prefix(funded).reduce(0) { $0 + $1.1 })
            if calls[c].ownGrid, let first = fundable.first {
                deviating = first.0.application.applicationID
                envelope += DemoBuilder.deviationExtraCents
            }
            calls[c].call.envelopeCents = envelope
            if calls[c].ownGrid {
                var amended = calls[c].call
                amended.envelopeCents = envelope
                // published short, amended before opening
                calls[c].call.envelopeCents = max(100_000, envelope - 2_000_000)
                calls[c].amendment = amended
            }
        }
        return deviating
    }

    /// What the deviating grant receives above its grid amount.
    static let deviationExtraCents: Int64 = 200_000
}
