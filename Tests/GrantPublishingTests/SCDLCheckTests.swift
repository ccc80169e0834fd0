import Foundation
import GrantDomain
import GrantPublishing
import LedgerCore
import LedgerCrypto
import Testing

/// The SCDL export names the log it comes from in a Frictionless descriptor, and `--check` recomputes it.
@Suite("SCDL export: descriptor and check against the log")
struct SCDLCheckTests {
    static let identifiers = try! SCDLIdentifiers(csv: DemoFixture.identifiersCSV, source: "test")
    static let identifiersFile = Array(DemoFixture.identifiersCSV.utf8)
    static let csv = Array(try! SCDLExport(snapshot: DemoFixture.snapshot, identifiers: identifiers).csv.utf8)
    static let resource = SCDLResource(
        csv: csv, fileName: "subventions.csv", identity: DemoFixture.snapshot.identity, identifiers: identifiersFile)

    static func check(_ published: [UInt8], resource: SCDLResource? = resource, snapshot: LedgerSnapshot? = nil)
        throws -> SCDLCheck
    {
        try SCDLCheck(
            published: published, resource: resource, snapshot: snapshot ?? DemoFixture.snapshot,
            identifiers: identifiers, identifiersFile: identifiersFile)
    }

    @Test("the descriptor is a Frictionless tabular data resource naming the file, the schema and the log")
    func descriptor() throws {
        let json = try JSONParser.parse(Self.resource.bytes)
        #expect(json["profile"] == "tabular-data-resource")
        #expect(json["path"] == "subventions.csv")
        #expect(json["name"] == "subventions")
        #expect(json["schema"]?.stringValue == SCDLResource.schemaURL)
        #expect(json["bytes"] == .integer(Int64(Self.csv.count)))
        #expect(json["hash"]?.stringValue == "sha256:" + SHA256.hash(Self.csv).hex)
        let identity = DemoFixture.snapshot.identity
        #expect(json["grantledger"]?["size"] == .integer(identity.size))
        #expect(json["grantledger"]?["root_hash"]?.stringValue == identity.rootHash)
        #expect(json["grantledger"]?["rows"] == .integer(Int64(Self.csv.filter { $0 == 0x0A }.count - 1)))
        #expect(try SCDLResource(parsing: Self.resource.bytes, source: "d") == Self.resource)
        #expect(
            SCDLResource.descriptorPath(forCSV: "site/donnees/subventions.csv")
                == "site/donnees/subventions.resource.json")
        #expect(throws: PublishingError.self) { try SCDLResource(parsing: Array("{}".utf8), source: "d") }
    }

    @Test("the export matches itself; one changed byte names its row and column")
    func changedByte() throws {
        #expect(try Self.check(Self.csv).matches)
        // The units digit of the amount on line 3 (the second grant): « …,5000.00,aide en numéraire,… ».
        let row = 3
        let newlines = Self.csv.indices.filter { Self.csv[$0] == 0x0A }
        let line = (newlines[row - 2] + 1)..<newlines[row - 1]
        let marker = Array(".00,aide".utf8)
        let at = try #require(
            line.first { Self.csv[$0..<min($0 + marker.count, line.upperBound)].elementsEqual(marker) })
        var changed = Self.csv
        changed[at - 1] = changed[at - 1] == UInt8(ascii: "9") ? UInt8(ascii: "8") : UInt8(ascii: "9")
        let result = try Self.check(changed)
        #expect(!result.matches)
        let first = try #require(result.differences.first)
        #expect(first.hasPrefix("ligne \(row) (dossier "), "\(first)")
        #expect(first.contains("montant publié « "), "\(first)")
        #expect(result.differences.last?.contains("n'est pas celui que décrit le descripteur") == true)
    }

    @Test("after the log has grown, the file is recomputed at the size its descriptor names")
    func prefixOfGrownLog() throws {
        let snapshot = DemoFixture.snapshot
        let size = snapshot.identity.size - 5
        let earlier = try snapshot.prefix(size: size)
        #expect(earlier.identity.size == size)
        #expect(try earlier.readLog() == Array(try snapshot.readLog().prefix(earlier.identity.byteCount)))
        let old = Array(try SCDLExport(snapshot: earlier, identifiers: Self.identifiers).csv.utf8)
        let described = SCDLResource(
            csv: old, fileName: "subventions.csv", identity: earlier.identity, identifiers: Self.identifiersFile)
        let result = try Self.check(old, resource: described)
        #expect(result.matches, "\(result.differences)")
        #expect(result.identity.size == size)
        // Without its descriptor, it is compared with the export of the whole log, which it is not.
        #expect(try Self.check(old, resource: nil).matches == (old == Self.csv))
    }

    /// A descriptor of the demo's export that names another size or root than the log's.
    static func described(size: Int64, rootHash: String) -> SCDLResource {
        let real = DemoFixture.snapshot.identity
        let identity = LogIdentity(
            origin: real.origin, title: real.title, size: size, headSeq: real.headSeq, headHash: real.headHash,
            headTime: real.headTime, rootHash: rootHash, byteCount: real.byteCount, fileSHA256: real.fileSHA256)
        return SCDLResource(csv: csv, fileName: "subventions.csv", identity: identity, identifiers: identifiersFile)
    }

    @Test("a descriptor whose root is not the log's at its size, or whose size the log lacks, is a difference")
    func rewrittenOrCut() throws {
        let identity = DemoFixture.snapshot.identity
        let rewritten = try Self.check(
            Self.csv, resource: Self.described(size: identity.size, rootHash: String(repeating: "0", count: 64)))
        #expect(rewritten.differences.first?.contains("le journal a été réécrit depuis l'export") == true)
        let cut = try Self.check(
            Self.csv, resource: Self.described(size: identity.size + 1, rootHash: identity.rootHash))
        #expect(cut.differences.first?.contains("son historique a été coupé") == true)
    }
}
