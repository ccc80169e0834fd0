import LedgerCore

/// The state changes of accepted events. The rule families (`Rules/*Policy.swift`) decide whether an event
/// is accepted; these methods only fold it in, in place, so that no copy of a growing collection is made per
/// event.
extension GrantState {
    /// `call.published`.
    mutating func publish(_ version: CallVersion) {
        calls[version.call.callID] = CallState(versions: [version])
        callOrder.append(version.call.callID)
    }

    /// `call.amended`: a new version in force.
    mutating func amend(_ version: CallVersion) {
        calls[version.call.callID]?.versions.append(version)
    }

    /// `application.submitted`.
    mutating func submit(_ application: GrantApplication, entry: Entry) {
        // Most applications of a programme cite one source of populations: one copy of it.
        var application = application
        application.applicant.populationSource = SharedText.shared(application.applicant.populationSource)
        applications[application.applicationID] = ApplicationState(
            application: application, history: [EventRef(entry)], lastDate: application.submittedOn)
        calls[application.callID]?.applicationIDs.append(application.applicationID)
    }

    /// `application.scored`.
    mutating func score(_ score: ApplicationScore, weighted: Int64, entry: Entry) {
        applications[score.applicationID]?.change {
            $0.score = score
            $0.weightedScore = weighted
            $0.scorerNumber = SharedText.number(entry.actor)
            $0.lastDate = CalendarDate(entry.time)
            $0.history.append(EventRef(entry))
        }
    }

    /// `decision.recorded`. `exhaustedScore` is the weighted score of a rejection whose `envelope_exhausted`
    /// motive agrees with the facts (the merit order compares it with grants).
    mutating func decide(
        _ decision: GrantDecision, call callID: String, gridLine: Int?, exhaustedScore: Int64?, entry: Entry
    ) {
        let id = decision.applicationID
        // The call version a decision cites is one of the call's few: one copy of it.
        var decision = decision
        decision.callVersion = SharedText.shared(decision.callVersion)
        var decided: (siren: String, score: Int64?)? = nil
        applications[id]?.change {
            $0.decision = decision
            $0.deciderNumber = SharedText.number(entry.actor)
            $0.gridLineNumber = gridLine
            $0.lastDate = decision.decidedOn
            $0.history.append(EventRef(entry))
            decided = ($0.application.applicant.siren, $0.weightedScore)
        }
        guard let decided else { return }
        if let justification = decision.deviation { declaredDeviations[id] = justification }
        calls[callID]?.change { call in
            call.hasDecisions = true
            if decision.outcome == .granted {
                call.committedCents &+= decision.amountCents
                _ = call.commitments.add(decision.amountCents, on: decision.decidedOn)
                call.standingGrants[decided.siren] = id
                call.grantedScores.append(ScoredApplication(id: id, score: decided.score ?? 0))
                if let score = decided.score { call.minGrantedScore = min(call.minGrantedScore ?? score, score) }
            } else if let score = exhaustedScore {
                call.exhaustedScores.append(ScoredApplication(id: id, score: score))
                call.maxExhaustedScore = max(call.maxExhaustedScore ?? score, score)
            }
        }
    }

    /// `decision.withdrawn` and `application.withdrawn`: a standing grant frees its unpaid part from the
    /// withdrawal's date on.
    mutating func withdraw(_ withdrawal: Withdrawal, byApplicant: Bool, entry: Entry) {
        var freed: (call: String, siren: String, cents: Int64)? = nil
        applications[withdrawal.applicationID]?.change {
            if $0.isStandingGrant, let decision = $0.decision {
                freed = ($0.application.callID, $0.application.applicant.siren, decision.amountCents - $0.paidCents)
            }
            $0.withdrawal = withdrawal
            $0.withdrawnByApplicant = byApplicant
            $0.lastDate = withdrawal.withdrawnOn
            $0.history.append(EventRef(entry))
        }
        if let freed {
            calls[freed.call]?.change { call in
                call.committedCents -= freed.cents
                _ = call.commitments.add(-freed.cents, on: withdrawal.withdrawnOn)
                call.standingGrants[freed.siren] = nil
            }
        }
    }

    /// `payment.recorded`.
    mutating func pay(_ payment: GrantPayment, entry: Entry) {
        var callID: String? = nil
        applications[payment.applicationID]?.change {
            callID = $0.application.callID
            $0.payments.append(payment)
            $0.paidCents &+= payment.amountCents
            $0.lastDate = payment.paidOn
            $0.history.append(EventRef(entry))
        }
        guard let callID else { return }
        paymentReferences.insert(payment.referenceKey)
        calls[callID]?.paidCents &+= payment.amountCents
    }

    /// Remembers that `object` misses a change refused at `root` (the earliest such fault is kept).
    mutating func depend(_ object: Object, on root: Int64) {
        if dependencies[object] == nil { dependencies[object] = root }
    }
}

extension ApplicationState {
    /// Changes the state in one access: `applications[id]?.change { … }` looks the application up once and
    /// changes it in place, where a chain of `applications[id]?.field = …` looks it up for every field.
    mutating func change(_ body: (inout ApplicationState) -> Void) { body(&self) }
}

extension CallState {
    /// Changes the call's state in one access (see ``ApplicationState/change(_:)``).
    mutating func change(_ body: (inout CallState) -> Void) { body(&self) }
}
