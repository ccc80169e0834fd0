/// RFC 4180 CSV, as the SCDL schema and the statistics files use it: comma separator, `\n` line ends, UTF-8
/// without byte-order mark, fields quoted only when they contain a comma, a quote or a line break.
public enum CSV {
    /// One field, quoted when needed (`"` doubled inside quotes).
    public static func field(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacing("\"", with: "\"\"") + "\""
    }

    /// One record followed by `\n`.
    public static func row(_ fields: [String]) -> String {
        fields.map(field).joined(separator: ",") + "\n"
    }

    /// Parses a whole CSV text into records (quoted fields may hold commas, quotes and line breaks).
    /// Returns nil on an unterminated quote or a quote inside an unquoted field.
    public static func parse(_ text: String) -> [[String]]? {
        var records: [[String]] = []
        var record: [String] = []
        var field = ""
        var inQuotes = false
        var quoted = false
        var scalars = Array(text.unicodeScalars)[...]
        while let c = scalars.popFirst() {
            if inQuotes {
                if c == "\"" {
                    if scalars.first == "\"" {
                        field.unicodeScalars.append("\"")
                        scalars.removeFirst()
                    } else {
                        inQuotes = false
                    }
                } else {
                    field.unicodeScalars.append(c)
                }
                continue
            }
            switch c {
            case "\"":
                guard field.isEmpty && !quoted else { return nil }
                inQuotes = true
                quoted = true
            case ",":
                record.append(field)
                field = ""
                quoted = false
            case "\n":
                record.append(field)
                records.append(record)
                record = []
                field = ""
                quoted = false
            case "\r":
                if scalars.first != "\n" { field.unicodeScalars.append(c) }
            default:
                guard !quoted else { return nil }
                field.unicodeScalars.append(c)
            }
        }
        if inQuotes { return nil }
        if !field.isEmpty || !record.isEmpty || quoted {
            record.append(field)
            records.append(record)
        }
        return records
    }
}
