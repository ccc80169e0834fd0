public import LedgerCore
import LedgerCrypto

/// One evaluated rule, kept for `explain`.
public struct RuleEvaluation: Sendable {
    public let seq: Int64
    public let rule: RuleID
    /// nil means passed.
    public let result: Finding.Kind?
    public let message: String
}

/// The running evaluation of one event: records outcomes, turns a declared deviation's failures into
/// deviations, reports failures that follow from an earlier fault as dependent, and traces.
///
/// It owns the caller's ``RuleOutcomes`` for the duration of the event (moved in and out by
/// ``GrantRules/apply(_:signer:keys:outcomes:)``), so recording a finding never copies the growing
/// collections of a long replay.
struct Evaluation {
    let seq: Int64
    /// The UTC day of the entry's `time`: when the event was recorded.
    let recordedOn: CalendarDate
    let signer: KeyRecord?
    var outcomes = RuleOutcomes()
    /// The application (or call) the event is about, shown with every finding.
    var subject: String? = nil
    /// The earliest fault the objects concerned already depend on: a failure here is reported as dependent.
    var root: Int64? = nil
    /// A declared deviation's justification, while the decision's deviable rules are checked.
    var deviation: String? = nil
    private(set) var deviationUsed = false
    /// Whether a rule refused the event (a failure, or a failure depending on `root`).
    private(set) var refused = false
    /// A partial replay (a decision bundle): rules whose verdict needs the entries it leaves out are reported
    /// *not checked*, with the reason, never passed or failed.
    let partial: Bool
    private let traceID: String?
    private(set) var traced: [RuleEvaluation] = []

    init(seq: Int64, recordedOn: CalendarDate, signer: KeyRecord?, trace: String?, partial: Bool = false) {
        self.seq = seq
        self.recordedOn = recordedOn
        self.signer = signer
        self.traceID = trace
        self.partial = partial
    }

    private var tracing: Bool { traceID != nil && traceID == subject }

    /// Adds `dependency` (a fault an object concerned depends on) to the event's root.
    mutating func depend(on dependency: Int64?) {
        guard let dependency else { return }
        root = min(root ?? dependency, dependency)
    }

    mutating func check(
        _ rule: RuleID, passed: Bool, _ message: @autoclosure () -> String, detail: @autoclosure () -> String = "",
        deviable: Bool = true
    ) {
        if partial, let reason = GrantRules.wholeLogRules[rule] {
            notChecked(rule, GrantRules.wholeLogPrefix + reason)
            return
        }
        if passed {
            outcomes.check(rule, seq: seq, subject: subject, passed: true, "")
            if tracing { traced.append(RuleEvaluation(seq: seq, rule: rule, result: nil, message: detail())) }
            return
        }
        if deviable, let justification = deviation, GrantRules.deviableRules.contains(rule) {
            let text = message() + " — écart déclaré : « \(justification) »"
            outcomes.deviation(rule, seq: seq, subject: subject, text)
            deviationUsed = true
            if tracing { traced.append(RuleEvaluation(seq: seq, rule: rule, result: .deviation, message: text)) }
            return
        }
        refused = true
        if let root {
            let text = message()
            outcomes.dependent(rule, seq: seq, subject: subject, on: root, text)
            if tracing {
                traced.append(
                    RuleEvaluation(
                        seq: seq, rule: rule, result: .notChecked, message: "dépend de la seq \(root) : \(text)"))
            }
            return
        }
        let text = message()
        outcomes.check(rule, seq: seq, subject: subject, passed: false, text)
        if tracing { traced.append(RuleEvaluation(seq: seq, rule: rule, result: .failed, message: text)) }
    }

    /// Checks `rule` once against several conditions, reporting the first that fails: a rule gives at most one
    /// finding per event.
    mutating func check(_ rule: RuleID, _ conditions: [(passed: Bool, message: () -> String)], detail: String = "") {
        let failing = conditions.first { !$0.passed }
        check(rule, passed: failing == nil, failing?.message() ?? "", detail: detail)
    }

    /// A rule that applies but cannot be judged from what the verifier holds (never passed, never refusing).
    mutating func notChecked(_ rule: RuleID, _ reason: String) {
        outcomes.notChecked(rule, seq: seq, subject: subject, reason)
        if tracing { traced.append(RuleEvaluation(seq: seq, rule: rule, result: .notChecked, message: reason)) }
    }

    /// A justification given on a decision that broke no deviable rule.
    mutating func declaredWithoutFailure(_ justification: String) {
        let text = "écart déclaré sans règle enfreinte : « \(justification) »"
        outcomes.deviation(.declared, seq: seq, subject: subject, text)
        if tracing { traced.append(RuleEvaluation(seq: seq, rule: .declared, result: .deviation, message: text)) }
    }

    /// Decodes an event's payload as `T`, recording `EVT-PAYLOAD`; nil when it does not have the documented shape.
    ///
    /// The payload is decoded by ``GrantRules/payloadDecoder``, the one place that says how each event type's
    /// payload decodes: on the parsing thread when the verifier parsed the entry (`entry.decoded`), here otherwise.
    mutating func decode<T>(_ entry: Entry, as type: T.Type) -> T? {
        let decoded = entry.decoded ?? GrantRules.decodePayload(entry.type, entry.payload)
        guard let result = decoded as? Result<T, PayloadError> else {
            preconditionFailure("\(entry.type) does not decode as \(T.self)")
        }
        switch result {
        case .success(let value):
            check(.payload, passed: true, "")
            return value
        case .failure(let error):
            check(.payload, passed: false, "\(entry.type) : \(error.description)")
            return nil
        }
    }
}
