import Foundation
@testable import LedgerCore
import LedgerCrypto
import Testing

/// Property: any tampering with a valid log is detected, and the first finding points at the damaged seq.
@Suite("Tampering is detected at the right seq")
struct TamperTests {
    static let size = 6

    func firstFailureSeq(_ lines: [[UInt8]], ledger: Ledger<NoDomainRules>, finalNewline: Bool = true) throws -> Int64?
    {
        try TestLedgers.write(lines, to: ledger, finalNewline: finalNewline)
        let report = try TestLedgers.verify(ledger)
        return report.outcomes.failures.first?.seq
    }

    @Test("every single-byte change of every line")
    func everyByte() throws {
        let ledger = try TestLedgers.make(count: Self.size)
        let original = try TestLedgers.lines(ledger)
        #expect(try TestLedgers.verify(ledger).isValid)
        var random = SplitMix64(seed: 7)
        var checked = 0
        for (lineIndex, line) in original.enumerated() {
            for offset in 0..<line.count {
                var lines = original
                // Two changes per byte: a bit flip and a random other byte.
                for replacement in [line[offset] ^ 0x01, UInt8.random(in: 0...255, using: &random)]
                where replacement != line[offset] {
                    lines[lineIndex][offset] = replacement
                    let seq = try firstFailureSeq(lines, ledger: ledger)
                    #expect(
                        seq == Int64(lineIndex),
                        "byte \(offset) of line \(lineIndex) changed to \(replacement): first failure at \(String(describing: seq))"
                    )
                    checked += 1
                }
            }
        }
        #expect(checked > 2000)
    }

    @Test("every deleted line", arguments: 0..<size)
    func deleted(index: Int) throws {
        let ledger = try TestLedgers.make(count: Self.size)
        var lines = try TestLedgers.lines(ledger)
        lines.remove(at: index)
        let seq = try firstFailureSeq(lines, ledger: ledger)
        if index == Self.size - 1 {
            // Cutting the last line of a log without its commit point leaves a valid shorter log: only a checkpoint,
            // or ledger.head (CommitPointTests), can catch that.
            #expect(seq == nil)
        } else {
            #expect(seq == Int64(index))
        }
    }

    @Test("every duplicated line", arguments: 0..<size)
    func duplicated(index: Int) throws {
        let ledger = try TestLedgers.make(count: Self.size)
        var lines = try TestLedgers.lines(ledger)
        lines.insert(lines[index], at: index + 1)
        #expect(try firstFailureSeq(lines, ledger: ledger) == Int64(index + 1))
    }

    @Test("every swap of two adjacent lines", arguments: 0..<(size - 1))
    func swapped(index: Int) throws {
        let ledger = try TestLedgers.make(count: Self.size)
        var lines = try TestLedgers.lines(ledger)
        lines.swapAt(index, index + 1)
        #expect(try firstFailureSeq(lines, ledger: ledger) == Int64(index))
    }

    @Test("a re-signed entry by an unregistered key is caught")
    func forgedSigner() throws {
        let ledger = try TestLedgers.make(count: Self.size)
        var lines = try TestLedgers.lines(ledger)
        let victim = try Entry(line: lines[3])
        let forged = try Entry.make(
            seq: victim.seq, prev: victim.prev, time: victim.time, type: victim.type,
            payload: victim.payload, signer: TestLedgers.key(200))
        lines[3] = forged.line
        try TestLedgers.write(lines, to: ledger)
        let failures = try TestLedgers.verify(ledger).outcomes.failures
        #expect(failures.first?.seq == 3)
        #expect(failures.contains { $0.rule == "AUT-KEY" && $0.seq == 3 })
        #expect(failures.contains { $0.rule == "INT-PREV" && $0.seq == 4 })
    }
}
