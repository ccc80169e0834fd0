public import LedgerCore
public import LedgerCrypto

/// The roles of the grant domain besides the format's authority (`docs/EVENTS.md`, "Who signs").
extension Role {
    /// A prefecture: instructs and decides the applications of its territories.
    public static let prefecture = Role(rawValue: "prefecture")
    /// A paying agent: records payments.
    public static let payer = Role(rawValue: "payer")
    /// An auditor: may sign attestations; never decisions.
    public static let auditor = Role(rawValue: "auditor")

    /// Every role a key of a grant ledger may have.
    public static let grantRoles: [Role] = [.authority, .prefecture, .payer, .auditor]

    /// French label, for people.
    public var label: String {
        switch self {
        case .authority: return "autorité de gestion"
        case .prefecture: return "préfecture"
        case .payer: return "payeur"
        case .auditor: return "auditeur"
        default: return rawValue
        }
    }

    /// The role named `text`, or an error naming the valid ones.
    public static func grantRole(named text: String) throws(InputError) -> Role {
        guard let role = grantRoles.first(where: { $0.rawValue == text }) else {
            throw InputError(
                .invalidRole,
                "le rôle « \(text) » n'existe pas ; un rôle est l'un de \(grantRoles.map(\.rawValue).joined(separator: ", "))"
            )
        }
        return role
    }
}

/// The event types of the grant domain (`docs/EVENTS.md`).
public enum GrantEventType {
    public static let callPublished = "call.published"
    public static let callAmended = "call.amended"
    public static let applicationSubmitted = "application.submitted"
    public static let applicationScored = "application.scored"
    public static let decisionRecorded = "decision.recorded"
    public static let decisionWithdrawn = "decision.withdrawn"
    public static let applicationWithdrawn = "application.withdrawn"
    public static let paymentRecorded = "payment.recorded"

    /// Who may sign each type. Territory is checked by rule `AUT-TERRITORY`.
    public static let specs: [EventCatalog.Spec] = [
        .init(
            callPublished, roles: [.authority, .prefecture], summary: "publishes a call for applications (version 1)"),
        .init(
            callAmended, roles: [.authority, .prefecture], summary: "publishes a new version of a call before it opens"),
        .init(applicationSubmitted, roles: [.prefecture], summary: "records an application received by the prefecture"),
        .init(applicationScored, roles: [.prefecture], summary: "scores an application on every criterion of the call"),
        .init(decisionRecorded, roles: [.prefecture], summary: "grants or rejects an application"),
        .init(decisionWithdrawn, roles: [.prefecture], summary: "withdraws a grant whose conditions were not met"),
        .init(
            applicationWithdrawn, roles: [.prefecture], summary: "records that the applicant withdrew its application"),
        .init(paymentRecorded, roles: [.payer], summary: "records a payment of a grant"),
    ]
}

/// The three kinds of support the programme funds.
public enum GrantAction: String, Sendable, CaseIterable, Codable, Comparable {
    case strategyStudy = "strategy_study"
    case projectSupport = "project_support"
    case deploymentSupport = "deployment_support"

    public static func < (lhs: GrantAction, rhs: GrantAction) -> Bool { lhs.rawValue < rhs.rawValue }

    /// French label for published pages.
    public var label: String {
        switch self {
        case .strategyStudy: return "Étude stratégique"
        case .projectSupport: return "Accompagnement de projet"
        case .deploymentSupport: return "Déploiement de solutions existantes"
        }
    }
}

/// The outcome of a decision.
public enum DecisionOutcome: String, Sendable, Codable {
    case granted
    case rejected
}

/// Why a decision was taken.
public enum DecisionMotive: String, Sendable, CaseIterable, Codable, Comparable {
    case criteriaMet = "criteria_met"
    case belowThreshold = "below_threshold"
    case ineligibleApplicant = "ineligible_applicant"
    case ineligibleAction = "ineligible_action"
    case envelopeExhausted = "envelope_exhausted"
    case duplicateAward = "duplicate_award"
    case incompleteFile = "incomplete_file"

    public static func < (lhs: DecisionMotive, rhs: DecisionMotive) -> Bool { lhs.rawValue < rhs.rawValue }

    public var label: String {
        switch self {
        case .criteriaMet: return "critères remplis"
        case .belowThreshold: return "note inférieure au seuil"
        case .ineligibleApplicant: return "demandeur non éligible"
        case .ineligibleAction: return "action non éligible"
        case .envelopeExhausted: return "enveloppe épuisée"
        case .duplicateAward: return "déjà aidé au titre de l'appel"
        case .incompleteFile: return "dossier incomplet"
        }
    }
}

extension ApplicantKind {
    /// French label, singular.
    public var label: String {
        switch self {
        case .commune: return "commune"
        case .departement: return "département"
        case .region: return "région"
        case .communauteDeCommunes: return "communauté de communes"
        case .communauteDAgglomeration: return "communauté d'agglomération"
        case .communauteUrbaine: return "communauté urbaine"
        case .metropole: return "métropole"
        }
    }
}
