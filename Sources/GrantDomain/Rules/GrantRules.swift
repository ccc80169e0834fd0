public import LedgerCore
import LedgerCrypto

/// The grant domain's rules: one engine for append-time validation and for the verifier.
///
/// `apply` checks an event against the state built from the events before it, records one outcome per
/// rule evaluated (ids and sentences in `docs/RULES.md`), then folds the event into `state`. A rule whose
/// preconditions are not met (unknown application, unreadable payload) is not evaluated, so one fault
/// yields one finding. Declared deviations (`deviation` in `decision.recorded`) turn failures of the
/// deviable rules into declared deviations.
public struct GrantRules: DomainRules {
    public static let eventTypes = GrantEventType.specs

    public internal(set) var state = GrantState()
    /// The reference dataset, when available; rules that need it report "not checked" otherwise.
    let reference: ReferenceData?
    /// When set, every evaluation concerning this application is kept in `trace` (for `explain`).
    public var traceApplication: String? = nil
    public private(set) var trace: [RuleEvaluation] = []
    /// Ids of applications whose submission was refused (unreadable payload, unknown call): their later events
    /// are not evaluated, since the one fault was reported at the submission.
    var refusedApplications: Set<String> = []

    public init(reference: ReferenceData?) {
        self.reference = reference
    }

    /// Rules with the bundled reference data (or none if it cannot be loaded).
    public init() {
        self.reference = try? ReferenceData.shared()
    }

    public mutating func apply(_ entry: Entry, signer: KeyRecord?, keys: KeyRegistry, outcomes: inout RuleOutcomes) {
        let payload = entry.payload
        var context = Evaluation(seq: entry.seq, outcomes: outcomes, trace: traceApplication, signer: signer)
        switch entry.type {
        case GrantEventType.callPublished, GrantEventType.callAmended:
            applyCall(entry, payload: payload, amended: entry.type == GrantEventType.callAmended, &context)
        case GrantEventType.applicationSubmitted: applySubmission(entry, payload: payload, &context)
        case GrantEventType.applicationScored: applyScore(entry, payload: payload, &context)
        case GrantEventType.decisionRecorded: applyDecision(entry, payload: payload, &context)
        case GrantEventType.decisionWithdrawn, GrantEventType.applicationWithdrawn:
            applyWithdrawal(
                entry, payload: payload, byApplicant: entry.type == GrantEventType.applicationWithdrawn, &context)
        case GrantEventType.paymentRecorded: applyPayment(entry, payload: payload, &context)
        default: break
        }
        outcomes = context.outcomes
        trace.append(contentsOf: context.traced)
    }

    // MARK: - Calls

    private mutating func applyCall(_ entry: Entry, payload: JSONValue, amended: Bool, _ e: inout Evaluation) {
        guard
            let call = decodePayload(
                entry, &e, { () throws(PayloadError) -> GrantCall in try GrantCall(payload: payload) })
        else { return }
        let badCodes = call.territories.filter { $0 != "*" && DepartementCode($0) == nil }
        let wildcardMixed = call.territories.contains("*") && call.territories.count > 1
        if !badCodes.isEmpty || wildcardMixed {
            e.check(
                RuleID.payload, passed: false,
                "territoires inconnus : \(badCodes.joined(separator: ", "))\(wildcardMixed ? " ; « * » doit être seul" : "")"
            )
            return
        }
        if let signer = e.signer {
            let outside = call.territories.filter {
                !signer.covers(territory: $0) || ($0 == "*" && !signer.territories.contains("*"))
            }
            e.check(
                RuleID.territory, passed: outside.isEmpty,
                "la clé de \(signer.holder) (territoires \(signer.territories.joined(separator: ", "))) ne couvre pas \(outside.joined(separator: ", ")) de l'appel \(call.callID)"
            )
        }
        let version = CallVersion(
            seq: entry.seq, hash: entry.hash.hex, time: entry.time, signer: entry.actor, call: call)
        if amended {
            guard let existing = state.calls[call.callID] else {
                e.check(RuleID.callKnown, passed: false, "call.amended : l'appel \(call.callID) n'a pas été publié")
                return
            }
            let entryDate = CalendarDate.of(entry.time)
            e.check(
                RuleID.callAmendment, passed: entryDate < existing.call.opensAt,
                "l'appel \(call.callID) est ouvert depuis le \(existing.call.opensAt.frenchLong) : une nouvelle version n'est possible qu'avant son ouverture (modification du \(entryDate.frenchLong))"
            )
            state.calls[call.callID]!.versions.append(version)
        } else {
            let exists = state.calls[call.callID] != nil
            e.check(
                RuleID.callUnique, passed: !exists,
                "l'appel \(call.callID) est déjà publié ; une nouvelle version passe par call.amended")
            guard !exists else { return }
            state.calls[call.callID] = CallState(versions: [version])
            state.callOrder.append(call.callID)
        }
    }

    // MARK: - Applications

    private mutating func applySubmission(_ entry: Entry, payload: JSONValue, _ e: inout Evaluation) {
        let application: GrantApplication
        do throws(PayloadError) {
            application = try GrantApplication(payload: payload)
            e.check(RuleID.payload, passed: true, "")
        } catch {
            e.check(RuleID.payload, passed: false, "application.submitted : \(error.description)")
            if let id = payload["application_id"]?.stringValue, state.applications[id] == nil {
                refusedApplications.insert(id)
            }
            return
        }
        let id = application.applicationID
        e.subject = id
        let duplicate = state.applications[id] != nil
        e.check(RuleID.applicationUnique, passed: !duplicate, "le dossier \(id) existe déjà")
        guard !duplicate else { return }
        // Only the call's value is read here: a live copy of its CallState would make the append below copy
        // the call's growing collections (quadratic on large ledgers).
        guard let call = state.calls[application.callID]?.call else {
            e.check(
                RuleID.callKnown, passed: false,
                "le dossier \(id) vise l'appel \(application.callID), qui n'a pas été publié")
            refusedApplications.insert(id)
            return
        }
        e.check(RuleID.callKnown, passed: true, "appel \(application.callID) publié")
        checkTerritory(application, &e)
        let entryDate = CalendarDate.of(entry.time)
        let inWindow = application.submittedOn >= call.opensAt && application.submittedOn <= call.closesAt
        e.check(
            RuleID.window, passed: inWindow && application.submittedOn <= entryDate,
            inWindow
                ? "dépôt daté du \(application.submittedOn.frenchLong), postérieur à son enregistrement le \(entryDate.frenchLong)"
                : "dépôt le \(application.submittedOn.frenchLong), hors de la période de l'appel \(call.callID) (du \(call.opensAt.frenchLong) au \(call.closesAt.frenchLong))"
        )
        let identifiersValid = checkIdentifiers(application, &e)
        checkReference(application, call: call, identifiersValid: identifiersValid, &e)

        state.applications[id] = ApplicationState(application: application, history: [ref(entry)])
        state.calls[application.callID]!.applicationIDs.append(id)
    }

    private func checkTerritory(_ application: GrantApplication, _ e: inout Evaluation) {
        guard let signer = e.signer else { return }
        e.check(
            RuleID.territory, passed: signer.covers(territory: application.applicant.departement),
            "la clé de \(signer.holder) (territoires \(signer.territories.joined(separator: ", "))) ne couvre pas le département \(application.applicant.departement) du demandeur \(application.applicant.name)"
        )
    }

    /// Checks every identifier; returns whether the applicant's own identifiers are valid (the precondition of
    /// `ELG-REFERENCE`, which would otherwise report the same wrong code a second time).
    @discardableResult
    private func checkIdentifiers(_ application: GrantApplication, _ e: inout Evaluation) -> Bool {
        let a = application.applicant
        var problems: [String] = []
        if SIREN(a.siren) == nil { problems.append("SIREN du demandeur \(a.siren) invalide (clé de Luhn)") }
        if DepartementCode(a.departement) == nil { problems.append("département \(a.departement) inconnu") }
        if a.kind == .commune {
            if let insee = a.insee {
                if let code = INSEECommuneCode(insee) {
                    if code.departement?.rawValue != a.departement {
                        problems.append("le code INSEE \(insee) n'est pas dans le département \(a.departement)")
                    }
                } else {
                    problems.append("code INSEE \(insee) invalide")
                }
            } else {
                problems.append("une commune a un code INSEE")
            }
        } else if a.insee != nil {
            problems.append("seule une commune a un code INSEE")
        }
        let applicantValid = problems.isEmpty
        if SIRET(application.provider.siret) == nil {
            problems.append("SIRET du prestataire \(application.provider.siret) invalide (clé de Luhn)")
        }
        if DepartementCode(application.provider.departement) == nil {
            problems.append("département du prestataire \(application.provider.departement) inconnu")
        }
        e.check(RuleID.identifiers, passed: problems.isEmpty, problems.joined(separator: " ; "))
        return applicantValid
    }

    private func checkReference(
        _ application: GrantApplication, call: GrantCall, identifiersValid: Bool, _ e: inout Evaluation
    ) {
        let a = application.applicant
        guard let reference else {
            e.notChecked(
                RuleID.reference, "les données de référence \(call.referenceData.name) ne sont pas disponibles")
            return
        }
        guard reference.datasetID == call.referenceData.sha256 else {
            e.notChecked(
                RuleID.reference,
                "l'appel \(call.callID) fige le jeu \(call.referenceData.name) (\(call.referenceData.sha256.prefix(12))…), absent de cette installation (\(reference.datasetID.prefix(12))…)"
            )
            return
        }
        guard identifiersValid, let siren = SIREN(a.siren) else { return }  // reported by ELG-IDENTIFIERS
        var problems: [String] = []
        switch a.kind {
        case .commune:
            guard let insee = a.insee.flatMap(INSEECommuneCode.init), let commune = reference.commune(insee) else {
                problems.append("aucune commune de code INSEE \(a.insee ?? "?") dans \(call.referenceData.name)")
                break
            }
            if commune.siren != siren {
                problems.append(
                    "SIREN \(a.siren), alors que \(commune.name) a le SIREN \(commune.siren?.rawValue ?? "(aucun)")")
            }
            if commune.departement.rawValue != a.departement {
                problems.append(
                    "département \(a.departement), alors que \(commune.name) est dans le \(commune.departement.rawValue)"
                )
            }
            if Int64(commune.population) != a.population {
                problems.append(
                    "population \(FrenchFormat.integer(a.population)), alors que \(call.referenceData.name) donne \(FrenchFormat.integer(Int64(commune.population))) habitants pour \(commune.name)"
                )
            }
        case .communauteDeCommunes, .communauteDAgglomeration, .communauteUrbaine, .metropole:
            guard let epci = reference.epci(siren) else {
                problems.append("aucun EPCI de SIREN \(a.siren) dans \(call.referenceData.name)")
                break
            }
            if epci.applicantKind != a.kind {
                problems.append("\(epci.name) est une \(epci.applicantKind.label), pas une \(a.kind.label)")
            }
            if epci.departement.rawValue != a.departement {
                problems.append(
                    "département \(a.departement), alors que le siège de \(epci.name) est dans le \(epci.departement.rawValue)"
                )
            }
            if Int64(epci.population) != a.population {
                problems.append(
                    "population \(FrenchFormat.integer(a.population)), alors que \(call.referenceData.name) donne \(FrenchFormat.integer(Int64(epci.population))) habitants pour \(epci.name)"
                )
            }
        case .departement, .region:
            e.notChecked(
                RuleID.reference,
                "les SIREN des départements et régions ne figurent pas dans \(call.referenceData.name)")
            return
        }
        e.check(RuleID.reference, passed: problems.isEmpty, problems.joined(separator: " ; "))
    }

    /// Finds the application an event refers to; reports `SEQ-APP-KNOWN` and the signer's territory.
    private func knownApplication(_ id: String?, type: String, _ e: inout Evaluation) -> ApplicationState? {
        guard let id else { return nil }
        e.subject = id
        guard let application = state.applications[id] else {
            guard !refusedApplications.contains(id) else { return nil }  // reported at its submission
            e.check(RuleID.applicationKnown, passed: false, "\(type) vise le dossier \(id), qui n'a pas été déposé")
            return nil
        }
        e.check(RuleID.applicationKnown, passed: true, "dossier \(id) déposé")
        checkTerritory(application.application, &e)
        return application
    }

    private func notWithdrawn(_ application: ApplicationState, type: String, _ e: inout Evaluation) -> Bool {
        let withdrawn = application.withdrawal != nil
        e.check(
            RuleID.afterWithdrawal, passed: !withdrawn,
            "\(type) après le retrait du dossier \(application.id) (\(application.withdrawnByApplicant ? "par le demandeur" : "retrait de l'aide"))"
        )
        return !withdrawn
    }

    /// Decodes an event's payload, recording `EVT-PAYLOAD`; nil when it does not have the documented shape.
    private func decodePayload<T>(_ entry: Entry, _ e: inout Evaluation, _ decode: () throws(PayloadError) -> T) -> T? {
        do throws(PayloadError) {
            let value = try decode()
            e.check(RuleID.payload, passed: true, "")
            return value
        } catch {
            e.check(RuleID.payload, passed: false, "\(entry.type) : \(error.description)")
            return nil
        }
    }

    // MARK: - Scores

    private mutating func applyScore(_ entry: Entry, payload: JSONValue, _ e: inout Evaluation) {
        guard
            let score = decodePayload(
                entry, &e, { () throws(PayloadError) -> ApplicationScore in try ApplicationScore(payload: payload) })
        else { return }
        guard let application = knownApplication(score.applicationID, type: entry.type, &e),
            notWithdrawn(application, type: "une notation", &e),
            let call = state.calls[application.application.callID]?.call
        else { return }
        let already = application.score != nil || application.decision != nil
        e.check(
            RuleID.scoreOnce, passed: !already,
            application.decision != nil
                ? "le dossier \(application.id) est déjà décidé : il ne peut plus être noté"
                : "le dossier \(application.id) est déjà noté (seq \(application.history.first { $0.type == entry.type }?.seq ?? -1))"
        )
        guard !already else { return }
        var problems: [String] = []
        for criterion in call.criteria {
            guard let value = score.scores[criterion.id] else {
                problems.append("critère « \(criterion.label) » (\(criterion.id)) non noté")
                continue
            }
            if value < 0 || value > criterion.max {
                problems.append("\(criterion.id) = \(value), hors de 0…\(criterion.max)")
            }
        }
        let unknown = score.scores.keys.filter { id in !call.criteria.contains { $0.id == id } }.sorted()
        if !unknown.isEmpty {
            problems.append("critères inconnus de l'appel \(call.callID) : \(unknown.joined(separator: ", "))")
        }
        let weighted = call.weightedScore(score.scores)
        e.check(
            RuleID.scoreComplete, passed: problems.isEmpty, problems.joined(separator: " ; "),
            detail: "note pondérée \(weighted) sur \(call.maximumScore) ("
                + call.criteria.map { "\($0.id) \(score.scores[$0.id] ?? 0) × \($0.weight)" }.joined(separator: " + ")
                + ")")
        var updated = application
        updated.score = score
        updated.weightedScore = weighted
        updated.scorer = entry.actor
        updated.history.append(ref(entry))
        state.applications[application.id] = updated
    }

    // MARK: - Decisions

    private static let deviable: Set<String> = [
        RuleID.eligibleApplicant, RuleID.eligibleAction, RuleID.eligibleTerritory, RuleID.threshold, RuleID.grid,
        RuleID.envelope, RuleID.oneAward, RuleID.merit,
    ]

    private mutating func applyDecision(_ entry: Entry, payload: JSONValue, _ e: inout Evaluation) {
        guard
            let decision = decodePayload(
                entry, &e, { () throws(PayloadError) -> GrantDecision in try GrantDecision(payload: payload) })
        else { return }
        guard let application = knownApplication(decision.applicationID, type: entry.type, &e),
            notWithdrawn(application, type: "une décision", &e),
            let budget = state.calls[application.application.callID].map(DecisionContext.init)
        else { return }
        let decided = application.decision != nil
        e.check(
            RuleID.decisionOnce, passed: !decided,
            "le dossier \(application.id) est déjà décidé (\(application.decision?.reference ?? ""))")
        guard !decided else { return }
        let app = application.application
        let id = application.id
        guard let version = budget.versions.first(where: { $0.hash == decision.callVersion }) else {
            e.check(
                RuleID.callVersion, passed: false,
                "call_version \(decision.callVersion.prefix(16))… n'est aucune version publiée de l'appel \(app.callID)"
            )
            return
        }
        let isCurrent = version.hash == budget.currentHash
        e.check(
            RuleID.callVersion, passed: isCurrent,
            "la décision applique la version seq \(version.seq) de l'appel \(app.callID), remplacée par la version seq \(budget.currentSeq)",
            detail: "version appliquée : seq \(version.seq), \(version.hash)")
        let call = version.call
        let entryDate = CalendarDate.of(entry.time)
        e.check(
            RuleID.dates, passed: decision.decidedOn >= app.submittedOn && decision.decidedOn <= entryDate,
            "décision datée du \(decision.decidedOn.frenchLong) : avant le dépôt (\(app.submittedOn.frenchLong)) ou après son enregistrement (\(entryDate.frenchLong))"
        )
        e.deviation = decision.deviation
        defer { e.deviation = nil }

        let needsScore =
            decision.outcome == .granted || [.belowThreshold, .envelopeExhausted].contains(decision.motive)
        if needsScore {
            e.check(
                RuleID.scoreBeforeDecision, passed: application.weightedScore != nil,
                "le dossier \(id) est décidé (\(decision.motive.rawValue)) sans avoir été noté")
        }
        let score = application.weightedScore
        let kindEligible = call.eligibleApplicants.contains(app.applicant.kind)
        let actionEligible = call.eligibleActions.contains(app.action)
        let territoryEligible = call.covers(departement: app.applicant.departement)
        let grid = call.gridLine(kind: app.applicant.kind, population: app.applicant.population)
        let remaining = budget.remainingCents
        let priorGrant = state.calls[app.callID]!.standingGrants[app.applicant.siren]
        // Whether a rejection's motive agrees with the facts; BUD-MERIT judges only true envelope_exhausted motives.
        var agrees = true
        let gridText =
            grid.map {
                "la ligne \($0.number) de la grille de l'appel \(call.callID) (\($0.line.label), population \(FrenchFormat.integer(app.applicant.population))) fixe \(FrenchFormat.euros($0.line.amountCents))"
            }
            ?? "aucune ligne de la grille de l'appel \(call.callID) ne s'applique (\(app.applicant.kind.label), population \(FrenchFormat.integer(app.applicant.population)))"

        if decision.outcome == .granted {
            e.check(
                RuleID.motive, passed: decision.motive == .criteriaMet,
                "une attribution a le motif criteria_met, pas \(decision.motive.rawValue)")
            e.check(
                RuleID.eligibleApplicant, passed: kindEligible,
                "\(app.applicant.name) est une \(app.applicant.kind.label) ; l'appel \(call.callID) est ouvert aux : \(call.eligibleApplicants.map(\.label).joined(separator: ", "))"
            )
            e.check(
                RuleID.eligibleAction, passed: actionEligible,
                "action « \(app.action.label) » ; l'appel \(call.callID) finance : \(call.eligibleActions.map(\.label).joined(separator: ", "))"
            )
            e.check(
                RuleID.eligibleTerritory, passed: territoryEligible,
                "département \(app.applicant.departement) hors du territoire de l'appel \(call.callID) (\(call.territories.joined(separator: ", ")))"
            )
            if let score {
                e.check(
                    RuleID.threshold, passed: score >= call.threshold,
                    "note pondérée \(score), inférieure au seuil \(call.threshold) de l'appel \(call.callID)",
                    detail: "note pondérée \(score) ≥ seuil \(call.threshold)")
            }
            e.check(
                RuleID.grid, passed: grid?.line.amountCents == decision.amountCents,
                "montant \(FrenchFormat.euros(decision.amountCents)) ; \(gridText)", detail: gridText)
            e.check(
                RuleID.envelope, passed: decision.amountCents <= remaining,
                "montant \(FrenchFormat.euros(decision.amountCents)) ; il reste \(FrenchFormat.euros(remaining)) sur l'enveloppe de \(FrenchFormat.euros(call.envelopeCents)) de l'appel \(call.callID)",
                detail:
                    "enveloppe : \(FrenchFormat.euros(remaining)) disponibles avant, \(FrenchFormat.euros(remaining - decision.amountCents)) après"
            )
            if call.rules.oneAwardPerApplicant {
                e.check(
                    RuleID.oneAward, passed: priorGrant == nil,
                    "\(app.applicant.name) (SIREN \(app.applicant.siren)) a déjà une aide de l'appel \(call.callID) (dossier \(priorGrant ?? ""))"
                )
            }
            if call.rules.meritOrder, let score {
                e.check(
                    RuleID.merit, passed: budget.maxExhaustedScore.map { $0 <= score } ?? true,
                    "attribution à une note de \(score) alors que \(state.calls[app.callID]!.exhaustedScores.filter { $0.score > score }.map { "\($0.id) (note \($0.score))" }.joined(separator: ", ")) a été rejeté pour enveloppe épuisée",
                    detail: "rang dans l'ordre de mérite : \(meritRank(score, inCall: app.callID))")
            }
        } else {
            let facts: String
            switch decision.motive {
            case .criteriaMet:
                agrees = false
                facts = "un rejet ne peut avoir le motif criteria_met"
            case .belowThreshold:
                agrees = score.map { $0 < call.threshold } ?? true
                facts = "motif below_threshold, mais la note pondérée \(score ?? 0) atteint le seuil \(call.threshold)"
            case .ineligibleApplicant:
                agrees = !kindEligible || !territoryEligible
                facts =
                    "motif ineligible_applicant, mais \(app.applicant.name) (\(app.applicant.kind.label), département \(app.applicant.departement)) est éligible à l'appel \(call.callID)"
            case .ineligibleAction:
                agrees = !actionEligible
                facts =
                    "motif ineligible_action, mais l'action « \(app.action.label) » est éligible à l'appel \(call.callID)"
            case .envelopeExhausted:
                agrees = grid.map { remaining < $0.line.amountCents } ?? false
                facts =
                    "motif envelope_exhausted, mais il restait \(FrenchFormat.euros(remaining)) pour un montant de \(FrenchFormat.euros(grid?.line.amountCents ?? 0))"
            case .duplicateAward:
                agrees = priorGrant != nil
                facts =
                    "motif duplicate_award, mais \(app.applicant.name) n'a pas d'autre aide de l'appel \(call.callID)"
            case .incompleteFile:
                agrees = true
                facts = ""
            }
            e.check(
                RuleID.motive, passed: agrees, facts,
                detail: decision.motive == .incompleteFile
                    ? "dossier incomplet : constat de l'instruction, non vérifiable dans le registre"
                    : "motif \(decision.motive.rawValue) conforme aux faits")
            if decision.motive == .envelopeExhausted, agrees, call.rules.meritOrder, let score {
                e.check(
                    RuleID.merit, passed: budget.minGrantedScore.map { $0 >= score } ?? true,
                    "rejet pour enveloppe épuisée à une note de \(score) alors que \(state.calls[app.callID]!.grantedScores.filter { $0.score < score }.map { "\($0.id) (note \($0.score))" }.joined(separator: ", ")), moins bien noté, a été aidé",
                    detail: "rang dans l'ordre de mérite : \(meritRank(score, inCall: app.callID))")
            }
        }
        if call.rules.scorerDistinctFromDecider, let scorer = application.scorer {
            e.check(
                RuleID.separation, passed: scorer != entry.actor,
                "la même clé (\(entry.actor.prefix(12))…) a noté et décidé le dossier \(id)", deviable: false)
        }
        if let justification = decision.deviation, !e.deviationUsed {
            e.declaredWithoutFailure(justification)
        }

        var updated = application
        updated.decision = decision
        updated.decider = entry.actor
        updated.gridLineNumber = grid?.number
        updated.history.append(ref(entry))
        state.applications[id] = updated
        if let justification = decision.deviation { state.declaredDeviations[id] = justification }
        if decision.outcome == .granted {
            state.calls[app.callID]!.committedCents += decision.amountCents
            state.calls[app.callID]!.standingGrants[app.applicant.siren] = id
            state.calls[app.callID]!.grantedScores.append((id, score ?? 0))
            if let score {
                state.calls[app.callID]!.minGrantedScore = min(state.calls[app.callID]!.minGrantedScore ?? score, score)
            }
        } else if decision.motive == .envelopeExhausted, agrees, let score {
            state.calls[app.callID]!.exhaustedScores.append((id, score))
            state.calls[app.callID]!.maxExhaustedScore = max(state.calls[app.callID]!.maxExhaustedScore ?? score, score)
        }
    }

    private func meritRank(_ score: Int64, inCall callID: String) -> String {
        let scores = (state.calls[callID]?.applicationIDs ?? []).compactMap { state.applications[$0]?.weightedScore }
        let rank = scores.filter { $0 > score }.count + 1
        return "\(rank) sur \(scores.count) dossiers notés"
    }

    // MARK: - Withdrawals and payments

    private mutating func applyWithdrawal(_ entry: Entry, payload: JSONValue, byApplicant: Bool, _ e: inout Evaluation)
    {
        guard
            let withdrawal = decodePayload(
                entry, &e,
                { () throws(PayloadError) -> Withdrawal in
                    try Withdrawal(payload: payload, requiresReference: !byApplicant)
                })
        else { return }
        guard let application = knownApplication(withdrawal.applicationID, type: entry.type, &e),
            notWithdrawn(application, type: "un retrait", &e)
        else { return }
        if !byApplicant {
            e.check(
                RuleID.grantStanding, passed: application.isStandingGrant,
                "decision.withdrawn sur le dossier \(application.id), qui n'a pas d'aide accordée")
            guard application.isStandingGrant else { return }
        }
        let since = application.decision?.decidedOn ?? application.application.submittedOn
        e.check(
            RuleID.dates,
            passed: withdrawal.withdrawnOn >= since && withdrawal.withdrawnOn <= CalendarDate.of(entry.time),
            "retrait daté du \(withdrawal.withdrawnOn.frenchLong), avant le \(since.frenchLong) ou après son enregistrement"
        )
        var updated = application
        updated.withdrawal = withdrawal
        updated.withdrawnByApplicant = byApplicant
        updated.history.append(ref(entry))
        state.applications[application.id] = updated
        if application.isStandingGrant, let decision = application.decision {
            let callID = application.application.callID
            state.calls[callID]!.committedCents -= decision.amountCents - application.paidCents
            state.calls[callID]!.standingGrants[application.application.applicant.siren] = nil
        }
    }

    private mutating func applyPayment(_ entry: Entry, payload: JSONValue, _ e: inout Evaluation) {
        guard
            let payment = decodePayload(
                entry, &e, { () throws(PayloadError) -> GrantPayment in try GrantPayment(payload: payload) })
        else { return }
        guard let application = knownApplication(payment.applicationID, type: entry.type, &e) else { return }
        let standing = application.isStandingGrant
        e.check(
            RuleID.paymentStanding, passed: standing,
            application.withdrawal != nil
                ? "versement sur le dossier \(application.id) après son retrait"
                : "versement sur le dossier \(application.id), qui n'a pas d'aide accordée")
        guard standing, let decision = application.decision else { return }
        let after = application.paidCents + payment.amountCents
        e.check(
            RuleID.paymentCeiling, passed: after <= decision.amountCents,
            "versement de \(FrenchFormat.euros(payment.amountCents)) : le cumul \(FrenchFormat.euros(after)) dépasserait l'aide de \(FrenchFormat.euros(decision.amountCents)) (déjà versé \(FrenchFormat.euros(application.paidCents)))",
            detail: "versé \(FrenchFormat.euros(after)) sur \(FrenchFormat.euros(decision.amountCents))")
        let duplicate = state.paymentReferences.contains(payment.reference)
        e.check(
            RuleID.paymentReference, passed: !duplicate,
            "la référence de paiement \(payment.reference) est déjà utilisée")
        e.check(
            RuleID.dates, passed: payment.paidOn >= decision.decidedOn && payment.paidOn <= CalendarDate.of(entry.time),
            "versement daté du \(payment.paidOn.frenchLong), avant la décision du \(decision.decidedOn.frenchLong) ou après son enregistrement"
        )
        var updated = application
        updated.payments.append(payment)
        updated.paidCents = after
        updated.history.append(ref(entry))
        state.applications[application.id] = updated
        state.paymentReferences.insert(payment.reference)
        state.calls[application.application.callID]!.paidCents += payment.amountCents
    }

    private func ref(_ entry: Entry) -> EventRef {
        EventRef(seq: entry.seq, hash: entry.hash.hex, type: entry.type, time: entry.time, signer: entry.actor)
    }
}

/// The scalar facts of a call that a decision is judged against, copied out so that no copy of the call's
/// growing collections stays alive while the state is updated.
struct DecisionContext {
    let versions: [CallVersion]
    let currentHash: String
    let currentSeq: Int64
    let remainingCents: Int64
    let maxExhaustedScore: Int64?
    let minGrantedScore: Int64?

    init(_ call: CallState) {
        versions = call.versions
        currentHash = call.current.hash
        currentSeq = call.current.seq
        remainingCents = call.remainingCents
        maxExhaustedScore = call.maxExhaustedScore
        minGrantedScore = call.minGrantedScore
    }
}

/// One evaluated rule, kept for `explain`.
public struct RuleEvaluation: Sendable {
    public let seq: Int64
    public let rule: String
    public let result: Finding.Kind?
    /// nil result means passed.
    public let message: String
}

/// The running evaluation of one event: records outcomes, applies a declared deviation, traces.
struct Evaluation {
    let seq: Int64
    var outcomes: RuleOutcomes
    let traceID: String?
    let signer: KeyRecord?
    var subject: String? = nil
    var deviation: String? = nil
    var deviationUsed = false
    var traced: [RuleEvaluation] = []

    init(seq: Int64, outcomes: RuleOutcomes, trace: String?, signer: KeyRecord?) {
        self.seq = seq
        self.outcomes = outcomes
        self.traceID = trace
        self.signer = signer
    }

    private var tracing: Bool { traceID != nil && traceID == subject }

    mutating func check(
        _ rule: String, passed: Bool, _ message: @autoclosure () -> String, detail: @autoclosure () -> String = "",
        deviable: Bool = true
    ) {
        if !passed, deviable, let justification = deviation, GrantRules.deviableRules.contains(rule) {
            let text = message() + " — écart déclaré : « \(justification) »"
            outcomes.deviation(rule, seq: seq, subject: subject, text)
            deviationUsed = true
            if tracing { traced.append(RuleEvaluation(seq: seq, rule: rule, result: .deviation, message: text)) }
            return
        }
        outcomes.check(rule, seq: seq, subject: subject, passed: passed, message())
        if tracing {
            let text = passed ? detail() : message()
            traced.append(RuleEvaluation(seq: seq, rule: rule, result: passed ? nil : .failed, message: text))
        }
    }

    mutating func notChecked(_ rule: String, _ reason: String) {
        outcomes.notChecked(rule, seq: seq, subject: subject, reason)
        if tracing { traced.append(RuleEvaluation(seq: seq, rule: rule, result: .notChecked, message: reason)) }
    }

    mutating func declaredWithoutFailure(_ justification: String) {
        let text = "écart déclaré sans règle enfreinte : « \(justification) »"
        outcomes.deviation(RuleID.declared, seq: seq, subject: subject, text)
        if tracing { traced.append(RuleEvaluation(seq: seq, rule: RuleID.declared, result: .deviation, message: text)) }
    }
}

extension GrantRules {
    static var deviableRules: Set<String> { deviable }
}

extension CalendarDate {
    /// The UTC calendar date of a timestamp.
    static func of(_ time: Timestamp) -> CalendarDate {
        (try? CalendarDate(iso: time.date)) ?? (try! CalendarDate(year: 1970, month: 1, day: 1))
    }
}
