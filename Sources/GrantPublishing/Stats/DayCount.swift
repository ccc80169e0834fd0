public import GrantDomain

extension CalendarDate {
    /// Days since 1970-01-01 (proleptic Gregorian), for exact day differences.
    public var dayNumber: Int64 {
        // Howard Hinnant's days_from_civil.
        let y = Int64(month <= 2 ? year - 1 : year)
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let m = Int64(month)
        let doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + Int64(day) - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// Whole days from `self` to `later` (negative if `later` is earlier).
    public func days(to later: CalendarDate) -> Int64 { later.dayNumber - dayNumber }

    /// `YYYY-MM`.
    public var monthKey: String { String(iso.prefix(7)) }
}
