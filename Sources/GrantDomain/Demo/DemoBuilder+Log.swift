import Foundation
import LedgerCore
import LedgerCrypto

/// The demo's log, written through the same validated appends as the CLI, in the order a programme lives:
/// keys and calls in January, submissions in the spring, scores in June, decisions in July, payments and a
/// withdrawal in the autumn.
struct DemoLog {
    let ledger: Ledger<GrantRules>
    let keys: [String: DemoBuilder.DemoKey]
    /// The time of the last entry: each entry is recorded at 09:00 UTC on its date, or `spacing` seconds after the
    /// previous.
    private var clock = Timestamp(rfc3339: "2021-01-04T09:00:00Z")!
    /// A minute in demos of up to 20 000 applications (readable times); a second above, so that a large demo's
    /// instruction fits between its dates: a score recorded after the 6 July decisions would make them earlier than
    /// the application's previous event (`SEQ-DATES`), and the 22 days from the 14 June scores hold 31 680 entries a
    /// minute apart, 1 900 800 a second apart.
    private let spacing: Int64

    let origin: String

    init(ledger: Ledger<GrantRules>, keys: [String: DemoBuilder.DemoKey], applications: Int, origin: String) {
        self.ledger = ledger
        self.keys = keys
        self.origin = origin
        self.spacing = applications <= 20_000 ? 60 : 1
    }

    private mutating func at(_ date: CalendarDate) -> Timestamp {
        clock = max(
            clock.adding(seconds: spacing),
            Timestamp(year: date.year, month: date.month, day: date.day).adding(seconds: 9 * 3600))
        return clock
    }

    private static func day(_ month: Int, _ day: Int) -> CalendarDate {
        try! CalendarDate(year: 2021, month: month, day: day)
    }

    /// `ledger.created`, signed by the authority.
    mutating func create() throws(LedgerError) {
        _ = try ledger.create(
            origin: origin, title: DemoBuilder.title, authority: keys[DemoBuilder.authority]!.key,
            time: clock)
    }

    /// Keys, calls, submissions, withdrawals, scores, the revocation and the decisions; returns the decisions.
    mutating func instruct(
        calls: [DemoBuilder.CallPlan], applications apps: [DemoBuilder.AppPlan], deviating: String?
    ) throws(LedgerError) -> [String: GrantDecision] {
        var log = self
        defer { self = log }
        return try ledger.write { (w) throws(LedgerError) -> [String: GrantDecision] in
            func append(_ type: String, _ payload: JSONValue, _ signer: String, on date: CalendarDate)
                throws(LedgerError) -> Entry
            {
                let entry = try w.append(
                    type: type, payload: payload, signer: log.keys[signer]!.key, time: log.at(date))
                if w.pendingCount >= 1000 { try w.flush() }
                return entry
            }
            for name in log.keys.keys.sorted() where name != DemoBuilder.authority {
                let k = log.keys[name]!
                _ = try append(
                    EventCatalog.keyRegistered,
                    KeyRegistry.registrationPayload(
                        k.key.publicKey, role: k.role, territories: k.territories, holder: k.holder),
                    DemoBuilder.authority, on: Self.day(1, 4))
            }
            var versions: [String: String] = [:]
            for plan in calls {
                versions[plan.call.callID] =
                    try append(GrantEventType.callPublished, plan.call.payload, plan.publisher, on: Self.day(1, 15))
                    .hash
                    .hex
            }
            for plan in calls {
                guard let amendment = plan.amendment else { continue }
                versions[plan.call.callID] =
                    try append(GrantEventType.callAmended, amendment.payload, plan.publisher, on: Self.day(2, 10)).hash
                    .hex
            }
            let planByCall = Dictionary(uniqueKeysWithValues: calls.map { ($0.call.callID, $0) })
            let bySubmission = apps.sorted {
                ($0.application.submittedOn, $0.application.applicationID) < (
                    $1.application.submittedOn, $1.application.applicationID
                )
            }
            for app in bySubmission {
                _ = try append(
                    GrantEventType.applicationSubmitted, app.application.payload,
                    planByCall[app.application.callID]!.instructor, on: app.application.submittedOn)
            }
            for app in apps where app.withdrawnByApplicant {
                let withdrawal = Withdrawal(
                    applicationID: app.application.applicationID,
                    reason: "Le conseil municipal a renoncé au projet (DEMO).", reference: nil,
                    withdrawnOn: Self.day(6, 2))
                _ = try append(
                    GrantEventType.applicationWithdrawn, withdrawal.payload,
                    planByCall[app.application.callID]!.instructor, on: withdrawal.withdrawnOn)
            }
            for app in apps where app.scores != nil && !app.withdrawnByApplicant {
                let score = ApplicationScore(
                    applicationID: app.application.applicationID, scores: app.scores!,
                    comment: "Notation de démonstration (DEMO).")
                _ = try append(
                    GrantEventType.applicationScored, score.payload, planByCall[app.application.callID]!.instructor,
                    on: Self.day(6, 14))
            }
            // The Cantal prefect changes: the 2020 key is revoked.
            _ = try append(
                EventCatalog.keyRevoked,
                [
                    "key_id": .string(log.keys[DemoBuilder.revokedPrefect]!.key.publicKey.keyID),
                    "reason": "Changement de préfet au 21 juin 2021 (DEMO).",
                ], DemoBuilder.authority, on: Self.day(6, 21))

            // Decisions, call by call, in merit order.
            var decisions: [String: GrantDecision] = [:]
            var number = 0
            for plan in calls {
                for decision in DemoLog.decisions(
                    plan, applications: apps, version: versions[plan.call.callID]!, deviating: deviating,
                    numbering: &number, on: Self.day(7, 6))
                {
                    decisions[decision.applicationID] = decision
                    _ = try append(
                        GrantEventType.decisionRecorded, decision.payload, plan.decider, on: decision.decidedOn)
                }
            }
            return decisions
        }
    }

    /// The decisions of one call, in merit order within its envelope, with every motive that applies.
    static func decisions(
        _ plan: DemoBuilder.CallPlan, applications apps: [DemoBuilder.AppPlan], version: String, deviating: String?,
        numbering number: inout Int, on decidedOn: CalendarDate
    ) -> [GrantDecision] {
        let call = plan.inForce
        var remaining = call.envelopeCents
        var awarded: Set<String> = []
        let ranked = apps.filter { $0.application.callID == call.callID && !$0.withdrawnByApplicant }.sorted { a, b in
            let sa = a.scores.map { call.weightedScore($0) } ?? -1
            let sb = b.scores.map { call.weightedScore($0) } ?? -1
            return (sa, b.application.applicationID) > (sb, a.application.applicationID)
        }
        var decisions: [GrantDecision] = []
        for app in ranked {
            let a = app.application
            number += 1
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
                let extra: Int64 = a.applicationID == deviating ? DemoBuilder.deviationExtraCents : 0
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
            decisions.append(
                GrantDecision(
                    applicationID: a.applicationID, outcome: outcome, amountCents: amount,
                    motive: outcome == .granted ? .criteriaMet : motive,
                    motiveText: outcome == .granted
                        ? "Projet retenu au vu des critères publiés de l'appel \(call.callID)."
                        : "Rejet : \(motive.label).",
                    callVersion: version,
                    reference: "Arrêté n° 2021-\(plan.departement)-\(String(format: "%04d", number))",
                    decidedOn: decidedOn, deviation: deviation))
        }
        return decisions
    }

    /// Payments in the autumn (some in full, some in two instalments, some only in part) and one grant withdrawn.
    mutating func pay(
        calls: [DemoBuilder.CallPlan], applications apps: [DemoBuilder.AppPlan], decisions: [String: GrantDecision]
    ) throws(LedgerError) {
        var log = self
        defer { self = log }
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
                    signer: log.keys[DemoBuilder.payer]!.key, time: log.at(on))
                if w.pendingCount >= 1000 { try w.flush() }
            }
            let granted = apps.map(\.application.applicationID).filter { decisions[$0]?.outcome == .granted }.sorted()
            var schedule: [String: Int] = [:]
            for (index, id) in granted.enumerated() { schedule[id] = index % 5 }
            for id in granted where schedule[id]! >= 2 {
                try pay(id, decisions[id]!.amountCents / 2, Self.day(9, 15))  // advance of half
            }
            for id in granted where schedule[id]! < 2 {
                try pay(id, decisions[id]!.amountCents, Self.day(10, 15))  // paid in full at once
            }
            let callOf = Dictionary(
                uniqueKeysWithValues: apps.map { ($0.application.applicationID, $0.application.callID) })
            if let withdrawn = granted.first(where: { schedule[$0]! == 4 }),
                let plan = calls.first(where: { $0.call.callID == callOf[withdrawn] })
            {
                let withdrawal = Withdrawal(
                    applicationID: withdrawn,
                    reason:
                        "Projet non réalisé dans le délai de la convention : conditions de l'aide non remplies (CRPA L. 242-2) (DEMO).",
                    reference: "Arrêté de retrait n° 2021-\(plan.departement)-R001", withdrawnOn: Self.day(11, 17))
                try w.append(
                    type: GrantEventType.decisionWithdrawn, payload: withdrawal.payload,
                    signer: log.keys[plan.decider]!.key, time: log.at(withdrawal.withdrawnOn))
                schedule[withdrawn] = -1
            }
            for id in granted where schedule[id]! == 2 || schedule[id]! == 3 {
                try pay(id, decisions[id]!.amountCents - decisions[id]!.amountCents / 2, Self.day(12, 15))  // balance
            }
        }
    }
}
