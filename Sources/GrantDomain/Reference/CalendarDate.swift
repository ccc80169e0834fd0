public import Foundation
public import LedgerCore
public import LedgerCrypto

/// A day of the Gregorian calendar, without time or time zone: `2021-03-01`, « 1er mars 2021 ».
///
/// Conventions, decisions and payment periods are legal *days*, not instants: a convention signed on
/// 1 March is dated 1 March whatever the server's time zone. Storing a `Date` would invite off-by-one-day
/// errors around midnight in Paris, so the log stores `YYYY-MM-DD` (as the SCDL schema does) and this type
/// guarantees the day exists (`2021-02-29` is refused). ``frenchLong`` writes the form used in published
/// pages, with « 1er » for the first of the month as French usage requires.
///
/// ```swift
/// let date = try CalendarDate(iso: "2021-03-01")
/// date.frenchLong                                        // "1er mars 2021"
/// try CalendarDate(frenchLong: "14 juillet 2025").iso    // "2025-07-14"
/// ```
public struct CalendarDate: Hashable, Comparable, Sendable, Codable, LosslessStringConvertible {
    /// 1…9999.
    public let year: Int
    /// 1…12.
    public let month: Int
    /// 1…28, 29, 30 or 31 depending on the month.
    public let day: Int

    /// French month names, lowercase as French writes them in dates.
    public static let frenchMonthNames = [
        "janvier", "février", "mars", "avril", "mai", "juin",
        "juillet", "août", "septembre", "octobre", "novembre", "décembre",
    ]

    /// Checks that the day exists (leap years included).
    public init(year: Int, month: Int, day: Int) throws(InputError) {
        guard (1...9999).contains(year), (1...12).contains(month),
            (1...CalendarDate.daysIn(month: month, year: year)).contains(day)
        else {
            throw InputError(.invalidDate, "\(year)-\(month)-\(day) n'est pas une date réelle du calendrier.")
        }
        self.year = year
        self.month = month
        self.day = day
    }

    /// The UTC calendar day of an instant of the log (an entry's `time`).
    public init(_ time: Timestamp) {
        (year, month, day) = time.civilDate
    }

    /// The day `days` later (or earlier, when negative).
    public func adding(days: Int) -> CalendarDate {
        CalendarDate(Timestamp(year: year, month: month, day: day).adding(seconds: Int64(days) * 86_400))
    }

    /// Parses exactly `YYYY-MM-DD` (10 ASCII characters) naming a real day.
    public init(iso text: some StringProtocol) throws(InputError) {
        let bytes = Array(text.utf8)
        func number(_ range: Range<Int>) -> Int? {
            var value = 0
            for byte in bytes[range] {
                guard byte >= 0x30, byte <= 0x39 else { return nil }
                value = value * 10 + Int(byte - 0x30)
            }
            return value
        }
        guard bytes.count == 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"),
            let year = number(0..<4), let month = number(5..<7), let day = number(8..<10)
        else {
            throw InputError(.invalidDate, "« \(text) » n'est pas une date de la forme AAAA-MM-JJ.")
        }
        guard let date = try? CalendarDate(year: year, month: month, day: day) else {
            throw InputError(.invalidDate, "« \(text) » n'est pas une date réelle du calendrier.")
        }
        self = date
    }

    /// Parses « 1er mars 2021 », « 14 juillet 2025 »; also « 1 mars 2021 », « 1ᵉʳ mars 2021 », any letter
    /// case, month names without accents (`fevrier`, `aout`, `decembre`) and no-break spaces.
    public init(frenchLong text: some StringProtocol) throws(InputError) {
        let input = String(text)
        func refuse() -> InputError {
            InputError(.invalidDate, "« \(input) » n'est pas une date écrite comme « 1er mars 2021 ».")
        }
        let words = input.lowercased()
            .split(whereSeparator: { $0 == " " || $0 == "\u{00A0}" || $0 == "\u{202F}" })
            .map(String.init)
        guard words.count == 3 else { throw refuse() }
        var dayText = words[0]
        for suffix in ["er", "ᵉʳ"] where dayText.hasSuffix(suffix) {
            dayText = String(dayText.dropLast(suffix.count))
            guard dayText == "1" else { throw refuse() }
        }
        guard (1...2).contains(dayText.utf8.count), dayText.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
            let day = Int(dayText),
            let monthIndex = CalendarDate.frenchMonthNames.firstIndex(where: {
                $0 == words[1] || CalendarDate.withoutAccents($0) == words[1]
            }),
            words[2].utf8.count == 4, words[2].utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
            let year = Int(words[2])
        else { throw refuse() }
        guard let date = try? CalendarDate(year: year, month: monthIndex + 1, day: day) else {
            throw InputError(.invalidDate, "« \(input) » n'est pas une date réelle du calendrier.")
        }
        self = date
    }

    /// Nil unless `description` is a real date in the form `YYYY-MM-DD`.
    public init?(_ description: String) {
        guard let date = try? CalendarDate(iso: description) else { return nil }
        self = date
    }

    /// The day a `Date` falls on in `timeZone` (e.g. « today » in `Europe/Paris`).
    public init(_ date: Date, in timeZone: TimeZone) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let parts = calendar.dateComponents([.year, .month, .day], from: date)
        year = parts.year!
        month = parts.month!
        day = parts.day!
    }

    /// True iff `text` is a real date in the form `YYYY-MM-DD`.
    public static func isValidISO(_ text: some StringProtocol) -> Bool {
        (try? CalendarDate(iso: text)) != nil
    }

    /// Gregorian rule: every 4 years, except centuries not divisible by 400.
    public static func isLeapYear(_ year: Int) -> Bool { Timestamp.isLeapYear(year) }

    /// Number of days in `month` (1…12) of `year`; 0 for a month outside 1…12.
    public static func daysIn(month: Int, year: Int) -> Int { Timestamp.daysIn(month: month, year: year) }

    /// Days since 1970-01-01 (proleptic Gregorian), for exact day differences.
    public var dayNumber: Int64 { Timestamp.dayNumber(year: year, month: month, day: day) }

    /// Whole days from `self` to `later` (negative if `later` is earlier).
    public func days(to later: CalendarDate) -> Int64 { later.dayNumber - dayNumber }

    /// `YYYY-MM`.
    public var monthKey: String { String(iso.prefix(7)) }

    /// `YYYY-MM-DD`.
    public var iso: String {
        func pad(_ value: Int, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))"
    }

    /// « 1er mars 2021 », « 14 juillet 2025 »: plain spaces, no leading zero, lowercase month.
    public var frenchLong: String {
        "\(day == 1 ? "1er" : String(day)) \(CalendarDate.frenchMonthNames[month - 1]) \(year)"
    }

    public var description: String { iso }

    public static func < (lhs: CalendarDate, rhs: CalendarDate) -> Bool {
        (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
    }

    /// Decodes a `YYYY-MM-DD` JSON string, refusing dates that do not exist.
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        try self.init(iso: text)
    }

    /// Encodes as a `YYYY-MM-DD` JSON string.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(iso)
    }

    private static func withoutAccents(_ name: String) -> String {
        String(
            name.map { character -> Character in
                switch character {
                case "é", "è", "ê": "e"
                case "û", "ù": "u"
                default: character
                }
            }
        )
    }
}
