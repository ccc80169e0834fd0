import Foundation
@testable import LedgerCore
import GrantLedgerTestSupport
import LedgerCrypto
import Testing

/// `state.snapshot` (docs/FORMAT.md §10): a cache that spares a write session the replay of the whole log, used
/// only when it matches a prefix the log still has.
@Suite("State snapshots: used when they match the log, ignored otherwise")
struct StateSnapshotTests {
    /// A ledger of `count` entries whose snapshot covers all of them.
    static func ledgerWithSnapshot(count: Int) throws -> Ledger<NoDomainRules> {
        let made = try TestLedgers.make(count: count)
        #expect(!FileManager.default.fileExists(atPath: made.store.snapshotPath), "a short log has no snapshot")
        let ledger = Ledger(directory: made.store.directory, domain: { NoDomainRules() }, snapshotInterval: 1)
        try ledger.write { (_) throws(LedgerError) in }
        #expect(FileManager.default.fileExists(atPath: ledger.store.snapshotPath))
        return ledger
    }

    static func snapshotBytes<Domain>(_ ledger: Ledger<Domain>) throws -> [UInt8] {
        Array(try Data(contentsOf: URL(fileURLWithPath: ledger.store.snapshotPath)))
    }

    @Test("a write session starts from the snapshot and replays only the entries after it")
    func sessionsReplayTheTailOnly() throws {
        let saved = try Self.ledgerWithSnapshot(count: 20)
        #expect(saved.lastStateSource == .replay(entries: 20))
        let ledger = Ledger(directory: saved.store.directory, domain: { NoDomainRules() })
        try TestLedgers.extend(ledger, by: 3)
        #expect(ledger.lastStateSource == .snapshot(tail: 0))
        _ = try ledger.replay()
        #expect(ledger.lastStateSource == .snapshot(tail: 3))
        // A fresh value (a new process) too; and the state is the full replay's.
        let reopened = Ledger(directory: ledger.store.directory, domain: { NoDomainRules() })
        let resumed = try reopened.replay()
        #expect(reopened.lastStateSource == .snapshot(tail: 3))
        let full = try Ledger<NoDomainRules>.replay(try ledger.store.lines(), domain: NoDomainRules()).0
        #expect(
            StateSnapshot.encode(resumed, length: 1, identity: "")
                == StateSnapshot.encode(full, length: 1, identity: ""))
        #expect(try TestLedgers.verify(ledger).outcomes.failures.isEmpty)
    }

    @Test("a session that went far enough past the snapshot replaces it")
    func refreshedAfterEnoughEntries() throws {
        let made = try Self.ledgerWithSnapshot(count: 5)
        let ledger = Ledger(directory: made.store.directory, domain: { NoDomainRules() }, snapshotInterval: 4)
        let before = try Self.snapshotBytes(ledger)
        try TestLedgers.extend(ledger, by: 3)
        #expect(try Self.snapshotBytes(ledger) == before)
        try TestLedgers.extend(ledger, by: 2)
        #expect(ledger.lastStateSource == .snapshot(tail: 3))
        #expect(try Self.snapshotBytes(ledger) != before)
        _ = try ledger.replay()
        #expect(ledger.lastStateSource == .snapshot(tail: 0))
    }

    @Test("a temporary snapshot left by a session killed while writing it is removed by the next one that saves")
    func staleTemporaryFilesRemoved() throws {
        let ledger = try Self.ledgerWithSnapshot(count: 4)
        let stale = ledger.store.directory + "/" + StateSnapshot.temporaryPrefix + "0123456789abcdef"
        try Data(repeating: 0x2A, count: 1000).write(to: URL(fileURLWithPath: stale))
        try TestLedgers.extend(ledger, by: 1)
        #expect(!FileManager.default.fileExists(atPath: stale))
        let names = try FileManager.default.contentsOfDirectory(atPath: ledger.store.directory)
        #expect(!names.contains { $0.hasPrefix(StateSnapshot.temporaryPrefix) })
        #expect(names.contains(StateSnapshot.fileName))
    }

    @Test(
        "a snapshot that does not match the log is ignored and the whole log replayed",
        arguments: ["damaged", "truncated", "other log", "log cut", "last line rewritten", "other rules", "link"])
    func mismatchIsIgnored(_ damage: String) throws {
        let ledger = try Self.ledgerWithSnapshot(count: 12)
        let path = ledger.store.snapshotPath
        var bytes = try Self.snapshotBytes(ledger)
        var lines = try TestLedgers.lines(ledger)
        switch damage {
        case "damaged":
            bytes[bytes.count / 2] ^= 0x01
            try Data(bytes).write(to: URL(fileURLWithPath: path))
        case "truncated":
            try Data(bytes.prefix(bytes.count - 40)).write(to: URL(fileURLWithPath: path))
        case "other log":
            // The same first entries, then another one.
            let other = try TestLedgers.make(count: 11)
            try TestLedgers.extend(other, by: 1, seedTag: 0x5A)
            // A snapshot of its first 11 entries, which both logs share, would be a valid one for this log too.
            try? FileManager.default.removeItem(atPath: other.store.snapshotPath)
            try Ledger(directory: other.store.directory, domain: { NoDomainRules() }, snapshotInterval: 1).write {
                (_) throws(LedgerError) in
            }
            #expect(try TestLedgers.lines(other).count == lines.count)
            #expect(try TestLedgers.lines(other).last != lines.last)
            try Data(try Self.snapshotBytes(other)).write(to: URL(fileURLWithPath: path))
        case "log cut":
            lines.removeLast(2)
            try TestLedgers.write(lines, to: ledger)
        case "last line rewritten":
            // Same length, one byte changed in the last line's signature: another prefix.
            let last = lines.count - 1
            let at = lines[last].count - 10
            lines[last][at] = lines[last][at] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
            try TestLedgers.write(lines, to: ledger)
        case "other rules":
            // The identity is checked before the state is read: this snapshot says it was written by other rules.
            let identity = Array("core/1".utf8)
            let at = try #require(
                bytes.indices.first { bytes[$0...].starts(with: identity) })
            bytes[at + 5] = UInt8(ascii: "9")
            let body = bytes.count - SHA256.byteCount
            bytes.replaceSubrange(body..., with: SHA256.hash(Array(bytes[..<body])).bytes)
            try Data(bytes).write(to: URL(fileURLWithPath: path))
        default:
            // A link planted at the snapshot's name is not followed.
            let elsewhere = TestDirectory.path("snapshot-elsewhere")
            try Data(bytes).write(to: URL(fileURLWithPath: elsewhere))
            try FileManager.default.removeItem(atPath: path)
            try FileManager.default.createSymbolicLink(atPath: path, withDestinationPath: elsewhere)
        }
        _ = try ledger.replay()
        guard case .replay = ledger.lastStateSource else {
            Issue.record("snapshot used after « \(damage) »: \(ledger.lastStateSource)")
            return
        }
        if damage != "last line rewritten" {
            // The next write session replays the log and leaves a snapshot that matches again.
            try ledger.write { (_) throws(LedgerError) in }
            _ = try ledger.replay()
            #expect(ledger.lastStateSource == .snapshot(tail: 0))
        }
    }
}

@Suite("The record area of a snapshot being written")
struct SnapshotRecordAreaTests {
    @Test("spilled to a file, it holds every byte at the offset it gave, whatever the sizes appended")
    func spillKeepsOffsets() throws {
        let directory = TestLedgers.temporaryDirectory()
        let path = directory + "/records"
        let fd = try FileIO.open(path, Platform.readWrite | Platform.create | Platform.exclusive)
        defer { Platform.close(fd) }
        let area = SnapshotRecordArea(spillingTo: (fd, path))
        var expected: [UInt8] = []
        var random = SplitMix64(seed: 5)
        let size = SnapshotRecordArea.spillSize
        // Small records, records that cross the buffer's size, and records larger than it.
        for length in [10, size - 20, 30, size + 7, 0, 3 * size, 1] + (0..<200).map({ _ in Int(random.next() % 9000) })
        {
            let record = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ expected.count) }
            #expect(area.append(record) == expected.count)
            expected += record
            #expect(area.buffer.count <= size, "the buffer never grows past its size")
        }
        area.flush()
        #expect(area.error == nil)
        #expect(area.count == expected.count)
        #expect(try FileIO.pread(fd, count: expected.count, offset: 0, path: path) == expected)
    }
}
