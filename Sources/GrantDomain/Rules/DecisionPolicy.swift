import LedgerCore

/// `decision.recorded`: `EVT-PAYLOAD`, `SEQ-APP-KNOWN`, `AUT-TERRITORY`, `SEQ-WITHDRAWN`, `SEQ-DECISION-ONCE`,
/// `SEQ-CALL-VERSION`, `SEQ-DATES`, `SEQ-SCORE-FIRST`, then the criteria of the version applied: `ELG-*`,
/// `SCO-THRESHOLD`, `AMT-GRID`, `BUD-*`, `DEC-MOTIVE`, `AUT-SEPARATION`, `DEV-DECLARED` (`docs/RULES.md`).
enum DecisionPolicy {
    /// What to fold in for an accepted decision.
    struct Outcome {
        let decision: GrantDecision
        let callID: String
        let gridLine: Int?
        /// The weighted score of a rejection whose `envelope_exhausted` motive agrees with the facts.
        let exhaustedScore: Int64?
    }

    /// The facts of the application under the version applied, on the decision's date.
    struct Facts {
        let application: ApplicationState
        let call: GrantCall
        let score: Int64?
        let kindEligible: Bool
        let actionEligible: Bool
        let territoryEligible: Bool
        let grid: (number: Int, line: GridLine)?
        /// What the envelope still holds on every day from the decision's date on; nil on overflow.
        let headroom: Int64?
        /// The application holding a standing grant of the call for the same SIREN.
        let priorGrant: String?

        var applicant: Applicant { application.application.applicant }

        var gridText: String {
            grid.map {
                "la ligne \($0.number) de la grille de l'appel \(call.callID) (\($0.line.label), population \(FrenchFormat.integer(applicant.population))) fixe \(FrenchFormat.euros($0.line.amountCents))"
            }
                ?? "aucune ligne de la grille de l'appel \(call.callID) ne s'applique (\(applicant.kind.label), population \(FrenchFormat.integer(applicant.population)))"
        }
    }

    static func evaluate(_ entry: Entry, in state: GrantState, _ e: inout Evaluation)
        -> Outcome?
    {
        guard
            let decision = e.decode(entry, as: GrantDecision.self),
            let application = GrantRules.knownApplication(decision.applicationID, type: entry.type, in: state, &e),
            GrantRules.notWithdrawn(application, type: "une décision", &e),
            let callState = state.calls[application.application.callID]
        else { return nil }
        let decided = application.decision != nil
        e.check(
            .decisionOnce, passed: !decided,
            "le dossier \(application.id) est déjà décidé (\(application.decision?.reference ?? ""))")
        guard !decided else { return nil }
        let callID = application.application.callID
        guard let version = callState.versions.first(where: { $0.hash == decision.callVersion }) else {
            e.check(
                .callVersion, passed: false,
                "call_version \(decision.callVersion.prefix(16))… n'est aucune version publiée de l'appel \(callID)")
            return nil
        }
        e.check(
            .callVersion, passed: version.hash == callState.current.hash,
            "la décision applique la version seq \(version.seq) de l'appel \(callID), remplacée par la version seq \(callState.current.seq)",
            detail: "version appliquée : seq \(version.seq), \(version.hash)")
        GrantRules.checkDate(decision.decidedOn, of: "décision", feminine: true, after: application, &e)
        let call = version.call
        guard checkOwnership(application.application, call: call, &e) else { return nil }

        e.deviation = decision.deviation
        defer { e.deviation = nil }
        if decision.outcome == .granted || [.belowThreshold, .envelopeExhausted].contains(decision.motive) {
            e.check(
                .scoreBeforeDecision, passed: application.weightedScore != nil,
                "le dossier \(application.id) est décidé (\(decision.motive.label)) sans avoir été noté")
        }
        let applicant = application.application.applicant
        let peak = callState.commitments.peak(from: decision.decidedOn)
        let facts = Facts(
            application: application, call: call, score: application.weightedScore,
            kindEligible: call.eligibleApplicants.contains(applicant.kind),
            actionEligible: call.eligibleActions.contains(application.application.action),
            territoryEligible: call.covers(departement: applicant.departement),
            grid: call.gridLine(kind: applicant.kind, population: applicant.population),
            headroom: peak.map { call.envelopeCents - $0 },
            priorGrant: callState.standingGrants[applicant.siren])
        var exhaustedScore: Int64? = nil
        if decision.outcome == .granted {
            checkGrant(decision, facts, callState: callState, state: state, &e)
        } else if checkRejection(decision, facts, callState: callState, state: state, &e),
            decision.motive == .envelopeExhausted
        {
            exhaustedScore = facts.score
        }
        if call.rules.scorerDistinctFromDecider, let scorer = application.scorer {
            e.check(
                .separation, passed: scorer != entry.actor,
                "la même clé (\(entry.actor.prefix(12))…) a noté et décidé le dossier \(application.id)",
                deviable: false)
        }
        if let justification = decision.deviation, !e.deviationUsed {
            if e.partial {
                e.notChecked(.declared, GrantRules.wholeLogPrefix + (GrantRules.wholeLogRules[.declared] ?? ""))
            } else {
                e.declaredWithoutFailure(justification)
            }
        }
        return Outcome(
            decision: decision, callID: callID, gridLine: facts.grid?.number, exhaustedScore: exhaustedScore)
    }

    /// `AUT-TERRITORY` on the call: an applicant outside the call's territories takes money from an envelope
    /// that belongs to the call's territories, so only a key covering all of them may admit it (the decider
    /// always covers the applicant's département, see ``GrantRules/knownApplication(_:type:in:_:)``).
    static func checkOwnership(_ application: GrantApplication, call: GrantCall, _ e: inout Evaluation) -> Bool {
        guard let signer = e.signer, !call.covers(departement: application.applicant.departement) else { return true }
        let outside = call.territories.filter { !signer.covers(territory: $0) }
        e.check(
            .territory, passed: outside.isEmpty,
            "\(application.applicant.name) (département \(application.applicant.departement)) est hors du territoire de l'appel \(call.callID) ; seule une clé couvrant tout l'appel (\(call.territories.joined(separator: ", "))) peut l'y admettre, pas celle de \(signer.holder)"
        )
        return outside.isEmpty
    }

    static func checkGrant(
        _ decision: GrantDecision, _ facts: Facts, callState: CallState, state: GrantState, _ e: inout Evaluation
    ) {
        let call = facts.call
        let applicant = facts.applicant
        e.check(
            .motive, passed: decision.motive == .criteriaMet,
            "une attribution a le motif « \(DecisionMotive.criteriaMet.label) », pas « \(decision.motive.label) »")
        e.check(
            .eligibleApplicant, passed: facts.kindEligible,
            "\(applicant.name) est une \(applicant.kind.label) ; l'appel \(call.callID) est ouvert aux : \(call.eligibleApplicants.map(\.label).joined(separator: ", "))"
        )
        e.check(
            .eligibleAction, passed: facts.actionEligible,
            "action « \(facts.application.application.action.label) » ; l'appel \(call.callID) finance : \(call.eligibleActions.map(\.label).joined(separator: ", "))"
        )
        e.check(
            .eligibleTerritory, passed: facts.territoryEligible,
            "département \(applicant.departement) hors du territoire de l'appel \(call.callID) (\(call.territories.joined(separator: ", ")))"
        )
        if let score = facts.score {
            e.check(
                .threshold, passed: score >= call.threshold,
                "note pondérée \(score), inférieure au seuil \(call.threshold) de l'appel \(call.callID)",
                detail: "note pondérée \(score) ≥ seuil \(call.threshold)")
        }
        e.check(
            .grid, passed: facts.grid?.line.amountCents == decision.amountCents,
            "montant \(FrenchFormat.euros(decision.amountCents)) ; \(facts.gridText)", detail: facts.gridText)
        checkEnvelope(decision, facts, callState: callState, &e)
        if call.rules.oneAwardPerApplicant {
            e.check(
                .oneAward, passed: facts.priorGrant == nil,
                "\(applicant.name) (SIREN \(applicant.siren)) a déjà une aide de l'appel \(call.callID) (dossier \(facts.priorGrant ?? ""))"
            )
        }
        if call.rules.meritOrder, let score = facts.score {
            e.check(
                .merit, passed: callState.maxExhaustedScore.map { $0 <= score } ?? true,
                "attribution à une note de \(score) alors que \(callState.exhaustedScores.filter { $0.score > score }.map { "\($0.id) (note \($0.score))" }.joined(separator: ", ")) a été rejeté pour enveloppe épuisée",
                detail: "rang dans l'ordre de mérite : \(meritRank(score, in: callState, state))")
        }
    }

    /// `BUD-ENVELOPE`: on every day from the decision's date on, the committed amount with this grant stays
    /// within the envelope; an amount that cannot be summed at all is refused whatever the deviation.
    static func checkEnvelope(_ decision: GrantDecision, _ facts: Facts, callState: CallState, _ e: inout Evaluation) {
        let call = facts.call
        let overflow = callState.committedCents.addingReportingOverflow(decision.amountCents).overflow
        guard let headroom = facts.headroom, !overflow else {
            e.check(
                .envelope, passed: false,
                "les montants engagés sur l'appel \(call.callID) ne peuvent plus être additionnés (dépassement de capacité)",
                deviable: false)
            return
        }
        e.check(
            .envelope, passed: decision.amountCents <= headroom,
            "montant \(FrenchFormat.euros(decision.amountCents)) ; il reste \(FrenchFormat.euros(max(headroom, 0))) sur l'enveloppe de \(FrenchFormat.euros(call.envelopeCents)) de l'appel \(call.callID) au \(decision.decidedOn.frenchLong) et après",
            detail:
                "enveloppe : \(FrenchFormat.euros(headroom)) disponibles au \(decision.decidedOn.frenchLong), \(FrenchFormat.euros(headroom - decision.amountCents)) après"
        )
    }

    /// `DEC-MOTIVE` for a rejection, and `BUD-MERIT` for a true `envelope_exhausted`; returns whether the motive
    /// agrees with the facts.
    static func checkRejection(
        _ decision: GrantDecision, _ facts: Facts, callState: CallState, state: GrantState, _ e: inout Evaluation
    ) -> Bool {
        let call = facts.call
        let applicant = facts.applicant
        let agrees: Bool
        let facts_: String
        switch decision.motive {
        case .criteriaMet:
            agrees = false
            facts_ = "un rejet ne peut avoir le motif « \(DecisionMotive.criteriaMet.label) »"
        case .belowThreshold:
            agrees = facts.score.map { $0 < call.threshold } ?? true
            facts_ =
                "motif « \(decision.motive.label) », mais la note pondérée \(facts.score ?? 0) atteint le seuil \(call.threshold)"
        case .ineligibleApplicant:
            agrees = !facts.kindEligible || !facts.territoryEligible
            facts_ =
                "motif « \(decision.motive.label) », mais \(applicant.name) (\(applicant.kind.label), département \(applicant.departement)) est éligible à l'appel \(call.callID)"
        case .ineligibleAction:
            agrees = !facts.actionEligible
            facts_ =
                "motif « \(decision.motive.label) », mais l'action « \(facts.application.application.action.label) » est éligible à l'appel \(call.callID)"
        case .envelopeExhausted:
            let needed = facts.grid?.line.amountCents
            agrees = needed.map { amount in facts.headroom.map { $0 < amount } ?? true } ?? false
            facts_ =
                "motif « \(decision.motive.label) », mais il restait \(FrenchFormat.euros(facts.headroom ?? 0)) au \(decision.decidedOn.frenchLong) pour un montant de \(FrenchFormat.euros(needed ?? 0))"
        case .duplicateAward:
            agrees = facts.priorGrant != nil
            facts_ =
                "motif « \(decision.motive.label) », mais \(applicant.name) n'a pas d'autre aide de l'appel \(call.callID)"
        case .incompleteFile:
            // The log cannot see the file, so the motive is admissible only where it cannot bypass the merit
            // order: before any score (a scored file was complete enough to be judged on the criteria).
            agrees = facts.score == nil
            facts_ =
                "motif « \(decision.motive.label) » pour un dossier déjà noté (note pondérée \(facts.score ?? 0)) : un dossier noté a été jugé complet ; le rejeter ainsi contournerait l'ordre de mérite"
        }
        if e.partial, decision.motive == .envelopeExhausted || decision.motive == .duplicateAward {
            e.notChecked(
                .motive,
                GrantRules.wholeLogPrefix
                    + "le motif « \(decision.motive.label) » se juge sur les autres décisions de l'appel")
            return true
        }
        e.check(
            .motive, passed: agrees, facts_,
            detail: decision.motive == .incompleteFile
                ? "dossier incomplet, rejeté avant toute notation (constat de l'instruction, motivé : « \(decision.motiveText) »)"
                : "motif « \(decision.motive.label) » conforme aux faits")
        if decision.motive == .envelopeExhausted, agrees, call.rules.meritOrder, let score = facts.score {
            e.check(
                .merit, passed: callState.minGrantedScore.map { $0 >= score } ?? true,
                "rejet pour enveloppe épuisée à une note de \(score) alors que \(callState.grantedScores.filter { $0.score < score }.map { "\($0.id) (note \($0.score))" }.joined(separator: ", ")), moins bien noté, a été aidé",
                detail: "rang dans l'ordre de mérite : \(meritRank(score, in: callState, state))")
        }
        return agrees
    }

    private static func meritRank(_ score: Int64, in callState: CallState, _ state: GrantState) -> String {
        let scores = callState.applicationIDs.compactMap { state.applications[$0]?.weightedScore }
        return "\(scores.filter { $0 > score }.count + 1) sur \(scores.count) dossiers notés"
    }
}
