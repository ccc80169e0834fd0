/// The Luhn checksum used by INSEE for SIREN and SIRET numbers.
///
/// Kept on ASCII bytes, not `Character`s, because it runs for every one of the ~36 000 SIRENs of the
/// reference data at load time.
enum Luhn {
    /// True iff `digits` (ASCII `0`–`9` only, checked by the caller) pass Luhn: from the right, double every
    /// second digit, subtract 9 when above 9, sum; valid iff the sum is a multiple of 10.
    static func isValid(_ digits: some Collection<UInt8>) -> Bool {
        var sum = 0
        // Walk left to right; the rightmost digit is never doubled, so parity depends on the count.
        var double = digits.count % 2 == 0
        for byte in digits {
            var value = Int(byte &- UInt8(ascii: "0"))
            if double {
                value *= 2
                if value > 9 { value -= 9 }
            }
            sum += value
            double.toggle()
        }
        return sum % 10 == 0
    }

    /// The plain sum of the digits (the La Poste SIRET rule).
    static func digitSum(_ digits: some Sequence<UInt8>) -> Int {
        digits.reduce(0) { $0 + Int($1 &- UInt8(ascii: "0")) }
    }

    /// True iff `text` is exactly `count` ASCII digits.
    static func isDigits(_ text: some StringProtocol, count: Int) -> Bool {
        var seen = 0
        for byte in text.utf8 {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return false }
            seen += 1
        }
        return seen == count
    }

    /// The digit that, appended to `digits` (values 0–9), makes the whole pass Luhn.
    static func checkDigit(_ digits: [Int]) -> Int {
        for candidate in 0...9 where isValid((digits + [candidate]).map { UInt8(ascii: "0") + UInt8($0) }) {
            return candidate
        }
        return 0
    }
}
