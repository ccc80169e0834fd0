/// Strict parsing of the small text fields shared by notes, checkpoints and proofs.
///
/// Every format here is signed or hashed as bytes, so each field accepts exactly one spelling of a value:
/// a decimal without sign or leading zeros, a key name without spaces or `+`.
enum TextField {
    /// Parses an ASCII decimal with no sign and no leading zeros ("0" itself is allowed), fitting in a `UInt64`.
    static func decimal(_ text: some StringProtocol) -> UInt64? {
        let utf8 = Array(text.utf8)
        guard !utf8.isEmpty, utf8.count <= 20 else { return nil }
        guard utf8.count == 1 || utf8[0] != UInt8(ascii: "0") else { return nil }
        var value: UInt64 = 0
        for character in utf8 {
            guard character >= UInt8(ascii: "0"), character <= UInt8(ascii: "9") else { return nil }
            let (times10, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times10.addingReportingOverflow(UInt64(character - UInt8(ascii: "0")))
            guard !overflow1, !overflow2 else { return nil }
            value = sum
        }
        return value
    }

    /// Whether `name` is a valid signed-note key name: non-empty, no Unicode white space, no `+`.
    ///
    /// Names appear in `— name sig` lines split on spaces and in `name+hex+key` texts split on `+`, so either
    /// character would make the text ambiguous.
    static func isValidKeyName(_ name: some StringProtocol) -> Bool {
        !name.isEmpty && !name.unicodeScalars.contains { $0.properties.isWhitespace || $0 == "+" }
    }

    /// Parses exactly 8 hexadecimal digits (either case, as Go's `strconv.ParseUint` does) into a key ID.
    static func keyID(hex text: some StringProtocol) -> UInt32? {
        let utf8 = Array(text.utf8)
        guard utf8.count == 8 else { return nil }
        var value: UInt32 = 0
        for character in utf8 {
            let nibble: UInt8
            switch character {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): nibble = character - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): nibble = character - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): nibble = character - UInt8(ascii: "A") + 10
            default: return nil
            }
            value = value << 4 | UInt32(nibble)
        }
        return value
    }

    /// Formats a key ID as 8 lowercase hexadecimal digits.
    static func hex(_ keyID: UInt32) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for shift in stride(from: 28, through: 0, by: -4) { out.append(digits[Int(keyID >> UInt32(shift) & 0xF)]) }
        return String(decoding: out, as: UTF8.self)
    }

    /// Reads a big-endian `UInt32` from the first four bytes.
    static func bigEndianUInt32(_ bytes: ArraySlice<UInt8>) -> UInt32 {
        bytes.prefix(4).reduce(0) { $0 << 8 | UInt32($1) }
    }

    /// Reads a big-endian `UInt64` from the first eight bytes.
    static func bigEndianUInt64(_ bytes: ArraySlice<UInt8>) -> UInt64 {
        bytes.prefix(8).reduce(0) { $0 << 8 | UInt64($1) }
    }

    /// The big-endian bytes of `value`.
    static func bytes(bigEndian value: UInt32) -> [UInt8] {
        (0..<4).map { UInt8(truncatingIfNeeded: value >> (24 - 8 * UInt32($0))) }
    }

    /// The big-endian bytes of `value`.
    static func bytes(bigEndian value: UInt64) -> [UInt8] {
        (0..<8).map { UInt8(truncatingIfNeeded: value >> (56 - 8 * UInt64($0))) }
    }

    /// Splits `text` at the first occurrence of the ASCII byte `separator`; nil when absent.
    ///
    /// Works on UTF-8 bytes, not characters, so a combining mark after the separator cannot hide it.
    static func chop(_ text: Substring, _ separator: UInt8) -> (Substring, Substring)? {
        guard let index = text.utf8.firstIndex(of: separator) else { return nil }
        return (Substring(text.utf8[..<index]), Substring(text.utf8[text.utf8.index(after: index)...]))
    }
}
