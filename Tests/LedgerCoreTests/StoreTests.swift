import Foundation
@testable import LedgerCore
import LedgerCrypto
import Testing

@Suite("The ledger store: appends, torn tails, repair")
struct StoreTests {
    @Test("appends chain entries and survive a re-open")
    func appendAndReopen() throws {
        let ledger = try TestLedgers.make(count: 5)
        let lines = try TestLedgers.lines(ledger)
        #expect(lines.count == 5)
        for index in 1..<lines.count {
            let entry = try Entry(line: lines[index])
            #expect(entry.seq == Int64(index))
            #expect(entry.prev == SHA256.hash(lines[index - 1]))
        }
        let tail = try ledger.store.readTail()
        #expect(tail.last?.seq == 4)
        let report = try TestLedgers.verify(ledger)
        #expect(report.isValid)
        #expect(report.entries == 5)
    }

    @Test("a refused append leaves the file untouched")
    func refusedAppendWritesNothing() throws {
        let ledger = try TestLedgers.make(count: 3)
        let before = try Data(contentsOf: URL(fileURLWithPath: ledger.store.logPath))
        let stranger = TestLedgers.key(99)
        // Not registered: AUT-KEY.
        #expect(throws: LedgerError.self) {
            try ledger.append(type: EventCatalog.keyRevoked, payload: ["key_id": "x", "reason": "y"], signer: stranger)
        }
        // Unknown type: INT-TYPE.
        #expect(throws: LedgerError.self) {
            try ledger.append(type: "grant.invented", payload: [:], signer: TestLedgers.key(1))
        }
        // A prefecture may not register keys: AUT-ROLE.
        let prefecture = TestLedgers.key(11)
        #expect(throws: LedgerError.self) {
            try ledger.append(
                type: EventCatalog.keyRegistered,
                payload: TestLedgers.registration(TestLedgers.key(50), role: .payer, territories: ["15"], holder: "X"),
                signer: prefecture)
        }
        // Time going backwards: INT-TIME.
        #expect(throws: LedgerError.self) {
            try ledger.append(
                type: EventCatalog.keyRevoked, payload: ["key_id": .string(prefecture.publicKey.keyID), "reason": "y"],
                signer: TestLedgers.key(1), time: TestLedgers.start)
        }
        // Revoking an unknown key: KEY-REVOKE.
        #expect(throws: LedgerError.self) {
            try ledger.append(
                type: EventCatalog.keyRevoked, payload: ["key_id": "00", "reason": "y"], signer: TestLedgers.key(1))
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: ledger.store.logPath)) == before)
    }

    @Test("a revoked key signs nothing valid afterwards")
    func revokedKey() throws {
        let ledger = try TestLedgers.make(count: 2)
        let authority = TestLedgers.key(1)
        let prefecture = TestLedgers.key(11)
        try ledger.append(
            type: EventCatalog.keyRevoked,
            payload: ["key_id": .string(prefecture.publicKey.keyID), "reason": "clé perdue"], signer: authority)
        try ledger.append(
            type: EventCatalog.keyRegistered,
            payload: TestLedgers.registration(
                TestLedgers.key(60), role: .auditor, territories: ["*"], holder: "Cour des comptes"),
            signer: authority)
        let replay = try ledger.replay()
        #expect(replay.keys[prefecture.publicKey.keyID]?.revokedAt == 2)
        #expect(replay.keys[TestLedgers.key(60).publicKey.keyID]?.role == .auditor)
    }

    @Test("a key registered by a non-authority key is not registered: what it signs depends on that fault")
    func registrationNeedsAuthority() throws {
        let ledger = try TestLedgers.make(count: 2)
        let prefecture = TestLedgers.key(11)
        let intruder = TestLedgers.key(90)
        try ledger.write { (w) throws(LedgerError) in
            try w.appendWithoutValidation(
                type: EventCatalog.keyRegistered,
                payload: TestLedgers.registration(intruder, role: .authority, territories: ["*"], holder: "X"),
                signer: prefecture, time: TestLedgers.start.adding(seconds: 3600))
            try w.appendWithoutValidation(
                type: EventCatalog.keyRevoked,
                payload: ["key_id": .string(TestLedgers.key(1).publicKey.keyID), "reason": "coup"],
                signer: intruder, time: TestLedgers.start.adding(seconds: 3601))
        }
        let findings = try TestLedgers.verify(ledger).outcomes.sortedFindings
        #expect(findings.map(\.rule) == ["AUT-ROLE", "AUT-KEY"])
        #expect(findings.map(\.seq) == [2, 3])
        #expect(findings.map(\.kind) == [.failed, .notChecked])
        #expect(findings.map(\.dependsOn) == [nil, 2])
        #expect(try ledger.replay().keys[TestLedgers.key(1).publicKey.keyID]?.revokedAt == nil)
    }

    @Test("a torn last line is detected, refuses appends, and repair sets it aside")
    func tornTail() throws {
        let ledger = try TestLedgers.make(count: 4)
        let original = try Data(contentsOf: URL(fileURLWithPath: ledger.store.logPath))
        // An interrupted write: the first 40 bytes of a line after the committed entries.
        let torn = Array(try TestLedgers.lines(ledger)[3].prefix(40))
        try (original + Data(torn)).write(to: URL(fileURLWithPath: ledger.store.logPath))

        #expect(throws: LedgerError.self) { try ledger.store.readTail() }
        do {
            try ledger.append(
                type: EventCatalog.keyRevoked, payload: ["key_id": "x", "reason": "y"], signer: TestLedgers.key(1))
            Issue.record("append on a torn tail must fail")
        } catch {
            #expect(error.code == .tornTail)
        }
        let report = try TestLedgers.verify(ledger)
        #expect(!report.isValid)
        #expect(report.outcomes.failures.map(\.rule) == ["INT-TORN"])
        #expect(report.tornBytes == 40)

        let result = try ledger.store.repair()
        #expect(result.removedBytes == 40)
        let side = try #require(result.sideFile)
        #expect(try Data(contentsOf: URL(fileURLWithPath: side)) == Data(torn))
        #expect(try TestLedgers.verify(ledger).isValid)
        #expect(try Data(contentsOf: URL(fileURLWithPath: ledger.store.logPath)) == original)
        // Repairing again finds nothing to do.
        #expect(try ledger.store.repair().sideFile == nil)
        // Appending works again and continues the chain from entry 3.
        try ledger.append(
            type: EventCatalog.keyRegistered,
            payload: TestLedgers.registration(TestLedgers.key(70), role: .payer, territories: ["15"], holder: "DRFiP"),
            signer: TestLedgers.key(1))
        #expect(try TestLedgers.verify(ledger).isValid)
    }

    @Test("init refuses an existing ledger and a bad origin")
    func initRefusals() throws {
        let ledger = try TestLedgers.make(count: 1)
        #expect(throws: LedgerError.self) {
            try ledger.create(origin: "x", title: "y", authority: TestLedgers.key(1))
        }
        let other = Ledger(directory: TestLedgers.temporaryDirectory() + "/l", domain: { NoDomainRules() })
        #expect(throws: LedgerError.self) {
            try other.create(origin: "bad origin", title: "y", authority: TestLedgers.key(1))
        }
        #expect(!other.store.exists)
    }

    @Test("reading streams in chunks: lines longer than a chunk and many lines")
    func streaming() throws {
        let path = TestLedgers.temporaryDirectory() + "/lines"
        var bytes: [UInt8] = []
        let long = [UInt8](repeating: UInt8(ascii: "x"), count: LineReader.chunkSize + 123)
        bytes += long + [0x0A]
        for index in 0..<10_000 { bytes += Array("line \(index)\n".utf8) }
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let reader = try LineReader(path: path, limit: bytes.count)
        #expect(reader.next() == long)
        var count = 0
        while let line = reader.next() {
            #expect(line == Array("line \(count)".utf8))
            count += 1
        }
        #expect(count == 10_000)
        #expect(reader.uncommittedBytes == 0)
    }

    @Test("reading gives every line and its offset whatever its length and wherever chunks end", arguments: [1, 2, 3])
    func streamingAcrossChunks(seed: UInt64) throws {
        let path = TestLedgers.temporaryDirectory() + "/lines"
        var random = SplitMix64(seed: seed)
        var lines: [[UInt8]] = []
        var bytes: [UInt8] = []
        var offsets: [Int] = []
        while bytes.count < 5 * LineReader.chunkSize {
            // Mostly short lines, some empty, some longer than one or two chunks.
            let length: Int
            switch random.next() % 50 {
            case 0: length = LineReader.chunkSize + Int(random.next() % UInt64(LineReader.chunkSize * 2))
            case 1: length = 0
            default: length = Int(random.next() % 2_000)
            }
            let line = (0..<length).map { _ in UInt8(ascii: "a") + UInt8(random.next() % 26) }
            offsets.append(bytes.count)
            lines.append(line)
            bytes += line + [0x0A]
        }
        // A plain limit that ends inside a line: that rest is not a line.
        let limit = bytes.count
        bytes += Array("no newline".utf8)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let reader = try LineReader(path: path, limit: bytes.count)
        for (index, line) in lines.enumerated() {
            let read = reader.next()
            #expect(read == line, "line \(index)")
            #expect(reader.lineOffset == offsets[index], "line \(index)")
            if read != line { return }
        }
        #expect(reader.next() == nil)
        #expect(reader.next() == nil)
        #expect(reader.error == nil)
        let upToLimit = try LineReader(path: path, limit: limit)
        var count = 0
        while upToLimit.next() != nil { count += 1 }
        #expect(count == lines.count)
    }
}
