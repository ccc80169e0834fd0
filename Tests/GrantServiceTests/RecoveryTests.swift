import Foundation
import GrantDomain
import GrantService
import Hummingbird
import HummingbirdTesting
import LedgerCore
import Testing

/// A writer killed while writing leaves bytes after the log's commit point: the server sets them aside, at start or
/// before its next append.
@Suite struct RecoveryTests {
    /// Appends `bytes` to the log file behind the store's back, as a writer killed before its commit point leaves them.
    static func interruptedWrite(_ bytes: Data, in directory: String) throws {
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: directory + "/ledger.jsonl"))
        try handle.seekToEnd()
        try handle.write(contentsOf: bytes)
        try handle.close()
    }

    /// The side files `repair` writes beside the log.
    static func sideFiles(in directory: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasPrefix("ledger.jsonl.torn-") }
    }

    @Test("a log left past its commit point is repaired at start: the bytes set aside, the log served read-write")
    func interruptedWriteSetAsideAtStart() throws {
        let fixture = try ServiceFixture()
        defer { fixture.remove() }
        let directory = fixture.logs + "/" + ServiceFixture.demoName
        let torn = Data("{\"seq\":217,\"prev\":\"".utf8)
        try Self.interruptedWrite(torn, in: directory)
        #expect(try LedgerStore(directory: directory).view().uncommittedBytes == torn.count)

        let service = try fixture.service()
        let log = try #require(service.logs[ServiceFixture.demoName])
        #expect(log.verificationFailure == nil)
        #expect(try LedgerStore(directory: directory).view().uncommittedBytes == 0)
        let sides = try Self.sideFiles(in: directory)
        #expect(sides.count == 1)
        #expect(FileManager.default.contents(atPath: directory + "/" + (sides.first ?? "")) == torn)
    }

    @Test("bytes a killed command leaves past the commit point while the server runs are set aside by the next append")
    func interruptedWriteSetAsideByTheNextAppend() async throws {
        let fixture = try ServiceFixture()
        defer { fixture.remove() }
        let directory = fixture.logs + "/" + ServiceFixture.demoName
        let service = try fixture.service()
        let head = try #require(service.logs[ServiceFixture.demoName]).head
        let torn = Data("{\"seq\":\(head.size),\"prev\":".utf8)
        try Self.interruptedWrite(torn, in: directory)
        let entry = try Entries.registration(seq: Int64(head.size), prev: head.hash, signer: fixture.authority).entry
        try await Application(router: service.router()).test(.router) { client in
            try await client.execute(
                uri: "/v1/logs/\(ServiceFixture.demoName)/entries", method: .post, headers: .ifMatch(head.hash),
                body: Entries.body([entry])
            ) { response in
                #expect(response.status == .created, "\(response.json)")
            }
        }
        let sides = try Self.sideFiles(in: directory)
        #expect(sides.count == 1)
        #expect(FileManager.default.contents(atPath: directory + "/" + (sides.first ?? "")) == torn)
        let (report, _) = try LedgerVerifier.verify(store: LedgerStore(directory: directory), domain: GrantRules())
        #expect(report.isValid)
        #expect(report.entries == Int64(head.size) + 1)
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
