import ArgumentParser
import Foundation
import GrantDomain
import LedgerCore
import LedgerCrypto

struct Verify: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Rejouer tout le registre : intégrité, signatures, clés et chaque règle de docs/RULES.md.",
        discussion: "Code 0 quand tout tient, 1 dès qu'un point échoue, 2 quand le registre ne peut pas être lu.")

    @OptionGroup var options: LedgerOptions
    @Flag(help: "Écrire le rapport en JSON (docs/FORMAT.md §7).") var json = false
    @Flag(help: "Échouer aussi (code 1) sur les écarts déclarés.") var strict = false
    // Transparency (docs/PROOFS.md §5): checkpoints/ and checkpoint.txt are always checked against the log.
    @Option(help: "Vérifier aussi ce point de contrôle signé par rapport au registre (TLOG-CHECKPOINT).")
    var checkpoint: String?
    @Option(name: .customLong("witness"), parsing: .upToNextOption, help: "Les clés des témoins (cosignataires).")
    var witnesses: [String] = []
    @Option(help: "Combien de cosignatures --witness le point de contrôle exige (par défaut : toutes).") var quorum:
        Int?
    @Option(
        help: ArgumentHelp(
            "Clé de note du registre à épingler (nom+hex+base64) : sa racine et ses points de contrôle doivent être les siens.",
            valueName: "clé-de-note"))
    var trust: String?
    @Flag(help: "Échoue si le registre ne publie aucun point de contrôle signé.") var requireCheckpoint = false
    @OptionGroup var history: VerifierHistoryOptions
    // A server's log (docs/SERVICE.md): mirrored through its tiles into a temporary directory, then verified here.
    @OptionGroup var remote: RemoteOptions

    @OptionGroup var progress: ProgressOptions

    func run() throws {
        try progress.showing("vérification") { try execute() }
    }

    private func execute() throws {
        var options = self.options
        if remote.server != nil || remote.log != nil {
            let temporary = FileManager.default.temporaryDirectory.appendingPathComponent(
                "grant-ledger-verify-\(UUID().uuidString)"
            ).path
            defer { try? FileManager.default.removeItem(atPath: temporary) }
            try runReporting {
                guard let client = try remote.client() else { return }
                guard let trust else {
                    throw LedgerError(.badInput, "verify --server demande --trust, la clé de note du registre")
                }
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
            emit(VerificationReportText.human(report, directory: options.directory, strict: strict) + "\n" + note)
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
    static func human(_ report: VerificationReport, directory: String, strict: Bool = false) -> String {
        var lines: [String] = []
        lines.append(
            "Registre \(directory) : \(quantity(report.entries, "entrée", "entrées")), "
                + quantity(report.signers, "signataire", "signataires"))
        if let hash = report.headHash, let seq = report.headSeq {
            lines.append("Tête : seq \(seq), hash \(hash.hex)")
        }
        lines.append("")
        lines.append("règle              vérifiées  conformes  en échec  non vérifiables")
        for rule in report.outcomes.tallies.keys.sorted() {
            let t = report.outcomes.tallies[rule]!
            lines.append(
                pad(rule.rawValue, 18) + padLeft(FrenchFormat.integer(Int64(t.checked)), 10)
                    + padLeft(FrenchFormat.integer(Int64(t.passed)), 11)
                    + padLeft(FrenchFormat.integer(Int64(t.failed)), 10)
                    + padLeft(FrenchFormat.integer(Int64(t.notChecked)), 17))
        }
        let findings = report.outcomes.sortedFindings
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
        let failures = report.outcomes.failures.count
        let deviations = report.outcomes.findings.filter { $0.kind == .deviation }.count
        let unchecked = report.outcomes.findings.filter { $0.kind == .notChecked }.count
        var result =
            failures == 0
            ? "Résultat : registre valide" : "Résultat : registre NON VALIDE, \(quantity(failures, "échec", "échecs"))"
        if deviations > 0 { result += " ; \(quantity(deviations, "écart déclaré", "écarts déclarés"))" }
        if unchecked > 0 {
            result += " ; \(quantity(unchecked, "vérification impossible", "vérifications impossibles"))"
        }
        lines.append(result)
        if strict && failures == 0 && deviations > 0 {
            lines.append("Échec en mode strict (--strict) : les écarts déclarés sont refusés.")
        }
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
