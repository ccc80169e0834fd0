public import LedgerCore

/// The grant domain's rules: one engine for append-time validation, the verifier, bundles and `explain`.
///
/// `apply` checks an event against the state built from the accepted events before it, with the rule family
/// of its type (`CallPolicy`, `SubmissionPolicy`, `ScorePolicy`, `DecisionPolicy`, `WithdrawalPolicy`,
/// `PaymentPolicy`), recording one outcome per rule evaluated (ids and sentences in `docs/RULES.md`). If no rule
/// refuses it, the event is folded into ``state`` by the matching method of `GrantState+Changes.swift`;
/// otherwise the objects it concerns are remembered as depending on it, and what later events find wrong
/// about them is reported as *not checked (depends on seq N)*: one fault, one finding. A rule whose
/// preconditions are not met (unknown application, unreadable payload) is not evaluated. Declared
/// deviations (`deviation` in `decision.recorded`) turn failures of the deviable rules into declared
/// deviations.
///
/// ```swift
/// let (report, replayer) = try LedgerVerifier.verify(store: store, domain: GrantRules())
/// replayer.domain.state.applications["15-2021-01-0001"]?.status  // .fullyPaid
/// ```
public struct GrantRules: DomainRules {
    public static let eventTypes = GrantEventType.specs
    public static let roles: [Role]? = [.prefecture, .payer, .auditor]

    /// A key covers départements (the 101 codes).
    public static func isTerritory(_ code: String) -> Bool { DepartementCode(code) != nil }

    public static func label(of role: Role) -> String { role.label }

    public internal(set) var state = GrantState()
    /// The reference dataset; a call that pins another dataset fails `ELG-REFERENCE`.
    var reference: ReferenceData? {
        switch source {
        case .bundled: try? ReferenceData.shared()
        case .given(let reference): reference
        }
    }
    /// The ``ReferenceData/datasetID`` of ``reference`` (nil without one), without parsing the bundled data.
    ///
    /// For the bundled data it is the hash of the files' bytes alone: parsing is a function of those bytes, so
    /// rules with the same hash read the same data; a state snapshot can then be used without the 35 000
    /// communes ever being parsed.
    var referenceDatasetID: String? {
        switch source {
        case .bundled: ReferenceData.bundledDatasetID
        case .given(let reference): reference?.datasetID
        }
    }
    /// Where ``reference`` comes from. The bundled data is fetched only when a rule first needs it: parsing its
    /// 35 000 communes is most of the start-up of a short command, and a log of keys alone never needs them.
    private let source: ReferenceSource
    private enum ReferenceSource: Sendable {
        case bundled
        case given(ReferenceData?)
    }
    /// When set, every evaluation concerning this application is kept in `trace` (for `explain`).
    public var traceApplication: String? = nil
    /// Set for a partial replay (a decision bundle): see ``wholeLogRules``.
    public var partial = false
    public private(set) var trace: [RuleEvaluation] = []

    public init(reference: ReferenceData?) {
        self.source = .given(reference)
    }

    /// Rules with the bundled reference data (or none if it cannot be loaded), loaded on first use.
    public init() {
        self.source = .bundled
    }

    /// The payloads of the domain's events decoded on the threads that parse the log, each a
    /// `Result<T, PayloadError>` that its policy reads (``Evaluation/decode(_:as:)``).
    public static var payloadDecoder: PayloadDecoder? { decodePayload }

    /// How each event type's payload decodes; nil for the types the rules do not decode (the format's own).
    static let decodePayload: PayloadDecoder = { type, payload in
        switch type {
        case GrantEventType.callPublished, GrantEventType.callAmended:
            return Result { () throws(PayloadError) in try GrantCall(payload: payload) }
        case GrantEventType.applicationSubmitted:
            return Result { () throws(PayloadError) in try GrantApplication(payload: payload) }
        case GrantEventType.applicationScored:
            return Result { () throws(PayloadError) in try ApplicationScore(payload: payload) }
        case GrantEventType.decisionRecorded:
            return Result { () throws(PayloadError) in try GrantDecision(payload: payload) }
        case GrantEventType.decisionWithdrawn, GrantEventType.applicationWithdrawn:
            let byApplicant = type == GrantEventType.applicationWithdrawn
            return Result { () throws(PayloadError) in
                try Withdrawal(payload: payload, requiresReference: !byApplicant)
            }
        case GrantEventType.paymentRecorded:
            return Result { () throws(PayloadError) in try GrantPayment(payload: payload) }
        default:
            return nil
        }
    }

    public mutating func apply(_ entry: Entry, signer: KeyRecord?, keys: KeyRegistry, outcomes: inout RuleOutcomes) {
        var e = Evaluation(
            seq: entry.seq, recordedOn: CalendarDate(entry.time), signer: signer, trace: traceApplication,
            partial: partial)
        // The evaluation owns the outcomes while it runs: no copy of their growing arrays per event.
        swap(&e.outcomes, &outcomes)
        defer {
            swap(&e.outcomes, &outcomes)
            if !e.traced.isEmpty { trace.append(contentsOf: e.traced) }
        }
        // Each family reads the state (borrowed, never copied) and returns what to fold in; the state is
        // changed only after, when nothing refused the event.
        switch entry.type {
        case GrantEventType.callPublished, GrantEventType.callAmended:
            let amended = entry.type == GrantEventType.callAmended
            let version = CallPolicy.evaluate(entry, amended: amended, in: state, reference: reference, &e)
            if let version, !e.refused {
                if amended { state.amend(version) } else { state.publish(version) }
                return
            }
        case GrantEventType.applicationSubmitted:
            let application = SubmissionPolicy.evaluate(entry, in: state, reference: reference, &e)
            if let application, !e.refused {
                state.submit(application, entry: entry)
                return
            }
        case GrantEventType.applicationScored:
            let scored = ScorePolicy.evaluate(entry, in: state, &e)
            if let scored, !e.refused {
                state.score(scored.score, weighted: scored.weighted, entry: entry)
                return
            }
        case GrantEventType.decisionRecorded:
            let outcome = DecisionPolicy.evaluate(entry, in: state, &e)
            if let outcome, !e.refused {
                state.decide(
                    outcome.decision, call: outcome.callID, gridLine: outcome.gridLine,
                    exhaustedScore: outcome.exhaustedScore, entry: entry)
                return
            }
        case GrantEventType.decisionWithdrawn, GrantEventType.applicationWithdrawn:
            let byApplicant = entry.type == GrantEventType.applicationWithdrawn
            let withdrawal = WithdrawalPolicy.evaluate(entry, byApplicant: byApplicant, in: state, &e)
            if let withdrawal, !e.refused {
                state.withdraw(withdrawal, byApplicant: byApplicant, entry: entry)
                return
            }
        case GrantEventType.paymentRecorded:
            let payment = PaymentPolicy.evaluate(entry, in: state, &e)
            if let payment, !e.refused {
                state.pay(payment, entry: entry)
                return
            }
        default:
            return
        }
    }

    /// What a refused event of the log leaves missing (`docs/RULES.md`, "One fault, one finding"): the
    /// application it would have created or changed; and its call too when it would have created or changed
    /// the call (a publication, an amendment) or its envelope (a decision, a withdrawal). A refused duplicate
    /// (a second publication of a call, a second submission of an id) leaves the existing object as it was.
    public mutating func refuse(_ entry: Entry, root: Int64) {
        let payload = entry.payload
        let applicationID = payload["application_id"]?.stringValue
        switch entry.type {
        case GrantEventType.callPublished:
            if let call = payload["call_id"]?.stringValue, state.calls[call] == nil {
                state.depend(.call(call), on: root)
            }
        case GrantEventType.callAmended:
            if let call = payload["call_id"]?.stringValue { state.depend(.call(call), on: root) }
        case GrantEventType.applicationSubmitted:
            if let id = applicationID, state.applications[id] == nil { state.depend(.application(id), on: root) }
        case GrantEventType.decisionRecorded, GrantEventType.decisionWithdrawn, GrantEventType.applicationWithdrawn:
            guard let id = applicationID else { break }
            state.depend(.application(id), on: root)
            if let call = state.applications[id]?.application.callID { state.depend(.call(call), on: root) }
        default:
            if let id = applicationID { state.depend(.application(id), on: root) }
        }
    }
}

extension GrantRules {
    /// Resolves the application an event names: `SEQ-APP-KNOWN` (dependent when its submission was refused),
    /// then `AUT-TERRITORY` for the signer against the applicant's département. Sets the evaluation's
    /// subjects and dependency.
    static func knownApplication(
        _ id: String, type: String, in state: GrantState, _ e: inout Evaluation
    ) -> ApplicationState? {
        e.subject = id
        let application = state.applications[id]
        e.depend(on: state.dependency(application: id, call: application?.application.callID))
        guard let application else {
            e.check(.applicationKnown, passed: false, "\(type) vise le dossier \(id), qui n'a pas été déposé")
            return nil
        }
        e.check(.applicationKnown, passed: true, "dossier \(id) déposé")
        // A signer without authority over the application: what the event says is not judged further.
        return checkTerritory(of: application.application, &e) ? application : nil
    }

    /// `AUT-TERRITORY`: the signer's territories cover the applicant's département; returns whether they do.
    static func checkTerritory(of application: GrantApplication, _ e: inout Evaluation) -> Bool {
        guard let signer = e.signer else { return true }
        let covered = signer.covers(territory: application.applicant.departement)
        e.check(
            .territory, passed: covered,
            "la clé de \(signer.holder) (territoires \(signer.territories.joined(separator: ", "))) ne couvre pas le département \(application.applicant.departement) du demandeur \(application.applicant.name)"
        )
        return covered
    }

    /// `SEQ-WITHDRAWN`: nothing happens to an application after its withdrawal (in log order).
    static func notWithdrawn(_ application: ApplicationState, type: String, _ e: inout Evaluation) -> Bool {
        let withdrawn = application.withdrawal != nil
        e.check(
            .afterWithdrawal, passed: !withdrawn,
            "\(type) après le retrait du dossier \(application.id) (\(application.withdrawnByApplicant ? "par le demandeur" : "retrait de l'aide"))"
        )
        return !withdrawn
    }

    /// `SEQ-DATES` for an event declaring `date`: not after the day it was recorded, and not before the date
    /// of the application's latest event (the dates of an application's events never go backwards).
    static func checkDate(
        _ date: CalendarDate, of what: String, feminine: Bool = false, after application: ApplicationState,
        _ e: inout Evaluation
    ) {
        let recordedOn = e.recordedOn
        let agreement = feminine ? "e" : ""
        // One finding at most: the first condition that fails. The messages are made only for a failure.
        let notAfterRecording = date <= recordedOn
        e.check(
            .dates, passed: notAfterRecording && date >= application.lastDate,
            notAfterRecording
                ? "\(what) daté\(agreement) du \(date.frenchLong), antérieur\(agreement) au \(application.lastDate.frenchLong), date de l'événement précédent du dossier \(application.id) : \(application.history.last.map { "\(GrantRules.eventLabel($0.type)) (seq \($0.seq))" } ?? "dépôt")"
                : "\(what) daté\(agreement) du \(date.frenchLong), postérieur\(agreement) à son enregistrement le \(recordedOn.frenchLong)"
        )
    }

    /// A French noun for an event type, for messages.
    static func eventLabel(_ type: String) -> String {
        switch type {
        case GrantEventType.applicationSubmitted: return "dépôt"
        case GrantEventType.applicationScored: return "notation"
        case GrantEventType.decisionRecorded: return "décision"
        case GrantEventType.decisionWithdrawn: return "retrait de l'aide"
        case GrantEventType.applicationWithdrawn: return "retrait du dossier"
        case GrantEventType.paymentRecorded: return "versement"
        case GrantEventType.callPublished: return "publication de l'appel"
        case GrantEventType.callAmended: return "modification de l'appel"
        default: return type
        }
    }
}
