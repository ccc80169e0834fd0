import GrantDomain
import Testing
import LedgerCrypto

@Suite("Money")
struct MoneyTests {
    @Test(
        arguments: [
            ("5000", 500_000), ("5000.00", 500_000), ("5 000,00", 500_000), ("5 000,5", 500_050),
            ("5000,00 €", 500_000), ("5000,00€", 500_000), ("5\u{00A0}000,00\u{00A0}€", 500_000),
            ("5\u{202F}000,00\u{202F}€", 500_000), ("  5000  ", 500_000), ("47800.20", 4_780_020),
            ("0", 0), ("0,01", 1), ("0.1", 10), ("33000", 3_300_000), ("1 234 567,89 €", 123_456_789),
            ("12 345", 1_234_500), ("999", 99_900), ("0001", 100),
            ("92233720368547758.07", Int64.max),
        ] as [(String, Int64)])
    func parses(_ text: String, _ cents: Int64) throws {
        #expect(try Money.parse(text) == cents)
    }

    @Test(arguments: [
        "-5", "−5", "5,123", "5.001", "", "   ", "€", "abc", "5e3", "+5", "5 000 EUR", "5,", ".5", ",50", "50 00",
        "5000 000", "5  000", "5 000.000", "1.000,00", "5,00,00", "5 ,00", "€5000", "5000 € €", "0x10", "5_000",
        "92233720368547758.08", "99999999999999999999",
    ])
    func refuses(_ text: String) throws {
        let error = try #require(throws: InputError.self) { try Money.parse(text) }
        #expect(error.code == .invalidAmount)
        #expect(error.message.contains("« \(text) »"))
        #expect(error.message.hasSuffix("."))
    }

    @Test func reasons() throws {
        let negative = try #require(throws: InputError.self) { try Money.parse("-5") }
        #expect(negative.message.contains("négatifs"))
        let decimals = try #require(throws: InputError.self) { try Money.parse("5,123") }
        #expect(decimals.message.contains("plus de 2 décimales"))
    }

    @Test(
        arguments: [
            (500_000, "5 000,00 €", "5000.00"), (0, "0,00 €", "0.00"), (1, "0,01 €", "0.01"), (99, "0,99 €", "0.99"),
            (100, "1,00 €", "1.00"), (4_780_020, "47 800,20 €", "47800.20"),
            (123_456_789, "1 234 567,89 €", "1234567.89"),
            (100_000, "1 000,00 €", "1000.00"), (99_999, "999,99 €", "999.99"), (-500_050, "-5 000,50 €", "-5000.50"),
            (Int64.max, "92 233 720 368 547 758,07 €", "92233720368547758.07"),
            (Int64.min, "-92 233 720 368 547 758,08 €", "-92233720368547758.08"),
        ] as [(Int64, String, String)])
    func formats(_ cents: Int64, _ french: String, _ decimal: String) {
        #expect(Money.formatFrench(cents: cents) == french)
        #expect(Money.formatDecimal(cents: cents) == decimal)
    }

    @Test func formattedTextParsesBack() throws {
        for cents: Int64 in [0, 1, 10, 99, 100, 12_345, 500_000, 4_780_020, 987_654_321_012, Int64.max] {
            #expect(try Money.parse(Money.formatFrench(cents: cents)) == cents)
            #expect(try Money.parse(Money.formatDecimal(cents: cents)) == cents)
        }
    }

    @Test func frenchFormatUsesPlainSpacesOnly() {
        let text = Money.formatFrench(cents: 123_456_789)
        #expect(!text.unicodeScalars.contains("\u{00A0}"))
        #expect(!text.unicodeScalars.contains("\u{202F}"))
    }
}
