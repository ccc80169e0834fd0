import Testing

@testable import GrantDomain

/// The one CSV reader and writer: the strict form the reference data and imports go through, the lenient form
/// `CSV.parse` gives the publishing checks, and the writer every CSV file of the package goes through.
@Suite("CSV")
struct CSVTests {
    @Test("a field is quoted when it holds a comma, a quote or a line break, CRLF included")
    func fieldQuoting() {
        #expect(CSV.field("plain é") == "plain é")
        #expect(CSV.field("a,b") == "\"a,b\"")
        #expect(CSV.field("say \"hi\"") == "\"say \"\"hi\"\"\"")
        #expect(CSV.field("a\nb") == "\"a\nb\"")
        #expect(CSV.field("a\rb") == "\"a\rb\"")
        // "\r\n" is one Character, equal to neither "\r" nor "\n": the check must look at bytes.
        #expect(CSV.field("a\r\nb") == "\"a\r\nb\"")
        #expect(CSV.row(["x", "", "CA \"Saintes\", Charente"]) == "x,,\"CA \"\"Saintes\"\", Charente\"\n")
    }

    @Test(
        "the lenient reader round-trips what the writer writes",
        arguments: [
            ["a,b", "say \"hi\"", "plain", "", "line\nbreak"],
            ["crlf\r\ninside", "\r", "trailing,"],
            [""],
        ])
    func roundTrip(fields: [String]) {
        #expect(CSV.parse(CSV.row(fields) + CSV.row(fields)) == [fields, fields])
    }

    @Test(
        "the lenient reader keeps what the strict one refuses, and refuses only bad quoting",
        arguments: [
            ("", [[String]]?.some([])),
            ("\n", [[""]]),
            ("a,b\nc\n", [["a", "b"], ["c"]]),
            ("a,b,", [["a", "b", ""]]),
            ("\u{FEFF}a\n", [["\u{FEFF}a"]]),
            ("a\rb\r\nc\r", [["a\rb"], ["c\r"]]),
            ("\"a\"\r,b\n", [["a\r", "b"]]),
            ("\u{1}\u{9B}", [["\u{1}\u{9B}"]]),
            ("\"a", nil),
            ("a\"b", nil),
            ("\"a\"b", nil),
            ("\"a\"\rb", nil),
        ])
    func lenient(text: String, records: [[String]]?) {
        #expect(CSV.parse(text) == records)
    }

    @Test(
        "the strict reader names the line and column of the first problem, quoting before content",
        arguments: [
            ("", false, "ligne 1", "le fichier est vide"),
            ("a,b\r\n1\r\n", false, "ligne 2", "1 champs"),
            ("a,b\r\n1,2\r3\r\n", false, "ligne 2", "retour chariot"),
            ("a\n\"x\u{1}\"y\n", false, "ligne 2", "guillemet fermant"),
            ("a\nx\u{1}\"\n", false, "ligne 2", "guillemet apparaît"),
            ("a,b\n1,\"x\ny\"\n", false, "ligne 2, colonne 2 (b)", "U+000A"),
            ("a,b\n1,x\u{85}\n", false, "ligne 2, colonne 2 (b)", "U+0085"),
            ("a,b\n1,\u{7F}\n", true, "ligne 2, colonne 2 (b)", "U+007F"),
            ("a\n\"x\n\u{C9}\"\n", true, "ligne 2, colonne 1 (a)", "UTF-8"),
            ("a\n\"x\ny\n", true, "ligne 2", "jamais fermé"),
        ])
    func strictRefusals(text: String, lineBreaks: Bool, location: String, reason: String) throws {
        // U+00C9 stands for the Latin-1 byte 0xC9: invalid UTF-8 once the text is turned back into bytes.
        let bytes = text.unicodeScalars.flatMap { $0.value == 0xC9 ? [0xC9] : Array(String($0).utf8) }
        let failure = #expect(throws: CSVTable.Failure.self) {
            try CSVTable(bytes: bytes, strictness: lineBreaks ? .quotedLineBreaks : .noControls)
        }
        #expect(failure?.location == location)
        #expect(failure?.reason.contains(reason) == true, "\(failure?.reason ?? "")")
    }

    @Test("the strict reader skips a byte-order mark and reads quoted line breaks where allowed")
    func strictReads() throws {
        let bytes: [UInt8] = [0xEF, 0xBB, 0xBF] + Array("code,name\r\n1,\"a\r\nb, \"\"c\"\"\"\r\n2,d".utf8)
        let table = try CSVTable(bytes: bytes, strictness: .quotedLineBreaks)
        #expect(table.header == ["code", "name"])
        #expect(table.lines == [2, 4])
        #expect(table.row(0)[1] == "a\r\nb, \"c\"")
        #expect(table.row(1)[0] == "2" && table.row(1)[1] == "d")
    }
}
