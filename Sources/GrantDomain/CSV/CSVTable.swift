import LedgerCore

/// A parsed RFC 4180 CSV file: a header and rows of fields, read straight from bytes — the package's one CSV
/// reader (``CSV/parse(_:)`` is its lenient form).
///
/// The reference files are CRLF-terminated and some EPCI names contain commas and doubled quotes
/// (`"CA ""Saintes - Grandes Rives - L'Agglo"""`), so splitting lines on commas would be wrong. This reader
/// handles quoted fields (commas, `""`, line breaks inside quotes), CRLF or LF endings, a final line with or
/// without a line break, and a UTF-8 byte-order mark. It works on bytes rather than `Character`s because
/// grapheme breaking is the slow part of parsing 1.7 MB of text, and it looks at each byte once: the control
/// character check runs in the same pass that finds the field's end, and a quoted field without `""` is not
/// copied before it becomes a `String`.
///
/// Unless ``Strictness/lenient``, every field must be valid UTF-8 without control characters (C0, DEL, C1 — line
/// breaks inside quotes included, unless ``Strictness/quotedLineBreaks``): a spreadsheet saved in Latin-1 or a
/// field carrying an escape sequence is refused with its line and column rather than stored as U+FFFD or
/// replayed to a terminal. Every row must then have as many fields as the header.
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

    /// What a file may contain.
    enum Strictness {
        /// No control character anywhere, quoted or not (an imported file: every text field of an event refuses
        /// them).
        case noControls
        /// No control character except line breaks inside quotes (the bundled reference files).
        case quotedLineBreaks
        /// Any text: records of any width, a byte-order mark, control characters and a carriage return without
        /// line feed are kept as text, invalid UTF-8 is repaired, an empty file has no record. Only the quoting
        /// must be right. For reading back CSV texts this package wrote.
        case lenient
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

    /// One row: a view into the table's flat field storage (one array for the whole file, not one per row).
    struct Row {
        fileprivate var fields: ArraySlice<String>
        /// The field in column `column` (0-based).
        subscript(column: Int) -> String { fields[fields.startIndex + column] }
    }

    /// The first record (empty only for an empty ``Strictness/lenient`` file).
    var header: [String]
    /// For each row after the header, the 1-based line of the file where it starts (for error messages).
    var lines: [Int]
    /// All fields, header included, record after record.
    private var fields: [String]
    /// Where each record starts in ``fields``, and where the last one ends.
    private var starts: [Int]

    /// The `index`-th row after the header (0-based).
    func row(_ index: Int) -> Row {
        Row(fields: fields[starts[index + 1]..<starts[index + 2]])
    }

    /// Every record, the header first.
    var records: [[String]] {
        (0..<(starts.count - 1)).map { Array(fields[starts[$0]..<starts[$0 + 1]]) }
    }

    /// Parses `bytes`; unless `strictness` is ``Strictness/lenient``, every row must have as many fields as the
    /// header.
    init(bytes: [UInt8], strictness: Strictness = .noControls) throws(Failure) {
        let parsed = try bytes.withUnsafeBufferPointer { buffer throws(Failure) in
            var reader = Reader(bytes: buffer, strictness: strictness)
            try reader.read()
            return (fields: reader.fields, starts: reader.starts, lines: reader.lines)
        }
        guard let width = parsed.starts.count > 1 ? parsed.starts[1] : nil else {
            guard strictness == .lenient else { throw Failure(line: 1, reason: "le fichier est vide") }
            header = []
            lines = []
            fields = []
            starts = [0]
            return
        }
        header = Array(parsed.fields[0..<width])
        fields = parsed.fields
        starts = parsed.starts
        lines = Array(parsed.lines.dropFirst())
    }

    /// The single pass over the bytes: fields in one flat array, with where each record starts and its line.
    private struct Reader {
        let bytes: UnsafeBufferPointer<UInt8>
        let strictness: Strictness
        var fields: [String] = []
        var starts: [Int] = [0]
        var lines: [Int] = []
        /// The bytes of a quoted field whose text is not a slice of the file (it held `""`).
        var unescaped: [UInt8] = []

        static let quote = UInt8(ascii: "\"")
        static let comma = UInt8(ascii: ",")
        static let cr = UInt8(ascii: "\r")
        static let lf = UInt8(ascii: "\n")

        init(bytes: UnsafeBufferPointer<UInt8>, strictness: Strictness) {
            self.bytes = bytes
            self.strictness = strictness
            fields.reserveCapacity(bytes.count / 6)
            lines.reserveCapacity(bytes.count / 40)
        }

        /// Whether `byte`, after `previous` in its field, is a control character the file may not hold: C0 (line
        /// breaks allowed inside quotes of a ``Strictness/quotedLineBreaks`` file), DEL, or C1 (U+0080–U+009F,
        /// encoded C2 80–C2 9F). Called only for bytes below 0x20 or from 0x7F.
        private func isRefusedControl(_ byte: UInt8, previous: UInt8, quoted: Bool) -> Bool {
            if byte < 0x20 {
                return !(quoted && strictness == .quotedLineBreaks && (byte == Reader.lf || byte == Reader.cr))
            }
            return byte == 0x7F || (previous == 0xC2 && byte <= 0x9F)
        }

        /// Adds the field's text, or throws why it is refused (naming the field's line and column): a control
        /// character (`control`, the code point's last byte), else invalid UTF-8.
        private mutating func append(_ text: UnsafeBufferPointer<UInt8>, control: UInt8?, line: Int) throws(Failure) {
            if let control {
                let hex = String(control, radix: 16, uppercase: true)
                throw located(
                    "le caractère de contrôle U+\(String(repeating: "0", count: 4 - hex.count))\(hex) est refusé",
                    line: line)
            }
            if strictness == .lenient {
                fields.append(String(decoding: text, as: UTF8.self))
            } else if let string = UTF8Text.string(validating: text) {
                fields.append(string)
            } else {
                throw located("le texte n'est pas de l'UTF-8 valide (enregistrez le fichier en UTF-8)", line: line)
            }
        }

        /// A refusal of the field being read, at `line`, with its column and the header's name for it.
        private func located(_ reason: String, line: Int) -> Failure {
            let column = fields.count - starts[starts.count - 1]
            var failure = Failure(line: line, reason: reason, column: column + 1)
            if starts.count > 1, column < starts[1] { failure.columnName = fields[column] }
            return failure
        }

        /// Closes the record read so far, which started on `line`.
        private mutating func finishRecord(line: Int) throws(Failure) {
            let width = fields.count - starts[starts.count - 1]
            if strictness != .lenient, starts.count > 1, width != starts[1] {
                throw Failure(line: line, reason: "la ligne a \(width) champs là où l'en-tête en a \(starts[1])")
            }
            starts.append(fields.count)
            lines.append(line)
        }

        mutating func read() throws(Failure) {
            let quote = Reader.quote
            let comma = Reader.comma
            let cr = Reader.cr
            let lf = Reader.lf
            let strict = strictness != .lenient
            let end = bytes.count
            var index = strict && bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
            var line = 1
            var recordLine = 1
            while index < end {
                if fields.count == starts[starts.count - 1] { recordLine = line }
                // One field starts here. A control character is reported only once the field's quoting is known
                // to be right, so `control` keeps the first one.
                var control: UInt8? = nil
                var previous: UInt8 = 0
                if bytes[index] == quote {
                    index += 1
                    let fieldLine = line
                    let start = index
                    var escaped = false
                    var closed = false
                    while index < end {
                        let byte = bytes[index]
                        if byte == quote {
                            guard index + 1 < end && bytes[index + 1] == quote else {
                                closed = true
                                break
                            }
                            if !escaped {
                                escaped = true
                                unescaped.removeAll(keepingCapacity: true)
                                unescaped.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<index]))
                            }
                            unescaped.append(quote)
                            previous = quote
                            index += 2
                            continue
                        }
                        if byte == lf { line += 1 }
                        if strict && control == nil && (byte < 0x20 || byte >= 0x7F)
                            && isRefusedControl(byte, previous: previous, quoted: true)
                        {
                            control = byte
                        }
                        if escaped { unescaped.append(byte) }
                        previous = byte
                        index += 1
                    }
                    guard closed else {
                        throw Failure(line: fieldLine, reason: "un champ entre guillemets n'est jamais fermé")
                    }
                    let close = index
                    index += 1
                    // Lenient: a carriage return without line feed after the closing quote is kept as text.
                    while !strict && index < end && bytes[index] == cr && !(index + 1 < end && bytes[index + 1] == lf) {
                        if !escaped {
                            escaped = true
                            unescaped.removeAll(keepingCapacity: true)
                            unescaped.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<close]))
                        }
                        unescaped.append(cr)
                        index += 1
                    }
                    guard index == end || bytes[index] == comma || bytes[index] == cr || bytes[index] == lf else {
                        throw Failure(
                            line: line, reason: "un guillemet fermant est suivi d'un autre caractère qu'une virgule")
                    }
                    if escaped {
                        let text = unescaped
                        try text.withUnsafeBufferPointer { text throws(Failure) in
                            try append(text, control: control, line: fieldLine)
                        }
                    } else {
                        try append(
                            UnsafeBufferPointer(rebasing: bytes[start..<close]), control: control, line: fieldLine)
                    }
                } else {
                    let start = index
                    while index < end {
                        let byte = bytes[index]
                        if byte == comma || byte == lf { break }
                        if byte == quote {
                            throw Failure(line: line, reason: "un guillemet apparaît dans un champ sans guillemets")
                        }
                        // Lenient: a carriage return without line feed is text.
                        if byte == cr && (strict || (index + 1 < end && bytes[index + 1] == lf)) { break }
                        if strict && control == nil && (byte < 0x20 || byte >= 0x7F)
                            && isRefusedControl(byte, previous: previous, quoted: false)
                        {
                            control = byte
                        }
                        previous = byte
                        index += 1
                    }
                    try append(UnsafeBufferPointer(rebasing: bytes[start..<index]), control: control, line: line)
                }
                // What ends the field: a comma (another field follows), a line break or the end of the file.
                if index < end && bytes[index] == comma {
                    index += 1
                    if index == end { fields.append("") }
                    continue
                }
                if index < end && bytes[index] == cr {
                    index += 1
                    guard index < end && bytes[index] == lf else {
                        throw Failure(line: line, reason: "un retour chariot n'est pas suivi d'un saut de ligne")
                    }
                }
                if index < end { index += 1 }  // the line feed
                try finishRecord(line: recordLine)
                line += 1
            }
            if fields.count > starts[starts.count - 1] { try finishRecord(line: recordLine) }
        }
    }
}
