import LedgerCore

/// `decision.withdrawn` (by the prefecture, CRPA L. 242-2) and `application.withdrawn` (by the applicant):
/// `EVT-PAYLOAD`, `SEQ-APP-KNOWN`, `AUT-TERRITORY`, `SEQ-WITHDRAWN`, `SEQ-GRANT-STANDING`, `SEQ-DATES`.
enum WithdrawalPolicy {
    static func evaluate(
        _ entry: Entry, byApplicant: Bool, in state: GrantState, _ e: inout Evaluation
    ) -> Withdrawal? {
        guard
            let withdrawal = e.decode(entry, as: Withdrawal.self),
            let application = GrantRules.knownApplication(withdrawal.applicationID, type: entry.type, in: state, &e),
            GrantRules.notWithdrawn(application, type: "un retrait", &e)
        else { return nil }
        if !byApplicant {
            e.check(
                .grantStanding, passed: application.isStandingGrant,
                "decision.withdrawn sur le dossier \(application.id), qui n'a pas d'aide accordée")
            guard application.isStandingGrant else { return nil }
        }
        // Not before the latest event of the application: a payment dated after the withdrawal would otherwise
        // stand, with the withdrawal recorded later and back-dated.
        GrantRules.checkDate(withdrawal.withdrawnOn, of: "retrait", after: application, &e)
        return withdrawal
    }
}
