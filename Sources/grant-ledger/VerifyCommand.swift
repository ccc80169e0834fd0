import ArgumentParser
import Foundation
import GrantDomain
import LedgerCore
import LedgerCrypto

struct Verify: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Replay the whole log: integrity, signatures, keys, and every rule of docs/RULES.md.",
        discussion: "Exit 0 when everything holds, 1 when anything failed, 2 when the ledger cannot be read.")

    @OptionGroup var options: LedgerOptions
    @Flag(help: "Print the report as JSON (docs/FORMAT.md §7).") var json = false
    @Flag(help: "Also fail (exit 1) on declared deviations.") var strict = false
    // Transparency (docs/PROOFS.md §5): checkpoints/ and checkpoint.txt are always checked against the log.
    @Option(help: "Also check this signed checkpoint against the log (TLOG-CHECKPOINT).") var checkpoint: String?
    @Option(name: .customLong("witness"), parsing: .upToNextOption, help: "Witness (cosigner) verifier keys.")
    var witnesses: [String] = []
    @Option(help: "How many --witness cosignatures the checkpoint needs (default: all).") var quorum: Int?
    @Option(
        help: ArgumentHelp(
            "Clé de note du registre à épingler (nom+hex+base64) : sa racine et ses points de contrôle doivent être les siens.",
            valueName: "clé-de-note"))
    var trust: String?
    @Flag(help: "Échoue si le registre ne publie aucun point de contrôle signé.") var requireCheckpoint = false
    @OptionGroup var history: VerifierHistoryOptions
    // A server's log (docs/SERVICE.md): mirrored through its tiles into a temporary directory, then verified here.
    @OptionGroup var remote: RemoteOptions

    func run() throws {
        var options = self.options
        if remote.server != nil || remote.log != nil {
            let temporary = FileManager.default.temporaryDirectory.appendingPathComponent(
                "grant-ledger-verify-\(UUID().uuidString)"
            ).path
            defer { try? FileManager.default.removeItem(atPath: temporary) }
            try runReporting {
                guard let client = try remote.client() else { return }
                guard let trust else { throw LedgerError(.badInput, "verify --server needs --trust, the log's key") }
                _ = try mirrorLog(client, into: temporary, trust: trust)
            }
            options.ledger = temporary
            try verify(options)
            return
        }
        try verify(options)
    }

    private func verify(_ options: LedgerOptions) throws {
        let report: VerificationReport
        var note: String
        do {
            var checks = CheckpointAudit.Options(
                checkpoint: checkpoint, witnesses: witnesses, quorum: quorum, trust: trust,
                requireCheckpoint: requireCheckpoint)
            try CheckpointAudit.validate(checks)
            let store = makeLedger(options).store
            let (verified, replayer) = try LedgerVerifier.verify(store: store, domain: CLIDomain())
            let states = history.directory()
            if let states, let origin = replayer.keys.origin {
                checks.remembered = try states.load(origin: origin)
                checks.verifiedSize = UInt64(max(0, verified.entries))
                checks.verifiedHead = verified.headHash
            }
            let remembered = checks.remembered
            let audit = try CheckpointAudit.audit(store: store, keys: replayer.keys, options: checks)
            report = verified.merging(audit.outcomes)
            note = try history.remember(
                audit.newState, replacing: remembered, in: states, passed: passes(report))
        } catch {
            printError(error.message)
            throw ExitCode(2)
        }
        if json {
            emitMachine(Array((VerificationReportText.json(report) + "\n").utf8))
        } else {
            emit(VerificationReportText.human(report, directory: options.directory) + "\n" + note)
        }
        if !passes(report) { throw ExitCode(1) }
    }

    /// Exit 0: nothing failed, and with --strict no declared deviation either.
    private func passes(_ report: VerificationReport) -> Bool {
        report.isValid && !(strict && report.outcomes.findings.contains { $0.kind == .deviation })
    }
}

/// The two renderings of a verification report; the same log always gives the same bytes.
enum VerificationReportText {
    static func human(_ report: VerificationReport, directory: String) -> String {
        var lines: [String] = []
        lines.append("Ledger \(directory): \(FrenchFormat.integer(report.entries)) entries, \(report.signers) signers")
        if let hash = report.headHash, let seq = report.headSeq {
            lines.append("Head: seq \(seq), hash \(hash.hex)")
        }
        lines.append("")
        lines.append("rule                  checked    passed    failed  not checked")
        for rule in report.outcomes.tallies.keys.sorted() {
            let t = report.outcomes.tallies[rule]!
            lines.append(
                pad(rule.rawValue, 18) + padLeft(FrenchFormat.integer(Int64(t.checked)), 11)
                    + padLeft(FrenchFormat.integer(Int64(t.passed)), 10)
                    + padLeft(FrenchFormat.integer(Int64(t.failed)), 10)
                    + padLeft(FrenchFormat.integer(Int64(t.notChecked)), 13))
        }
        let findings = report.outcomes.sortedFindings
        if !findings.isEmpty {
            lines.append("")
            for finding in findings {
                let subject = finding.subject.map { " \($0)" } ?? ""
                lines.append(
                    "seq \(finding.seq)\(subject) [\(finding.rule)] \(finding.kind == .failed ? "" : "(\(finding.kind.rawValue)) ")\(finding.message)"
                )
            }
        }
        lines.append("")
        let failures = report.outcomes.failures.count
        let deviations = report.outcomes.findings.filter { $0.kind == .deviation }.count
        let unchecked = report.outcomes.findings.filter { $0.kind == .notChecked }.count
        var result = failures == 0 ? "Result: valid" : "Result: INVALID, \(failures) failure\(failures == 1 ? "" : "s")"
        if deviations > 0 { result += "; \(deviations) declared deviation\(deviations == 1 ? "" : "s")" }
        if unchecked > 0 { result += "; \(unchecked) check\(unchecked == 1 ? "" : "s") not possible" }
        lines.append(result)
        return lines.joined(separator: "\n")
    }

    static func json(_ report: VerificationReport) -> String {
        String(decoding: report.canonicalJSON, as: UTF8.self)
    }

    static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
    }

    static func padLeft(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : String(repeating: " ", count: width - text.count) + text
    }
}
