import LedgerCore
import LedgerCrypto
import Testing

@Suite("Tiles: paths, layout and entry bundles (C2SP tlog-tiles)")
struct TilePathTests {
    @Test(
        "canonical paths parse and format back byte for byte",
        arguments: [
            ("tile/0/000", TilePath.hashes(try! Tile(level: 0, index: 0))),
            ("tile/0/005", .hashes(try! Tile(level: 0, index: 5))),
            ("tile/3/999", .hashes(try! Tile(level: 3, index: 999))),
            ("tile/1/x001/000", .hashes(try! Tile(level: 1, index: 1000))),
            // The spec's example.
            ("tile/0/x001/x234/067", .hashes(try! Tile(level: 0, index: 1_234_067))),
            ("tile/0/x001/x234/067.p/8", .hashes(try! Tile(level: 0, index: 1_234_067, width: 8))),
            ("tile/63/x018/x446/x744/x073/x709/x551/615", .hashes(try! Tile(level: 63, index: UInt64.max))),
            ("tile/2/000.p/1", .hashes(try! Tile(level: 2, index: 0, width: 1))),
            ("tile/0/000.p/255", .hashes(try! Tile(level: 0, index: 0, width: 255))),
            ("tile/entries/000", .entries(try! Tile(level: 0, index: 0))),
            ("tile/entries/x001/x234/067.p/5", .entries(try! Tile(level: 0, index: 1_234_067, width: 5))),
            ("tile/entries/x010/000.p/17", .entries(try! Tile(level: 0, index: 10_000, width: 17))),
            ("checkpoint", .checkpoint),
        ])
    func roundTrip(text: String, path: TilePath) throws {
        #expect(try TilePath(parsing: text) == path)
        #expect(path.description == text)
        if case .hashes(let tile) = path { #expect(tile.path == text) }
        if case .entries(let tile) = path { #expect(tile.entriesPath == text) }
    }

    @Test(
        "every other spelling is refused",
        arguments: [
            "tile/0/x000/005",  // a leading zero group
            "tile/0/x000/x001/005",
            "tile/0/5", "tile/0/05", "tile/0/0005", "tile/0/x1/000", "tile/0/x0001/000",
            "tile/0/001/234",  // a group without x
            "tile/0/x001/x234",  // the last group with x
            "tile/0/xx01/234", "tile/0/X001/234", "tile/0/00a", "tile/0/-01", "tile/0/+01",
            "tile/00/000", "tile/01/000", "tile/64/000", "tile/-1/000", "tile/+1/000", "tile/1e0/000",
            "tile/0/000.p/0", "tile/0/000.p/256", "tile/0/000.p/007", "tile/0/000.p/", "tile/0/000.p",
            "tile/0/000.p/5/", "tile/0/000.P/5", "tile/0/000.p/5.p/5", "tile/0/000.p/x5", "tile/0/x001.p/5/234",
            "tile/0/000/", "/tile/0/000", "tile//000", "tile/0//000", "tile/0", "tile/0/", "tile/", "tile",
            "tile/entries", "tile/entries/", "tile/entries/0/000", "tile/entries/x000/001", "tile/data/000",
            "Tile/0/000", "tiles/0/000", "checkpoint/", "/checkpoint", "Checkpoint", "",
            " tile/0/000", "tile/0/000 ", "tile/0/000\n",
            "tile/0/x018/x446/x744/x073/x709/x551/616",  // 2^64
            "tile/0/x001/x002/x003/x004/x005/x006/x007/008",  // more groups than 64 bits need
            "tile/0/０００",  // full-width digits
        ])
    func refused(text: String) {
        #expect(thrownCode { try TilePath(parsing: text) } == .malformedTilePath)
    }

    @Test("round trip of random indices and widths at every level")
    func randomRoundTrip() throws {
        var random = SplitMix64(seed: 42)
        for _ in 0..<2000 {
            let digits = Int.random(in: 1...20, using: &random)
            let index = UInt64.random(in: 0...UInt64.max, using: &random) >> UInt64(64 - digits * 64 / 20)
            let tile = try Tile(
                level: Int.random(in: 0...63, using: &random), index: index,
                width: Int.random(in: 1...256, using: &random))
            #expect(try TilePath(parsing: tile.path) == .hashes(tile))
            #expect(
                try TilePath(parsing: tile.entriesPath) == .entries(Tile(level: 0, index: index, width: tile.width)))
        }
    }

    @Test("tiles refuse levels and widths outside the spec")
    func tileBounds() {
        #expect(throws: TransparencyError.self) { try Tile(level: 64, index: 0) }
        #expect(throws: TransparencyError.self) { try Tile(level: -1, index: 0) }
        #expect(throws: TransparencyError.self) { try Tile(level: 0, index: 0, width: 0) }
        #expect(throws: TransparencyError.self) { try Tile(level: 0, index: 0, width: 257) }
    }

    @Test("the spec's examples: which tiles a tree of 70 000 and of 256 entries has")
    func specLayout() throws {
        #expect(Tile.fullCount(level: 0, treeSize: 70_000) == 273)
        #expect(Tile.partial(level: 0, treeSize: 70_000) == (try Tile(level: 0, index: 273, width: 112)))
        #expect(Tile.fullCount(level: 1, treeSize: 70_000) == 1)
        #expect(Tile.partial(level: 1, treeSize: 70_000) == (try Tile(level: 1, index: 1, width: 17)))
        #expect(Tile.fullCount(level: 2, treeSize: 70_000) == 0)
        #expect(Tile.partial(level: 2, treeSize: 70_000) == (try Tile(level: 2, index: 0, width: 1)))
        #expect(Tile.levelCount(treeSize: 70_000) == 3)
        #expect(
            Tile.rightEdge(treeSize: 70_000).map(\.path) == ["tile/0/273.p/112", "tile/1/001.p/17", "tile/2/000.p/1"])

        #expect(Tile.fullCount(level: 0, treeSize: 256) == 1)
        #expect(Tile.partial(level: 0, treeSize: 256) == nil)
        #expect(Tile.rightEdge(treeSize: 256).map(\.path) == ["tile/1/000.p/1"])
        #expect(Tile.rightEdge(treeSize: 0).isEmpty)
        #expect(Tile.levelCount(treeSize: 0) == 0)
        #expect(Tile.rightEdge(treeSize: UInt64.max).count == 8)
        #expect(Tile.inTree(level: 0, index: 273, treeSize: 70_000)?.width == 112)
        #expect(Tile.inTree(level: 0, index: 272, treeSize: 70_000)?.width == 256)
        #expect(Tile.inTree(level: 0, index: 274, treeSize: 70_000) == nil)
        #expect(Tile.inTree(level: 3, index: 0, treeSize: 70_000) == nil)
        // A partial tile of an older size is part of every larger tree; a wider one is not yet.
        #expect(try Tile(level: 0, index: 273, width: 100).exists(inTreeOfSize: 70_000))
        #expect(!(try Tile(level: 0, index: 273, width: 113).exists(inTreeOfSize: 70_000)))
        #expect(!(try Tile(level: 0, index: UInt64.max).exists(inTreeOfSize: UInt64.max)))
    }

    @Test("entry bundles: big-endian uint16 lengths, exactly the expected entries")
    func bundles() throws {
        let entries: [[UInt8]] = [Array("{\"a\":1}".utf8), [], [UInt8](repeating: 0x61, count: 300)]
        let bytes = try EntryBundle.encode(entries)
        #expect(Array(bytes.prefix(9)) == [0x00, 0x07, 0x7B, 0x22, 0x61, 0x22, 0x3A, 0x31, 0x7D])
        #expect(Array(bytes[9..<13]) == [0x00, 0x00, 0x01, 0x2C])
        #expect(bytes.count == 2 + 7 + 2 + 0 + 2 + 300)
        #expect(try EntryBundle.decode(bytes, count: 3).map(Array.init) == entries)

        let largest = [UInt8](repeating: 0x7A, count: EntryBundle.maxEntrySize)
        let framed = try EntryBundle.encode([largest])
        #expect(Array(framed.prefix(2)) == [0xFF, 0xFF])
        #expect(try EntryBundle.decode(framed, count: 1).map(Array.init) == [largest])
        #expect(throws: TransparencyError.self) { try EntryBundle.encode([largest + [0]]) }
        #expect(throws: TransparencyError.self) {
            try EntryBundle.encode([[UInt8]](repeating: [1], count: Tile.fullWidth + 1))
        }

        for (broken, count) in [
            (bytes, 2),  // more entries than the tile's width
            (bytes, 4),  // fewer
            (bytes + [0], 3),  // a stray byte
            (bytes + [0, 0], 3),  // an empty fourth entry
            (Array(bytes.dropLast()), 3),  // the last entry cut short
            (Array(bytes.prefix(1)), 1),  // inside a length
            ([0x00, 0x05, 0x61], 1),  // a length past the end
            ([], 1),
        ] {
            #expect(throws: TransparencyError.self) { try EntryBundle.decode(broken, count: count) }
        }
        #expect(try EntryBundle.decode([], count: 0).isEmpty)
    }

    @Test("tile bytes split into exactly width hashes")
    func tileHashes() throws {
        let tile = try Tile(level: 0, index: 0, width: 2)
        let bytes = [UInt8](0..<64)
        #expect(try tile.hashes(bytes).map(\.bytes) == [Array(bytes[0..<32]), Array(bytes[32..<64])])
        #expect(throws: TransparencyError.self) { try tile.hashes(Array(bytes.dropLast())) }
        #expect(throws: TransparencyError.self) { try tile.hashes(bytes + [0]) }
    }
}
