import Foundation
import LedgerCrypto
import Testing

@testable import LedgerCore

/// The worked example of docs/PROOFS.md §9.5: the two-entry ledger of docs/FORMAT.md §8, served as tiles.
@Suite("Tiles: the worked example of PROOFS.md §9.5")
struct TileExampleTests {
    static func key(_ hex: String) -> Ed25519PrivateKey {
        try! Ed25519PrivateKey(seed: Hex.decode(hex)!)
    }

    @Test("the documented bytes")
    func workedExample() async throws {
        let root = TestLedgers.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let authority = Self.key("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")
        let cantal = Self.key("4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb")
        let origin = "relance-numerique.example.gouv.fr/3a"
        let ledger = Ledger(directory: root + "/events", domain: { NoDomainRules() })
        try ledger.create(
            origin: origin, title: "Relance numérique des collectivités", authority: authority,
            time: TestLedgers.start)
        try ledger.append(
            type: EventCatalog.keyRegistered,
            payload: TestLedgers.registration(
                cantal, role: .prefecture, territories: ["15"], holder: "Préfecture du Cantal"),
            signer: authority, time: TestLedgers.start.adding(seconds: 60))
        let lines = try TestLedgers.lines(ledger)
        #expect(SHA256.hash(lines[0]).hex == "fdce13772fb6289642e67f9196a845a2e2db18637063cfe62f60d57195792006")
        #expect(SHA256.hash(lines[1]).hex == "b7e9f820d212206ad2d8b3f7627e094084882406366f65f64446c9c32088d760")
        let (signed, _) = try LedgerCheckpoints.sign(ledger, key: authority)
        let reader = try TileReader.open(ledger.store)

        let noteKey = "relance-numerique.example.gouv.fr/3a+752e04d9+AddamAGCsQq31Uv+08lkBzoO4XLz2qYjJa8CGmj3B1Ea"
        #expect(try NoteVerifier(name: origin, publicKey: authority.publicKey).verifierKey == noteKey)
        #expect(
            signed.text == """
                relance-numerique.example.gouv.fr/3a
                2
                ERhbee0veUD1RYteUuVYd2TjZQa5lBmaSLqGYt/jfKg=

                \u{2014} relance-numerique.example.gouv.fr/3a dS4E2b42/gbmYUf1xg6Ze18oDHaeEQjF4GiwXvuvEFWp7DGvPU/gjSKIV5nN04/15Fj5707Md7pqgPaHDkb2MWOy2Q4=

                """)

        // Level 0, partial, width 2: the two leaf hashes. No level 1 (fewer than 256 entries).
        let tile = try reader.read(path: "tile/0/000.p/2")
        #expect(
            Hex.encode(tile)
                == "7e1dcad68d0c3318dd768a354c3251cbe80c520ef81be99e7109754da52d1241"
                + "b8be9d0b711c0c7f3b5f9c831f424eaa92d1548bcf0538bb06e1d9babf89b445")
        #expect(Array(tile[0..<32]) == RFC6962.leafHash(lines[0]).bytes)
        #expect(
            RFC6962.nodeHash(Digest(bytes: tile[0..<32])!, Digest(bytes: tile[32..<64])!) == signed.checkpoint.rootHash)
        #expect(Tile.rightEdge(treeSize: 2).map(\.path) == ["tile/0/000.p/2"])

        // The bundle: 0x01f3 = 499, line 0, 0x0229 = 553, line 1.
        let bundle = try reader.read(path: "tile/entries/000.p/2")
        #expect(bundle.count == 1_056)
        #expect(Array(bundle[0..<2]) == [0x01, 0xF3])
        #expect(Array(bundle[2..<501]) == lines[0])
        #expect(Array(bundle[501..<503]) == [0x02, 0x29])
        #expect(Array(bundle[503...]) == lines[1])
        for missing in ["tile/0/000", "tile/0/000.p/3", "tile/1/000.p/1", "tile/entries/000.p/3"] {
            #expect((try? reader.read(path: missing)) == nil, "\(missing)")
        }

        // A mirror reads exactly the checkpoint, the one tile and the one bundle.
        let fetcher = RecordingFetcher(inner: FileTileFetcher(directory: ledger.store.directory))
        let result = try await LogMirror.sync(
            fetcher: fetcher, into: root + "/mirror", trustedKey: try NoteVerifier(verifierKey: noteKey))
        #expect(result.appended == 2)
        #expect(Set(fetcher.requests.all) == ["checkpoint", "tile/0/000.p/2", "tile/entries/000.p/2"])
        #expect(fetcher.requests.all.count == 3)
    }
}
