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
        applications[application.applicationID] = ApplicationState(
            application: application, history: [EventRef(entry)], lastDate: application.submittedOn)
        calls[application.callID]?.applicationIDs.append(application.applicationID)
    }

    /// `application.scored`.
    mutating func score(_ score: ApplicationScore, weighted: Int64, entry: Entry) {
        let id = score.applicationID
        applications[id]?.score = score
        applications[id]?.weightedScore = weighted
        applications[id]?.scorer = entry.actor
        applications[id]?.lastDate = CalendarDate(entry.time)
        applications[id]?.history.append(EventRef(entry))
    }

    /// `decision.recorded`. `exhaustedScore` is the weighted score of a rejection whose `envelope_exhausted`
    /// motive agrees with the facts (the merit order compares it with grants).
    mutating func decide(
        _ decision: GrantDecision, call callID: String, gridLine: Int?, exhaustedScore: Int64?, entry: Entry
    ) {
        let id = decision.applicationID
        guard let application = applications[id] else { return }
        applications[id]?.decision = decision
        applications[id]?.decider = entry.actor
        applications[id]?.gridLineNumber = gridLine
        applications[id]?.lastDate = decision.decidedOn
        applications[id]?.history.append(EventRef(entry))
        if let justification = decision.deviation { declaredDeviations[id] = justification }
        calls[callID]?.hasDecisions = true
        if decision.outcome == .granted {
            let score = application.weightedScore
            calls[callID]?.committedCents &+= decision.amountCents
            _ = calls[callID]?.commitments.add(decision.amountCents, on: decision.decidedOn)
            calls[callID]?.standingGrants[application.application.applicant.siren] = id
            calls[callID]?.grantedScores.append(ScoredApplication(id: id, score: score ?? 0))
            if let score {
                let current = calls[callID]?.minGrantedScore ?? score
                calls[callID]?.minGrantedScore = min(current, score)
            }
        } else if let score = exhaustedScore {
            calls[callID]?.exhaustedScores.append(ScoredApplication(id: id, score: score))
            let current = calls[callID]?.maxExhaustedScore ?? score
            calls[callID]?.maxExhaustedScore = max(current, score)
        }
    }

    /// `decision.withdrawn` and `application.withdrawn`: a standing grant frees its unpaid part from the
    /// withdrawal's date on.
    mutating func withdraw(_ withdrawal: Withdrawal, byApplicant: Bool, entry: Entry) {
        let id = withdrawal.applicationID
        guard let application = applications[id] else { return }
        applications[id]?.withdrawal = withdrawal
        applications[id]?.withdrawnByApplicant = byApplicant
        applications[id]?.lastDate = withdrawal.withdrawnOn
        applications[id]?.history.append(EventRef(entry))
        if application.isStandingGrant, let decision = application.decision {
            let callID = application.application.callID
            let freed = decision.amountCents - application.paidCents
            calls[callID]?.committedCents -= freed
            _ = calls[callID]?.commitments.add(-freed, on: withdrawal.withdrawnOn)
            calls[callID]?.standingGrants[application.application.applicant.siren] = nil
        }
    }

    /// `payment.recorded`.
    mutating func pay(_ payment: GrantPayment, entry: Entry) {
        let id = payment.applicationID
        guard let callID = applications[id]?.application.callID else { return }
        applications[id]?.payments.append(payment)
        applications[id]?.paidCents &+= payment.amountCents
        applications[id]?.lastDate = payment.paidOn
        applications[id]?.history.append(EventRef(entry))
        paymentReferences.insert(payment.referenceKey)
        calls[callID]?.paidCents &+= payment.amountCents
    }

    /// Remembers that `object` misses a change refused at `root` (the earliest such fault is kept).
    mutating func depend(_ object: Object, on root: Int64) {
        if dependencies[object] == nil { dependencies[object] = root }
    }
}
