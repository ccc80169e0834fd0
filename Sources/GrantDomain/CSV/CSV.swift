/// RFC 4180 CSV, as the SCDL schema, the statistics files and the demo's identifiers file use it: comma separator,
/// `\n` line ends, UTF-8 without byte-order mark, fields quoted only when they contain a comma, a quote or a line
/// break.
///
/// The one writer of the package (``field(_:)``, ``row(_:)``) and the reader of CSV texts it wrote
/// (``parse(_:)``); files that must be refused when malformed (the reference data, an import) are read by the same
/// byte-level reader in its strict form, `CSVTable`.
///
/// ```swift
/// CSV.row(["beneficiaire", "CA \"Saintes\", Charente"]) // "beneficiaire,\"CA \"\"Saintes\"\", Charente\"\n"
/// CSV.parse("a,\"b,c\"\n") // [["a", "b,c"]]
/// ```
public enum CSV {
    /// One field, quoted when needed (`"` doubled inside quotes).
    public static func field(_ text: String) -> String {
        // Bytes, not `Character`s: "\r\n" is one Character, equal neither to "\r" nor to "\n".
        guard text.utf8.contains(where: { $0 == 0x2C || $0 == 0x22 || $0 == 0x0A || $0 == 0x0D }) else {
            return text
        }
        return "\"" + text.replacing("\"", with: "\"\"") + "\""
    }

    /// One record followed by `\n`.
    public static func row(_ fields: [String]) -> String {
        fields.map(field).joined(separator: ",") + "\n"
    }

    /// Parses a whole CSV text into records (quoted fields may hold commas, quotes and line breaks; records may
    /// differ in width; a byte-order mark or a control character is kept as text).
    /// Returns nil on an unterminated quote, a quote inside an unquoted field or text after a closing quote.
    public static func parse(_ text: String) -> [[String]]? {
        let table: CSVTable
        do throws(CSVTable.Failure) {
            table = try CSVTable(bytes: Array(text.utf8), strictness: .lenient)
        } catch {
            return nil
        }
        return table.records
    }
}
