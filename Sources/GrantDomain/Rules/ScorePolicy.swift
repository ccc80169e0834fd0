import LedgerCore

/// `application.scored`: `EVT-PAYLOAD`, `SEQ-APP-KNOWN`, `AUT-TERRITORY`, `SEQ-WITHDRAWN`, `SEQ-SCORE-ONCE`,
/// `SCO-COMPLETE` (`docs/RULES.md`). A score declares no date: its date is the day it was recorded.
enum ScorePolicy {
    static func evaluate(_ entry: Entry, in state: GrantState, _ e: inout Evaluation)
        -> (score: ApplicationScore, weighted: Int64)?
    {
        guard
            let score = e.decode(entry, as: ApplicationScore.self),
            let application = GrantRules.knownApplication(score.applicationID, type: entry.type, in: state, &e),
            GrantRules.notWithdrawn(application, type: "une notation", &e),
            let call = state.calls[application.application.callID]?.call
        else { return nil }
        let already = application.score != nil || application.decision != nil
        e.check(
            .scoreOnce, passed: !already,
            application.decision != nil
                ? "le dossier \(application.id) est déjà décidé : il ne peut plus être noté"
                : "le dossier \(application.id) est déjà noté (seq \(application.history.first { $0.type == entry.type }?.seq ?? -1))"
        )
        guard !already else { return nil }
        var problems: [String] = []
        for criterion in call.criteria {
            guard let value = score.scores[criterion.id] else {
                problems.append("critère « \(criterion.label) » (\(criterion.id)) non noté")
                continue
            }
            if value < 0 || value > criterion.max {
                problems.append("\(criterion.id) = \(value), hors de 0…\(criterion.max)")
            }
        }
        let unknown = score.scores.keys.filter { id in !call.criteria.contains { $0.id == id } }.sorted()
        if !unknown.isEmpty {
            problems.append("critères inconnus de l'appel \(call.callID) : \(unknown.joined(separator: ", "))")
        }
        // Bounded by the call's limits (weights and maxima ≤ 1 000, at most 50 criteria): no overflow.
        let weighted = call.weightedScore(score.scores)
        e.check(
            .scoreComplete, passed: problems.isEmpty, problems.joined(separator: " ; "),
            detail: "note pondérée \(weighted) sur \(call.maximumScore) ("
                + call.criteria.map { "\($0.id) \(score.scores[$0.id] ?? 0) × \($0.weight)" }.joined(separator: " + ")
                + ")")
        return (score, weighted)
    }
}
