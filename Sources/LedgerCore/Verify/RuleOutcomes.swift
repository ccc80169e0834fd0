/// One result worth reporting: a failed rule, a rule that could not be checked, or a declared deviation.
public struct Finding: Sendable, Hashable, Comparable {
    public enum Kind: String, Sendable, Hashable {
        case failed
        case notChecked = "not_checked"
        case deviation
    }

    /// Position of the entry in the log (its expected seq).
    public let seq: Int64
    public let rule: RuleID
    public let kind: Kind
    /// What the rule was about, e.g. an application id; nil for the entry itself.
    public let subject: String?
    /// One sentence: expected versus found.
    public let message: String
    /// For a `notChecked` finding that only follows from an earlier fault: the seq of that fault. The rule
    /// would have failed here, but judging it would judge the earlier entry a second time (`docs/RULES.md`,
    /// "One fault, one finding"). An entry with such a finding is refused at append time all the same.
    public let dependsOn: Int64?

    public init(
        seq: Int64, rule: RuleID, kind: Kind, subject: String?, message: String, dependsOn: Int64? = nil
    ) {
        self.seq = seq
        self.rule = rule
        self.kind = kind
        self.subject = subject
        self.message = message
        self.dependsOn = dependsOn
    }

    /// Whether this finding stops an entry from being accepted: a failure, or a failure that depends on an
    /// earlier one.
    public var refuses: Bool { kind == .failed || dependsOn != nil }

    /// A total order (seq, rule, subject, message, kind, dependency), so that sorted findings are the same bytes
    /// whatever order they were recorded in.
    public static func < (lhs: Finding, rhs: Finding) -> Bool {
        if (lhs.seq, lhs.rule, lhs.subject ?? "", lhs.message) != (rhs.seq, rhs.rule, rhs.subject ?? "", rhs.message) {
            return (lhs.seq, lhs.rule, lhs.subject ?? "", lhs.message)
                < (rhs.seq, rhs.rule, rhs.subject ?? "", rhs.message)
        }
        return (lhs.kind.rawValue, lhs.dependsOn ?? -1) < (rhs.kind.rawValue, rhs.dependsOn ?? -1)
    }
}

/// Tallies per rule and the findings of a replay: the same structure serves append-time validation (one
/// entry) and the verifier (the whole log), so the two cannot disagree.
public struct RuleOutcomes: Sendable {
    /// Counts for one rule.
    public struct Tally: Sendable, Hashable {
        public var checked = 0
        public var passed = 0
        public var failed = 0
        public var notChecked = 0
        public var deviations = 0

        mutating func record(passed: Bool) {
            checked += 1
            if passed { self.passed += 1 } else { failed += 1 }
        }
    }

    /// The tally of each rule checked at least once.
    public var tallies: [RuleID: Tally] {
        var byRule: [RuleID: Tally] = [:]
        byRule.reserveCapacity(rules.count)
        for (index, rule) in rules.enumerated() {
            if let rule { byRule[rule] = counts[index] }
        }
        return byRule
    }
    public private(set) var findings: [Finding] = []

    /// The tallies, at the rules' ``RuleID`` indexes (a check runs several times per entry of a replay: an array
    /// access instead of hashing the id), and the rule of each slot in use.
    private var counts: [Tally] = []
    private var rules: [RuleID?] = []

    public init() {}

    /// The tally of `rule`, created empty when first used.
    private subscript(tally rule: RuleID) -> Tally {
        get { rule.index < counts.count ? counts[rule.index] : Tally() }
        set {
            if rule.index >= counts.count {
                let missing = rule.index + 1 - counts.count
                counts.append(contentsOf: repeatElement(Tally(), count: missing))
                rules.append(contentsOf: repeatElement(nil, count: missing))
            }
            if rules[rule.index] == nil { rules[rule.index] = rule }
            counts[rule.index] = newValue
        }
    }

    /// Records that `rule` was checked on the entry at `seq`; `message` is built only when it failed.
    public mutating func check(
        _ rule: RuleID, seq: Int64, subject: String? = nil, passed: Bool, _ message: @autoclosure () -> String
    ) {
        if rule.index < counts.count, rules[rule.index] != nil {
            counts[rule.index].record(passed: passed)
        } else {
            self[tally: rule].record(passed: passed)
        }
        if !passed {
            findings.append(Finding(seq: seq, rule: rule, kind: .failed, subject: subject, message: message()))
        }
    }

    /// Records that `rule` applied but could not be checked (e.g. reference data not available).
    public mutating func notChecked(_ rule: RuleID, seq: Int64, subject: String? = nil, _ reason: String) {
        self[tally: rule].notChecked += 1
        findings.append(Finding(seq: seq, rule: rule, kind: .notChecked, subject: subject, message: reason))
    }

    /// Records that `rule` would have failed at `seq` only because of the earlier fault at `root`: reported
    /// once, as not checked, naming that fault (one fault, one finding).
    public mutating func dependent(
        _ rule: RuleID, seq: Int64, subject: String? = nil, on root: Int64, _ message: String
    ) {
        self[tally: rule].notChecked += 1
        findings.append(
            Finding(
                seq: seq, rule: rule, kind: .notChecked, subject: subject,
                message: "dépend de la seq \(root) : \(message)", dependsOn: root))
    }

    /// Records a departure from `rule` that the signer declared with a justification.
    public mutating func deviation(_ rule: RuleID, seq: Int64, subject: String? = nil, _ message: String) {
        self[tally: rule].checked += 1
        self[tally: rule].deviations += 1
        findings.append(Finding(seq: seq, rule: rule, kind: .deviation, subject: subject, message: message))
    }

    /// The failures, in log order.
    public var failures: [Finding] { findings.filter { $0.kind == .failed }.sorted() }

    /// What refuses an entry at append time: failures and dependent findings, in log order.
    public var refusals: [Finding] { findings.filter(\.refuses).sorted() }

    public var hasFailures: Bool { findings.contains { $0.kind == .failed } }

    /// Findings sorted by seq, then rule: the same log always gives the same order.
    public var sortedFindings: [Finding] { findings.sorted() }

    /// How many findings there are now; with ``refuses(since:)``, tells whether one entry was refused.
    public var findingCount: Int { findings.count }

    /// Whether any finding recorded after the first `start` refuses its entry, and the earliest root it
    /// depends on: the entry's own `seq` for a failure, else the seq named by its dependent findings.
    public func refusal(since start: Int, seq: Int64) -> Int64? {
        var root: Int64? = nil
        for finding in findings[start...] where finding.refuses {
            let candidate = finding.kind == .failed ? seq : (finding.dependsOn ?? seq)
            root = min(root ?? candidate, candidate)
            if candidate == seq { return seq }
        }
        return root
    }

    /// Adds another set of outcomes (used to merge parallel signature checks).
    public mutating func merge(_ other: RuleOutcomes) {
        for (rule, tally) in other.tallies {
            var mine = self[tally: rule]
            mine.checked += tally.checked
            mine.passed += tally.passed
            mine.failed += tally.failed
            mine.notChecked += tally.notChecked
            mine.deviations += tally.deviations
            self[tally: rule] = mine
        }
        findings.append(contentsOf: other.findings)
    }
}
