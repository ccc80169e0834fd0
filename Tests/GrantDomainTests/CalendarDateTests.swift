import Foundation
import GrantDomain
import Testing
import LedgerCrypto

@Suite("Calendar date")
struct CalendarDateTests {
    @Test(arguments: [
        ("2021-03-01", "1er mars 2021"), ("2025-07-14", "14 juillet 2025"), ("2024-02-29", "29 février 2024"),
        ("2000-02-29", "29 février 2000"), ("2017-11-17", "17 novembre 2017"), ("2013-10-04", "4 octobre 2013"),
        ("2026-08-01", "1er août 2026"), ("1999-12-31", "31 décembre 1999"), ("2023-01-09", "9 janvier 2023"),
    ])
    func isoAndFrench(_ iso: String, _ french: String) throws {
        let date = try CalendarDate(iso: iso)
        #expect(date.iso == iso)
        #expect(date.description == iso)
        #expect(date.frenchLong == french)
        #expect(try CalendarDate(frenchLong: french) == date)
    }

    @Test(arguments: [
        "2021-02-29", "2100-02-29", "1900-02-29", "2021-04-31", "2021-13-01", "2021-00-10", "2021-01-00",
        "0000-01-01", "2021-1-01", "2021/03/01", "21-03-01", "2021-03-01T00:00", " 2021-03-01", "", "２０２１-03-01",
        "2021-03-1a", "+021-03-01",
    ])
    func refusesBadISO(_ text: String) throws {
        #expect(!CalendarDate.isValidISO(text))
        #expect(CalendarDate(text) == nil)
        let error = try #require(throws: InputError.self) { try CalendarDate(iso: text) }
        #expect(error.code == .invalidDate)
        #expect(error.message.contains("« \(text) »"))
    }

    @Test(arguments: [
        ("1 mars 2021", "2021-03-01"), ("1ᵉʳ mars 2021", "2021-03-01"), ("1ER MARS 2021", "2021-03-01"),
        ("3 fevrier 2022", "2022-02-03"), ("15 aout 2020", "2020-08-15"), ("25 Décembre 2020", "2020-12-25"),
        ("1er\u{00A0}mars\u{00A0}2021", "2021-03-01"), ("  7   mai 2019 ", "2019-05-07"),
        ("01 juin 2020", "2020-06-01"),
    ])
    func lenientFrenchInput(_ text: String, _ iso: String) throws {
        #expect(try CalendarDate(frenchLong: text).iso == iso)
    }

    @Test(arguments: [
        "2er mars 2021", "30 février 2024", "mars 2021", "1er mars", "1er mars 21", "1er march 2021", "1er mars 2021 x",
        "32 janvier 2021", "0 janvier 2021", "1erer mars 2021", "", "2021-03-01",
    ])
    func refusesBadFrench(_ text: String) {
        #expect(throws: InputError.self) { try CalendarDate(frenchLong: text) }
    }

    @Test func leapYears() {
        #expect(CalendarDate.isLeapYear(2024))
        #expect(CalendarDate.isLeapYear(2000))
        #expect(!CalendarDate.isLeapYear(1900))
        #expect(!CalendarDate.isLeapYear(2025))
        #expect(CalendarDate.daysIn(month: 2, year: 2024) == 29)
        #expect(CalendarDate.daysIn(month: 13, year: 2024) == 0)
    }

    @Test func everyDayOfTwoYearsRoundTrips() throws {
        var count = 0
        for year in [2023, 2024] {
            for month in 1...12 {
                for day in 1...CalendarDate.daysIn(month: month, year: year) {
                    let date = try CalendarDate(year: year, month: month, day: day)
                    #expect(try CalendarDate(iso: date.iso) == date)
                    #expect(try CalendarDate(frenchLong: date.frenchLong) == date)
                    count += 1
                }
            }
        }
        #expect(count == 365 + 366)
    }

    @Test func orderAndCodable() throws {
        let dates = try ["2021-03-01", "2020-12-31", "2021-02-28"].map { try CalendarDate(iso: $0) }
        #expect(dates.sorted().map(\.iso) == ["2020-12-31", "2021-02-28", "2021-03-01"])
        let json = try JSONEncoder().encode(dates)
        #expect(String(decoding: json, as: UTF8.self) == #"["2021-03-01","2020-12-31","2021-02-28"]"#)
        #expect(try JSONDecoder().decode([CalendarDate].self, from: json) == dates)
        #expect(throws: (any Error).self) {
            try JSONDecoder().decode([CalendarDate].self, from: Data(#"["2021-02-29"]"#.utf8))
        }
    }

    @Test func dayOfAnInstantDependsOnTheTimeZone() throws {
        // 2021-02-28T23:30:00Z is already 1 March in Paris (UTC+1 in winter).
        let instant = Date(timeIntervalSince1970: 1_614_555_000)
        let paris = try #require(TimeZone(identifier: "Europe/Paris"))
        let utc = try #require(TimeZone(identifier: "UTC"))
        #expect(CalendarDate(instant, in: paris).iso == "2021-03-01")
        #expect(CalendarDate(instant, in: utc).iso == "2021-02-28")
    }
}
