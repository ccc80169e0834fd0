/// The RFC 8785 JSON Canonicalization Scheme (JCS) writer.
///
/// Objects' members are sorted by the UTF-16 code units of their names; strings are written with the
/// minimal escapes of RFC 8785 §3.2.2.2; numbers as ECMAScript's `Number.prototype.toString` does
/// (§3.2.2.3). See `docs/FORMAT.md` §2.
public enum CanonicalJSON {
    /// The canonical bytes of `value`.
    public static func encode(_ value: JSONValue) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(256)
        write(value, into: &out)
        return out
    }

    /// Appends the canonical bytes of `value` to `out`.
    public static func write(_ value: JSONValue, into out: inout [UInt8]) {
        switch value {
        case .null: out.append(contentsOf: "null".utf8)
        case .bool(let flag): out.append(contentsOf: (flag ? "true" : "false").utf8)
        case .integer(let number): out.append(contentsOf: String(number).utf8)
        case .double(let number): out.append(contentsOf: ECMAScriptNumber.format(number).utf8)
        case .string(let text): writeString(text, into: &out)
        case .array(let items):
            out.append(UInt8(ascii: "["))
            for (position, item) in items.enumerated() {
                if position > 0 { out.append(UInt8(ascii: ",")) }
                write(item, into: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let members):
            out.append(UInt8(ascii: "{"))
            for (position, member) in canonicalOrder(members).enumerated() {
                if position > 0 { out.append(UInt8(ascii: ",")) }
                writeString(member.key, into: &out)
                out.append(UInt8(ascii: ":"))
                write(member.value, into: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    /// The members of `object` in RFC 8785 order. The object keeps them sorted as Swift strings, which is the same
    /// order for the ASCII names of the format's payloads: then they are taken as they are.
    static func canonicalOrder(_ object: JSONObject) -> [JSONObject.Element] {
        let members = Array(object)
        for index in members.indices.dropFirst()
        where !members[index - 1].key.utf16.lexicographicallyPrecedes(members[index].key.utf16) {
            return members.sorted { $0.key.utf16.lexicographicallyPrecedes($1.key.utf16) }
        }
        return members
    }

    /// Member names in RFC 8785 order: by UTF-16 code units, not by scalar or by locale.
    public static func sortedKeys(_ keys: some Collection<String>) -> [String] {
        keys.sorted { $0.utf16.lexicographicallyPrecedes($1.utf16) }
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// Writes a string with RFC 8785's escapes: `\b \t \n \f \r \" \\`, other controls as `\u00xx`.
    public static func writeString(_ text: String, into out: inout [UInt8]) {
        var text = text
        text.withUTF8 { writeString(utf8: $0, into: &out) }
    }

    /// The same for a string given as its UTF-8 bytes (a log line, say, without making a `String` of it). The bytes
    /// are written as they are: they must be valid UTF-8.
    public static func writeString(utf8 bytes: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        // Runs of bytes that need no escape are copied whole.
        var runStart = 0
        for index in bytes.indices {
            let byte = bytes[index]
            guard byte < 0x20 || byte == 0x22 || byte == 0x5C else { continue }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<index]))
            runStart = index + 1
            out.append(0x5C)
            switch byte {
            case 0x22, 0x5C: out.append(byte)
            case 0x08: out.append(UInt8(ascii: "b"))
            case 0x09: out.append(UInt8(ascii: "t"))
            case 0x0A: out.append(UInt8(ascii: "n"))
            case 0x0C: out.append(UInt8(ascii: "f"))
            case 0x0D: out.append(UInt8(ascii: "r"))
            default:
                out.append(UInt8(ascii: "u"))
                out.append(UInt8(ascii: "0"))
                out.append(UInt8(ascii: "0"))
                out.append(hexDigits[Int(byte >> 4)])
                out.append(hexDigits[Int(byte & 0x0F)])
            }
        }
        out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart...]))
        out.append(UInt8(ascii: "\""))
    }
}

/// ECMAScript's Number-to-String conversion (ECMA-262 §7.1.12.1), which RFC 8785 uses for numbers.
enum ECMAScriptNumber {
    /// Formats a finite double. Swift's `description` already yields the shortest round-trip digits; only
    /// the layout (where the point goes, when to use an exponent) differs, and is redone here.
    static func format(_ value: Double) -> String {
        precondition(value.isFinite, "JSON has no NaN or infinity")
        if value == 0 { return "0" }
        let negative = value < 0
        let (digits, pointPosition) = shortestDigits(abs(value))
        let k = digits.count
        let n = pointPosition
        var text = ""
        if k <= n && n <= 21 {
            text = digits + String(repeating: "0", count: n - k)
        } else if 0 < n && n <= 21 {
            let split = digits.index(digits.startIndex, offsetBy: n)
            text = digits[..<split] + "." + digits[split...]
        } else if -6 < n && n <= 0 {
            text = "0." + String(repeating: "0", count: -n) + digits
        } else {
            let exponent = n - 1
            let sign = exponent < 0 ? "-" : "+"
            let mantissa = k == 1 ? digits : String(digits.prefix(1)) + "." + String(digits.dropFirst())
            text = mantissa + "e" + sign + String(abs(exponent))
        }
        return negative ? "-" + text : text
    }

    /// The shortest decimal digits `d` (no leading or trailing zeros) and `n` such that value = 0.d × 10^n.
    static func shortestDigits(_ value: Double) -> (String, Int) {
        let description = value.description  // e.g. "333333333.3333333", "1e-27", "5e-324", "1.5e+300"
        var mantissa = Substring(description)
        var exponent = 0
        if let e = description.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            mantissa = description[..<e]
            exponent = Int(description[description.index(after: e)...])!
        }
        var integerPart = mantissa
        var fractionPart: Substring = ""
        if let dot = mantissa.firstIndex(of: ".") {
            integerPart = mantissa[..<dot]
            fractionPart = mantissa[mantissa.index(after: dot)...]
        }
        var digits = String(integerPart) + String(fractionPart)
        var point = integerPart.count + exponent
        while digits.hasPrefix("0") {
            digits.removeFirst()
            point -= 1
        }
        while digits.hasSuffix("0") { digits.removeLast() }
        return (digits, point)
    }
}
