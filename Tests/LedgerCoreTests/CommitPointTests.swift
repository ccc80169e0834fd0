import Foundation
import LedgerCrypto
import Synchronization
import Testing

@testable import LedgerCore

#if canImport(Glibc)
    import Glibc
#endif

/// The commit point (docs/FORMAT.md §5): a batch is in the ledger whole or not at all, whatever a crash cuts.
@Suite("The commit point: batches all or nothing, torn heads, cut logs, repair")
struct CommitPointTests {
    static func bytes(_ path: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
    }

    static func put(_ bytes: [UInt8], _ path: String) throws {
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }

    static func register(_ writer: inout LedgerWriter<NoDomainRules>, _ seed: UInt8) throws(LedgerError) {
        try writer.append(
            type: EventCatalog.keyRegistered,
            payload: TestLedgers.registration(TestLedgers.key(seed), role: .payer, territories: ["15"], holder: "P"),
            signer: TestLedgers.key(1))
    }

    @Test("a slot is 128 bytes, exactly as documented, and a changed byte voids it")
    func slotFormat() throws {
        let commit = CommitPoint(length: 1234, count: 5, lastHash: SHA256.hash(Array("x".utf8)))
        let slot = commit.slot
        #expect(slot.count == 128)
        let text = String(decoding: slot, as: UTF8.self)
        #expect(text.hasPrefix("head1 0000000000000001234 0000000000000000005 \(commit.lastHash.hex) "))
        #expect(text.hasSuffix("\n"))
        let check = Hex.encode(SHA256.hash(Array(slot[..<110])).bytes.prefix(8))
        #expect(text.dropLast().hasSuffix(" " + check))
        #expect(CommitPoint(slot: slot[...]) == commit)
        // The example of docs/FORMAT.md §5.2: the two entries of §8.
        let documented = CommitPoint(
            length: 1054, count: 2,
            lastHash: Digest(hex: "b7e9f820d212206ad2d8b3f7627e094084882406366f65f64446c9c32088d760")!)
        #expect(
            String(decoding: documented.slot, as: UTF8.self)
                == "head1 0000000000000001054 0000000000000000002 b7e9f820d212206ad2d8b3f7627e094084882406366f65f64446c9c32088d760 92d788349af96699\n"
        )
        for index in [0, 10, 30, 60, 111, 127] {
            var damaged = slot
            damaged[index] ^= 0x01
            #expect(CommitPoint(slot: damaged[...]) == nil, "byte \(index)")
        }
        // The newer of two valid slots wins; a torn slot leaves the other.
        let newer = CommitPoint(length: 2000, count: 6, lastHash: .zero)
        #expect(CommitPoint.newest(in: slot + newer.slot)?.commit == newer)
        #expect(CommitPoint.newest(in: newer.slot + slot)?.commit == newer)
        #expect(CommitPoint.newest(in: slot + [UInt8](repeating: 0, count: 128))?.commit == commit)
        #expect(CommitPoint.newest(in: [UInt8](repeating: 0x41, count: 256)) == nil)
    }

    @Test("a batch written but not committed is invisible, refused to writers, and set aside whole by repair")
    func uncommittedBatch() throws {
        let ledger = try TestLedgers.make(count: 3)
        let store = ledger.store
        let headBefore = try Self.bytes(store.directory + "/ledger.head")
        let logBefore = try Self.bytes(store.logPath)
        // A crash after the log's fsync and before the commit: the head is what it was, the lines are complete.
        try ledger.write { (writer) throws(LedgerError) in
            for seed in UInt8(40)..<UInt8(60) { try Self.register(&writer, seed) }
        }
        let written = try Self.bytes(store.logPath)
        #expect(written.count > logBefore.count)
        try Self.put(headBefore, store.directory + "/ledger.head")

        #expect(try store.stableLength() == logBefore.count)
        let report = try TestLedgers.verify(ledger)
        #expect(report.entries == 3)
        #expect(report.outcomes.failures.map(\.rule) == ["INT-TORN"])
        #expect(report.tornBytes == written.count - logBefore.count)
        #expect(throws: LedgerError.self) { try store.readTail() }
        do {
            try ledger.append(
                type: EventCatalog.keyRevoked, payload: ["key_id": "x", "reason": "y"], signer: TestLedgers.key(1))
            Issue.record("an append after an uncommitted batch must be refused")
        } catch {
            #expect(error.code == .tornTail)
        }
        #expect(try Self.bytes(store.logPath) == written)

        let result = try store.repair()
        #expect(result.removedBytes == written.count - logBefore.count)
        let side = try #require(result.sideFile)
        #expect(try Self.bytes(side) == Array(written[logBefore.count...]))
        #expect(try Self.bytes(store.logPath) == logBefore)
        #expect(try TestLedgers.verify(ledger).isValid)
        #expect(try ledger.replay().count == 3)
    }

    @Test("a torn newest slot leaves the previous commit; two torn slots are refused in one sentence")
    func tornHead() throws {
        let ledger = try TestLedgers.make(count: 2)
        let store = ledger.store
        let headPath = store.directory + "/ledger.head"
        let logBefore = try Self.bytes(store.logPath)
        try ledger.write { (writer) throws(LedgerError) in try Self.register(&writer, 40) }
        var head = try Self.bytes(headPath)
        let newest = try #require(CommitPoint.newest(in: head))
        #expect(newest.commit.count == 3)
        head[newest.slot * 128 + 50] ^= 0xFF
        try Self.put(head, headPath)
        // The previous commit stands: the last batch is past it, uncommitted.
        #expect(try store.stableLength() == logBefore.count)
        #expect(try store.repair().removedBytes > 0)
        #expect(try TestLedgers.verify(ledger).isValid)
        // Appending overwrites the damaged slot.
        try ledger.write { (writer) throws(LedgerError) in try Self.register(&writer, 41) }
        #expect(try TestLedgers.verify(ledger).entries == 3)

        try Self.put([UInt8](repeating: 0x20, count: 256), headPath)
        do {
            _ = try store.lines()
            Issue.record("a damaged head must be refused")
        } catch {
            #expect(error.code == .corrupt)
            #expect(error.message.contains("ledger.head est endommagé"))
        }
    }

    @Test("a log cut or rewritten below its commit point fails verify and is not 'repaired'")
    func cutLog() throws {
        let ledger = try TestLedgers.make(count: 5)
        let store = ledger.store
        let lines = try TestLedgers.lines(ledger)
        // Written over in place, ledger.head kept (TestLedgers.write would drop it).
        try Self.put(lines[..<4].flatMap { $0 + [0x0A] }, store.logPath)
        let cut = try Self.bytes(store.logPath)
        let report = try TestLedgers.verify(ledger)
        #expect(report.entries == 4)
        #expect(report.outcomes.failures.map(\.rule) == ["INT-TORN"])
        #expect(report.outcomes.failures.first?.message.contains("des entrées acquittées ont été coupées") == true)
        #expect(throws: LedgerError.self) { try store.readTail() }
        do {
            _ = try store.repair()
            Issue.record("repair must refuse a cut log")
        } catch {
            #expect(error.code == .corrupt)
        }
        #expect(try Self.bytes(store.logPath) == cut)

        // The same length, another last line: rewritten.
        var rewritten = lines
        rewritten[4] = lines[4].map { $0 == UInt8(ascii: "P") ? UInt8(ascii: "Q") : $0 }
        try Self.put(rewritten.flatMap { $0 + [0x0A] }, store.logPath)
        let again = try TestLedgers.verify(ledger)
        #expect(again.outcomes.failures.contains { $0.rule == "INT-TORN" && $0.message.contains("réécrit") })
    }

    @Test("a ledger without ledger.head (written before commit points) reads whole and gets one at its next write")
    func legacyLedger() throws {
        let ledger = try TestLedgers.make(count: 3)
        let store = ledger.store
        try FileManager.default.removeItem(atPath: store.directory + "/ledger.head")
        #expect(try TestLedgers.verify(ledger).isValid)
        try ledger.write { (writer) throws(LedgerError) in try Self.register(&writer, 40) }
        let head = try Self.bytes(store.directory + "/ledger.head")
        let commit = try #require(CommitPoint.newest(in: head)?.commit)
        #expect(commit.count == 4)
        #expect(commit.length == (try Self.bytes(store.logPath)).count)
        #expect(try TestLedgers.verify(ledger).isValid)
        // A torn line in a ledger without a head: cut at the last newline, and a head is written.
        try FileManager.default.removeItem(atPath: store.directory + "/ledger.head")
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: store.logPath))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data("{\"torn".utf8))
        try handle.close()
        #expect(try store.repair().removedBytes == 6)
        #expect(FileManager.default.fileExists(atPath: store.directory + "/ledger.head"))
        #expect(try TestLedgers.verify(ledger).isValid)
    }

    @Test("repair is linear and never overwrites the bytes an earlier repair set aside")
    func repairKeepsEverySideFile() throws {
        let ledger = try TestLedgers.make(count: 2)
        let store = ledger.store
        let committed = try Self.bytes(store.logPath)
        let now = Timestamp(rfc3339: "2030-01-01T00:00:00Z")!
        var sides: [String] = []
        for round in 0..<3 {
            let tail = [UInt8](repeating: UInt8(ascii: "a") + UInt8(round), count: 1000 + round)
            try Self.put(committed + tail, store.logPath)
            let result = try store.repair(now: now)  // the same second every time
            let side = try #require(result.sideFile)
            #expect(try Self.bytes(side) == tail)
            sides.append(side)
        }
        #expect(Set(sides).count == 3)
        for (round, side) in sides.enumerated() {
            #expect(try Self.bytes(side).count == 1000 + round)
        }
        // 48 MiB of torn bytes without a newline: one pass (the old repair took tens of seconds on this).
        let big = [UInt8](repeating: UInt8(ascii: "z"), count: 48 << 20)
        try Self.put(committed + big, store.logPath)
        let clock = ContinuousClock()
        let started = clock.now
        let result = try store.repair(now: now)
        #expect(clock.now - started < .seconds(20))
        #expect(result.removedBytes == big.count)
        #expect(try Self.bytes(store.logPath) == committed)
        try FileManager.default.removeItem(atPath: try #require(result.sideFile))
    }

    @Test("a full disk during a batch: nothing written, the commit point unchanged, the next append works")
    func diskFullSimulated() throws {
        let ledger = try TestLedgers.make(count: 2)
        let store = ledger.store
        let logBefore = try Self.bytes(store.logPath)
        let headBefore = try Self.bytes(store.directory + "/ledger.head")
        for allowance in [0, 100, 5000] {
            FileIO.injectedWriteFaults.withLock { $0[store.directory] = (ENOSPC, allowance) }
            defer { _ = FileIO.injectedWriteFaults.withLock { $0.removeValue(forKey: store.directory) } }
            do {
                try ledger.write { (writer) throws(LedgerError) in
                    for seed in UInt8(40)..<UInt8(60) { try Self.register(&writer, seed) }
                }
                Issue.record("the write must fail on a full disk")
            } catch {
                #expect(error.code == .noSpace)
                #expect(error.message.contains("No space left on device"))
            }
            #expect(try Self.bytes(store.logPath) == logBefore)
            #expect(try Self.bytes(store.directory + "/ledger.head") == headBefore)
        }
        #expect(try TestLedgers.verify(ledger).isValid)
        try ledger.write { (writer) throws(LedgerError) in try Self.register(&writer, 40) }
        #expect(try TestLedgers.verify(ledger).entries == 3)
    }

    @Test("creating a ledger leaves no temporary file, and ledger.jsonl never exists without its commit point")
    func creation() throws {
        let ledger = try TestLedgers.make(count: 1)
        let names = try FileManager.default.contentsOfDirectory(atPath: ledger.store.directory).sorted()
        #expect(names == ["ledger.head", "ledger.jsonl", "ledger.lock"])
        let commit = try #require(CommitPoint.newest(in: try Self.bytes(ledger.store.directory + "/ledger.head")))
        #expect(commit.commit.count == 1)
    }
}
