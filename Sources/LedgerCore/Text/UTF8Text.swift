/// Strings made from UTF-8 bytes that must be valid (RFC 3629), without the standard library's generic validating
/// initialiser, which looked up type metadata on every call and was a measurable part of parsing a log.
public enum UTF8Text {
    /// The string of `bytes`, or nil when they are not valid UTF-8: shortest forms only, no surrogates, nothing
    /// beyond U+10FFFF.
    public static func string(validating bytes: UnsafeBufferPointer<UInt8>) -> String? {
        guard isValid(bytes) else { return nil }
        // Valid: decoding repairs nothing, and takes the standard library's fast path for contiguous bytes.
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The string of `bytes`, or nil when they are not valid UTF-8.
    public static func string(validating bytes: [UInt8]) -> String? {
        bytes.withUnsafeBufferPointer { string(validating: $0) }
    }

    /// Whether `bytes` are valid UTF-8 (RFC 3629 §4).
    public static func isValid(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var index = 0
        while index < bytes.count {
            if bytes[index] < 0x80 {
                index += 1
                continue
            }
            guard let length = multiByteLength(bytes, at: index) else { return false }
            index += length
        }
        return true
    }

    /// The length of the valid multi-byte sequence that starts at `index` (its lead byte is not ASCII), or nil: the
    /// shortest form only, no surrogates, nothing beyond U+10FFFF (RFC 3629 §4). The one place these rules are
    /// written, for this type and for the canonical scanner.
    @inline(__always)
    static func multiByteLength(_ bytes: UnsafeBufferPointer<UInt8>, at index: Int) -> Int? {
        let length: Int
        var lowerBound: UInt8 = 0x80
        var upperBound: UInt8 = 0xBF
        switch bytes[index] {
        case 0xC2...0xDF: length = 2
        case 0xE0: length = 3; lowerBound = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED: length = 3; upperBound = 0x9F
        case 0xF0: length = 4; lowerBound = 0x90
        case 0xF1...0xF3: length = 4
        case 0xF4: length = 4; upperBound = 0x8F
        default: return nil
        }
        guard index + length <= bytes.count else { return nil }
        let second = bytes[index + 1]
        guard second >= lowerBound && second <= upperBound else { return nil }
        var offset = 2
        while offset < length {
            guard bytes[index + offset] & 0xC0 == 0x80 else { return nil }
            offset += 1
        }
        return length
    }
}
