/// One result worth reporting: a failed rule, a rule that could not be checked, or a declared deviation.
public struct Finding: Sendable, Hashable, Comparable {
    public enum Kind: String, Sendable, Hashable {
        case failed
        case notChecked = "not_checked"
        case deviation
    }

    /// Position of the entry in the log (its expected seq).
    public let seq: Int64
    public let rule: String
    public let kind: Kind
    /// What the rule was about, e.g. an application id; nil for the entry itself.
    public let subject: String?
    /// One sentence: expected versus found.
    public let message: String

    public static func < (lhs: Finding, rhs: Finding) -> Bool {
        (lhs.seq, lhs.rule, lhs.subject ?? "", lhs.message) < (rhs.seq, rhs.rule, rhs.subject ?? "", rhs.message)
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

    public private(set) var tallies: [String: Tally] = [:]
    public private(set) var findings: [Finding] = []

    public init() {}

    /// Records that `rule` was checked on the entry at `seq`; `message` is built only when it failed.
    public mutating func check(
        _ rule: String, seq: Int64, subject: String? = nil, passed: Bool, _ message: @autoclosure () -> String
    ) {
        // One in-place dictionary access per check: this runs several times for every entry of a replay.
        tallies[rule, default: Tally()].record(passed: passed)
        if !passed {
            findings.append(Finding(seq: seq, rule: rule, kind: .failed, subject: subject, message: message()))
        }
    }

    /// Records that `rule` applied but could not be checked (e.g. reference data not available).
    public mutating func notChecked(_ rule: String, seq: Int64, subject: String? = nil, _ reason: String) {
        tallies[rule, default: Tally()].notChecked += 1
        findings.append(Finding(seq: seq, rule: rule, kind: .notChecked, subject: subject, message: reason))
    }

    /// Records a departure from `rule` that the signer declared with a justification.
    public mutating func deviation(_ rule: String, seq: Int64, subject: String? = nil, _ message: String) {
        tallies[rule, default: Tally()].checked += 1
        tallies[rule, default: Tally()].deviations += 1
        findings.append(Finding(seq: seq, rule: rule, kind: .deviation, subject: subject, message: message))
    }

    /// The failures, in log order.
    public var failures: [Finding] { findings.filter { $0.kind == .failed }.sorted() }

    public var hasFailures: Bool { findings.contains { $0.kind == .failed } }

    /// Findings sorted by seq, then rule: the same log always gives the same order.
    public var sortedFindings: [Finding] { findings.sorted() }

    /// Adds another set of outcomes (used to merge parallel signature checks).
    public mutating func merge(_ other: RuleOutcomes) {
        for (rule, tally) in other.tallies {
            var mine = tallies[rule, default: Tally()]
            mine.checked += tally.checked
            mine.passed += tally.passed
            mine.failed += tally.failed
            mine.notChecked += tally.notChecked
            mine.deviations += tally.deviations
            tallies[rule] = mine
        }
        findings.append(contentsOf: other.findings)
    }
}
