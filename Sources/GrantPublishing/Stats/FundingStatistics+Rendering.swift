import GrantDomain
public import LedgerCore

/// The output formats of `grant-ledger stats`.
public enum StatsFormat: String, Sendable, CaseIterable {
    /// Aligned French text for people.
    case table
    /// One canonical JSON object (RFC 8785, integers and strings only), then `\n`.
    case json
    /// One row for the total, then one per group; amounts in euros with a point.
    case csv
}

extension FundingStatistics {
    /// The identifier of the JSON document format.
    public static let jsonFormatName = "grantledger-stats/1"
    /// The CSV header's first columns: the log and the scope, repeated on every row.
    static let csvLeadColumns = [
        "journal_origine", "journal_taille", "journal_tete", "journal_racine", "appel", "regroupement",
        "groupe", "libelle",
    ]
    static let tableTitle = "Statistiques GrantLedger"

    /// The output in `format`; the same log and scope always give the same bytes.
    public func render(_ format: StatsFormat) -> String {
        switch format {
        case .json: return String(decoding: CanonicalJSON.encode(json), as: UTF8.self) + "\n"
        case .csv: return csv
        case .table: return table
        }
    }

    // MARK: JSON

    /// The JSON document (`docs/PUBLISHING.md` §3).
    public var json: JSONValue {
        var log: [String: JSONValue] = [
            "origin": .string(identity.origin), "title": .string(identity.title), "size": .integer(identity.size),
            "head_hash": .string(identity.headHash), "root_hash": .string(identity.rootHash),
            "bytes": .integer(Int64(identity.byteCount)), "sha256": .string(identity.fileSHA256),
        ]
        log["head_seq"] = identity.headSeq.map { .integer($0) } ?? .null
        log["head_time"] = identity.headTime.map { .string($0.description) } ?? .null
        return [
            "format": .string(FundingStatistics.jsonFormatName),
            "log": .object(log),
            "scope": [
                "call": scope.callID.map { .string($0) } ?? .null,
                "by": scope.grouping.map { .string($0.rawValue) } ?? .null,
            ],
            "total": FundingStatistics.json(total),
            "months": monthsJSON,
            "groups": .array(
                groups.map { group in
                    var object = FundingStatistics.json(group.figures).objectValue!
                    object["key"] = .string(group.key)
                    object["label"] = .string(group.label)
                    return .object(object)
                }),
            "calls": .array(
                calls.map {
                    [
                        "call_id": .string($0.callID), "title": .string($0.title),
                        "territories": .array($0.territories.map { .string($0) }),
                        "envelope_cents": .integer($0.envelopeCents), "committed_cents": .integer($0.committedCents),
                        "paid_cents": .integer($0.paidCents), "remaining_cents": .integer($0.remainingCents),
                    ]
                }),
        ]
    }

    static func json(_ figures: FundingFigures) -> JSONValue {
        var object: [String: JSONValue] = [:]
        for row in figures.rows {
            switch row.value {
            case .count(let value): object[row.id] = .integer(value)
            case .cents(let cents): object[row.id] = cents.map { .integer($0) } ?? .null
            case .share(let ratio), .average(let ratio), .days(let ratio):
                let places = row.value.isShare ? FundingFigures.sharePlaces : FundingFigures.averagePlaces
                object[row.id] = [
                    "numerator": .integer(ratio.numerator), "denominator": .integer(ratio.denominator),
                    "value": ratio.decimal(places: places).map { .string($0) } ?? .null,
                ]
            }
        }
        return .object(object)
    }

    // MARK: CSV

    /// CSV column of a figure: its id, with `_cents` written `_euros` since the values are euros.
    static func csvColumn(_ id: String) -> String {
        id.hasSuffix("_cents") ? String(id.dropLast(6)) + "_euros" : id
    }

    var csv: String {
        let lead = [
            identity.origin, String(identity.size), identity.headHash, identity.rootHash, scope.callID ?? "",
            scope.grouping?.rawValue ?? "",
        ]
        var out = CSV.row(FundingStatistics.csvLeadColumns + total.rows.map { FundingStatistics.csvColumn($0.id) })
        out += CSV.row(lead + ["", "Ensemble"] + total.rows.map(\.value.plain))
        for group in groups {
            out += CSV.row(lead + [group.key, group.label] + group.figures.rows.map(\.value.plain))
        }
        return out
    }

    // MARK: Table

    var table: String {
        var lines = [
            "\(FundingStatistics.tableTitle) — \(identity.title)",
            "Journal \(identity.origin) : \(FrenchFormat.integer(identity.size)) entrées, au \(identity.headDate)",
            "Tête : seq \(identity.headSeq.map(String.init) ?? "-") \(identity.headHash)",
            "Racine RFC 6962 : \(identity.rootHash)",
            "Portée : appel=\(scope.callID ?? "*") regroupement=\(scope.grouping?.rawValue ?? "aucun")",
            "",
        ]
        func block(_ title: String, _ figures: FundingFigures) {
            lines.append(title)
            let rows = figures.rows.filter { row in
                if case .cents(nil) = row.value { return false }
                return true
            }
            // Labels left-aligned, figures right-aligned.
            let width = rows.map(\.label.count).max() ?? 0
            let valueWidth = rows.map(\.value.french.count).max() ?? 0
            for row in rows {
                let value = row.value.french
                lines.append(
                    "  " + row.label + String(repeating: " ", count: width - row.label.count + valueWidth - value.count)
                        + "  " + value)
            }
            lines.append("")
        }
        block("Ensemble", total)
        // People read the group's French label (a département's names its code), not the key.
        for group in groups { block("Groupe : \(group.label)", group.figures) }
        if !calls.isEmpty {
            lines.append("Appels")
            for call in calls {
                lines.append("  \(call.callID) — \(call.title)")
                lines.append(
                    "    enveloppe \(FrenchFormat.euros(call.envelopeCents)) · engagé \(FrenchFormat.euros(call.committedCents)) · versé \(FrenchFormat.euros(call.paidCents)) · disponible \(FrenchFormat.euros(call.remainingCents))"
                )
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

extension FigureValue {
    var isShare: Bool {
        if case .share = self { return true }
        return false
    }
}
