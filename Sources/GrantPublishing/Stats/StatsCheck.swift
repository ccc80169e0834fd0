import LedgerCore

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
                found.isEmpty ? ["the bytes differ (layout or encoding) though every value is the same"] : found
        }
        if differences.count > StatsCheck.listed {
            let more = differences.count - StatsCheck.listed
            differences =
                Array(differences.prefix(StatsCheck.listed)) + ["… and \(more) more difference\(more == 1 ? "" : "s")"]
        }
        self.differences = differences
    }

    /// The format and scope a published file declares.
    static func detect(_ text: String) throws(PublishingError) -> (StatsFormat, StatsScope) {
        func unknown() -> PublishingError {
            PublishingError(
                .badInput, "the file is not a grant-ledger stats output (JSON, CSV or table) that names its scope")
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
            return ["the file is not valid JSON"]
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
                out.append("\(path): published \(describe(a)), recomputed \(describe(b))")
            }
        }
        walk("", old, new)
        return out
    }

    static func csvDifferences(_ published: String, _ recomputed: String) -> [String] {
        guard let old = CSV.parse(published), let new = CSV.parse(recomputed) else {
            return ["the file is not valid CSV"]
        }
        let header = new.first ?? []
        var out: [String] = []
        for index in 0..<max(old.count, new.count) {
            let a = index < old.count ? old[index] : nil
            let b = index < new.count ? new[index] : nil
            guard let a, let b else {
                out.append("row \(index + 1): \(a == nil ? "missing from the file" : "not in the recomputed output")")
                continue
            }
            for column in 0..<max(a.count, b.count) {
                let x = column < a.count ? a[column] : "(none)"
                let y = column < b.count ? b[column] : "(none)"
                if x != y {
                    let name = column < header.count ? header[column] : "column \(column + 1)"
                    let group = b.count > 7 ? " (\(b[7]))" : ""
                    out.append("row \(index + 1)\(group), \(name): published \(x), recomputed \(y)")
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
            let a = index < old.count ? String(old[index]) : "(no line)"
            let b = index < new.count ? String(new[index]) : "(no line)"
            if a != b { out.append("line \(index + 1): published « \(a) », recomputed « \(b) »") }
        }
        return out
    }

    private static func describe(_ value: JSONValue?) -> String {
        guard let value else { return "(absent)" }
        return String(decoding: CanonicalJSON.encode(value), as: UTF8.self)
    }
}
