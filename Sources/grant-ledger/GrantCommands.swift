import ArgumentParser
import Foundation
import GrantDomain
import GrantLedgerClient
import LedgerCore
import LedgerCrypto

/// Options shared by the commands that sign a grant event.
struct SigningOptions: ParsableArguments {
    @Option(help: "The signer's private key.") var key: String
    @Option(help: "Entry time (RFC 3339 UTC); default now.") var time: String?
}

func operations(_ options: LedgerOptions) -> GrantOperations {
    GrantOperations(ledger: makeLedger(options), reference: try? ReferenceData.shared())
}

func parseDate(_ text: String?, _ option: String) throws(LedgerError) -> CalendarDate? {
    guard let text else { return nil }
    do throws(InputError) { return try CalendarDate(iso: text) } catch {
        throw LedgerError(.badInput, "\(option) \(text) is not a real date YYYY-MM-DD")
    }
}

func parseAmount(_ text: String?, _ option: String) throws(LedgerError) -> Int64? {
    guard let text else { return nil }
    do throws(InputError) { return try Money.parse(text) } catch {
        throw LedgerError(.badInput, "\(option): \(error.message)")
    }
}

struct CallCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "call", abstract: "Publish a call for applications, or amend it before it opens.",
        subcommands: [Publish.self, Amend.self])

    struct Publish: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Publish a call from a JSON file (docs/EVENTS.md); grid and criteria may be \"national\".")
        @OptionGroup var options: LedgerOptions
        @Option(help: "The call, as JSON.") var file: String
        @OptionGroup var signing: SigningOptions
        @OptionGroup var remote: RemoteOptions

        func run() throws { try publishCall(options, remote, file, signing, amend: false) }
    }

    struct Amend: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Publish a new version of a call, before it opens.")
        @OptionGroup var options: LedgerOptions
        @Option(help: "The whole new version of the call, as JSON.") var file: String
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
        emit("\(amend ? "amended" : "published") call \(call.callID) at seq \(entry.seq); version \(entry.hash.hex)")
        emit(
            "  envelope \(FrenchFormat.euros(call.envelopeCents)), open \(call.opensAt) to \(call.closesAt), threshold \(call.threshold)/\(call.maximumScore)"
        )
        for (index, line) in call.grid.enumerated() {
            emit("  grid line \(index + 1): \(line.label) → \(FrenchFormat.euros(line.amountCents))")
        }
    }
}

struct ApplicationCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "application", abstract: "Record applications.", subcommands: [Submit.self])

    struct Submit: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Record an application from a JSON file (docs/EVENTS.md).")
        @OptionGroup var options: LedgerOptions
        @Option(help: "The application, as JSON.") var file: String
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
                    "recorded application \(application.applicationID) (\(application.applicant.name)) to call \(application.callID) at seq \(entry.seq)"
                )
            }
        }
    }
}

struct Score: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Score an application on every criterion of its call.")
    @OptionGroup var options: LedgerOptions
    @Argument(help: "The application id.") var application: String
    @Option(name: .customLong("criterion"), help: "ID=SCORE, once per criterion (e.g. impact=4).") var criteria:
        [String] = []
    @Option(help: "The scorer's comment.") var comment = "Notation de l'instruction."
    @OptionGroup var signing: SigningOptions
    @OptionGroup var remote: RemoteOptions

    func run() throws {
        try runReporting {
            var scores: [String: Int64] = [:]
            for item in criteria {
                let parts = item.split(separator: "=", maxSplits: 1).map(String.init)
                guard parts.count == 2, let value = Int64(parts[1]) else {
                    throw LedgerError(
                        .badInput, "--criterion \(item) must be ID=SCORE with a whole number, like impact=4")
                }
                guard scores.updateValue(value, forKey: parts[0]) == nil else {
                    throw LedgerError(.badInput, "--criterion \(parts[0]) is given twice")
                }
            }
            let score = ApplicationScore(applicationID: application, scores: scores, comment: comment)
            let (signer, time) = (try loadSigningKey(signing.key), try parseTime(signing.time))
            let entry =
                try remote.client()?.appendSigned(
                    [(GrantEventType.applicationScored, score.payload)], signer: signer, time: time)[0]
                ?? operations(options).score(score, signer: signer, time: time)
            emit("scored \(application) at seq \(entry.seq)")
        }
    }
}

struct Decide: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Grant or reject an application; a grant's amount defaults to the call's grid amount.")
    @OptionGroup var options: LedgerOptions
    @Argument(help: "The application id.") var application: String
    @Flag(help: "Grant the application.") var grant = false
    @Flag(help: "Reject the application (with --motive).") var reject = false
    @Option(
        help:
            "Rejection motive: below_threshold, ineligible_applicant, ineligible_action, envelope_exhausted, duplicate_award, incomplete_file."
    )
    var motive: String?
    @Option(help: "Amount in euros (5000, 5000.00 or \"5 000,00\"); default: the grid's.") var amount: String?
    @Option(help: "Decision reference (arrêté number).") var reference: String?
    @Option(help: "Motive text.") var text: String?
    @Option(help: "Decision date YYYY-MM-DD; default today.") var date: String?
    @Option(help: "Justification of a deliberate departure from the published criteria.") var deviation: String?
    @OptionGroup var signing: SigningOptions
    @OptionGroup var remote: RemoteOptions

    func run() throws {
        try runReporting {
            guard grant != reject else { throw LedgerError(.badInput, "give exactly one of --grant and --reject") }
            var parsedMotive: DecisionMotive? = nil
            if reject {
                guard let motive, let value = DecisionMotive(rawValue: motive), value != .criteriaMet else {
                    throw LedgerError(
                        .badInput,
                        "a rejection needs --motive, one of below_threshold, ineligible_applicant, ineligible_action, envelope_exhausted, duplicate_award, incomplete_file"
                    )
                }
                parsedMotive = value
                if amount != nil { throw LedgerError(.badInput, "a rejection has no --amount") }
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
                    "granted \(application): \(FrenchFormat.euros(d.amountCents)) (\(d.reference)) at seq \(result.entry.seq)"
                )
                if let line = result.gridLine { emit("  grid \(line)") }
            } else {
                emit("rejected \(application) (\(d.motive.rawValue): \(d.motive.label)) at seq \(result.entry.seq)")
            }
            if let deviation { emit("  declared deviation: \(deviation)") }
        }
    }
}

struct Pay: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Record a payment of a grant (payer key).")
    @OptionGroup var options: LedgerOptions
    @Argument(help: "The application id.") var application: String
    @Option(help: "Amount in euros.") var amount: String
    @Option(help: "Payment reference (unique).") var reference: String
    @Option(help: "Payment date YYYY-MM-DD; default today.") var date: String?
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
            emit("paid \(FrenchFormat.euros(payment.amountCents)) on \(application) (\(reference)) at seq \(entry.seq)")
        }
    }
}

struct Withdraw: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract:
            "Withdraw a grant whose conditions were not met (--grant), or record the applicant's withdrawal (--by-applicant)."
    )
    @OptionGroup var options: LedgerOptions
    @Argument(help: "The application id.") var application: String
    @Flag(name: .customLong("grant"), help: "Withdraw the grant (decision.withdrawn); needs --reference.") var grant =
        false
    @Flag(name: .customLong("by-applicant"), help: "The applicant withdraws its application.") var byApplicant = false
    @Option(help: "Why.") var reason: String
    @Option(help: "The withdrawal act's reference (for --grant).") var reference: String?
    @Option(help: "Date YYYY-MM-DD; default today.") var date: String?
    @OptionGroup var signing: SigningOptions
    @OptionGroup var remote: RemoteOptions

    func run() throws {
        try runReporting {
            guard grant != byApplicant else {
                throw LedgerError(.badInput, "give exactly one of --grant and --by-applicant")
            }
            if grant && reference == nil {
                throw LedgerError(.badInput, "withdrawing a grant needs --reference (the withdrawal act)")
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
            emit("\(grant ? "withdrew the grant of" : "recorded the withdrawal of") \(application) at seq \(entry.seq)")
        }
    }
}

struct Show: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show an application: state, history, grid line and criteria applied.")
    @OptionGroup var options: LedgerOptions
    @Argument(help: "The application id.") var application: String

    func run() throws {
        try runReporting {
            let state = try makeLedger(options).replay().domain.state
            guard let app = state.applications[application] else {
                throw LedgerError(.badInput, "unknown application \(application): no application.submitted has this id")
            }
            emit(ApplicationText.render(app, call: state.calls[app.application.callID]))
        }
    }
}

struct Status: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Per-call budget and counts.")
    @OptionGroup var options: LedgerOptions
    @Option(help: "Only this call.") var call: String?

    func run() throws {
        try runReporting {
            let state = try makeLedger(options).replay().domain.state
            if let call, state.calls[call] == nil { throw LedgerError(.badInput, "unknown call \(call)") }
            emit(StatusText.render(state, callID: call))
        }
    }
}

struct Import: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Import a prefecture's CSV of applications to a call: all rows or none (columns in docs/EVENTS.md).")
    @OptionGroup var options: LedgerOptions
    @Argument(help: "The CSV file (UTF-8, comma-separated, header row).") var file: String
    @Option(help: "The call the applications are for.") var call: String
    @OptionGroup var signing: SigningOptions
    @OptionGroup var remote: RemoteOptions

    func run() throws {
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
            emit("imported \(entries.count) applications to \(call), seq \(entries.first!.seq)–\(entries.last!.seq)")
        }
    }
}

/// The French rendering of one application (`show`).
enum ApplicationText {
    static func render(_ app: ApplicationState, call: CallState?) -> String {
        let a = app.application
        var lines = [
            "Dossier \(a.applicationID) — \(a.title)",
            "  Demandeur : \(a.applicant.name) (\(a.applicant.kind.label), SIREN \(a.applicant.siren)\(a.applicant.insee.map { ", INSEE \($0)" } ?? ""), département \(a.applicant.departement), \(FrenchFormat.integer(a.applicant.population)) habitants)",
            "  Action : \(a.action.label) · prestataire \(a.provider.name) (SIRET \(a.provider.siret), département \(a.provider.departement))",
            "  Appel \(a.callID) · déposé le \(a.submittedOn.frenchLong) · demandé \(FrenchFormat.euros(a.requestedCents))",
            "  État : \(app.status.label)",
        ]
        if let call {
            let c = call.call
            if let score = app.score, let weighted = app.weightedScore {
                let detail = c.criteria.map { "\($0.label) \(score.scores[$0.id] ?? 0)/\($0.max) × \($0.weight)" }
                    .joined(separator: " + ")
                lines.append("  Note pondérée : \(weighted) / \(c.maximumScore) (\(detail)) ; seuil \(c.threshold)")
            }
            if let line = c.gridLine(kind: a.applicant.kind, population: a.applicant.population) {
                lines.append(
                    "  Grille : ligne \(line.number), \(line.line.label) → \(FrenchFormat.euros(line.line.amountCents))"
                )
            } else {
                lines.append("  Grille : aucune ligne ne s'applique")
            }
        }
        if let d = app.decision {
            lines.append(
                "  Décision : \(d.outcome == .granted ? "aide de \(FrenchFormat.euros(d.amountCents))" : "rejet (\(d.motive.label))"), \(d.reference), le \(d.decidedOn.frenchLong)"
            )
            if let deviation = d.deviation { lines.append("  Écart déclaré : \(deviation)") }
        }
        if !app.payments.isEmpty {
            lines.append("  Versé : \(FrenchFormat.euros(app.paidCents)) en \(app.payments.count) versement(s)")
        }
        if let w = app.withdrawal { lines.append("  Retrait le \(w.withdrawnOn.frenchLong) : \(w.reason)") }
        lines.append("  Historique :")
        for event in app.history {
            lines.append("    seq \(event.seq)  \(event.time)  \(event.type)  hash \(event.hash.prefix(16))…")
        }
        return lines.joined(separator: "\n")
    }
}
