import Foundation
import GrantDomain
import GrantService
import Hummingbird
import HummingbirdTesting
import LedgerCore
import LedgerCrypto
import Testing

/// The tiles the HTTP layer serves, for random log sizes, against an independent RFC 6962 computation: the
/// checkpoint's root is the Merkle tree head of the lines, a client that trusts nothing accepts the tiles, and each
/// right-edge partial tile and bundle is exactly the spec's (c2sp.org/tlog-tiles).
@Suite struct TilePropertyTests {
    /// Fetches through the router, as a client over HTTP would.
    struct RouterFetcher: TileFetcher {
        let client: any TestClientProtocol
        let log: String

        func fetch(_ path: String) async throws -> [UInt8] {
            let response = try await client.executeRequest(
                uri: "/\(log)/\(path)", method: .get, headers: [:], body: nil)
            guard response.status == .ok else { throw ServiceError(.notFound, "\(path): \(response.status.code)") }
            return Array(buffer: response.body)
        }
    }

    /// RFC 6962 §2.1, written from the definition: MTH of n leaves splits at the largest power of two below n.
    static func treeHead(_ leaves: ArraySlice<Digest>) -> Digest {
        if leaves.isEmpty { return SHA256.hash([UInt8]()) }
        if leaves.count == 1 { return leaves.first! }
        var split = 1
        while split * 2 < leaves.count { split *= 2 }
        let left = treeHead(leaves.prefix(split)), right = treeHead(leaves.dropFirst(split))
        return SHA256.hash([0x01] + left.bytes + right.bytes)
    }

    /// A log of `size` entries: its genesis, then registrations, in one write session.
    static func makeLog(_ fixture: ServiceFixture, name: String, size: Int) throws -> [[UInt8]] {
        try fixture.addLog(name)
        let ledger = Ledger(directory: fixture.logs + "/" + name, domain: { GrantRules() })
        try ledger.write { (writer) throws(LedgerError) in
            for _ in 1..<size {
                let key = try! Ed25519PrivateKey.generate()
                let payload: JSONValue = [
                    "key_id": .string(key.publicKey.keyID), "public_key": .string(PublicKeyText.encode(key.publicKey)),
                    "role": "auditor", "territories": ["*"], "holder": "Auditeur",
                ]
                try writer.append(
                    type: EventCatalog.keyRegistered, payload: payload, signer: fixture.authority,
                    time: Timestamp(rfc3339: "2025-01-03T09:00:00Z")!)
            }
        }
        let text = try String(contentsOfFile: fixture.logs + "/\(name)/ledger.jsonl", encoding: .utf8)
        return text.split(separator: "\n").map { Array($0.utf8) }
    }

    @Test(arguments: [1, 255, 256, 257, 513] + (0..<4).map { _ in Int.random(in: 2...1_300) })
    func servedTilesReproduceTheCheckpointRoot(size: Int) async throws {
        let fixture = try ServiceFixture()
        defer { fixture.remove() }
        let lines = try Self.makeLog(fixture, name: "t", size: size)
        #expect(lines.count == size)
        let service = try fixture.service()
        let signed = try #require(try await service.logs["t"]!.signCheckpointIfGrown(key: fixture.authority))
        let leaves = lines.map { RFC6962.leafHash($0) }
        #expect(signed.checkpoint.size == UInt64(size))
        #expect(signed.checkpoint.rootHash == Self.treeHead(leaves[...]))

        try await Application(router: service.router()).test(.router) { client in
            let fetcher = RouterFetcher(client: client, log: "t")
            // A client that trusts only the key: the right edge must reproduce the signed root.
            let key = try NoteVerifier(name: signed.checkpoint.origin, publicKey: fixture.authority.publicKey)
            let (served, _) = try await TileClient.fetchCheckpoint(fetcher, key: key)
            #expect(served.checkpoint == signed.checkpoint)
            var tiles = try await TileClient(fetcher: fetcher, checkpoint: served.checkpoint)
            #expect(try await tiles.root(atSize: UInt64(size)) == Self.treeHead(leaves[...]))
            // Each level's right-edge partial tile: exactly the hashes of its complete subtrees.
            var level = 0
            while (size >> (8 * level)) > 0 {
                let count = size >> (8 * level)
                let width = count % 256
                if width > 0 {
                    let index = count / 256
                    let path = TilePath.hashes(try Tile(level: level, index: UInt64(index), width: width)).description
                    let bytes = try await fetcher.fetch(path)
                    var expected: [UInt8] = []
                    let span = 1 << (8 * level)
                    for position in 0..<width {
                        let first = (index * 256 + position) * span
                        expected += Self.treeHead(leaves[first..<(first + span)]).bytes
                    }
                    #expect(bytes == expected, "\(path)")
                }
                level += 1
            }
            // The last bundle holds the last lines, each after its two-byte length.
            let lastWidth = size % 256 == 0 ? 256 : size % 256
            let bundleTile = try Tile(level: 0, index: UInt64((size - 1) / 256), width: lastWidth)
            let bundle = try await fetcher.fetch(TilePath.entries(bundleTile).description)
            let decoded = try EntryBundle.decode(bundle, count: lastWidth).map { Array($0) }
            #expect(decoded == Array(lines.suffix(lastWidth)))
        }
    }
}
