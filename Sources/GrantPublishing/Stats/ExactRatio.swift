/// A non-negative fraction of integers, kept exact and formatted with a fixed number of decimals.
///
/// Rates, shares, means and medians are computed as fractions of integers (counts, cents, scores, days), never
/// in floating point, so that the same log gives the same digits on every machine and anyone can redo the
/// division by hand: the JSON output carries the numerator and denominator next to the rounded decimal.
/// Rounding is half up, on the exact value (`docs/PUBLISHING.md` §2).
///
/// ```swift
/// ExactRatio(2, 3).decimal(places: 4)   // "0.6667"
/// ExactRatio(35, 2).decimal(places: 2)  // "17.50"
/// ExactRatio(0, 0).decimal(places: 4)   // nil: no denominator, no figure
/// ```
public struct ExactRatio: Sendable, Hashable {
    public let numerator: Int64
    public let denominator: Int64

    public init(_ numerator: Int64, _ denominator: Int64) {
        self.numerator = numerator
        self.denominator = denominator
    }

    /// False when the denominator is 0 (e.g. a rate over no decision).
    public var isDefined: Bool { denominator != 0 }

    /// `places` decimals with a point, rounded half up; nil when undefined.
    public func decimal(places: Int) -> String? {
        decimal(places: places, factor: 1)
    }

    /// `places` decimals of the fraction times `factor` (100 for a percentage), rounded half up; nil when
    /// undefined, or when the result does not fit in 64 bits (never a crash, whatever the amounts summed).
    func decimal(places: Int, factor: Int64) -> String? {
        guard denominator > 0, numerator >= 0, places >= 0, places <= 6 else { return nil }
        var scale: Int64 = 1
        for _ in 0..<places { scale *= 10 }
        let (multiplier, tooLarge) = scale.multipliedReportingOverflow(by: factor)
        guard !tooLarge else { return nil }
        // numerator × multiplier ÷ denominator in 128 bits; the quotient must fit in 64.
        let scaled = numerator.multipliedFullWidth(by: multiplier)
        guard scaled.high < denominator else { return nil }
        let (quotient, remainder) = denominator.dividingFullWidth(scaled)
        var rounded = quotient
        if remainder >= denominator - remainder {
            guard rounded < Int64.max else { return nil }
            rounded += 1
        }
        let whole = rounded / scale
        guard places > 0 else { return String(whole) }
        let fraction = String(rounded % scale)
        return "\(whole)." + String(repeating: "0", count: places - fraction.count) + fraction
    }

    /// French form: decimal comma; `percent` multiplies by 100 and appends « % » (with a space).
    public func french(places: Int, percent: Bool = false) -> String {
        guard let text = decimal(places: places, factor: percent ? 100 : 1) else { return "—" }
        let french = text.replacing(".", with: ",")
        return percent ? french + " %" : french
    }

    /// The exact median of integers: the middle value, or the half-sum of the two middle values.
    public static func median(_ values: [Int64]) -> ExactRatio {
        guard !values.isEmpty else { return ExactRatio(0, 0) }
        let sorted = values.sorted()
        let middle = sorted.count / 2
        if sorted.count % 2 == 1 { return ExactRatio(sorted[middle], 1) }
        let (sum, overflow) = sorted[middle - 1].addingReportingOverflow(sorted[middle])
        return overflow ? ExactRatio(sorted[middle - 1] / 2 + sorted[middle] / 2, 1) : ExactRatio(sum, 2)
    }

    /// The exact mean of integers.
    public static func mean(_ values: [Int64]) -> ExactRatio {
        var sum: Int64 = 0
        for value in values {
            let (next, overflow) = sum.addingReportingOverflow(value)
            guard !overflow else { return ExactRatio(0, 0) }
            sum = next
        }
        return ExactRatio(sum, Int64(values.count))
    }
}
