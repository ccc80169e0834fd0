/// A JSON object written member by member, in the order they are added (the report reads top to bottom).
struct ReportJSON {
    private var members: [(String, String)] = []

    init() {}

    mutating func add(_ name: String, _ value: Int) { members.append((name, String(value))) }
    mutating func add(_ name: String, _ value: Bool) { members.append((name, value ? "true" : "false")) }
    mutating func add(_ name: String, _ value: String) { members.append((name, ReportJSON.quoted(value))) }
    mutating func add(_ name: String, _ value: ReportJSON) { members.append((name, value.text(indent: 0))) }
    mutating func addNull(_ name: String) { members.append((name, "null")) }

    /// A rate or ratio: rounded to `digits` decimals (integers when 0).
    mutating func add(_ name: String, _ value: Double, digits: Int = 0) {
        members.append((name, ReportJSON.number(value, digits: digits)))
    }

    mutating func add(_ name: String, _ values: [Double], digits: Int = 0) {
        members.append((name, "[" + values.map { ReportJSON.number($0, digits: digits) }.joined(separator: ", ") + "]"))
    }

    static func number(_ value: Double, digits: Int) -> String {
        guard value.isFinite else { return "null" }
        if digits == 0 { return String(Int64(value.rounded())) }
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let scaled = Int64((abs(value) * scale).rounded())
        let whole = scaled / Int64(scale)
        var fraction = String(scaled % Int64(scale))
        while fraction.count < digits { fraction = "0" + fraction }
        return (value < 0 && scaled != 0 ? "-" : "") + "\(whole).\(fraction)"
    }

    static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    /// Pretty-printed, two spaces per level.
    func text(indent: Int = 0) -> String {
        guard !members.isEmpty else { return "{}" }
        let pad = String(repeating: " ", count: indent + 2)
        let lines = members.map { name, value in
            pad + ReportJSON.quoted(name) + ": " + reindent(value, by: indent + 2)
        }
        return "{\n" + lines.joined(separator: ",\n") + "\n" + String(repeating: " ", count: indent) + "}"
    }

    private func reindent(_ value: String, by spaces: Int) -> String {
        guard value.contains("\n") else { return value }
        let pad = String(repeating: " ", count: spaces)
        return value.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
            .map { $0.offset == 0 ? String($0.element) : pad + $0.element }.joined(separator: "\n")
    }
}
