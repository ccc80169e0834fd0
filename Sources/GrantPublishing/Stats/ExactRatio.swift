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
        guard denominator != 0 else { return nil }
        var scale: Int64 = 1
        for _ in 0..<places { scale *= 10 }
        let scaled = numerator.multipliedFullWidth(by: scale)
        let (quotient, remainder) = denominator.dividingFullWidth(scaled)
        var rounded = quotient
        if remainder * 2 >= denominator { rounded += 1 }
        let whole = rounded / scale
        guard places > 0 else { return String(whole) }
        let fraction = String(rounded % scale)
        return "\(whole)." + String(repeating: "0", count: places - fraction.count) + fraction
    }

    /// French form: decimal comma; `percent` multiplies by 100 and appends « % » (with a space).
    public func french(places: Int, percent: Bool = false) -> String {
        let value = percent ? ExactRatio(numerator * 100, denominator) : self
        guard let text = value.decimal(places: places) else { return "—" }
        let french = text.replacing(".", with: ",")
        return percent ? french + " %" : french
    }

    /// The exact median of integers: the middle value, or the half-sum of the two middle values.
    public static func median(_ values: [Int64]) -> ExactRatio {
        guard !values.isEmpty else { return ExactRatio(0, 0) }
        let sorted = values.sorted()
        let middle = sorted.count / 2
        if sorted.count % 2 == 1 { return ExactRatio(sorted[middle], 1) }
        return ExactRatio(sorted[middle - 1] + sorted[middle], 2)
    }

    /// The exact mean of integers.
    public static func mean(_ values: [Int64]) -> ExactRatio {
        ExactRatio(values.reduce(0, +), Int64(values.count))
    }
}
