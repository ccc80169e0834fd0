import Foundation
@testable import GrantPublishing
import GrantLedgerTestSupport
import LedgerCrypto
import Testing

@Suite("Static site: written as it is built")
struct SitePublishTests {
    /// Every regular file under `root`, relative path → bytes.
    static func tree(_ root: String) throws -> [String: [UInt8]] {
        var files: [String: [UInt8]] = [:]
        let enumerator = try #require(FileManager.default.enumerator(atPath: root))
        while let path = enumerator.nextObject() as? String {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: root + "/" + path, isDirectory: &isDirectory),
                !isDirectory.boolValue
            else { continue }
            files[path] = [UInt8](try Data(contentsOf: URL(fileURLWithPath: root + "/" + path)))
        }
        return files
    }

    @Test("publish writes the same files, byte for byte, as the site built in memory, and replaces its own site")
    func sameBytes() throws {
        let parent = TestDirectory.make("grantledger-publish")
        defer { try? FileManager.default.removeItem(atPath: parent) }
        let out = parent + "/site"
        for _ in 0..<2 {
            let written = try SiteBuilder.publish(
                snapshot: DemoFixture.snapshot, identifiers: DemoFixture.identifiers,
                identifiersFile: Array(DemoFixture.identifiersCSV.utf8), ledgerDirectory: DemoFixture.directory,
                to: out)
            let files = try Self.tree(out)
            #expect(files == SiteTests.site.files)
            #expect(written.files == files.count)
            #expect(written.pages == files.keys.filter { $0.hasSuffix(".html") }.count)
            #expect(try FileManager.default.contentsOfDirectory(atPath: parent) == ["site"])
        }
    }

    @Test(
        "in batches of 1, 5 or 56 decisions (each batch's bundles made while the one before is written), the same bytes",
        arguments: [1, 5, 56])
    func sameBytesInBatches(batch: Int) throws {
        let parent = TestDirectory.make("grantledger-publish-batches")
        defer { try? FileManager.default.removeItem(atPath: parent) }
        let written = try SiteBuilder.publish(
            snapshot: DemoFixture.snapshot, identifiers: DemoFixture.identifiers,
            identifiersFile: Array(DemoFixture.identifiersCSV.utf8), ledgerDirectory: DemoFixture.directory,
            to: parent + "/site", bundleBatch: batch)
        let files = try Self.tree(parent + "/site")
        #expect(files == SiteTests.site.files)
        #expect(written.files == files.count)
        #expect(files.keys.filter { $0.hasPrefix("donnees/preuves/") }.count > 56)
    }

    @Test("a log changed since its verification publishes nothing and leaves the previous site as it was")
    func changedLog() throws {
        let parent = TestDirectory.make("grantledger-publish")
        defer { try? FileManager.default.removeItem(atPath: parent) }
        let ledger = parent + "/ledger"
        try FileManager.default.copyItem(atPath: DemoFixture.directory, toPath: ledger)
        let snapshot = try LedgerSnapshot.verified(directory: ledger)
        let out = parent + "/site"
        try SiteBuilder.write(["index.html": Array("avant\n".utf8), SiteBuilder.marker: []], to: out)

        // One byte of the verified prefix changes, the length stays: only the copy's hash can tell.
        let handle = try #require(FileHandle(forUpdatingAtPath: ledger + "/ledger.jsonl"))
        try handle.seek(toOffset: UInt64(snapshot.identity.byteCount / 2))
        let byte = try #require(try handle.read(upToCount: 1)?.first)
        try handle.seek(toOffset: UInt64(snapshot.identity.byteCount / 2))
        try handle.write(contentsOf: [byte == UInt8(ascii: "a") ? UInt8(ascii: "b") : UInt8(ascii: "a")])
        try handle.close()

        let error = #expect(throws: PublishingError.self) {
            try SiteBuilder.publish(
                snapshot: snapshot, identifiers: DemoFixture.identifiers, identifiersFile: nil,
                ledgerDirectory: ledger, to: out)
        }
        #expect(error?.code == .unreadable)
        #expect(error?.message.contains("a changé depuis sa vérification") == true)
        #expect(try Self.tree(out) == ["index.html": Array("avant\n".utf8), SiteBuilder.marker: []])
        #expect(try FileManager.default.contentsOfDirectory(atPath: parent).sorted() == ["ledger", "site"])
    }
}
