public import LedgerCore

/// The grant domain's rules (`docs/RULES.md`), added to the format's catalogue of ``RuleID``.
extension RuleID {
    // Authority
    /// The signer's territories cover what the event concerns (and the object it changes).
    public static let territory: RuleID = "AUT-TERRITORY"
    /// Scorer and decider differ when the call requires it.
    public static let separation: RuleID = "AUT-SEPARATION"

    // Process order
    /// The payload has exactly the documented members, types, bounds and text rules.
    public static let payload: RuleID = "EVT-PAYLOAD"
    public static let callUnique: RuleID = "SEQ-CALL-UNIQUE"
    public static let callKnown: RuleID = "SEQ-CALL-KNOWN"
    public static let callAmendment: RuleID = "SEQ-CALL-AMEND"
    public static let callVersion: RuleID = "SEQ-CALL-VERSION"
    public static let applicationUnique: RuleID = "SEQ-APP-UNIQUE"
    public static let applicationKnown: RuleID = "SEQ-APP-KNOWN"
    public static let window: RuleID = "SEQ-WINDOW"
    public static let scoreOnce: RuleID = "SEQ-SCORE-ONCE"
    public static let scoreBeforeDecision: RuleID = "SEQ-SCORE-FIRST"
    public static let decisionOnce: RuleID = "SEQ-DECISION-ONCE"
    public static let afterWithdrawal: RuleID = "SEQ-WITHDRAWN"
    public static let grantStanding: RuleID = "SEQ-GRANT-STANDING"
    public static let dates: RuleID = "SEQ-DATES"

    // Eligibility
    public static let identifiers: RuleID = "ELG-IDENTIFIERS"
    public static let reference: RuleID = "ELG-REFERENCE"
    public static let eligibleApplicant: RuleID = "ELG-APPLICANT"
    public static let eligibleAction: RuleID = "ELG-ACTION"
    public static let eligibleTerritory: RuleID = "ELG-TERRITORY"

    // Scoring and amounts
    public static let scoreComplete: RuleID = "SCO-COMPLETE"
    public static let threshold: RuleID = "SCO-THRESHOLD"
    public static let grid: RuleID = "AMT-GRID"

    // Envelope and decisions
    public static let envelope: RuleID = "BUD-ENVELOPE"
    public static let merit: RuleID = "BUD-MERIT"
    public static let oneAward: RuleID = "BUD-ONE-AWARD"
    public static let motive: RuleID = "DEC-MOTIVE"
    public static let declared: RuleID = "DEV-DECLARED"

    // Payments
    public static let paymentStanding: RuleID = "PAY-STANDING"
    public static let paymentCeiling: RuleID = "PAY-CEILING"
    public static let paymentReference: RuleID = "PAY-REFERENCE"
}

extension GrantRules {
    /// The rules a decision may depart from with a declared, justified deviation (`decide --deviation`).
    public static let deviableRules: Set<RuleID> = [
        .eligibleApplicant, .eligibleAction, .eligibleTerritory, .threshold, .grid, .envelope, .oneAward, .merit,
    ]

    /// How long after a call closes an application may still be recorded (`SEQ-WINDOW`): a file posted on
    /// the last day reaches the prefecture and its register within days, not months.
    public static let recordingToleranceDays = 30

    /// Rules whose verdict depends on the whole call, not only on one application's entries: a partial replay
    /// (a decision bundle) reports them *not checked*, with these reasons.
    public static let wholeLogRules: [RuleID: String] = [
        .envelope: "l'enveloppe restante dépend de toutes les décisions de l'appel",
        .merit: "l'ordre de mérite compare tous les dossiers notés de l'appel",
        .oneAward: "les autres aides de l'appel au même demandeur (SIREN) ne sont pas dans le bundle",
        .declared:
            "savoir si l'écart déclaré couvre une règle enfreinte demande aussi les règles d'enveloppe, de mérite et d'aide unique",
    ]

    /// How a reason of ``wholeLogRules`` is introduced.
    public static let wholeLogPrefix = "nécessite le registre entier : "

    /// The least number of letters and digits in a deviation's justification: a sentence, not a word.
    public static let minimumJustificationLength = 20
}
