import LedgerCore

/// `payment.recorded`: `EVT-PAYLOAD`, `SEQ-APP-KNOWN`, `AUT-TERRITORY`, `PAY-STANDING`, `PAY-CEILING`,
/// `PAY-REFERENCE`, `SEQ-DATES` (`docs/RULES.md`).
enum PaymentPolicy {
    static func evaluate(_ entry: Entry, in state: GrantState, _ e: inout Evaluation)
        -> GrantPayment?
    {
        guard
            let payment = e.decode(entry, as: GrantPayment.self),
            let application = GrantRules.knownApplication(payment.applicationID, type: entry.type, in: state, &e)
        else { return nil }
        let standing = application.isStandingGrant
        e.check(
            .paymentStanding, passed: standing,
            application.withdrawal != nil
                ? "versement sur le dossier \(application.id) après son retrait"
                : "versement sur le dossier \(application.id), qui n'a pas d'aide accordée")
        guard standing, let decision = application.decision else { return nil }
        let (after, overflow) = application.paidCents.addingReportingOverflow(payment.amountCents)
        let callPaid = state.calls[application.application.callID]?.paidCents ?? 0
        let callOverflow = callPaid.addingReportingOverflow(payment.amountCents).overflow
        e.check(
            .paymentCeiling, passed: !overflow && !callOverflow && after <= decision.amountCents,
            overflow || callOverflow
                ? "versement de \(FrenchFormat.euros(payment.amountCents)) : les montants versés ne peuvent plus être additionnés (dépassement de capacité)"
                : "versement de \(FrenchFormat.euros(payment.amountCents)) : le cumul \(FrenchFormat.euros(after)) dépasserait l'aide de \(FrenchFormat.euros(decision.amountCents)) (déjà versé \(FrenchFormat.euros(application.paidCents)))",
            detail: "versé \(FrenchFormat.euros(after)) sur \(FrenchFormat.euros(decision.amountCents))")
        let duplicate = state.paymentReferences.contains(payment.referenceKey)
        e.check(
            .paymentReference, passed: !duplicate,
            "la référence de paiement \(payment.reference) est déjà utilisée (les références se comparent sans tenir compte de la casse ni des séparateurs)"
        )
        GrantRules.checkDate(payment.paidOn, of: "versement", after: application, &e)
        return payment
    }
}
