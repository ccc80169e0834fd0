import LedgerCrypto

extension VerificationReport {
    /// The report for people, in French (`grant-ledger verify`): the log, its head, one row per rule, every finding,
    /// and the result. The same log always gives the same bytes.
    ///
    /// - Parameters:
    ///   - directory: how the ledger is named in the first line.
    ///   - strict: whether declared deviations fail the verification (`--strict`), said in the last line.
    public func text(directory: String, strict: Bool = false) -> String {
        var lines: [String] = []
        lines.append(
            "Registre \(directory) : \(FrenchFormat.quantity(entries, "entrée", "entrées")), "
                + FrenchFormat.quantity(signers, "signataire", "signataires"))
        if let hash = headHash, let seq = headSeq {
            lines.append("Tête : seq \(seq), hash \(hash.hex)")
        }
        lines.append("")
        lines.append("règle              vérifiées  conformes  en échec  non vérifiables")
        for rule in outcomes.tallies.keys.sorted() {
            let t = outcomes.tallies[rule]!
            lines.append(
                FrenchFormat.padded(rule.rawValue, 18)
                    + FrenchFormat.paddedLeft(FrenchFormat.integer(Int64(t.checked)), 10)
                    + FrenchFormat.paddedLeft(FrenchFormat.integer(Int64(t.passed)), 11)
                    + FrenchFormat.paddedLeft(FrenchFormat.integer(Int64(t.failed)), 10)
                    + FrenchFormat.paddedLeft(FrenchFormat.integer(Int64(t.notChecked)), 17))
        }
        let findings = outcomes.sortedFindings
        if !findings.isEmpty {
            lines.append("")
            for finding in findings {
                let subject = finding.subject.map { " \($0)" } ?? ""
                let kind =
                    switch finding.kind {
                    case .failed: ""
                    case .deviation: "(écart déclaré) "
                    case .notChecked: "(non vérifiable) "
                    }
                lines.append("seq \(finding.seq)\(subject) [\(finding.rule)] \(kind)\(finding.message)")
            }
        }
        lines.append("")
        let failures = outcomes.failures.count
        let deviations = outcomes.findings.filter { $0.kind == .deviation }.count
        let unchecked = outcomes.findings.filter { $0.kind == .notChecked }.count
        var result =
            failures == 0
            ? "Résultat : registre valide"
            : "Résultat : registre NON VALIDE, \(FrenchFormat.quantity(failures, "échec", "échecs"))"
        if deviations > 0 { result += " ; \(FrenchFormat.quantity(deviations, "écart déclaré", "écarts déclarés"))" }
        if unchecked > 0 {
            result += " ; \(FrenchFormat.quantity(unchecked, "vérification impossible", "vérifications impossibles"))"
        }
        lines.append(result)
        if strict && failures == 0 && deviations > 0 {
            lines.append("Échec en mode strict (--strict) : les écarts déclarés sont refusés.")
        }
        return lines.joined(separator: "\n")
    }

    /// Why the log does not verify, in one French clause (how many failures, and the first), or nil when it does:
    /// what a reader that only accepts a valid log (statistics, site, status) says instead of its figures.
    public var failureSummary: String? {
        guard let first = outcomes.failures.first else { return nil }
        let count = FrenchFormat.quantity(outcomes.failures.count, "échec", "échecs")
        return
            "le registre ne se vérifie pas (\(count), le premier à la seq \(first.seq), \(first.rule) : \(first.message))"
    }
}
