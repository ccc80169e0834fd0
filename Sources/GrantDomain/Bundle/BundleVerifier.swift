public import LedgerCore
public import LedgerCrypto

/// Checks a decision bundle offline, from the note key the reader trusts and nothing else
/// (`docs/PROOFS.md`, "Decision bundles").
///
/// The checkpoint's signature binds the root; each entry's inclusion proof binds its exact bytes and position to
/// that root; then the bundled entries are replayed in order through the same `Replayer` and `GrantRules` as
/// `grant-ledger verify`, so signatures, signers' roles, territories and validity, and the decision's criteria
/// (score and threshold, grid amount, scorer ≠ decider, motive) are judged by the real rule engine. The engine
/// then sees only part of the log, so its verdicts are mapped: a rule whose pass would need the entries a bundle
/// leaves out (the envelope, the merit order, another grant to the same applicant, the absence of a revocation, a
/// second decision or another payment) is reported *not checked*, never passed. A failure among proven entries
/// stays a failure.
///
/// ```swift
/// let report = try BundleVerifier.verify(bytes, trust: "origin+1a2b3c4d+AX…", reference: try? ReferenceData.shared())
/// print(report.text)
/// ```
public enum BundleVerifier {
    /// Rule ids of the checks only a bundle makes.
    public static let checkpointRule = "TLOG-CHECKPOINT"
    public static let inclusionRule = "TLOG-INCLUSION"
    public static let contentsRule = "BUNDLE-CONTENTS"
    public static let callVersionRule = "BUNDLE-CALL-VERSION"
    public static let witnessRule = "TLOG-WITNESS"

    private static let needsWholeLog = BundleReport.wholeLogPrefix

    /// Rules that say something is absent from the log: a failure among bundled entries is real, a pass is not
    /// proven (the bundle cannot show what it does not hold).
    static let absenceRules: [RuleID: String] = [
        "AUT-REVOKED":
            "aucune révocation de la clé avant cette entrée dans le bundle ; qu'il n'y en ait aucune ailleurs ne se prouve pas sans le registre",
        RuleID.callUnique: "qu'aucun autre call.published ne porte cet identifiant d'appel",
        RuleID.callAmendment: "que la version précédente de l'appel est bien la dernière du bundle",
        RuleID.callVersion: "qu'aucune version plus récente de l'appel ne précède la décision",
        RuleID.applicationUnique: "qu'aucun autre dépôt ne porte cet identifiant de dossier",
        RuleID.scoreOnce: "qu'aucune autre notation du dossier ne précède celle-ci",
        RuleID.decisionOnce: "qu'aucune autre décision du dossier ne précède celle-ci",
        RuleID.afterWithdrawal: "qu'aucun retrait du dossier ne précède cette entrée",
        RuleID.grantStanding: "que l'aide n'a pas été retirée par une entrée absente du bundle",
        RuleID.paymentStanding: "que l'aide n'a pas été retirée par une entrée absente du bundle",
        RuleID.paymentCeiling:
            "le cumul de tous les versements du dossier (d'autres versements pourraient être absents du bundle)",
        RuleID.paymentReference: "l'unicité de la référence de paiement dans tout le registre",
    ]

    /// Checks `bytes` (a bundle file) against the log's note verifier key `trust` (`name+hex+base64`), and the
    /// checkpoint's cosignatures against the witness keys `witnesses` (`name+hex+base64(0x04 ‖ key)`): at least
    /// `quorum` of them (all when nil), none dated beyond `now` and ``Cosignature/clockTolerance``.
    ///
    /// - Throws: `LedgerError` `.badInput` when a key, the quorum or the file is not usable (not a bundle,
    ///   malformed checkpoint); every other problem is a failed check in the report.
    public static func verify(
        _ bytes: [UInt8], trust: String, reference: ReferenceData?, witnesses: [String] = [], quorum: Int? = nil,
        now: Timestamp = .now()
    ) throws(LedgerError) -> BundleReport {
        try verify(
            bytes, trust: trust, reference: reference, witnesses: witnesses, quorum: quorum, now: now,
            stopAtFirstFailure: false)
    }

    /// `stopAtFirstFailure` returns once the checkpoint, a cosignature or an inclusion proof has failed, without
    /// replaying the entries: the verdict is already known (the every-byte property test checks thousands of
    /// variants).
    static func verify(
        _ bytes: [UInt8], trust: String, reference: ReferenceData?, witnesses: [String] = [], quorum: Int? = nil,
        now: Timestamp = .now(), stopAtFirstFailure: Bool
    ) throws(LedgerError) -> BundleReport {
        let log: NoteVerifier
        do { log = try NoteVerifier(verifierKey: trust) } catch {
            throw LedgerError(
                .badInput, "la clé de confiance n'est pas utilisable : \(error.message)", underlying: error)
        }
        var cosigners: [CosignatureVerifier] = []
        for text in witnesses {
            do { cosigners.append(try CosignatureVerifier(verifierKey: text)) } catch {
                throw LedgerError(.badInput, "--witness \(text) : \(error.message)", underlying: error)
            }
        }
        if let quorum, cosigners.isEmpty || quorum < 1 || quorum > cosigners.count {
            throw LedgerError(
                .badInput, "--quorum doit être entre 1 et le nombre de clés --witness (\(cosigners.count))")
        }
        let bundle = try DecisionBundle(parsing: bytes)
        let checkpoint: Checkpoint
        do { checkpoint = try Checkpoint(body: try Note(parsing: bundle.checkpoint).text) } catch {
            throw LedgerError(
                .badInput, "le point de contrôle du bundle n'est pas un point de contrôle signé : \(error.message)",
                underlying: error)
        }
        var checks: [BundleReport.Check] = []
        func add(_ seq: Int64?, _ rule: String, _ passed: Bool, _ message: String) {
            checks.append(.init(seq: seq, rule: rule, result: passed ? .passed : .failed, message: message))
        }

        // 1. The checkpoint: signed by the trusted key, for the bundle's origin; its other lines are cosignatures.
        var cosignatureLines: [NoteSignature] = []
        var signedByTrust = false
        do {
            let signed = try SignedCheckpoint.open(bundle.checkpoint, log: log)
            let others = signed.note.signatures.filter { !($0.name == log.name && $0.keyID == log.keyID) }
            cosignatureLines = others.filter { Cosignature($0) != nil }
            let stray = others.count - cosignatureLines.count
            signedByTrust = true
            add(
                nil, checkpointRule, stray == 0,
                stray == 0
                    ? "signé par la clé de confiance \(log.name) (identifiant \(hex8(log.keyID))), taille \(checkpoint.size)"
                    : "le point de contrôle porte des lignes de signature qui ne sont ni celle de la clé de confiance ni des cosignatures de témoins"
            )
        } catch {
            add(nil, checkpointRule, false, "signature du point de contrôle : \(error.message)")
        }

        // 1b. The witnesses given: valid cosignatures, none from the future, at least the quorum. A cosignature by a
        // witness not given is bytes no check covers: it is reported not checked, never counted.
        var attested = 0
        if signedByTrust && !cosigners.isEmpty {
            do {
                let signed = try SignedCheckpoint.open(bundle.checkpoint, log: log, cosigners: cosigners)
                let (timely, future) = WitnessQuorum.split(signed.cosignatures, now: now)
                for cosignature in future {
                    add(nil, witnessRule, false, WitnessQuorum.futureMessage(cosignature, now: now))
                }
                let needed = quorum ?? cosigners.count
                let names = timely.map { "\($0.name) le \($0.time)" }.joined(separator: ", ")
                add(
                    nil, witnessRule, timely.count >= needed,
                    WitnessQuorum.shortfallMessage(timely.count, of: cosigners.count, quorum: needed)
                        + (timely.isEmpty ? "" : " : \(names)"))
                if timely.count >= needed { attested = timely.count }
            } catch {
                add(nil, witnessRule, false, "cosignatures : \(error.message)")
            }
        }
        for line in cosignatureLines
        where !cosigners.contains(where: { $0.name == line.name && $0.keyID == line.keyID }) {
            checks.append(
                .init(
                    seq: nil, rule: witnessRule, result: .notChecked,
                    message:
                        "la cosignature du témoin \(line.name) n'est pas vérifiée : sa clé n'a pas été donnée (--witness)"
                ))
        }
        add(
            nil, checkpointRule, bundle.origin == checkpoint.origin,
            bundle.origin == checkpoint.origin
                ? "origine \(checkpoint.origin)"
                : "le bundle se dit du registre \(bundle.origin), le point de contrôle est de \(checkpoint.origin)")

        func stopped() -> BundleReport? {
            guard stopAtFirstFailure, checks.contains(where: { $0.result == .failed }) else { return nil }
            return BundleReport(
                origin: bundle.origin, applicationID: bundle.applicationID, checkpointSize: checkpoint.size,
                checkpointRoot: "", byteCount: bytes.count, items: [], checks: checks,
                cannotProve: cannotProve(checkpoint: checkpoint, attested: attested))
        }
        if let report = stopped() { return report }

        // 2. Each entry: its leaf leads to the root at its index, and it is a canonical entry of that seq.
        var entries: [Entry] = []
        var proven: Set<Int64> = []
        for item in bundle.items {
            let seq = Int64(clamping: item.index)
            do {
                try RFC6962.verifyInclusion(
                    index: item.index, size: checkpoint.size, leafHash: RFC6962.leafHash(item.line),
                    proof: item.hashes, root: checkpoint.rootHash)
                add(seq, inclusionRule, true, "feuille \(item.index) de l'arbre de \(checkpoint.size) entrées")
                proven.insert(seq)
            } catch {
                add(seq, inclusionRule, false, "preuve d'inclusion : \(error.message)")
                if let report = stopped() { return report }
            }
            let entry: Entry
            do { entry = try Entry(line: item.line) } catch {
                add(seq, "INT-CANONICAL", false, error.message)
                continue
            }
            guard entry.seq == seq else {
                add(
                    seq, inclusionRule, false,
                    "l'entrée a la seq \(entry.seq), mais sa preuve est pour la feuille \(item.index)")
                continue
            }
            entries.append(entry)
        }

        // 3. The bundled entries through the real rule engine, in log order.
        var rules = GrantRules(reference: reference)
        rules.traceApplication = bundle.applicationID
        rules.partial = true
        var replayer = Replayer(domain: rules, mode: .partial)
        var outcomes = RuleOutcomes()
        var signingKeys = SigningKeys()
        var items: [BundleReport.Item] = []
        var previousEntry: Entry? = nil
        for entry in entries {
            let tallies = outcomes.tallies
            let findingCount = outcomes.findings.count
            let traceCount = replayer.domain.trace.count
            signingKeys.learn(from: entry)
            replayer.apply(entry, signature: signingKeys.check(entry), outcomes: &outcomes)
            let record = replayer.keys[entry.actor]
            items.append(
                .init(
                    seq: entry.seq, type: entry.type,
                    signer: record.map { "\($0.holder) (\($0.role.label))" } ?? "clé \(entry.actor.prefix(16))…"))
            let findings = outcomes.findings[findingCount...]
            let trace = replayer.domain.trace[traceCount...]
            for rule in outcomes.tallies.keys.sorted() {
                if (outcomes.tallies[rule]?.passed ?? 0) > (tallies[rule]?.passed ?? 0) {
                    let detail = trace.first { $0.rule == rule && $0.result == nil }?.message ?? ""
                    checks.append(
                        .init(
                            seq: entry.seq, rule: rule.rawValue, result: .passed,
                            message: detail.isEmpty
                                ? passMessage(rule, entry: entry, record: record, checkpoint: checkpoint) : detail))
                }
                for finding in findings where finding.rule == rule {
                    let result: BundleReport.Result
                    switch finding.kind {
                    case .failed: result = .failed
                    case .notChecked: result = .notChecked
                    case .deviation: result = .deviation
                    }
                    checks.append(.init(seq: entry.seq, rule: rule.rawValue, result: result, message: finding.message))
                }
            }
            // The chain: the tree proves each position; the link to the previous entry is checked only when the
            // bundle holds that entry too.
            let positioned = proven.contains(entry.seq)
            checks.append(
                .init(
                    seq: entry.seq, rule: RuleID.sequence.rawValue, result: positioned ? .passed : .failed,
                    message: positioned
                        ? "seq \(entry.seq) = position prouvée dans l'arbre"
                        : "position non prouvée (preuve d'inclusion en échec)"))
            if let previous = previousEntry, previous.seq == entry.seq - 1 {
                let chained = entry.prev == previous.hash
                checks.append(
                    .init(
                        seq: entry.seq, rule: RuleID.previousHash.rawValue, result: chained ? .passed : .failed,
                        message: chained
                            ? "prev = hash de l'entrée \(previous.seq), présente dans le bundle"
                            : "prev n'est pas le hash de l'entrée \(previous.seq), présente dans le bundle"))
            } else if entry.seq > 0 {
                checks.append(
                    .init(
                        seq: entry.seq, rule: RuleID.previousHash.rawValue, result: .notChecked,
                        message: needsWholeLog
                            + "le chaînage avec l'entrée précédente, absente du bundle (la position et les octets de l'entrée sont prouvés par l'arbre de Merkle)"
                    ))
            }
            previousEntry = entry
        }

        // 4. What a partial replay cannot judge.
        checks = checks.map { check in
            if let reason = absenceRules[RuleID(check.rule)], check.result == .passed {
                return .init(seq: check.seq, rule: check.rule, result: .notChecked, message: needsWholeLog + reason)
            }
            return check
        }

        // 5. What the bundle must hold for its decision.
        checks += contents(bundle: bundle, entries: entries, replayer: replayer, checkpoint: checkpoint)
        return BundleReport(
            origin: bundle.origin, applicationID: bundle.applicationID, checkpointSize: checkpoint.size,
            checkpointRoot: Base64.encode(checkpoint.rootHash.bytes), byteCount: bytes.count, items: items,
            checks: checks, cannotProve: cannotProve(checkpoint: checkpoint, attested: attested))
    }

    /// What no bundle can prove, said plainly in every report (docs/PROOFS.md §8.4).
    static func cannotProve(checkpoint: Checkpoint, attested: Int) -> [String] {
        var limits = [
            "ce qui a été enregistré après ce point de contrôle (à partir de la seq \(checkpoint.size)) : un retrait ultérieur de la décision ou de la demande, un versement, une révocation de clé ; demandez un bundle sur un point de contrôle plus récent, ou vérifiez le registre entier",
            "qu'aucune autre entrée du registre, avant ce point de contrôle, ne concerne ce dossier, son appel ou les clés de ses signataires : les règles « non vérifié » en dépendent",
        ]
        if attested == 0 {
            limits.append(
                "que le registre montre ce même historique à tous ses lecteurs : aucune cosignature de témoin n'a été vérifiée (donnez leurs clés avec --witness)"
            )
        }
        return limits
    }

    private static func contents(
        bundle: DecisionBundle, entries: [Entry], replayer: Replayer<GrantRules>,
        checkpoint: Checkpoint
    ) -> [BundleReport.Check] {
        var checks: [BundleReport.Check] = []
        func add(_ rule: String, _ passed: Bool, _ message: String) {
            checks.append(.init(seq: nil, rule: rule, result: passed ? .passed : .failed, message: message))
        }
        let genesis = entries.first { $0.seq == 0 && $0.type == EventCatalog.ledgerCreated }
        add(
            contentsRule, genesis != nil && replayer.keys.origin == bundle.origin,
            genesis == nil
                ? "le bundle ne contient pas ledger.created (seq 0), la racine de confiance"
                : replayer.keys.origin == bundle.origin
                    ? "racine de confiance : ledger.created du registre \(bundle.origin)"
                    : "ledger.created est celui du registre \(replayer.keys.origin ?? "?"), pas de \(bundle.origin)")
        let state = replayer.domain.state
        guard let application = state.applications[bundle.applicationID] else {
            add(contentsRule, false, "le bundle ne contient pas de dépôt recevable du dossier \(bundle.applicationID)")
            return checks
        }
        let callID = application.application.callID
        let foreign = entries.filter { entry in
            switch entry.type {
            case EventCatalog.ledgerCreated, EventCatalog.keyRegistered, EventCatalog.keyRevoked: return false
            case GrantEventType.callPublished, GrantEventType.callAmended:
                return entry.payload["call_id"]?.stringValue != callID
            default:
                return entry.payload["application_id"]?.stringValue != bundle.applicationID
            }
        }
        add(
            contentsRule, foreign.isEmpty,
            foreign.isEmpty
                ? "\(entries.count) entrées : le dossier \(bundle.applicationID) (\(application.history.count) événements), l'appel \(callID) et les clés de leurs signataires"
                : "entrées étrangères au dossier et à son appel : seq \(foreign.map { String($0.seq) }.joined(separator: ", "))"
        )
        guard let decision = application.decision,
            let decisionSeq = application.history.first(where: { $0.type == GrantEventType.decisionRecorded })?.seq
        else {
            add(contentsRule, true, "le dossier n'a pas de décision dans ce bundle : seules ses entrées sont vérifiées")
            return checks
        }
        let version = state.calls[callID]?.versions.first { $0.hash == decision.callVersion && $0.seq < decisionSeq }
        add(
            callVersionRule, version != nil,
            version.map {
                "la décision applique la version de l'appel \(callID) de la seq \($0.seq) (\($0.hash.prefix(16))…), incluse et prouvée"
            }
                ?? "la version d'appel \(decision.callVersion.prefix(16))… appliquée par la décision n'est pas dans le bundle"
        )
        return checks
    }

    private static func passMessage(_ rule: RuleID, entry: Entry, record: KeyRecord?, checkpoint: Checkpoint) -> String
    {
        switch rule {
        case .signature: return "signature Ed25519 valide" + (record.map { " (\($0.holder))" } ?? "")
        case .signerKnown: return record.map { "clé enregistrée à la seq \($0.registeredAt)" } ?? ""
        case .signerRole: return record.map { "rôle \($0.role.label) autorisé pour \(entry.type)" } ?? ""
        case .territory:
            return record.map { "territoires de la clé : \($0.territories.joined(separator: ", "))" } ?? ""
        case .keyGenesis: return "racine de confiance : clé d'autorité \(entry.actor.prefix(16))…"
        case .keyRegister, .keyRevoke:
            let keyID = entry.payload["key_id"]?.stringValue ?? ""
            let role = entry.payload["role"]?.stringValue.map { ", rôle \(Role(rawValue: $0).label)" } ?? ""
            return "clé \(keyID.prefix(16))…\(role)"
        case .timeOrder: return "heure \(entry.time), pas antérieure à l'entrée précédente du bundle"
        default: return ""
        }
    }

    private static func hex8(_ id: UInt32) -> String {
        let digits = String(id, radix: 16)
        return String(repeating: "0", count: 8 - digits.count) + digits
    }
}
