public import LedgerCrypto

/// A strict RFC 8259 parser that keeps integers exact and refuses what I-JSON (RFC 7493) refuses.
///
/// Refused: invalid UTF-8, lone surrogate escapes, duplicate member names, trailing data, nesting deeper
/// than 128, and numbers outside the double range. An integer literal (no fraction, no exponent) that fits
/// in 64 bits becomes `.integer`; every other number becomes `.double`.
public struct JSONParser {
    public static let maxDepth = 128

    /// Parses one JSON text (surrounding whitespace allowed).
    public static func parse(_ bytes: some Collection<UInt8>) throws(JSONError) -> JSONValue {
        func run(_ buffer: UnsafeBufferPointer<UInt8>) -> Result<JSONValue, JSONError> {
            var parser = JSONParser(buffer)
            return Result { () throws(JSONError) -> JSONValue in try parser.parseDocument() }
        }
        // Parsed where the bytes lie when they are contiguous (a line's payload), copied otherwise.
        let result = bytes.withContiguousStorageIfAvailable(run) ?? Array(bytes).withUnsafeBufferPointer(run)
        return try result.get()
    }

    /// Parses one JSON text from a string.
    public static func parse(_ text: String) throws(JSONError) -> JSONValue {
        try parse(Array(text.utf8))
    }

    private let bytes: UnsafeBufferPointer<UInt8>
    private var index = 0
    private var depth = 0

    init(_ bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    mutating func parseDocument() throws(JSONError) -> JSONValue {
        skipWhitespace()
        let value = try parseValue()
        skipWhitespace()
        guard index == bytes.count else { throw error("données inattendues après la valeur JSON") }
        return value
    }

    private func error(_ message: String) -> JSONError {
        JSONError(message, offset: index)
    }

    private mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }

    private mutating func parseValue() throws(JSONError) -> JSONValue {
        guard index < bytes.count else { throw error("fin inattendue des données") }
        switch bytes[index] {
        case UInt8(ascii: "{"): return try parseObject()
        case UInt8(ascii: "["): return try parseArray()
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try expectLiteral("true"); return .bool(true)
        case UInt8(ascii: "f"): try expectLiteral("false"); return .bool(false)
        case UInt8(ascii: "n"): try expectLiteral("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber()
        default:
            let byte = bytes[index]
            guard byte > 0x20, byte < 0x7F else {
                throw error("octet inattendu 0x\(String(byte, radix: 16, uppercase: true))")
            }
            throw error("caractère inattendu « \(Character(Unicode.Scalar(byte))) »")
        }
    }

    private mutating func expectLiteral(_ literal: StaticString) throws(JSONError) {
        let count = literal.utf8CodeUnitCount
        guard index + count <= bytes.count else { throw error("fin inattendue des données") }
        for offset in 0..<count where bytes[index + offset] != literal.utf8Start[offset] {
            throw error("littéral invalide")
        }
        index += count
    }

    private mutating func parseObject() throws(JSONError) -> JSONValue {
        depth += 1
        defer { depth -= 1 }
        guard depth <= JSONParser.maxDepth else { throw error("imbrication de plus de \(JSONParser.maxDepth) niveaux") }
        index += 1
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
            index += 1
            return .object(JSONObject())
        }
        var pairs: [JSONObject.Element] = []
        var offsets: [Int] = []
        while true {
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw error("nom de membre attendu") }
            offsets.append(index)
            let key = try parseString()
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw error("« : » attendu") }
            index += 1
            skipWhitespace()
            pairs.append((key: key, value: try parseValue()))
            skipWhitespace()
            guard index < bytes.count else { throw error("fin inattendue des données") }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
                continue
            }
            if bytes[index] == UInt8(ascii: "}") {
                index += 1
                break
            }
            throw error("« , » ou « } » attendu")
        }
        switch JSONObject.make(pairs) {
        case .object(let object): return .object(object)
        case .repeated(let repeated):
            throw JSONError("nom de membre « \(pairs[repeated].key) » en double", offset: offsets[repeated])
        }
    }

    private mutating func parseArray() throws(JSONError) -> JSONValue {
        depth += 1
        defer { depth -= 1 }
        guard depth <= JSONParser.maxDepth else { throw error("imbrication de plus de \(JSONParser.maxDepth) niveaux") }
        index += 1
        var items: [JSONValue] = []
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
            index += 1
            return .array(items)
        }
        while true {
            skipWhitespace()
            items.append(try parseValue())
            skipWhitespace()
            guard index < bytes.count else { throw error("fin inattendue des données") }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
                continue
            }
            if bytes[index] == UInt8(ascii: "]") {
                index += 1
                return .array(items)
            }
            throw error("« , » ou « ] » attendu")
        }
    }

    private mutating func parseHex4() throws(JSONError) -> UInt32 {
        guard index + 4 <= bytes.count else { throw error("échappement \\u tronqué") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let c = bytes[index]
            let digit: UInt32
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(c - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(c - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(c - UInt8(ascii: "A") + 10)
            default: throw error("échappement \\u invalide")
            }
            value = value << 4 | digit
            index += 1
        }
        return value
    }

    private mutating func parseString() throws(JSONError) -> String {
        index += 1
        // Most strings have no escape: made straight from the input, validated once.
        let start = index
        while index < bytes.count, bytes[index] != UInt8(ascii: "\""), bytes[index] != UInt8(ascii: "\\"),
            bytes[index] >= 0x20
        {
            index += 1
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "\"") {
            guard let string = UTF8Text.string(validating: UnsafeBufferPointer(rebasing: bytes[start..<index])) else {
                throw error("UTF-8 invalide dans une chaîne")
            }
            index += 1
            return string
        }
        var runStart = start
        var out: [UInt8] = []
        while true {
            guard index < bytes.count else { throw error("chaîne non terminée") }
            let c = bytes[index]
            if c == UInt8(ascii: "\"") {
                out.append(contentsOf: bytes[runStart..<index])
                index += 1
                break
            }
            if c < 0x20 { throw error("caractère de contrôle brut dans une chaîne") }
            if c == UInt8(ascii: "\\") {
                out.append(contentsOf: bytes[runStart..<index])
                index += 1
                guard index < bytes.count else { throw error("échappement non terminé") }
                let e = bytes[index]
                index += 1
                switch e {
                case UInt8(ascii: "\""): out.append(0x22)
                case UInt8(ascii: "\\"): out.append(0x5C)
                case UInt8(ascii: "/"): out.append(0x2F)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "u"):
                    var code = try parseHex4()
                    if (0xD800...0xDBFF).contains(code) {
                        guard index + 6 <= bytes.count, bytes[index] == UInt8(ascii: "\\"),
                            bytes[index + 1] == UInt8(ascii: "u")
                        else { throw error("demi-codet isolé dans un échappement \\u") }
                        index += 2
                        let low = try parseHex4()
                        guard (0xDC00...0xDFFF).contains(low) else {
                            throw error("demi-codet isolé dans un échappement \\u")
                        }
                        code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                    } else if (0xDC00...0xDFFF).contains(code) {
                        throw error("demi-codet isolé dans un échappement \\u")
                    }
                    out.append(contentsOf: UTF8.encode(Unicode.Scalar(code)!)!)
                default: throw error("échappement invalide")
                }
                runStart = index
                continue
            }
            index += 1
        }
        guard let string = UTF8Text.string(validating: out) else { throw error("UTF-8 invalide dans une chaîne") }
        return string
    }

    private mutating func parseNumber() throws(JSONError) -> JSONValue {
        let start = index
        if bytes[index] == UInt8(ascii: "-") { index += 1 }
        guard index < bytes.count, isDigit(bytes[index]) else { throw error("nombre invalide") }
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
        } else {
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        }
        var isInteger = true
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            isInteger = false
            index += 1
            guard index < bytes.count, isDigit(bytes[index]) else { throw error("nombre invalide") }
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            isInteger = false
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
                index += 1
            }
            guard index < bytes.count, isDigit(bytes[index]) else { throw error("nombre invalide") }
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        }
        if isInteger, let value = integer(start..<index) { return .integer(value) }
        let text = String(decoding: bytes[start..<index], as: UTF8.self)
        guard let value = Double(text), value.isFinite else { throw error("nombre hors limites") }
        return .double(value)
    }

    /// The integer an integer literal spells (an optional `-`, then digits), nil when it leaves 64 bits.
    private func integer(_ range: Range<Int>) -> Int64? {
        var index = range.lowerBound
        let negative = bytes[index] == UInt8(ascii: "-")
        if negative { index += 1 }
        // Accumulated negatively, so that Int64.min is reached without overflowing.
        var value: Int64 = 0
        while index < range.upperBound {
            let digit = Int64(bytes[index] &- UInt8(ascii: "0"))
            let (times10, o1) = value.multipliedReportingOverflow(by: 10)
            let (next, o2) = times10.subtractingReportingOverflow(digit)
            if o1 || o2 { return nil }
            value = next
            index += 1
        }
        if negative { return value }
        return value == Int64.min ? nil : -value
    }

    @inline(__always)
    private func isDigit(_ c: UInt8) -> Bool { c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") }
}

/// The errors of parsing JSON.
public enum JSONFailure: ErrorDomain {
    public struct Details: ErrorDetails, Hashable {
        /// Byte offset where the problem was found.
        public var offset = 0
        public init() {}
    }
}

/// Why a JSON text was refused: the message names the problem and its byte offset.
public typealias JSONError = CodedError<JSONFailure>

extension ErrorCode where Domain == JSONFailure {
    /// Not JSON as RFC 8259 (and this parser's limits) accept it.
    public static let invalid = Self("invalid")
}

extension CodedError where Domain == JSONFailure {
    /// `problem` at byte `offset`.
    init(_ problem: String, offset: Int) {
        self.init(.invalid, "\(problem) (à l'octet \(offset))")
        details.offset = offset
    }
}
