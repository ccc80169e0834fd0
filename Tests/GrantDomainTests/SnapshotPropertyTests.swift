import Foundation
@testable import GrantDomain
import GrantLedgerTestSupport
@testable import LedgerCore
import LedgerCrypto
import Testing

/// The invariant of `state.snapshot` (docs/FORMAT.md §10): the state saved after any prefix of a log, read back
/// and then fed the rest of the log, is the state of a full replay, property by property.
@Suite("State snapshots of the grant domain")
struct SnapshotPropertyTests {
    /// Random logs of honest and hostile events (refused entries leave dependencies, declared deviations,
    /// withdrawals, payments, amended calls), cut at random places.
    @Test("snapshot + tail = full replay, for random logs cut anywhere", arguments: [11, 23, 37, 41] as [UInt64])
    func snapshotPlusTailIsFullReplay(seed: UInt64) throws {
        let log = try HostileLog(seed: seed, count: 160)
        let reference = log.fixture.reference
        let store = log.fixture.ledger.store
        let lines = try Self.lines(store.logPath)
        let full = try Ledger<GrantRules>.replay(try store.lines(), domain: GrantRules(reference: reference)).0
        #expect(!full.domain.state.applications.isEmpty)
        #expect(!full.domain.state.dependencies.isEmpty, "the random log should have refused events")

        var random = SplitMix64(seed: seed)
        for round in 0..<5 {
            let cut = 1 + Int(random.next() % UInt64(lines.count - 1))
            let directory = TestDirectory.path("snapshot-\(seed)-\(round)")
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            let logPath = directory + "/" + LedgerStore.logFileName
            try Data(lines.prefix(cut).flatMap { $0 + [0x0A] }).write(to: URL(fileURLWithPath: logPath))
            let ledger = Ledger(directory: directory, domain: { GrantRules(reference: reference) })
            // The state of the prefix, saved as a write session saves it (a session would refuse the logs with
            // integrity faults that this generator also writes; readers still replay them).
            let prefix = try Ledger<GrantRules>.replay(
                try LineReader(
                    path: logPath,
                    limit: Int(try FileManager.default.attributesOfItem(atPath: logPath)[.size] as! UInt64)),
                domain: GrantRules(reference: reference)
            ).0
            #expect(prefix.count == Int64(cut))
            try ledger.store.saveSnapshot(prefix, length: lines.prefix(cut).reduce(0) { $0 + $1.count + 1 })

            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
            try handle.seekToEnd()
            try handle.write(contentsOf: Data(lines.dropFirst(cut).flatMap { $0 + [0x0A] }))
            try handle.close()

            let resumed = try ledger.replay()
            #expect(ledger.lastStateSource == .snapshot(tail: Int64(lines.count - cut)))
            #expect(resumed.domain.state == full.domain.state, "cut at \(cut) of \(lines.count)")
            #expect(
                StateSnapshot.encode(resumed, length: 0, identity: "")
                    == StateSnapshot.encode(full, length: 0, identity: ""),
                "keys, chain position and refused entries, cut at \(cut)")
        }
    }

    @Test("the demo leaves a snapshot, and appends on it give what a full replay gives")
    func demoSnapshot() throws {
        let reference = try ReferenceData.shared()
        let directory = TestDirectory.path("snapshot-demo")
        _ = try DemoBuilder(applications: 120, reference: reference).build(into: directory)
        let ledger = Ledger(directory: directory, domain: { GrantRules(reference: reference) })
        #expect(FileManager.default.fileExists(atPath: directory + "/" + StateSnapshot.fileName))
        let state = try ledger.replay()
        guard case .snapshot = ledger.lastStateSource else {
            Issue.record("the demo's snapshot was not used: \(ledger.lastStateSource)")
            return
        }
        let full = try Ledger<GrantRules>.replay(try ledger.store.lines(), domain: GrantRules(reference: reference)).0
        #expect(state.domain.state == full.domain.state)
        #expect(state.keys.sortedRecords.map(\.keyID) == full.keys.sortedRecords.map(\.keyID))
        // Rules with another reference dataset do not use it.
        let other = Ledger(directory: directory, domain: { GrantRules(reference: nil) })
        _ = try other.replay()
        #expect(other.lastStateSource == .replay(entries: full.count))
    }

    static func lines(_ path: String) throws -> [[UInt8]] {
        var lines = Array(try Data(contentsOf: URL(fileURLWithPath: path))).split(
            separator: 0x0A, omittingEmptySubsequences: false
        ).map(Array.init)
        if lines.last == [] { lines.removeLast() }
        return lines
    }
}
