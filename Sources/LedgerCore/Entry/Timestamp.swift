import Foundation

/// An instant with second precision, written as RFC 3339 UTC with a `Z`: `2021-03-01T09:30:00Z`.
///
/// Exactly one spelling is accepted (no fractions, no offsets, no lowercase), as the format requires one
/// encoding per event (`docs/FORMAT.md` §3).
public struct Timestamp: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Seconds since 1970-01-01T00:00:00Z.
    public let secondsSinceEpoch: Int64

    public init(secondsSinceEpoch: Int64) {
        self.secondsSinceEpoch = secondsSinceEpoch
    }

    /// The current time, truncated to the second.
    public static func now() -> Timestamp {
        Timestamp(secondsSinceEpoch: Platform.secondsSinceEpoch)
    }

    /// Parses `YYYY-MM-DDTHH:MM:SSZ` (years 0001–9999, a real calendar date, seconds 00–59).
    public init?(rfc3339 text: some StringProtocol) {
        self.init(rfc3339Bytes: ArraySlice(text.utf8))
    }

    /// Parses `YYYY-MM-DDTHH:MM:SSZ` from ASCII bytes.
    public init?(rfc3339Bytes slice: ArraySlice<UInt8>) {
        let b = Array(slice)
        guard b.count == 20, b[4] == UInt8(ascii: "-"), b[7] == UInt8(ascii: "-"), b[10] == UInt8(ascii: "T"),
            b[13] == UInt8(ascii: ":"), b[16] == UInt8(ascii: ":"), b[19] == UInt8(ascii: "Z")
        else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            var value = 0
            for i in range {
                guard b[i] >= UInt8(ascii: "0"), b[i] <= UInt8(ascii: "9") else { return nil }
                value = value * 10 + Int(b[i] - UInt8(ascii: "0"))
            }
            return value
        }
        guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
            let hour = number(11..<13), let minute = number(14..<16), let second = number(17..<19),
            year >= 1, (1...12).contains(month), day >= 1, day <= Timestamp.daysIn(month: month, year: year),
            hour < 24, minute < 60, second < 60
        else { return nil }
        let days = Timestamp.daysFromCivil(year, month, day)
        self.secondsSinceEpoch = Int64(days) * 86_400 + Int64(hour * 3600 + minute * 60 + second)
    }

    /// Parses a calendar date `YYYY-MM-DD` as midnight UTC.
    public init?(date text: some StringProtocol) {
        guard text.utf8.count == 10, let value = Timestamp(rfc3339: "\(text)T00:00:00Z") else { return nil }
        self = value
    }

    /// `YYYY-MM-DDTHH:MM:SSZ`.
    public var description: String {
        let days = Int(secondsSinceEpoch.floorDiv(86_400))
        let secondsOfDay = Int(secondsSinceEpoch - Int64(days) * 86_400)
        let (year, month, day) = Timestamp.civilFromDays(days)
        return Timestamp.pad(year, 4) + "-" + Timestamp.pad(month, 2) + "-" + Timestamp.pad(day, 2) + "T"
            + Timestamp.pad(secondsOfDay / 3600, 2) + ":" + Timestamp.pad(secondsOfDay / 60 % 60, 2) + ":"
            + Timestamp.pad(secondsOfDay % 60, 2) + "Z"
    }

    /// The calendar date `YYYY-MM-DD` (UTC).
    public var date: String { String(description.prefix(10)) }

    /// Midnight UTC of a calendar day, given as a valid year, month (1…12) and day.
    public init(year: Int, month: Int, day: Int) {
        self.secondsSinceEpoch = Int64(Timestamp.daysFromCivil(year, month, day)) * 86_400
    }

    /// The UTC calendar day of this instant: year, month (1…12), day (1…31).
    public var civilDate: (year: Int, month: Int, day: Int) {
        let (year, month, day) = Timestamp.civilFromDays(Int(secondsSinceEpoch.floorDiv(86_400)))
        return (year, month, day)
    }

    public static func < (lhs: Timestamp, rhs: Timestamp) -> Bool {
        lhs.secondsSinceEpoch < rhs.secondsSinceEpoch
    }

    public func adding(seconds: Int64) -> Timestamp {
        Timestamp(secondsSinceEpoch: secondsSinceEpoch + seconds)
    }

    static func pad(_ value: Int, _ width: Int) -> String {
        let text = String(value)
        return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
    }

    /// Gregorian rule: every 4 years, except centuries not divisible by 400.
    public static func isLeapYear(_ year: Int) -> Bool { (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 }

    /// Number of days in `month` (1…12) of `year`; 0 for a month outside 1…12.
    public static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 1, 3, 5, 7, 8, 10, 12: return 31
        case 4, 6, 9, 11: return 30
        case 2: return isLeapYear(year) ? 29 : 28
        default: return 0
        }
    }

    /// Days from 1970-01-01 to a day of the proleptic Gregorian calendar (negative before).
    public static func dayNumber(year: Int, month: Int, day: Int) -> Int64 {
        Int64(daysFromCivil(year, month, day))
    }

    // Howard Hinnant's days_from_civil / civil_from_days.
    static func daysFromCivil(_ y0: Int, _ m: Int, _ d: Int) -> Int {
        let y = m <= 2 ? y0 - 1 : y0
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func civilFromDays(_ z0: Int) -> (Int, Int, Int) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let y = yoe + era * 400
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (m <= 2 ? y + 1 : y, m, d)
    }
}

extension Int64 {
    func floorDiv(_ divisor: Int64) -> Int64 {
        let q = self / divisor
        return (self % divisor != 0 && (self < 0) != (divisor < 0)) ? q - 1 : q
    }
}
