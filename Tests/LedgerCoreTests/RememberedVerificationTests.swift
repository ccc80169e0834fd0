import Foundation
import LedgerCore
import LedgerCrypto
import Testing

/// `LedgerVerifier.verify(…, remembered:)`: the signatures of the lines an earlier verification checked are not
/// checked again, and only while the log still holds exactly those lines.
@Suite("Signatures an earlier verification remembered")
struct RememberedVerificationTests {
    /// What a verifier would remember after verifying the first `size` lines of `lines`.
    private func remembered(_ lines: [[UInt8]], size: Int, headHash: Digest? = nil) -> VerifierState {
        VerifierState(
            origin: "test.example/ledger", size: UInt64(size), root: .zero,
            headHash: headHash ?? SHA256.hash(lines[size - 1]), verifiedAt: TestLedgers.start, checkpoint: nil)
    }

    private func signaturesChecked(_ report: VerificationReport) -> Int {
        report.outcomes.tallies[.signature]?.checked ?? 0
    }

    @Test("the remembered lines' signatures are not checked again; the others are")
    func rememberedPrefix() throws {
        let ledger = try TestLedgers.make(count: 10)
        let lines = try TestLedgers.lines(ledger)
        let (report, _) = try LedgerVerifier.verify(
            store: ledger.store, domain: NoDomainRules(), remembered: remembered(lines, size: 6))
        #expect(report.isValid)
        #expect(report.entries == 10)
        #expect(signaturesChecked(report) == 4)
    }

    @Test("a log whose line at the remembered size is another has every signature checked")
    func differentLine() throws {
        let ledger = try TestLedgers.make(count: 10)
        let lines = try TestLedgers.lines(ledger)
        let (report, _) = try LedgerVerifier.verify(
            store: ledger.store, domain: NoDomainRules(),
            remembered: remembered(lines, size: 6, headHash: SHA256.hash(lines[4])))
        #expect(report.isValid)
        #expect(signaturesChecked(report) == 10)
    }

    @Test("a log shorter than what was remembered has every signature checked")
    func shorterLog() throws {
        let ledger = try TestLedgers.make(count: 10)
        let lines = try TestLedgers.lines(ledger)
        try TestLedgers.write(Array(lines.prefix(5)), to: ledger)
        let (report, _) = try LedgerVerifier.verify(
            store: ledger.store, domain: NoDomainRules(), remembered: remembered(lines, size: 8))
        #expect(report.isValid)
        #expect(report.entries == 5)
        #expect(signaturesChecked(report) == 5)
    }

    @Test("a forged signature after the remembered lines is found")
    func forgedAfter() throws {
        let ledger = try TestLedgers.make(count: 10)
        var lines = try TestLedgers.lines(ledger)
        let state = remembered(lines, size: 6)
        lines[8] = try forgeSignature(lines[8])
        try TestLedgers.write(lines, to: ledger)
        let (report, _) = try LedgerVerifier.verify(store: ledger.store, domain: NoDomainRules(), remembered: state)
        #expect(report.outcomes.failures.contains { $0.rule == .signature && $0.seq == 8 })
    }

    @Test("a line changed among the remembered ones breaks the chain: the log does not verify")
    func changedInside() throws {
        let ledger = try TestLedgers.make(count: 10)
        var lines = try TestLedgers.lines(ledger)
        let state = remembered(lines, size: 6)
        lines[3] = try forgeSignature(lines[3])
        try TestLedgers.write(lines, to: ledger)
        let (report, _) = try LedgerVerifier.verify(store: ledger.store, domain: NoDomainRules(), remembered: state)
        #expect(!report.isValid)
        #expect(report.outcomes.failures.contains { $0.rule == .previousHash && $0.seq == 4 })
    }

    /// The line with another valid-looking signature (its first base64 character changed).
    private func forgeSignature(_ line: [UInt8]) throws -> [UInt8] {
        let marker = Array("\"sig\":\"".utf8)
        let start = try #require(
            (0...(line.count - marker.count)).first { Array(line[$0..<$0 + marker.count]) == marker })
        var forged = line
        let index = start + marker.count
        forged[index] = forged[index] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
        return forged
    }
}
