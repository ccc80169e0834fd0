import GrantDomain
import LedgerCore
public import LedgerCrypto

/// Re-checks a published statistics file against a log (`grant-ledger stats --check FILE`).
///
/// The file names its own format and scope (JSON `scope`, CSV columns `appel` and `regroupement`, the table's
/// « Portée » line), so the check recomputes exactly that output from the log and compares bytes. When they
/// differ it lists what differs, figure by figure: the log's size and root first, so a changed byte anywhere
/// in the log shows up even when no figure moved.
public struct StatsCheck: Sendable {
    public let format: StatsFormat
    public let scope: StatsScope
    /// Empty when the file is exactly what the log gives.
    public let differences: [String]

    public var matches: Bool { differences.isEmpty }

    /// Most differences listed; the rest are counted.
    public static let listed = 20

    public init(published: [UInt8], snapshot: LedgerSnapshot) throws(PublishingError) {
        let text = String(decoding: published, as: UTF8.self)
        let (format, scope) = try StatsCheck.detect(text)
        self.format = format
        self.scope = scope
        var differences: [String] = []
        if let failure = snapshot.verificationFailure { differences.append(failure) }
        let recomputed: String
        do throws(PublishingError) {
            recomputed = try FundingStatistics(snapshot: snapshot, scope: scope).render(format)
        } catch {
            differences.append(error.message)
            self.differences = differences
            return
        }
        if Array(recomputed.utf8) != published {
            let found: [String]
            switch format {
            case .json: found = StatsCheck.jsonDifferences(text, recomputed)
            case .csv: found = StatsCheck.csvDifferences(text, recomputed)
            case .table: found = StatsCheck.lineDifferences(text, recomputed)
            }
            differences +=
                found.isEmpty
                ? ["les octets diffèrent (mise en page ou encodage), mais chaque valeur est la même"] : found
        }
        if differences.count > StatsCheck.listed {
            let more = differences.count - StatsCheck.listed
            differences =
                Array(differences.prefix(StatsCheck.listed)) + [
                    "… et \(more) autre\(more == 1 ? "" : "s") différence\(more == 1 ? "" : "s")"
                ]
        }
        self.differences = differences
    }

    /// The format and scope a published file declares.
    static func detect(_ text: String) throws(PublishingError) -> (StatsFormat, StatsScope) {
        func unknown() -> PublishingError {
            PublishingError(
                .badInput,
                "le fichier n'est pas une sortie de grant-ledger stats (JSON, CSV ou tableau) qui nomme sa portée")
        }
        func grouping(_ raw: String) throws(PublishingError) -> StatsGrouping? {
            if raw.isEmpty || raw == "aucun" { return nil }
            guard let value = StatsGrouping(rawValue: raw) else { throw unknown() }
            return value
        }
        if text.hasPrefix("{") {
            guard let value = try? JSONParser.parse(text),
                value["format"]?.stringValue == FundingStatistics.jsonFormatName,
                let scope = value["scope"]
            else { throw unknown() }
            return (
                .json,
                StatsScope(callID: scope["call"]?.stringValue, grouping: try grouping(scope["by"]?.stringValue ?? ""))
            )
        }
        if text.hasPrefix(FundingStatistics.csvLeadColumns[0] + ",") {
            guard let records = CSV.parse(text), records.count >= 2, records[1].count >= 6 else { throw unknown() }
            let call = records[1][4]
            return (.csv, StatsScope(callID: call.isEmpty ? nil : call, grouping: try grouping(records[1][5])))
        }
        if text.hasPrefix(FundingStatistics.tableTitle) {
            let prefix = "Portée : appel="
            guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix(prefix) }),
                let separator = line.ranges(of: " regroupement=").last
            else { throw unknown() }
            let call = String(line[line.index(line.startIndex, offsetBy: prefix.count)..<separator.lowerBound])
            return (
                .table,
                StatsScope(
                    callID: call == "*" ? nil : call, grouping: try grouping(String(line[separator.upperBound...])))
            )
        }
        throw unknown()
    }

    static func jsonDifferences(_ published: String, _ recomputed: String) -> [String] {
        guard let old = try? JSONParser.parse(published), let new = try? JSONParser.parse(recomputed) else {
            return ["le fichier n'est pas du JSON valide"]
        }
        var out: [String] = []
        func walk(_ path: String, _ a: JSONValue?, _ b: JSONValue?) {
            if a == b { return }
            if let x = a?.objectValue, let y = b?.objectValue {
                // The log's identity first, then the figures, in a stable order.
                let keys = Set(x.keys).union(y.keys).sorted { ($0 == "log" ? 0 : 1, $0) < ($1 == "log" ? 0 : 1, $1) }
                for key in keys { walk(path.isEmpty ? key : "\(path).\(key)", x[key], y[key]) }
            } else if let x = a?.arrayValue, let y = b?.arrayValue {
                for index in 0..<max(x.count, y.count) {
                    walk("\(path)[\(index)]", index < x.count ? x[index] : nil, index < y.count ? y[index] : nil)
                }
            } else {
                out.append("\(path) : publié \(describe(a)), recalculé \(describe(b))")
            }
        }
        walk("", old, new)
        return out
    }

    static func csvDifferences(_ published: String, _ recomputed: String) -> [String] {
        guard let old = CSV.parse(published), let new = CSV.parse(recomputed) else {
            return ["le fichier n'est pas du CSV valide"]
        }
        let header = new.first ?? []
        var out: [String] = []
        for index in 0..<max(old.count, new.count) {
            let a = index < old.count ? old[index] : nil
            let b = index < new.count ? new[index] : nil
            guard let a, let b else {
                out.append("ligne de données \(index + 1) : \(a == nil ? "absente du fichier" : "absente du recalcul")")
                continue
            }
            for column in 0..<max(a.count, b.count) {
                let x = column < a.count ? a[column] : "(vide)"
                let y = column < b.count ? b[column] : "(vide)"
                if x != y {
                    let name = column < header.count ? header[column] : "colonne \(column + 1)"
                    let group = b.count > 7 ? " (\(b[7]))" : ""
                    out.append("ligne de données \(index + 1)\(group), \(name) : publié \(x), recalculé \(y)")
                }
            }
        }
        return out
    }

    static func lineDifferences(_ published: String, _ recomputed: String) -> [String] {
        let old = published.split(separator: "\n", omittingEmptySubsequences: false)
        let new = recomputed.split(separator: "\n", omittingEmptySubsequences: false)
        var out: [String] = []
        for index in 0..<max(old.count, new.count) {
            let a = index < old.count ? String(old[index]) : "(pas de ligne)"
            let b = index < new.count ? String(new[index]) : "(pas de ligne)"
            if a != b { out.append("ligne \(index + 1) : publié « \(a) », recalculé « \(b) »") }
        }
        return out
    }

    private static func describe(_ value: JSONValue?) -> String {
        guard let value else { return "(absent)" }
        return String(decoding: CanonicalJSON.encode(value), as: UTF8.self)
    }
}
