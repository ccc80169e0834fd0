/// A parsed RFC 4180 CSV file: a header and rows of fields, read straight from bytes.
///
/// The reference files are CRLF-terminated and some EPCI names contain commas and doubled quotes
/// (`"CA ""Saintes - Grandes Rives - L'Agglo"""`), so splitting lines on commas would be wrong. This reader
/// handles quoted fields (commas, `""`, line breaks inside quotes), CRLF or LF endings, a final line with or
/// without a line break, and a UTF-8 byte-order mark. It works on bytes rather than `Character`s because
/// grapheme breaking is the slow part of parsing 1.7 MB of text.
///
/// Every field must be valid UTF-8 without control characters (C0, DEL, C1 — line breaks inside quotes
/// included): a spreadsheet saved in Latin-1 or a field carrying an escape sequence is refused with its line and
/// column rather than stored as U+FFFD or replayed to a terminal.
struct CSVTable {
    /// A malformed file, with the 1-based line where the problem was found and, for a bad field, its column.
    struct Failure: Error {
        var line: Int
        var reason: String
        /// The 1-based column of the bad field, and its header name once the header is read.
        var column: Int? = nil
        var columnName: String? = nil

        /// « ligne 3, colonne 5 (title) » or « ligne 3 ».
        var location: String {
            guard let column else { return "ligne \(line)" }
            let name = columnName.map { $0.isEmpty ? " (sans nom)" : " (\(CSVTable.printable($0)))" } ?? ""
            return "ligne \(line), colonne \(column)\(name)"
        }
    }

    /// `text` with control characters shown as `\u{…}`, for messages about a header that may hold anything.
    static func printable(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            if scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) {
                out += "\\u{\(String(scalar.value, radix: 16, uppercase: true))}"
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// The field's text, or why it is refused: invalid UTF-8, or a control character (C0, DEL or C1; line breaks
    /// are allowed with `lineBreaks`).
    static func text(_ bytes: some Collection<UInt8>, lineBreaks: Bool = false) -> Result<String, Failure> {
        var previous: UInt8 = 0
        for byte in bytes {
            if lineBreaks, byte == 0x0A || byte == 0x0D {
                previous = byte
                continue
            }
            if byte < 0x20 || byte == 0x7F || (previous == 0xC2 && (0x80...0x9F).contains(byte)) {
                // A C1 control U+0080–U+009F is encoded C2 80–C2 9F: its code point is the second byte.
                let hex = String(byte, radix: 16, uppercase: true)
                return .failure(
                    Failure(
                        line: 0,
                        reason:
                            "le caractère de contrôle U+\(String(repeating: "0", count: 4 - hex.count))\(hex) est refusé"
                    ))
            }
            previous = byte
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            return .failure(
                Failure(line: 0, reason: "le texte n'est pas de l'UTF-8 valide (enregistrez le fichier en UTF-8)"))
        }
        return .success(text)
    }

    /// One row: a view into the table's flat field storage (one array for the whole file, not one per row).
    struct Row {
        fileprivate var fields: ArraySlice<String>
        /// The field in column `column` (0-based).
        subscript(column: Int) -> String { fields[fields.startIndex + column] }
    }

    /// The first row.
    var header: [String]
    /// For each row, the 1-based line of the file where it starts (for error messages).
    var lines: [Int]
    /// All fields after the header, row after row.
    private var fields: [String]

    /// The `index`-th row after the header (0-based), with as many fields as the header.
    func row(_ index: Int) -> Row {
        let width = header.count
        return Row(fields: fields[(index * width)..<(index * width + width)])
    }

    /// Parses `bytes`; every row must have as many fields as the header.
    ///
    /// - Parameter quotedLineBreaks: whether a quoted field may hold line breaks (the bundled reference files);
    ///   an imported file's fields may not, since every text field of an event refuses control characters.
    init(bytes: [UInt8], quotedLineBreaks: Bool = false) throws(Failure) {
        var header: [String]? = nil
        var fields: [String] = []
        var recordLines: [Int] = []
        fields.reserveCapacity(bytes.count / 6)
        recordLines.reserveCapacity(bytes.count / 40)
        // Moves the finished record into the header or the flat field storage.
        func finish(_ record: inout [String], line: Int) throws(Failure) {
            if let header {
                guard record.count == header.count else {
                    throw Failure(
                        line: line,
                        reason: "la ligne a \(record.count) champs là où l'en-tête en a \(header.count)"
                    )
                }
                fields.append(contentsOf: record)
                recordLines.append(line)
            } else {
                header = record
            }
            record.removeAll(keepingCapacity: true)
        }
        var record: [String] = []
        // The field's text, or a failure naming its line and column.
        func checked(_ field: some Collection<UInt8>, line: Int, quoted: Bool) throws(Failure) -> String {
            switch CSVTable.text(field, lineBreaks: quoted && quotedLineBreaks) {
            case .success(let text): return text
            case .failure(var failure):
                failure.line = line
                failure.column = record.count + 1
                if let header, record.count < header.count { failure.columnName = header[record.count] }
                throw failure
            }
        }
        let quote = UInt8(ascii: "\"")
        let comma = UInt8(ascii: ",")
        let cr = UInt8(ascii: "\r")
        let lf = UInt8(ascii: "\n")
        var index = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        var line = 1
        var recordLine = 1
        var field: [UInt8] = []
        let end = bytes.count
        while index < end {
            if record.isEmpty { recordLine = line }
            // One field starts here.
            field.removeAll(keepingCapacity: true)
            var value: String
            if bytes[index] == quote {
                index += 1
                let startLine = line
                var closed = false
                while index < end {
                    let byte = bytes[index]
                    if byte == quote {
                        if index + 1 < end && bytes[index + 1] == quote {
                            field.append(quote)
                            index += 2
                        } else {
                            index += 1
                            closed = true
                            break
                        }
                    } else {
                        if byte == lf { line += 1 }
                        field.append(byte)
                        index += 1
                    }
                }
                guard closed else {
                    throw Failure(line: startLine, reason: "un champ entre guillemets n'est jamais fermé")
                }
                guard index == end || bytes[index] == comma || bytes[index] == cr || bytes[index] == lf else {
                    throw Failure(
                        line: line, reason: "un guillemet fermant est suivi d'un autre caractère qu'une virgule")
                }
                value = try checked(field, line: startLine, quoted: true)
            } else {
                let start = index
                while index < end, bytes[index] != comma, bytes[index] != cr, bytes[index] != lf {
                    if bytes[index] == quote {
                        throw Failure(line: line, reason: "un guillemet apparaît dans un champ sans guillemets")
                    }
                    index += 1
                }
                value = try checked(bytes[start..<index], line: line, quoted: false)
            }
            record.append(value)
            // What ends the field: a comma (another field follows), a line break or the end of the file.
            if index < end && bytes[index] == comma {
                index += 1
                if index == end { record.append("") }
                continue
            }
            if index < end && bytes[index] == cr {
                index += 1
                guard index < end && bytes[index] == lf else {
                    throw Failure(line: line, reason: "un retour chariot n'est pas suivi d'un saut de ligne")
                }
            }
            if index < end { index += 1 }  // the line feed
            try finish(&record, line: recordLine)
            line += 1
        }
        if !record.isEmpty { try finish(&record, line: recordLine) }
        guard let header else { throw Failure(line: 1, reason: "le fichier est vide") }
        self.header = header
        self.fields = fields
        self.lines = recordLines
    }
}
