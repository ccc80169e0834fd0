import Foundation
import Testing

@testable import LedgerCore

/// The checkpoint audit with the roots taken during the replay (one pass over the log) says exactly what the audit
/// that reads the log again says, whatever the log and the verifier's history.
@Suite("Checkpoint audit: roots taken during the replay")
struct CheckpointAuditRootsTests {
    /// A ledger of 40 entries with checkpoints signed at 10, 25 and 40, and the history a verifier keeps at 25.
    static func checkpointed() throws -> (Ledger<NoDomainRules>, remembered: VerifierState) {
        let ledger = try TestLedgers.make(count: 10)
        _ = try LedgerCheckpoints.sign(ledger, key: TestLedgers.key(1))
        try TestLedgers.extend(ledger, by: 15)
        _ = try LedgerCheckpoints.sign(ledger, key: TestLedgers.key(1))
        let (report, replayer) = try LedgerVerifier.verify(store: ledger.store, domain: NoDomainRules())
        let options = CheckpointAudit.Options(
            verifiedSize: UInt64(report.entries), verifiedHead: report.headHash)
        let remembered = try #require(
            try CheckpointAudit.audit(store: ledger.store, keys: replayer.keys, options: options).newState)
        #expect(remembered.size == 25)
        try TestLedgers.extend(ledger, by: 15)
        _ = try LedgerCheckpoints.sign(ledger, key: TestLedgers.key(1))
        return (ledger, remembered)
    }

    /// Both audits of the log as it is now, with and without a history; then the roots-taken audit again after the
    /// log was replaced by `afterwards`, which must not change what it says (it did not read the log again).
    func expectSameAudits(
        _ ledger: Ledger<NoDomainRules>, remembered: VerifierState?, afterwards: [[UInt8]]? = nil,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        for history in [false, true] {
            var options = CheckpointAudit.Options(now: TestLedgers.start)
            let planned = try CheckpointAudit.plannedSizes(store: ledger.store, options: options)
            let roots = CheckpointAudit.LineRoots(sizes: planned)
            let (report, replayer) = try LedgerVerifier.verify(
                store: ledger.store, domain: NoDomainRules(), eachLine: roots.observe)
            if history {
                options.remembered = remembered
                options.verifiedSize = UInt64(report.entries)
                options.verifiedHead = report.headHash
            }
            let reread = try CheckpointAudit.audit(store: ledger.store, keys: replayer.keys, options: options)
            let original = try TestLedgers.lines(ledger)
            if let afterwards { try TestLedgers.write(afterwards, to: ledger) }
            let taken = try CheckpointAudit.audit(
                store: ledger.store, keys: replayer.keys, options: options, roots: roots)
            if afterwards != nil { try TestLedgers.write(original, to: ledger) }
            #expect(taken.outcomes.findings == reread.outcomes.findings, sourceLocation: sourceLocation)
            #expect(taken.outcomes.tallies == reread.outcomes.tallies, sourceLocation: sourceLocation)
            #expect(taken.newState?.size == reread.newState?.size, sourceLocation: sourceLocation)
            #expect(taken.newState?.root == reread.newState?.root, sourceLocation: sourceLocation)
            #expect(taken.newState?.headHash == reread.newState?.headHash, sourceLocation: sourceLocation)
        }
    }

    @Test("an intact log: the roots taken are used (the log replaced afterwards changes nothing)")
    func intact() throws {
        let (ledger, remembered) = try Self.checkpointed()
        try expectSameAudits(ledger, remembered: remembered, afterwards: [])
        let rewritten = try TestLedgers.lines(ledger).map { line in line.map { $0 == 0x41 ? 0x42 : $0 } }
        try expectSameAudits(ledger, remembered: remembered, afterwards: rewritten)
    }

    @Test("a log cut below its checkpoints and its history, or grown past them, or changed inside")
    func changedLogs() throws {
        for change in ["cut at 20", "cut at 8", "grown", "line 17 changed", "last line changed"] {
            let (ledger, remembered) = try Self.checkpointed()
            var lines = try TestLedgers.lines(ledger)
            switch change {
            case "cut at 20": lines = Array(lines.prefix(20))
            case "cut at 8": lines = Array(lines.prefix(8))
            case "grown":
                try TestLedgers.extend(ledger, by: 5)
                lines = try TestLedgers.lines(ledger)
            case "line 17 changed": lines[16][lines[16].count - 3] ^= 0x01
            default: lines[lines.count - 1][lines[lines.count - 1].count - 3] ^= 0x01
            }
            try TestLedgers.write(lines, to: ledger)
            for remembered in [nil, VerifierState?.some(remembered)] {
                try expectSameAudits(ledger, remembered: remembered)
                // A log cut below a checkpoint is read again (a grown log looks the same to the replay), so only
                // the others are checked to use the roots taken.
                if !change.hasPrefix("cut") { try expectSameAudits(ledger, remembered: remembered, afterwards: []) }
            }
        }
    }

    @Test("a writer that appends and signs a checkpoint while the log is replayed raises no finding")
    func concurrentWriter() throws {
        let (ledger, _) = try Self.checkpointed()
        let options = CheckpointAudit.Options(now: TestLedgers.start)
        let roots = CheckpointAudit.LineRoots(
            sizes: try CheckpointAudit.plannedSizes(store: ledger.store, options: options))
        let (report, replayer) = try LedgerVerifier.verify(
            store: ledger.store, domain: NoDomainRules(), eachLine: roots.observe)
        #expect(report.isValid)
        // Between the replay and the audit: five more entries, and a checkpoint of the grown log.
        try TestLedgers.extend(ledger, by: 5)
        _ = try LedgerCheckpoints.sign(ledger, key: TestLedgers.key(1))
        let audit = try CheckpointAudit.audit(
            store: ledger.store, keys: replayer.keys, options: options, roots: roots)
        #expect(audit.outcomes.findings.isEmpty, "\(audit.outcomes.findings.map(\.message))")
        #expect(audit.outcomes.tallies[CheckpointAudit.consistencyRule]?.passed == 5)
    }

    @Test("a history remembered at a size no checkpoint has is audited by reading the log again")
    func rememberedElsewhere() throws {
        let (ledger, remembered) = try Self.checkpointed()
        // The checkpoint at 25 is dropped: the history's 25 is then a size the replay takes no root at.
        for name in ["25.txt"] {
            try FileManager.default.removeItem(
                atPath: ledger.store.directory + "/" + LedgerCheckpoints.directoryName + "/" + name)
        }
        let planned = try CheckpointAudit.plannedSizes(store: ledger.store, options: .init())
        #expect(!planned.contains(remembered.size))
        try expectSameAudits(ledger, remembered: remembered)
    }
}
