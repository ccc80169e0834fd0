import ArgumentParser
import Foundation
import GrantDomain
import GrantPublishing
import GrantLedgerClient
import LedgerCore
import LedgerCrypto

/// Options shared by the commands that sign a grant event.
struct SigningOptions: ParsableArguments {
    @Option(help: "La clé privée du signataire (fichier PEM).") var key: String
    @Option(help: "Heure de l'entrée (RFC 3339, UTC) ; par défaut maintenant.") var time: String?
}

func operations(_ options: LedgerOptions) -> GrantOperations {
    GrantOperations(ledger: makeLedger(options), reference: try? ReferenceData.shared())
}

func parseDate(_ text: String?, _ option: String) throws(LedgerError) -> CalendarDate? {
    guard let text else { return nil }
    do throws(InputError) { return try CalendarDate(iso: text) } catch {
        throw LedgerError(.badInput, "\(option) \(text) n'est pas une date réelle AAAA-MM-JJ")
    }
}

func parseAmount(_ text: String?, _ option: String) throws(LedgerError) -> Int64? {
    guard let text else { return nil }
    do throws(InputError) { return try Money.parse(text) } catch {
        throw LedgerError(.badInput, "\(option) : \(error.message)", underlying: error)
    }
}

struct CallCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "call", abstract: "Publier un appel à projets, ou le modifier avant son ouverture.",
        subcommands: [Publish.self, Amend.self])

    struct Publish: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "publish",
            abstract:
                "Publier un appel depuis un fichier JSON (docs/EVENTS.md) ; grille et critères peuvent être « national »."
        )
        @OptionGroup var options: LedgerOptions
        @Option(help: "L'appel, en JSON.") var file: String
        @OptionGroup var signing: SigningOptions
        @OptionGroup var remote: RemoteOptions

        func run() throws { try publishCall(options, remote, file, signing, amend: false) }
    }

    struct Amend: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "amend",
            abstract: "Publier une nouvelle version d'un appel, avant son ouverture.")
        @OptionGroup var options: LedgerOptions
        @Option(help: "La nouvelle version complète de l'appel, en JSON.") var file: String
        @OptionGroup var signing: SigningOptions
        @OptionGroup var remote: RemoteOptions

        func run() throws { try publishCall(options, remote, file, signing, amend: true) }
    }
}

func publishCall(
    _ options: LedgerOptions, _ remote: RemoteOptions, _ file: String, _ signing: SigningOptions, amend: Bool
) throws {
    try runReporting {
        let ops = operations(options)
        let call = try ops.callPayload(fromFile: try readJSONInput(file))
        let signer = try loadSigningKey(signing.key)
        let time = try parseTime(signing.time)
        let type = amend ? GrantEventType.callAmended : GrantEventType.callPublished
        let entry =
            try remote.client()?.appendSigned([(type, call.payload)], signer: signer, time: time)[0]
            ?? ops.publish(call, amend: amend, signer: signer, time: time)
        emit("appel \(call.callID) \(amend ? "modifié" : "publié") à la seq \(entry.seq) ; version \(entry.hash.hex)")
        emit(
            "  enveloppe \(FrenchFormat.euros(call.envelopeCents)), ouvert du \(call.opensAt) au \(call.closesAt), seuil \(call.threshold)/\(call.maximumScore)"
        )
        for (index, line) in call.grid.enumerated() {
            emit("  grille, ligne \(index + 1) : \(line.label) → \(FrenchFormat.euros(line.amountCents))")
        }
    }
}

struct ApplicationCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "application", abstract: "Enregistrer des dossiers de demande.", subcommands: [Submit.self])

    struct Submit: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "submit",
            abstract: "Enregistrer un dossier depuis un fichier JSON (docs/EVENTS.md).")
        @OptionGroup var options: LedgerOptions
        @Option(help: "Le dossier, en JSON.") var file: String
        @OptionGroup var signing: SigningOptions
        @OptionGroup var remote: RemoteOptions

        func run() throws {
            try runReporting {
                let ops = operations(options)
                let application = try ops.application(fromFile: try readJSONInput(file))
                let (signer, time) = (try loadSigningKey(signing.key), try parseTime(signing.time))
                let entry =
                    try remote.client()?.appendSigned(
                        [(GrantEventType.applicationSubmitted, application.payload)], signer: signer, time: time)[0]
                    ?? ops.submit(application, signer: signer, time: time)
                emit(
                    "dossier \(application.applicationID) (\(application.applicant.name)) enregistré pour l'appel \(application.callID) à la seq \(entry.seq)"
                )
            }
        }
    }
}

struct Score: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "score", abstract: "Noter un dossier sur chaque critère de son appel.")
    @OptionGroup var options: LedgerOptions
    @Argument(help: "L'identifiant du dossier.") var application: String
    @Option(name: .customLong("criterion"), help: "CRITÈRE=NOTE, une fois par critère (par exemple impact=4).")
    var criteria: [String] = []
    @Option(help: "Le commentaire de l'instructeur.") var comment = "Notation de l'instruction."
    @OptionGroup var signing: SigningOptions
    @OptionGroup var remote: RemoteOptions

    func run() throws {
        try runReporting {
            var scores: [String: Int64] = [:]
            for item in criteria {
                let parts = item.split(separator: "=", maxSplits: 1).map(String.init)
                guard parts.count == 2, let value = Int64(parts[1]) else {
                    throw LedgerError(
                        .badInput, "--criterion \(item) doit être CRITÈRE=NOTE avec une note entière, comme impact=4")
                }
                guard scores.updateValue(value, forKey: parts[0]) == nil else {
                    throw LedgerError(.badInput, "--criterion \(parts[0]) est donné deux fois")
                }
            }
            let score = ApplicationScore(applicationID: application, scores: scores, comment: comment)
            let (signer, time) = (try loadSigningKey(signing.key), try parseTime(signing.time))
            let entry =
                try remote.client()?.appendSigned(
                    [(GrantEventType.applicationScored, score.payload)], signer: signer, time: time)[0]
                ?? operations(options).score(score, signer: signer, time: time)
            emit("dossier \(application) noté à la seq \(entry.seq)")
        }
    }
}

struct Decide: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "decide",
        abstract: "Accorder ou rejeter une aide ; le montant accordé est par défaut celui de la grille de l'appel.")
    @OptionGroup var options: LedgerOptions
    @Argument(help: "L'identifiant du dossier.") var application: String
    @Flag(help: "Accorder l'aide.") var grant = false
    @Flag(help: "Rejeter le dossier (avec --motive).") var reject = false
    @Option(
        help:
            "Motif du rejet : below_threshold (note inférieure au seuil), ineligible_applicant (demandeur non éligible), ineligible_action (action non éligible), envelope_exhausted (enveloppe épuisée), duplicate_award (déjà aidé au titre de l'appel), incomplete_file (dossier incomplet)."
    )
    var motive: String?
    @Option(help: "Montant en euros (5000, 5000.00 ou « 5 000,00 ») ; par défaut celui de la grille.") var amount:
        String?
    @Option(help: "Référence de la décision (numéro d'arrêté).") var reference: String?
    @Option(help: "Texte du motif.") var text: String?
    @Option(help: "Date de la décision AAAA-MM-JJ ; par défaut aujourd'hui.") var date: String?
    @Option(help: "Justification d'un écart délibéré aux critères publiés.") var deviation: String?
    @OptionGroup var signing: SigningOptions
    @OptionGroup var remote: RemoteOptions

    func run() throws {
        try runReporting {
            guard grant != reject else { throw LedgerError(.badInput, "donnez soit --grant, soit --reject") }
            var parsedMotive: DecisionMotive? = nil
            if reject {
                guard let motive, let value = DecisionMotive(rawValue: motive), value != .criteriaMet else {
                    throw LedgerError(
                        .badInput,
                        "un rejet demande --motive, parmi below_threshold, ineligible_applicant, ineligible_action, envelope_exhausted, duplicate_award, incomplete_file (voir grant-ledger decide --help)"
                    )
                }
                parsedMotive = value
                if amount != nil { throw LedgerError(.badInput, "un rejet n'a pas de --amount") }
            }
            let (signer, time) = (try loadSigningKey(signing.key), try parseTime(signing.time))
            let (amountCents, decidedOn) = (try parseAmount(amount, "--amount"), try parseDate(date, "--date"))
            let result: GrantOperations.DecisionResult
            if let client = try remote.client() {
                // The application and its call, as the server has them; the rules are the server's engine's.
                let context = try client.decisionContext(application)
                let (grant, text, reference, deviation, motive) = (grant, text, reference, deviation, parsedMotive)
                let draft = { @Sendable (when: Timestamp) throws(LedgerError) -> GrantOperations.DecisionDraft in
                    try GrantOperations.draftDecision(
                        applicationID: application, application: context?.0, call: context?.1, grant: grant,
                        motive: motive, amountCents: amountCents, motiveText: text, reference: reference,
                        decidedOn: decidedOn, deviation: deviation, time: when, lastTime: nil)
                }
                let entries = try client.appendSigned(signer: signer, time: time) { (when) throws(LedgerError) in
                    [RemoteEvent(type: GrantEventType.decisionRecorded, payload: try draft(when).decision.payload)]
                }
                let made = try draft(entries[0].time)
                result = GrantOperations.DecisionResult(
                    entry: entries[0], decision: made.decision, gridLine: made.gridLine)
            } else {
                result = try operations(options).decide(
                    applicationID: application, grant: grant, motive: parsedMotive, amountCents: amountCents,
                    motiveText: text, reference: reference, decidedOn: decidedOn, deviation: deviation,
                    signer: signer, time: time)
            }
            let d = result.decision
            if d.outcome == .granted {
                emit(
                    "aide accordée au dossier \(application) : \(FrenchFormat.euros(d.amountCents)) (\(d.reference)) à la seq \(result.entry.seq)"
                )
                if let line = result.gridLine { emit("  grille : \(line)") }
            } else {
                emit("dossier \(application) rejeté (\(d.motive.label)) à la seq \(result.entry.seq)")
            }
            if let deviation { emit("  écart déclaré : \(deviation)") }
        }
    }
}

struct Pay: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pay", abstract: "Enregistrer un versement d'une aide (clé de payeur).")
    @OptionGroup var options: LedgerOptions
    @Argument(help: "L'identifiant du dossier.") var application: String
    @Option(help: "Montant en euros.") var amount: String
    @Option(help: "Référence du versement (unique).") var reference: String
    @Option(help: "Date du versement AAAA-MM-JJ ; par défaut aujourd'hui.") var date: String?
    @OptionGroup var signing: SigningOptions
    @OptionGroup var remote: RemoteOptions

    func run() throws {
        try runReporting {
            let (signer, time) = (try loadSigningKey(signing.key), try parseTime(signing.time))
            let (cents, paidOn) = (try parseAmount(amount, "--amount")!, try parseDate(date, "--date"))
            let (entry, payment): (Entry, GrantPayment)
            if let client = try remote.client() {
                let (application, reference) = (application, reference)
                let make = { @Sendable (when: Timestamp) in
                    GrantPayment(
                        applicationID: application, amountCents: cents, reference: reference,
                        paidOn: paidOn ?? CalendarDate(when))
                }
                let entries = try client.appendSigned(signer: signer, time: time) { (when) throws(LedgerError) in
                    [RemoteEvent(type: GrantEventType.paymentRecorded, payload: make(when).payload)]
                }
                (entry, payment) = (entries[0], make(entries[0].time))
            } else {
                (entry, payment) = try operations(options).pay(
                    applicationID: application, amountCents: cents, reference: reference, paidOn: paidOn,
                    signer: signer, time: time)
            }
            emit(
                "versement de \(FrenchFormat.euros(payment.amountCents)) pour le dossier \(application) (\(reference)) à la seq \(entry.seq)"
            )
        }
    }
}

struct Withdraw: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "withdraw",
        abstract:
            "Retirer une aide dont les conditions ne sont pas remplies (--grant), ou enregistrer le retrait du dossier par le demandeur (--by-applicant)."
    )
    @OptionGroup var options: LedgerOptions
    @Argument(help: "L'identifiant du dossier.") var application: String
    @Flag(name: .customLong("grant"), help: "Retirer l'aide (decision.withdrawn) ; demande --reference.") var grant =
        false
    @Flag(name: .customLong("by-applicant"), help: "Le demandeur retire son dossier.") var byApplicant = false
    @Option(help: "Le motif du retrait.") var reason: String
    @Option(help: "La référence de l'acte de retrait (pour --grant).") var reference: String?
    @Option(help: "Date AAAA-MM-JJ ; par défaut aujourd'hui.") var date: String?
    @OptionGroup var signing: SigningOptions
    @OptionGroup var remote: RemoteOptions

    func run() throws {
        try runReporting {
            guard grant != byApplicant else {
                throw LedgerError(.badInput, "donnez soit --grant, soit --by-applicant")
            }
            if grant && reference == nil {
                throw LedgerError(.badInput, "retirer une aide demande --reference (l'acte de retrait)")
            }
            let (signer, time) = (try loadSigningKey(signing.key), try parseTime(signing.time))
            let on = try parseDate(date, "--date")
            let entry: Entry
            if let client = try remote.client() {
                let (application, reason, reference) = (application, reason, grant ? reference : nil)
                let type = byApplicant ? GrantEventType.applicationWithdrawn : GrantEventType.decisionWithdrawn
                entry = try client.appendSigned(signer: signer, time: time) { (when) throws(LedgerError) in
                    let withdrawal = Withdrawal(
                        applicationID: application, reason: reason, reference: reference,
                        withdrawnOn: on ?? CalendarDate(when))
                    return [RemoteEvent(type: type, payload: withdrawal.payload)]
                }[0]
            } else {
                entry = try operations(options).withdraw(
                    applicationID: application, reason: reason, reference: grant ? reference : nil, on: on,
                    byApplicant: byApplicant, signer: signer, time: time)
            }
            emit(
                "\(grant ? "aide retirée au dossier" : "retrait enregistré du dossier") \(application) à la seq \(entry.seq)"
            )
        }
    }
}

struct Show: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Afficher un dossier : état, historique, ligne de grille et critères appliqués.")
    @OptionGroup var options: LedgerOptions
    @Argument(help: "L'identifiant du dossier.") var application: String

    func run() throws {
        try runReporting {
            let state = UntilExit.keep(try makeLedger(options).replay().domain.state)
            guard let app = state.applications[application] else {
                throw LedgerError(
                    .badInput,
                    "dossier \(application) inconnu : aucun dépôt (application.submitted) ne porte cet identifiant")
            }
            emit(app.text(call: state.calls[app.application.callID]))
        }
    }
}

struct Status: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "status", abstract: "Budget et décomptes par appel.")
    @OptionGroup var options: LedgerOptions
    @OptionGroup var history: VerifierHistoryOptions
    @Option(help: "Seulement cet appel, avec la liste de ses dossiers.") var call: String?

    func run() throws {
        try runReporting {
            let state = UntilExit.keep(
                try LedgerSnapshot.verifiedState(directory: options.directory, history: history.directory()))
            if let call, state.calls[call] == nil { throw LedgerError(.badInput, "appel \(call) inconnu") }
            emit(LedgerStatus(state: state, callID: call).text)
        }
    }
}

struct Import: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract:
            "Importer le CSV des dossiers d'une préfecture pour un appel : toutes les lignes ou aucune (colonnes dans docs/EVENTS.md)."
    )
    @OptionGroup var options: LedgerOptions
    @Argument(help: "Le fichier CSV (UTF-8, séparé par des virgules, ligne d'en-tête).") var file: String
    @Option(help: "L'appel auquel les dossiers s'adressent.") var call: String
    @OptionGroup var signing: SigningOptions
    @OptionGroup var remote: RemoteOptions

    @OptionGroup var progress: ProgressOptions

    func run() throws {
        try progress.showing("import") { try execute() }
    }

    private func execute() throws {
        try runReporting {
            let (signer, time) = (try loadSigningKey(signing.key), try parseTime(signing.time))
            let entries: [Entry]
            if let client = try remote.client() {
                // One batch: every row or none, as locally.
                let rows = try GrantOperations.importRows(csv: try readInput(file), callID: call)
                entries = try client.appendSigned(
                    rows.map { (GrantEventType.applicationSubmitted, $0.application.payload) }, signer: signer,
                    time: time)
            } else {
                entries = try operations(options).importApplications(
                    csv: try readInput(file), callID: call, signer: signer, time: time)
            }
            emit(
                "\(FrenchFormat.quantity(entries.count, "dossier importé", "dossiers importés")) pour l'appel \(call), seq \(entries.first!.seq)–\(entries.last!.seq)"
            )
        }
    }
}
