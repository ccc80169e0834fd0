@testable import GrantPublishing
import Testing

/// Figures of absurd but well-formed logs are either exact or refused; formatting never traps.
@Suite("Figures: no overflow, ever")
struct FigureOverflowTests {
    @Test("a ratio of huge integers formats without trapping")
    func hugeRatios() {
        #expect(ExactRatio(Int64.max, Int64.max).french(places: 2, percent: true) == "100,00 %")
        #expect(ExactRatio(Int64.max - 1, Int64.max).decimal(places: 4) == "1.0000")
        #expect(ExactRatio(Int64.max, 1).french(places: 2, percent: true) == "—", "does not fit: no figure")
        #expect(ExactRatio(9_000_000_000_000_000_000, 30).decimal(places: 1) == "300000000000000000.0")
        #expect(ExactRatio(9_000_000_000_000_000_000, 3).decimal(places: 1) == nil, "the result does not fit")
        #expect(ExactRatio.median([Int64.max, Int64.max - 1]).isDefined)
        #expect(!ExactRatio.mean([Int64.max, Int64.max]).isDefined, "an overflowing mean is no figure")
    }

    @Test("a bar chart of huge amounts draws without trapping")
    func hugeBars() {
        let svg = BarChart.svg(
            id: "c", title: "t",
            bars: [.init(label: "a", value: Int64.max, text: "x"), .init(label: "b", value: Int64.max / 3, text: "y")]
        ).html
        #expect(svg.contains("width=\"100.0%\""), "the largest bar takes the whole width")
    }
}
