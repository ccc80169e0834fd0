@testable import GrantDomain
import LedgerCore
import Testing

/// No crash, ever: sums of amounts are checked, and an overflow is a finding, not a trap.
@Suite("Amounts: caps and checked sums")
struct OverflowTests {
    static let day = try! CalendarDate(iso: "2021-07-01")

    @Test("the envelope timeline reports an overflow instead of trapping")
    func timelineOverflow() {
        var timeline = EnvelopeTimeline()
        let first = timeline.add(Int64.max - 10, on: Self.day)
        #expect(first)
        #expect(timeline.peak(from: Self.day) == Int64.max - 10)
        let second = timeline.add(Int64.max - 10, on: Self.day.adding(days: 1))  // a second day: the sum overflows
        #expect(second)
        #expect(timeline.peak(from: Self.day) == nil)
        let third = timeline.add(20, on: Self.day.adding(days: 1))
        #expect(!third, "adding to one day's total overflows")
    }

    @Test("the envelope on every day from a grant's date: a later commitment counts, an earlier freeing does not")
    func timelinePeak() {
        var timeline = EnvelopeTimeline()
        _ = timeline.add(500_000, on: Self.day)  // a grant on 1 July
        _ = timeline.add(-500_000, on: Self.day.adding(days: 31))  // withdrawn on 1 August
        _ = timeline.add(300_000, on: Self.day.adding(days: 40))  // another grant on 10 August
        #expect(timeline.peak(from: Self.day.adding(days: -10)) == 500_000)
        #expect(timeline.peak(from: Self.day.adding(days: 20)) == 500_000, "still committed until 1 August")
        #expect(timeline.peak(from: Self.day.adding(days: 35)) == 300_000)
        #expect(timeline.peak(from: Self.day.adding(days: 50)) == 300_000)
    }

    @Test("amounts above ten billion euros are refused by the payload rules")
    func caps() throws {
        let payload: JSONValue = [
            "application_id": "A", "amount_cents": .integer(Money.maximumCents + 1), "reference": "DRFIP-1",
            "paid_on": "2021-07-01",
        ]
        #expect(throws: PayloadError.self) { try GrantPayment(payload: payload) }
        var ok = payload.objectValue!
        ok["amount_cents"] = .integer(Money.maximumCents)
        #expect(try GrantPayment(payload: .object(ok)).amountCents == Money.maximumCents)
    }
}
