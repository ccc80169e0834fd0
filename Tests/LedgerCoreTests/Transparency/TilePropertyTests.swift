import LedgerCore
import LedgerCrypto
import Synchronization
import Testing

/// RFC 6962 written from its definition, sharing nothing with LedgerCore's tree, tiles or client: the oracle.
enum ReferenceRFC6962 {
    static func sha256(_ bytes: [UInt8]) -> [UInt8] { SHA256.hash(bytes).bytes }

    /// The leaf data of leaf `index` in these tests.
    static func leaf(_ index: UInt64) -> [UInt8] {
        Array("leaf \(index)".utf8)
    }

    static func leafHash(_ leaf: [UInt8]) -> [UInt8] { sha256([0x00] + leaf) }

    /// MTH(D[n]) of RFC 6962 §2.1, recursively, over leaf hashes.
    static func root(_ leafHashes: ArraySlice<[UInt8]>) -> [UInt8] {
        switch leafHashes.count {
        case 0: return sha256([])
        case 1: return leafHashes.first!
        default:
            var k = 1
            while k * 2 < leafHashes.count { k *= 2 }
            let start = leafHashes.startIndex
            return sha256([0x01] + root(leafHashes[start..<(start + k)]) + root(leafHashes[(start + k)...]))
        }
    }

    /// The hashes of Merkle level `level`: the roots of the aligned complete subtrees of 2^level leaves.
    static func levels(_ leafHashes: [[UInt8]], upTo top: Int) -> [[[UInt8]]] {
        var levels = [leafHashes]
        for _ in 0..<top {
            let below = levels.last!
            levels.append(
                stride(from: 0, to: below.count - 1, by: 2).map { sha256([0x01] + below[$0] + below[$0 + 1]) })
        }
        return levels
    }
}

/// Serves the tiles of an in-memory tree and records what was asked.
struct TreeTileFetcher: TileFetcher {
    let tree: MerkleTree<InMemoryMerkleHashStore>
    let requests = Requests()

    final class Requests: Sendable {
        let paths = Mutex<[String]>([])
        func record(_ path: String) { paths.withLock { $0.append(path) } }
        var all: [String] { paths.withLock { $0 } }
        func reset() { paths.withLock { $0.removeAll() } }
    }

    func fetch(_ path: String) async throws -> [UInt8] {
        requests.record(path)
        guard case .hashes(let tile) = try TilePath(parsing: path) else {
            throw TransparencyError(.fetchFailed, "only hash tiles here")
        }
        return try tree.tileBytes(tile)
    }
}

@Suite("Tiles: a property test against an independent RFC 6962 tree")
struct TilePropertyTests {
    /// Tree sizes at the edges of tiles and levels, and random ones up to 300 000 leaves.
    static let sizes: [UInt64] = {
        var random = SplitMix64(seed: 6962)
        let fixed: [UInt64] = [0, 1, 2, 255, 256, 257, 511, 512, 65_535, 65_536, 65_537]
        let drawn = (0..<5).map { _ in UInt64.random(in: 1...300_000, using: &random) }
        return Array(Set(fixed + drawn)).sorted()
    }()

    @Test("the tiles of each size are exactly the spec's and reproduce the independent root; older roots from tiles")
    func tilesReproduceTheRoot() async throws {
        var random = SplitMix64(seed: 256)
        var tree = try MerkleTree(store: InMemoryMerkleHashStore())
        var leafHashes: [[UInt8]] = []
        for size in Self.sizes {
            while tree.size < size {
                let leaf = ReferenceRFC6962.leaf(tree.size)
                leafHashes.append(ReferenceRFC6962.leafHash(leaf))
                try tree.append(leaf: leaf)
            }
            let expectedRoot = ReferenceRFC6962.root(leafHashes[...])
            #expect(tree.root.bytes == expectedRoot, "size \(size)")
            let levels = ReferenceRFC6962.levels(leafHashes, upTo: 16)

            // Which tiles exist, per the spec's formulas, and what they hold: MTH of 256^L leaves each.
            var power: UInt64 = 1
            for level in 0..<3 {
                let hashes = size / power
                let full = hashes / 256
                let width = Int(hashes % 256)
                #expect(Tile.fullCount(level: level, treeSize: size) == full, "size \(size) level \(level)")
                #expect(Tile.partial(level: level, treeSize: size)?.width == (width == 0 ? nil : width))
                #expect(Tile.partial(level: level, treeSize: size)?.index == (width == 0 ? nil : full))
                var tiles = (0..<full).map { try! Tile(level: level, index: $0) }
                if width > 0 { tiles.append(try Tile(level: level, index: full, width: width)) }
                for tile in tiles where tile.isPartial || tile.index % 97 == 0 || tile.index + 1 == full {
                    let first = Int(tile.index) * 256
                    let expected = levels[8 * level][first..<(first + tile.width)].flatMap { $0 }
                    #expect(try tree.tileBytes(tile) == expected, "\(tile.path) at size \(size)")
                }
                // No tile beyond the edge.
                let beyond = try Tile(level: level, index: full, width: min(256, width + 1))
                #expect(throws: TransparencyError.self) { try tree.tileBytes(beyond) }
                power *= 256
            }
            #expect(Tile.levelCount(treeSize: size) == (size == 0 ? 0 : size < 256 ? 1 : size < 65_536 ? 2 : 3))

            // The client reads exactly the right edge and recomputes the root from it.
            let fetcher = TreeTileFetcher(tree: tree)
            let checkpoint = try Checkpoint(
                origin: "example.com/tiles", size: size, rootHash: Digest(bytes: expectedRoot)!)
            var client = try await TileClient(fetcher: fetcher, checkpoint: checkpoint)
            #expect(fetcher.requests.all == Tile.rightEdge(treeSize: size).map(\.path))
            #expect(fetcher.requests.all.allSatisfy { $0.contains(".p/") })

            // Any other root is refused.
            if size > 0 {
                var wrong = expectedRoot
                wrong[Int.random(in: 0..<32, using: &random)] ^= 0x80
                let forged = try Checkpoint(origin: "example.com/tiles", size: size, rootHash: Digest(bytes: wrong)!)
                await #expect(throws: TransparencyError.self) {
                    _ = try await TileClient(fetcher: fetcher, checkpoint: forged)
                }
            }

            // Roots of older sizes, from authenticated tiles: consistency without a proof.
            for _ in 0..<3 where size > 0 {
                let old = UInt64.random(in: 0...size, using: &random)
                let root = try await client.root(atSize: old)
                #expect(root.bytes == ReferenceRFC6962.root(leafHashes[..<Int(old)]), "root at \(old) of \(size)")
            }
            if size > 0 {
                let index = UInt64.random(in: 0..<size, using: &random)
                let (tile, bytes) = try await client.tileBytes(level: 0, index: index / 256)
                #expect(tile.exists(inTreeOfSize: size))
                #expect(Array(bytes[Int(index % 256) * 32..<Int(index % 256 + 1) * 32]) == leafHashes[Int(index)])
            }
        }
    }

    @Test("a changed byte in any tile the client reads is caught")
    func tamperedTiles() async throws {
        var tree = try MerkleTree(store: InMemoryMerkleHashStore())
        var leafHashes: [[UInt8]] = []
        for index in 0..<UInt64(70_000) {
            let leaf = ReferenceRFC6962.leaf(index)
            leafHashes.append(ReferenceRFC6962.leafHash(leaf))
            try tree.append(leaf: leaf)
        }
        let checkpoint = try Checkpoint(
            origin: "example.com/tiles", size: 70_000, rootHash: Digest(bytes: ReferenceRFC6962.root(leafHashes[...]))!)
        // Reading leaf 1000's tile needs tile/0/003 (full), its parent tile/1/000 (full) and the right edge.
        let honest = TreeTileFetcher(tree: tree)
        var client = try await TileClient(fetcher: honest, checkpoint: checkpoint)
        _ = try await client.tileBytes(level: 0, index: 3)
        let read = honest.requests.all
        #expect(read == ["tile/0/273.p/112", "tile/1/001.p/17", "tile/2/000.p/1", "tile/1/000", "tile/0/003"])
        for path in read {
            let tampering = TamperingFetcher(inner: honest, path: path) { $0[$0.count / 2] ^= 1 }
            await #expect(throws: TransparencyError.self, "\(path)") {
                var client = try await TileClient(fetcher: tampering, checkpoint: checkpoint)
                _ = try await client.tileBytes(level: 0, index: 3)
            }
            let truncated = TamperingFetcher(inner: honest, path: path) { $0.removeLast() }
            await #expect(throws: TransparencyError.self, "\(path)") {
                var client = try await TileClient(fetcher: truncated, checkpoint: checkpoint)
                _ = try await client.tileBytes(level: 0, index: 3)
            }
        }
    }
}

/// Passes every fetch to `inner`, changing the bytes of one path.
struct TamperingFetcher: TileFetcher {
    let inner: any TileFetcher
    let path: String
    let change: @Sendable (inout [UInt8]) -> Void

    func fetch(_ requested: String) async throws -> [UInt8] {
        var bytes = try await inner.fetch(requested)
        if requested == path { change(&bytes) }
        return bytes
    }
}
