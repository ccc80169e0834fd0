import Foundation
@testable import GrantDomain
import GrantLedgerTestSupport
@testable import LedgerCore
import LedgerCrypto
import Testing

/// A damaged record of `state.snapshot` is never used (docs/FORMAT.md §10): a reader replays the whole log, and a
/// write session that meets it commits nothing, removes the snapshot and fails cleanly.
@Suite("State snapshots of the grant domain: damaged records")
struct SnapshotDamageTests {
    /// A demo ledger with its snapshot, whose last byte (in the last bucket of applications) is flipped.
    static func damagedDemo(_ name: String) throws -> (Ledger<GrantRules>, ReferenceData) {
        let reference = try ReferenceData.shared()
        let directory = TestDirectory.path(name)
        _ = try DemoBuilder(applications: 120, reference: reference).build(into: directory)
        let ledger = Ledger(directory: directory, domain: { GrantRules(reference: reference) })
        var bytes = Array(try Data(contentsOf: URL(fileURLWithPath: ledger.store.snapshotPath)))
        bytes[bytes.count - 1] ^= 0x01
        try Data(bytes).write(to: URL(fileURLWithPath: ledger.store.snapshotPath))
        return (ledger, reference)
    }

    @Test("a reader replays the whole log")
    func readerReplays() throws {
        let (ledger, reference) = try Self.damagedDemo("snapshot-damage-reader")
        let state = try ledger.replay()
        guard case .replay = ledger.lastStateSource else {
            Issue.record("a damaged snapshot was used: \(ledger.lastStateSource)")
            return
        }
        let full = try Ledger<GrantRules>.replay(try ledger.store.lines(), domain: GrantRules(reference: reference)).0
        #expect(state.domain.state == full.domain.state)
    }

    @Test("a write session that reads a damaged record commits nothing, removes the snapshot and fails")
    func sessionFails() throws {
        let (ledger, _) = try Self.damagedDemo("snapshot-damage-session")
        let logBefore = try Data(contentsOf: URL(fileURLWithPath: ledger.store.logPath))
        let error = #expect(throws: LedgerError.self) {
            try ledger.write { (w) throws(LedgerError) in
                guard case .snapshot = ledger.lastStateSource else {
                    Issue.record("the snapshot was not used: \(ledger.lastStateSource)")
                    return
                }
                // Every application read, as a rule touching each would.
                let ids = w.state.domain.state.applications.keys
                #expect(ids.count < 120, "the damaged bucket's applications are missing, never wrong")
                for id in ids { _ = w.state.domain.state.applications[id] }
            }
        }
        #expect(error?.code == .damagedSnapshot)
        #expect(try Data(contentsOf: URL(fileURLWithPath: ledger.store.logPath)) == logBefore)
        #expect(!FileManager.default.fileExists(atPath: ledger.store.snapshotPath))
        // The next session replays the log and writes a good snapshot, which the one after uses.
        try ledger.write { (_) throws(LedgerError) in }
        #expect(ledger.lastStateSource == .replay(entries: try TestLedgerCount.entries(ledger)))
        try ledger.write { (w) throws(LedgerError) in
            #expect(w.state.domain.state.applications.keys.count == 120)
        }
        #expect(ledger.lastStateSource == .snapshot(tail: 0))
    }

    @Test("a new snapshot is not written from one whose records it would copy are damaged; the old one goes")
    func noSnapshotCopiedFromDamage() throws {
        let (ledger, reference) = try Self.damagedDemo("snapshot-damage-copy")
        let length = try ledger.store.view().length
        let (state, _, records) = try #require(
            ledger.store.loadSnapshot(domain: GrantRules(reference: reference), length: length, lazy: true))
        #expect(records?.isDamaged == false, "only the head is read when it loads")
        try ledger.store.saveSnapshot(state, length: length)
        #expect(records?.isDamaged == true)
        #expect(!FileManager.default.fileExists(atPath: ledger.store.snapshotPath))
    }
}

/// Entries of a ledger's log.
enum TestLedgerCount {
    static func entries<Domain>(_ ledger: Ledger<Domain>) throws -> Int64 {
        let reader = try ledger.store.lines()
        var count: Int64 = 0
        while reader.next() != nil { count += 1 }
        return count
    }
}
