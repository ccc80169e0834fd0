import LedgerCore
public import LedgerCrypto

/// Euro amounts as integer cents (`Int64`): parsing what people type, and formatting for people and for
/// open data.
///
/// Amounts are signed into the log and summed by projections, so they are integers of cents, never
/// `Double` or `Decimal`: `0.1 + 0.2` must not appear in an audit. Parsing reads the digits itself and never
/// goes through floating point, so `"47800.20"` is exactly `4_780_020`.
///
/// Accepted input: digits, optionally grouped by three with a space, NO-BREAK SPACE (U+00A0) or NARROW
/// NO-BREAK SPACE (U+202F); an optional decimal comma or point followed by one or two digits; an optional
/// `€` at the end, with or without a space before it; surrounding spaces. Refused: negative amounts, more
/// than two decimals, misplaced group separators (`50 00`), anything else (`5e3`, `+5`, `5 000 EUR`).
///
/// Output: ``formatFrench(cents:)`` writes `5 000,00 €` with plain U+0020 spaces, both as the thousands
/// separator and before `€`. French typography would use U+202F and U+00A0, but invisible characters make
/// terminal output, test expectations and `grep` needlessly fragile; published HTML pages can substitute
/// them. ``formatDecimal(cents:)`` writes `5000.00` for the SCDL « Subventions » `montant` column.
///
/// ```swift
/// let cents = try Money.parse("5 000,5 €") // 500_050
/// Money.formatFrench(cents: cents)         // "5 000,50 €"
/// Money.formatDecimal(cents: cents)        // "5000.50"
/// ```
public enum Money {
    /// The largest amount, in cents, that any `*_cents` member may hold: ten billion euros. Sums of amounts
    /// are computed with overflow checks all the same (a log may hold any number of them).
    public static let maximumCents: Int64 = 1_000_000_000_000

    /// Parses a non-negative euro amount into cents; see ``Money`` for the accepted forms.
    public static func parse(_ text: some StringProtocol) throws(InputError) -> Int64 {
        let input = String(text)
        func refuse(_ reason: String) -> InputError {
            InputError(.invalidAmount, "« \(input) » n'est pas un montant accepté : \(reason).")
        }

        var scalars = Array(input.unicodeScalars)
        while let first = scalars.first, isSpace(first) { scalars.removeFirst() }
        while let last = scalars.last, isSpace(last) { scalars.removeLast() }
        if scalars.last == "€" {
            scalars.removeLast()
            while let last = scalars.last, isSpace(last) { scalars.removeLast() }
        }
        guard !scalars.isEmpty else { throw refuse("il ne contient aucun chiffre") }
        if scalars.first == "-" || scalars.first == "−" { throw refuse("les montants négatifs sont refusés") }

        // Integer part: groups of digits separated by single spaces.
        var groups: [[Unicode.Scalar]] = [[]]
        var index = 0
        while index < scalars.count {
            let scalar = scalars[index]
            if isDigit(scalar) {
                groups[groups.count - 1].append(scalar)
            } else if isSpace(scalar) {
                guard !groups[groups.count - 1].isEmpty, index + 1 < scalars.count, isDigit(scalars[index + 1]) else {
                    throw refuse("une espace doit séparer deux chiffres, comme dans 5 000,00")
                }
                groups.append([])
            } else {
                break
            }
            index += 1
        }
        guard let firstGroup = groups.first, !firstGroup.isEmpty else {
            throw refuse("des chiffres sont attendus, comme 5000, 5 000,00 ou 5000,00 €")
        }
        if groups.count > 1 {
            guard firstGroup.count <= 3, groups.dropFirst().allSatisfy({ $0.count == 3 }) else {
                throw refuse("les chiffres doivent être groupés par trois, comme dans 5 000,00")
            }
        }

        // Fractional part: a comma or point, then one or two digits, then nothing.
        var fraction: [Unicode.Scalar] = []
        if index < scalars.count {
            guard scalars[index] == "," || scalars[index] == "." else {
                throw refuse("des chiffres sont attendus, comme 5000, 5 000,00 ou 5000,00 €")
            }
            index += 1
            while index < scalars.count, isDigit(scalars[index]) {
                fraction.append(scalars[index])
                index += 1
            }
            guard index == scalars.count else {
                throw refuse("seuls des chiffres sont attendus après le séparateur décimal")
            }
            guard !fraction.isEmpty else { throw refuse("des chiffres sont attendus après le séparateur décimal") }
            guard fraction.count <= 2 else { throw refuse("il a plus de 2 décimales") }
        }

        var euros: Int64 = 0
        for digit in groups.joined() {
            let (times10, overflow1) = euros.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times10.addingReportingOverflow(Int64(digit.value - 0x30))
            guard !overflow1, !overflow2 else { throw refuse("il est trop grand") }
            euros = sum
        }
        var cents: Int64 = 0
        for (position, digit) in fraction.enumerated() {
            cents += Int64(digit.value - 0x30) * (position == 0 ? 10 : 1)
        }
        let (scaled, overflow1) = euros.multipliedReportingOverflow(by: 100)
        let (total, overflow2) = scaled.addingReportingOverflow(cents)
        guard !overflow1, !overflow2 else { throw refuse("il est trop grand") }
        return total
    }

    /// `5 000,00 €`: thousands grouped with U+0020, decimal comma, U+0020 then `€`; `-` for a negative sum.
    public static func formatFrench(cents: Int64) -> String {
        let (sign, euros, remainder) = split(cents)
        return "\(sign)\(FrenchFormat.grouped(euros)),\(twoDigits(remainder)) €"
    }

    /// `5000.00`: no grouping, decimal point, always two decimals (the SCDL `montant` column).
    public static func formatDecimal(cents: Int64) -> String {
        let (sign, euros, remainder) = split(cents)
        return "\(sign)\(euros).\(twoDigits(remainder))"
    }

    private static func split(_ cents: Int64) -> (sign: String, euros: UInt64, cents: UInt64) {
        let magnitude = cents.magnitude  // UInt64, so Int64.min does not trap
        return (cents < 0 ? "-" : "", magnitude / 100, magnitude % 100)
    }

    private static func twoDigits(_ value: UInt64) -> String {
        value < 10 ? "0\(value)" : "\(value)"
    }

    private static func isDigit(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value >= 0x30 && scalar.value <= 0x39
    }

    /// Spaces accepted as group separators and around the amount.
    private static func isSpace(_ scalar: Unicode.Scalar) -> Bool {
        scalar == " " || scalar == "\u{00A0}" || scalar == "\u{202F}"
    }
}
