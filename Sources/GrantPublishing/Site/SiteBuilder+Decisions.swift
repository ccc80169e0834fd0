import GrantDomain
import LedgerCore
import LedgerCrypto

/// A page per decision (granted or rejected): everything the decision rests on, and its proof bundle.
extension SiteBuilder {
    /// The decision page of an application, relative to the site root.
    static func decisionPath(_ id: String) -> String { "decisions/\(HTML.fileName(id)).html" }

    /// The proof bundle of an application, relative to the site root.
    static func bundlePath(_ id: String) -> String { "donnees/preuves/\(HTML.fileName(id)).json" }

    /// The ids of the applications with a decision, in call then submission order.
    func decided() -> [String] {
        // Ids, not copies of the states: a batch reads its own when it is built.
        state.callOrder.flatMap { call in
            (state.calls[call]?.applicationIDs ?? []).filter { state.applications[$0]?.decision != nil }
        }
    }

    /// How many decisions share a checkpoint check and an opening of the Merkle cache, and are in memory at once.
    static let bundleBatch = 512

    /// The proof bundle of each application of `batch`, in its order (its bytes not made yet), built by ``DecisionBundle`` (as
    /// `grant-ledger bundle` does) against the published checkpoint, with the state and keys of the snapshot; or why
    /// there is none.
    static func bundles(for batch: ArraySlice<ApplicationState>, snapshot: LedgerSnapshot, directory: String?)
        -> [Result<DecisionBundle, PublishingError>]
    {
        guard let directory, let checkpoint = snapshot.checkpoint else {
            let none = PublishingError(.badInput, "aucun point de contrôle signé n'accompagnait le journal")
            return batch.map { _ in .failure(none) }
        }
        let store = LedgerStore(directory: directory)
        let label = "checkpoint.txt"
        // The checkpoint checked and the Merkle cache opened once for the batch, not once per proof; the writer lock
        // is released between batches.
        var out: [Result<DecisionBundle, PublishingError>] = []
        out.reserveCapacity(batch.count)
        do throws(LedgerError) {
            try LedgerProofs.withInclusions(store: store, checkpoint: checkpoint, label: label) {
                (inclusion) throws(LedgerError) in
                out.removeAll(keepingCapacity: true)
                // Every bundle carries the first entry, its call's versions and its signers' key entries: each proof
                // is computed once per batch.
                var proven: [UInt64: (proof: InclusionProof, line: [UInt8])] = [:]
                for app in batch {
                    do throws(LedgerError) {
                        let bundle = try DecisionBundle.build(
                            applicationID: app.id, checkpoint: checkpoint, label: label, state: snapshot.state,
                            keys: snapshot.keys,
                            inclusion: { (seq) throws(LedgerError) in
                                if let known = proven[seq] { return known }
                                let found = try inclusion(seq)
                                proven[seq] = found
                                return found
                            })
                        out.append(.success(bundle))
                    } catch {
                        out.append(.failure(PublishingError(.badInput, error.message, underlying: error)))
                    }
                }
            }
        } catch {
            let failure = PublishingError(.badInput, error.message, underlying: error)
            return batch.map { _ in .failure(failure) }
        }
        return out
    }

    /// The note key that verifies the log's checkpoints (`name+hex+base64`), when the log has an authority key.
    static func noteKey(_ snapshot: LedgerSnapshot) -> String? {
        guard let origin = snapshot.keys.origin,
            let authority = snapshot.keys.sortedRecords.first(where: { $0.registeredAt == 0 })
        else { return nil }
        return try? NoteVerifier(name: origin, publicKey: authority.publicKey).verifierKey
    }

    /// « Cantal (15) », linked to the département's page.
    func departementLink(_ code: String, depth: Int) -> Markup {
        let root = String(repeating: "../", count: depth)
        let text = DepartementNames.name(code).map { "\($0) (\(code))" } ?? code
        return "<a href=\"\(root)departements/\(HTML.fileName(code)).html\">\(text)</a>"
    }

    /// « Appel 15-2021-01 », linked to the call's page.
    func callLink(_ callID: String, depth: Int) -> Markup {
        let root = String(repeating: "../", count: depth)
        return
            "<a class=\"nowrap\" href=\"\(root)appels/\(HTML.fileName(callID)).html\">Appel \(callID)</a>"
    }

    /// The title of the application's project, linked to its decision page.
    func decisionLink(_ app: ApplicationState, depth: Int) -> Markup {
        let root = String(repeating: "../", count: depth)
        return "<a href=\"\(root)\(SiteBuilder.decisionPath(app.id))\">\(app.application.title)</a>"
    }

    static func eventLabel(_ type: String) -> String {
        switch type {
        case GrantEventType.applicationSubmitted: return "Dépôt du dossier"
        case GrantEventType.applicationScored: return "Notation"
        case GrantEventType.decisionRecorded: return "Décision"
        case GrantEventType.paymentRecorded: return "Versement"
        case GrantEventType.decisionWithdrawn: return "Retrait de l'aide par l'administration"
        case GrantEventType.applicationWithdrawn: return "Retrait par le demandeur"
        default: return type
        }
    }

    /// What the call had committed just before the decision at `seq`: the grants decided before it in the log, less
    /// the unpaid part of those withdrawn before it (the definition of « engagé », `docs/PUBLISHING.md` §2).
    func committedBefore(_ seq: Int64, callID: String) -> Int64 {
        commitments[callID]?.committed(before: seq) ?? 0
    }

    func decisionPage(_ app: ApplicationState, bundle: Result<[UInt8], PublishingError>?) -> Markup {
        let a = app.application
        let d = app.decision!
        let callState = state.calls[a.callID]
        let version = callState.flatMap { c in c.versions.first { $0.hash == d.callVersion } }
        let versionNumber = callState.flatMap { c in c.versions.firstIndex { $0.hash == d.callVersion } }.map { $0 + 1 }
        let call = version?.call ?? callState?.call
        let granted = d.outcome == .granted
        var body: Markup = "<h1>Décision sur le dossier <span class=\"nowrap\">\(a.applicationID)</span></h1>\n"
        body +=
            "<p class=\"note\">\(granted ? "Aide accordée" : "Demande rejetée") : \(granted ? HTML.euros(d.amountCents) + " pour " : "")« \(a.title) », \(a.applicant.name). État : \(app.status.label).</p>\n"
        body += "<h2>Le dossier</h2>\n<ul>\n"
        body += "<li>Identifiant du dossier : <code>\(a.applicationID)</code></li>\n"
        body +=
            "<li>Demandeur : \(a.applicant.name) (\(a.applicant.kind.label), SIREN \(a.applicant.siren), \(HTML.integer(a.applicant.population)) habitants selon « \(a.applicant.populationSource) »), département \(departementLink(a.applicant.departement, depth: 1))</li>\n"
        body += "<li>Action : \(a.action.label) ; montant demandé : \(HTML.euros(a.requestedCents))</li>\n"
        body += "<li>Déposé le \(HTML.figure(a.submittedOn.frenchLong))</li>\n"
        body +=
            "<li>\(callLink(a.callID, depth: 1)) : \(call?.title ?? ""), version \(versionNumber.map(String.init) ?? "?") sur \(callState?.versions.count ?? 0) appliquée (entrée \(version.map { String($0.seq) } ?? "?"), empreinte <code class=\"hash\">\(d.callVersion)</code>)</li>\n"
        body += "</ul>\n"

        body += "<h2>La décision</h2>\n<ul>\n"
        body +=
            "<li>\(granted ? "Aide accordée : " + HTML.euros(d.amountCents) : "Rejet") — <span class=\"nowrap\">\(d.reference)</span> du \(HTML.figure(d.decidedOn.frenchLong))</li>\n"
        body += "<li>Motif : \(d.motive.label). \(d.motiveText)</li>\n"
        if let deviation = d.deviation {
            body +=
                "<li>Écart déclaré aux critères publiés, avec sa justification : « \(deviation) »</li>\n"
        } else {
            body += "<li>Aucun écart aux critères publiés n'a été déclaré.</li>\n"
        }
        body += "</ul>\n"

        body += "<h2>La notation</h2>\n"
        if let call, let score = app.score, let weighted = app.weightedScore {
            var rows = call.criteria.map { c -> [Markup] in
                let value = score.scores[c.id] ?? 0
                return [
                    "\(c.label)", HTML.integer(c.weight),
                    HTML.figure("\(FrenchFormat.integer(value)) sur \(FrenchFormat.integer(c.max))"),
                    HTML.integer(c.weight * value),
                ]
            }
            rows.append(["Note pondérée", "", "", HTML.integer(weighted)])
            body += HTML.table(
                caption: "Note par critère (points = poids × note)", headers: ["Critère", "Poids", "Note", "Points"],
                rows: rows, numeric: [1, 2, 3])
            body +=
                "<p>Note pondérée \(HTML.integer(weighted)) sur \(HTML.integer(call.maximumScore)) ; seuil \(HTML.integer(call.threshold)) : \(weighted >= call.threshold ? "atteint" : "non atteint").</p>\n"
            if callState != nil {
                let scores = meritScores[a.callID] ?? []
                let rank = scores.count - MeritScores.countAtMost(weighted, in: scores) + 1
                let meritOrder: Markup =
                    call.rules.meritOrder
                    ? " (l'appel applique l'ordre de mérite)" : " (l'appel n'applique pas l'ordre de mérite)"
                body +=
                    "<p>Rang dans l'ordre de mérite : \(HTML.integer(Int64(rank))) sur \(HTML.integer(Int64(scores.count))) dossiers notés de l'appel\(meritOrder).</p>\n"
            }
        } else {
            body += "<p>Le dossier n'a pas été noté (pas de notation au journal).</p>\n"
        }

        body += "<h2>Le montant et l'enveloppe</h2>\n<ul>\n"
        if let call, let line = call.gridLine(kind: a.applicant.kind, population: a.applicant.population) {
            body +=
                "<li>Grille des montants : ligne \(line.number) (\(line.line.label)), montant \(HTML.euros(line.line.amountCents))</li>\n"
        } else {
            body += "<li>Grille : aucune ligne ne s'applique à ce demandeur</li>\n"
        }
        if let call, let decided = app.history.first(where: { $0.type == GrantEventType.decisionRecorded }) {
            let before = call.envelopeCents &- committedBefore(decided.seq, callID: a.callID)
            let after = granted ? before &- d.amountCents : before
            body +=
                "<li>Enveloppe de l'appel : \(HTML.euros(call.envelopeCents)) ; disponible avant cette décision : \(HTML.euros(before)) ; après : \(HTML.euros(after)) (décisions et retraits inscrits avant elle au journal)</li>\n"
        }
        body += "</ul>\n"

        if granted {
            body += "<h2>Les versements</h2>\n"
            if app.payments.isEmpty {
                body += "<p>Aucun versement enregistré.</p>\n"
            } else {
                body += HTML.table(
                    caption: "Versements de l'aide", headers: ["Date", "Référence", "Montant"],
                    rows: app.payments.map {
                        [HTML.figure($0.paidOn.frenchLong), "\($0.reference)", HTML.euros($0.amountCents)]
                    }, numeric: [2])
                body +=
                    "<p>Versé : \(HTML.euros(app.paidCents)) sur \(HTML.euros(d.amountCents)) accordés.</p>\n"
            }
        }
        if let withdrawal = app.withdrawal {
            body += "<h2>Le retrait</h2>\n<ul>\n"
            let who: Markup =
                app.withdrawnByApplicant ? "Retrait par le demandeur" : "Aide retirée par l'administration"
            let act = withdrawal.reference.map { reference -> Markup in
                ", acte <span class=\"nowrap\">\(reference)</span>,"
            }
            body += "<li>\(who)\(act ?? Markup()) le \(HTML.figure(withdrawal.withdrawnOn.frenchLong))</li>\n"
            body += "<li>Raison : « \(withdrawal.reason) »</li>\n</ul>\n"
        }

        body += "<h2>Les entrées du journal</h2>\n"
        body += HTML.table(
            caption: "Événements du dossier dans le journal",
            headers: ["Entrée (seq)", "Événement", "Inscrit le", "Empreinte SHA-256"],
            rows: app.history.map {
                [
                    "\($0.seq)", "\(SiteBuilder.eventLabel($0.type))",
                    HTML.figure(CalendarDate($0.time).frenchLong), "<code class=\"hash\">\($0.hash)</code>",
                ]
            })

        body += "<h2 id=\"preuve\">La preuve</h2>\n"
        switch bundle {
        case .success(let bytes)?:
            let file = HTML.fileName(app.id) + ".json"
            let sha256 = SHA256.hash(bytes).hex
            body +=
                "<p>Le dossier de preuve contient les entrées de ce dossier, les versions de l'appel et les clés des signataires, chacune avec sa preuve d'inclusion dans le point de contrôle signé du journal : <a href=\"../\(SiteBuilder.bundlePath(app.id))\" download=\"\(file)\">télécharger la preuve de la décision \(app.id)</a> (\(HTML.integer(Int64(bytes.count))) octets, SHA-256 <code class=\"hash\">\(sha256)</code>).</p>\n"
            body += "<p>Pour la vérifier hors ligne, sans le journal ni ce site :</p>\n"
            body +=
                "<pre><code># l'empreinte doit être \(sha256)\nsha256sum \(file)\ngrant-ledger verify-bundle \(file) --trust '\(noteKey ?? "CLÉ-DE-NOTE")'</code></pre>\n"
            body +=
                "<p><code>verify-bundle</code> contrôle la signature du point de contrôle, la preuve d'inclusion et la signature de chaque entrée, les clés des signataires et les règles de critères de la décision ; il se termine avec le code 0 si tout est conforme. La clé après <code>--trust</code> est la clé publique du journal, la même sur chaque page. Avec le journal entier, <code>grant-ledger explain \(app.id) --ledger .</code> refait tout le calcul.</p>\n"
        case .failure(let error)?:
            body +=
                "<p>Pas de dossier de preuve pour cette décision : \(error.message). Avec le journal entier (<a href=\"../verifier.html\">Vérifier</a>) : <code>grant-ledger explain \(app.id) --ledger .</code></p>\n"
        case nil:
            body +=
                "<p>Avec le journal entier (<a href=\"../verifier.html\">Vérifier</a>) : <code>grant-ledger explain \(app.id) --ledger .</code></p>\n"
        }
        return page(
            path: SiteBuilder.decisionPath(app.id), title: "Décision sur le dossier \(app.id)", depth: 1, body: body)
    }
}

/// A call's committed amount over the log: each grant adds its amount at the seq of its decision, each withdrawal
/// of a grant takes back its unpaid part at the seq of the withdrawal. Built once for the site, so that each
/// decision page reads it in O(log n) instead of going through every application of its call.
struct CommitmentTimeline: Sendable {
    /// Seqs of the changes, increasing, and the committed amount just after each (wrapping sums, as the envelope
    /// figures are computed).
    private var seqs: [Int64] = []
    private var totals: [Int64] = []

    static func all(_ state: GrantState) -> [String: CommitmentTimeline] {
        var changes: [String: [(seq: Int64, cents: Int64)]] = [:]
        // One application at a time: a copy of them all would double the state's memory for a moment.
        state.applications.forEachValue { app in
            guard let decision = app.decision, decision.outcome == .granted,
                let decided = app.history.first(where: { $0.type == GrantEventType.decisionRecorded })
            else { return }
            let callID = app.application.callID
            changes[callID, default: []].append((decided.seq, decision.amountCents))
            let withdrawn = app.history.first {
                $0.seq > decided.seq
                    && ($0.type == GrantEventType.decisionWithdrawn || $0.type == GrantEventType.applicationWithdrawn)
            }
            if let withdrawn {
                let paid = app.payments.reduce(Int64(0)) { $0 &+ $1.amountCents }
                changes[callID, default: []].append((withdrawn.seq, 0 &- (decision.amountCents &- paid)))
            }
        }
        return changes.mapValues { list in
            var timeline = CommitmentTimeline()
            var total: Int64 = 0
            for change in list.sorted(by: { $0.seq < $1.seq }) {
                total &+= change.cents
                timeline.seqs.append(change.seq)
                timeline.totals.append(total)
            }
            return timeline
        }
    }

    /// The committed amount counting the changes at seqs below `seq`.
    func committed(before seq: Int64) -> Int64 {
        var low = 0
        var high = seqs.count
        while low < high {
            let mid = (low + high) / 2
            if seqs[mid] < seq { low = mid + 1 } else { high = mid }
        }
        return low == 0 ? 0 : totals[low - 1]
    }
}

/// The weighted scores of each call's scored applications, sorted: a decision page ranks its application by
/// binary search instead of reading every application of its call.
enum MeritScores {
    static func all(_ state: GrantState) -> [String: [Int64]] {
        var scores: [String: [Int64]] = [:]
        for (callID, call) in state.calls {
            scores[callID] = call.applicationIDs.compactMap { state.applications[$0]?.weightedScore }.sorted()
        }
        return scores
    }

    /// How many of the sorted `scores` are at most `score`.
    static func countAtMost(_ score: Int64, in scores: [Int64]) -> Int {
        var low = 0
        var high = scores.count
        while low < high {
            let mid = (low + high) / 2
            if scores[mid] <= score { low = mid + 1 } else { high = mid }
        }
        return low
    }
}
