import LedgerCrypto

extension VerificationReport {
    /// The report as one canonical JSON object (`docs/FORMAT.md` §7): the same log always gives the same bytes.
    public var canonicalJSON: [UInt8] {
        var rules: [String: JSONValue] = [:]
        for (rule, t) in outcomes.tallies {
            rules[rule.rawValue] = [
                "checked": .integer(Int64(t.checked)), "passed": .integer(Int64(t.passed)),
                "failed": .integer(Int64(t.failed)), "not_checked": .integer(Int64(t.notChecked)),
                "deviations": .integer(Int64(t.deviations)),
            ]
        }
        let findings: [JSONValue] = outcomes.sortedFindings.map { finding in
            var object: [String: JSONValue] = [
                "seq": .integer(finding.seq), "rule": .string(finding.rule.rawValue),
                "kind": .string(finding.kind.rawValue), "message": .string(finding.message),
            ]
            if let subject = finding.subject { object["subject"] = .string(subject) }
            if let root = finding.dependsOn { object["depends_on"] = .integer(root) }
            return .object(object)
        }
        let object: JSONValue = [
            "valid": .bool(isValid), "entries": .integer(entries), "signers": .integer(Int64(signers)),
            "head_seq": headSeq.map { .integer($0) } ?? .null, "head_hash": headHash.map { .string($0.hex) } ?? .null,
            "torn_bytes": .integer(Int64(tornBytes)), "rules": .object(rules), "findings": .array(findings),
        ]
        return CanonicalJSON.encode(object)
    }
}
