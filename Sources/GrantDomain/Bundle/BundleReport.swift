import LedgerCore

/// What `verify-bundle` established about a decision bundle: one line per check, in French
/// (`docs/PROOFS.md`, "Decision bundles").
public struct BundleReport: Sendable {
    /// The result of one check.
    public enum Result: String, Sendable, Hashable {
        case passed
        case failed
        /// The rule applies but a bundle cannot settle it (it needs the whole log); never counted as passed.
        case notChecked = "not_checked"
        /// A deviable rule departed from with a declared justification (`decide --deviation`).
        case deviation

        var label: String {
            switch self {
            case .passed: return "conforme"
            case .failed: return "ÉCHEC"
            case .notChecked: return "non vérifié"
            case .deviation: return "écart déclaré"
            }
        }
    }

    /// One check: a rule id of `docs/RULES.md` or of the bundle section of `docs/PROOFS.md`.
    public struct Check: Sendable, Hashable {
        /// The entry it concerns; nil for the bundle as a whole.
        public let seq: Int64?
        public let rule: String
        public let result: Result
        public let message: String
    }

    /// One bundled entry, for the listing.
    public struct Item: Sendable, Hashable {
        public let seq: Int64
        public let type: String
        /// Who signed it, as the bundled registrations name the key (or its key id).
        public let signer: String
    }

    /// How the message of a rule a bundle cannot settle begins.
    static let wholeLogPrefix = GrantRules.wholeLogPrefix

    public let origin: String
    public let applicationID: String
    public let checkpointSize: UInt64
    public let checkpointRoot: String
    public let byteCount: Int
    public let items: [Item]
    public let checks: [Check]
    /// What the bundle cannot prove whatever its checks say, one French sentence each (docs/PROOFS.md §8.4).
    public let cannotProve: [String]

    /// Whether everything a bundle can check passed (deviations and not-checked rules do not fail it).
    public var isValid: Bool { !checks.contains { $0.result == .failed } }

    public func count(_ result: Result) -> Int { checks.filter { $0.result == result }.count }

    /// The report in French, for a person.
    public var text: String {
        var lines: [String] = []
        lines.append("Bundle de décision — dossier \(applicationID)")
        lines.append(
            "Registre \(origin) ; point de contrôle : \(FrenchFormat.integer(Int64(clamping: checkpointSize))) entrées, racine \(checkpointRoot)"
        )
        lines.append("\(items.count) entrées, \(FrenchFormat.integer(Int64(byteCount))) octets")
        lines.append("")
        for check in checks where check.seq == nil && check.result != .notChecked {
            lines.append(line(check))
        }
        let wholeLog = checks.filter { $0.result == .notChecked }
        for item in items {
            lines.append("")
            lines.append("seq \(item.seq)  \(item.type)  — \(item.signer)")
            for check in checks where check.seq == item.seq && check.result != .notChecked {
                lines.append(line(check))
            }
        }
        if !wholeLog.isEmpty {
            lines.append("")
            lines.append("Non vérifié — jamais compté comme conforme (sauf mention, nécessite le registre entier) :")
            var seen: Set<String> = []
            for check in wholeLog where seen.insert(check.rule + "\u{0}" + check.message).inserted {
                let seqs = wholeLog.filter { $0.rule == check.rule && $0.message == check.message }.compactMap(\.seq)
                let at = seqs.isEmpty ? "" : " (seq " + seqs.map(String.init).joined(separator: ", ") + ")"
                let reason =
                    check.message.hasPrefix(Self.wholeLogPrefix)
                    ? String(check.message.dropFirst(Self.wholeLogPrefix.count)) : check.message
                lines.append("  \(check.rule)\(at) : \(reason)")
            }
        }
        lines.append("")
        lines.append("Ce que ce bundle ne peut pas prouver :")
        for limit in cannotProve { lines.append("  – \(limit)") }
        lines.append("")
        let summary =
            "\(count(.passed)) vérifications conformes, \(count(.failed)) en échec, \(count(.deviation)) écarts déclarés, \(count(.notChecked)) non vérifiables sans le registre entier"
        lines.append(isValid ? "Résultat : bundle vérifié — \(summary)." : "Résultat : ÉCHEC — \(summary).")
        return lines.joined(separator: "\n")
    }

    private func line(_ check: Check) -> String {
        "  " + check.result.label + String(repeating: " ", count: max(1, 14 - check.result.label.count))
            + "\(check.rule)\(check.message.isEmpty ? "" : "  \(check.message)")"
    }

    /// The report as one line of canonical JSON (members in `docs/PROOFS.md`).
    public var json: String {
        let object: JSONValue = [
            "format": "grantledger/bundle-report+json@v1",
            "valid": .bool(isValid),
            "origin": .string(origin),
            "application_id": .string(applicationID),
            "checkpoint_size": .integer(Int64(clamping: checkpointSize)),
            "checkpoint_root": .string(checkpointRoot),
            "bytes": .integer(Int64(byteCount)),
            "cannot_prove": .array(cannotProve.map { .string($0) }),
            "entries": .array(
                items.map { ["seq": .integer($0.seq), "type": .string($0.type), "signer": .string($0.signer)] }),
            "summary": [
                "passed": .integer(Int64(count(.passed))), "failed": .integer(Int64(count(.failed))),
                "not_checked": .integer(Int64(count(.notChecked))), "deviations": .integer(Int64(count(.deviation))),
            ],
            "checks": .array(
                checks.map { check in
                    var member: [String: JSONValue] = [
                        "rule": .string(check.rule), "result": .string(check.result.rawValue),
                        "message": .string(check.message),
                    ]
                    if let seq = check.seq { member["seq"] = .integer(seq) }
                    return .object(member)
                }),
        ]
        return String(decoding: CanonicalJSON.encode(object), as: UTF8.self)
    }
}
