import Foundation
import GrantService
import LedgerCore
import Testing

/// A server killed while writing leaves bytes after the log's commit point; the next start sets them aside.
@Suite struct RecoveryTests {
    @Test("a log left past its commit point is repaired at start: the bytes set aside, the log served read-write")
    func interruptedWriteSetAsideAtStart() throws {
        let fixture = try ServiceFixture()
        defer { fixture.remove() }
        let directory = fixture.logs + "/" + ServiceFixture.demoName
        let torn = Data("{\"seq\":217,\"prev\":\"".utf8)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: directory + "/ledger.jsonl"))
        try handle.seekToEnd()
        try handle.write(contentsOf: torn)
        try handle.close()
        #expect(try LedgerStore(directory: directory).view().uncommittedBytes == torn.count)

        let service = try fixture.service()
        let log = try #require(service.logs[ServiceFixture.demoName])
        #expect(log.verificationFailure == nil)
        #expect(try LedgerStore(directory: directory).view().uncommittedBytes == 0)
        let sides = try FileManager.default.contentsOfDirectory(atPath: directory)
            .filter { $0.hasPrefix("ledger.jsonl.torn-") }
        #expect(sides.count == 1)
        #expect(FileManager.default.contents(atPath: directory + "/" + (sides.first ?? "")) == torn)
    }

    @Test("a log whose commit point names bytes it no longer has is not a crash: left as it is, served read-only")
    func cutLogLeftAlone() throws {
        let fixture = try ServiceFixture()
        defer { fixture.remove() }
        let path = fixture.logs + "/" + ServiceFixture.demoName + "/ledger.jsonl"
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        bytes.removeLast(10)
        try bytes.write(to: URL(fileURLWithPath: path))
        let service = try fixture.service()
        let log = try #require(service.logs[ServiceFixture.demoName])
        #expect(log.verificationFailure != nil)
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == bytes)
    }
}
