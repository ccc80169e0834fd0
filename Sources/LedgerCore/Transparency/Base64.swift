/// Standard, padded base64 (RFC 4648 §4), strict on input.
///
/// Checkpoints, note signatures and proof texts are compared and hashed as bytes, so a value must have exactly one
/// text form: decoding rejects missing padding, whitespace and non-zero trailing bits (which Go's lenient decoder
/// would accept), so `encode(decode(s)) == s` for every accepted `s`. Hand-written to keep LedgerCore free of
/// Foundation.
enum Base64 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    private static let reverse: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (index, character) in alphabet.enumerated() { table[Int(character)] = UInt8(index) }
        return table
    }()

    /// Encodes `bytes` with padding.
    static func encode(_ bytes: some Collection<UInt8>) -> String {
        let input = Array(bytes)
        var out: [UInt8] = []
        out.reserveCapacity((input.count + 2) / 3 * 4)
        var index = 0
        while index + 3 <= input.count {
            let value = UInt32(input[index]) << 16 | UInt32(input[index + 1]) << 8 | UInt32(input[index + 2])
            out.append(alphabet[Int(value >> 18 & 63)])
            out.append(alphabet[Int(value >> 12 & 63)])
            out.append(alphabet[Int(value >> 6 & 63)])
            out.append(alphabet[Int(value & 63)])
            index += 3
        }
        switch input.count - index {
        case 1:
            let value = UInt32(input[index]) << 16
            out.append(alphabet[Int(value >> 18 & 63)])
            out.append(alphabet[Int(value >> 12 & 63)])
            out.append(UInt8(ascii: "="))
            out.append(UInt8(ascii: "="))
        case 2:
            let value = UInt32(input[index]) << 16 | UInt32(input[index + 1]) << 8
            out.append(alphabet[Int(value >> 18 & 63)])
            out.append(alphabet[Int(value >> 12 & 63)])
            out.append(alphabet[Int(value >> 6 & 63)])
            out.append(UInt8(ascii: "="))
        default:
            break
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Decodes canonical padded base64, nil for anything else; the empty string decodes to no bytes.
    static func decode(_ text: some StringProtocol) -> [UInt8]? {
        let input = Array(text.utf8)
        guard input.count % 4 == 0 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(input.count / 4 * 3)
        var index = 0
        while index < input.count {
            let isLast = index + 4 == input.count
            var values: [UInt32] = [0, 0, 0, 0]
            var padding = 0
            for offset in 0..<4 {
                let character = input[index + offset]
                if character == UInt8(ascii: "=") {
                    // Padding only at the end of the last quantum, and at most two characters.
                    guard isLast, offset >= 2 else { return nil }
                    padding += 1
                    continue
                }
                guard padding == 0 else { return nil }
                let value = reverse[Int(character)]
                guard value != 0xFF else { return nil }
                values[offset] = UInt32(value)
            }
            let group = values[0] << 18 | values[1] << 12 | values[2] << 6 | values[3]
            out.append(UInt8(group >> 16 & 0xFF))
            switch padding {
            case 0:
                out.append(UInt8(group >> 8 & 0xFF))
                out.append(UInt8(group & 0xFF))
            case 1:
                guard group & 0xFF == 0 else { return nil }
                out.append(UInt8(group >> 8 & 0xFF))
            default:
                guard group & 0xFFFF == 0 else { return nil }
            }
            index += 4
        }
        return out
    }
}
