@testable import LedgerCore
import LedgerCrypto
import Testing

/// `SnapshotTable` (docs/FORMAT.md §10): a dictionary to its readers, saved as buckets of records each checked by
/// its own SHA-256, read one bucket at a time by a write session.
@Suite("Snapshot tables: read lazily or whole, copied untouched, damage never used")
struct SnapshotTableTests {
    /// The table's encoding: the part in the state, and the record area.
    static func encode(_ table: SnapshotTable<String>) -> (state: [UInt8], records: [UInt8]) {
        var writer = SnapshotWriter()
        writer.write(table)
        #expect(writer.failure == nil)
        return (writer.bytes, writer.records)
    }

    static func read(_ encoded: (state: [UInt8], records: [UInt8]), lazy: Bool) throws -> (
        SnapshotTable<String>, SnapshotRecords
    ) {
        let records = SnapshotRecords(encoded.records, lazy: lazy)
        var reader = SnapshotReader(encoded.state, records: records)
        let table: SnapshotTable<String> = try reader.read()
        #expect(reader.isAtEnd)
        return (table, records)
    }

    static func contents(_ table: SnapshotTable<String>) -> [String: String] {
        Dictionary(uniqueKeysWithValues: table.keys.map { ($0, table[$0]!) })
    }

    @Test("random changes on a table read lazily give the bytes of the same table built whole", arguments: [1, 2, 3])
    func lazyChangesMatchWholeTable(seed: UInt64) throws {
        var random = SplitMix64(seed: seed)
        var model: [String: String] = [:]
        var table = SnapshotTable<String>()
        for index in 0..<(150 + Int(random.next() % 100)) {
            let key = "K-\(random.next() % 400)"
            model[key] = "valeur \(index)"
            table[key] = "valeur \(index)"
        }
        #expect(Self.contents(table) == model)
        // Three generations: read lazily, changed (new keys past a power of two, changed values, removals,
        // changes in place), saved; bucket counts grow and shrink on the way.
        for generation in 0..<3 {
            let (lazy, records) = try Self.read(Self.encode(table), lazy: true)
            var changed = lazy
            #expect(changed.count == model.count)
            for step in 0..<(200 + 50 * generation) {
                let key = "K-\(random.next() % 600)"
                switch random.next() % 4 {
                case 0:
                    changed[key] = nil
                    model[key] = nil
                case 1:
                    changed[key]?.append("+")
                    model[key]?.append("+")
                default:
                    changed[key] = "g\(generation) s\(step)"
                    model[key] = "g\(generation) s\(step)"
                }
            }
            #expect(changed.count == model.count)
            #expect(Self.contents(changed) == model)
            // Every value once, from the changes and from the snapshot alike, without a copy of the table.
            var visited: [String] = []
            changed.forEachValue { visited.append($0) }
            #expect(visited.sorted() == model.values.sorted())
            #expect(changed.values.sorted() == visited.sorted())
            #expect(!records.isDamaged)
            var whole = SnapshotTable<String>()
            for (key, value) in model { whole[key] = value }
            let encoded = Self.encode(changed)
            #expect(encoded.state == Self.encode(whole).state && encoded.records == Self.encode(whole).records)
            #expect(changed == whole)
            // The table read lazily still answers as it did (the copies share what was read).
            #expect(lazy.count == table.count)
            table = changed
        }
        let (whole, _) = try Self.read(Self.encode(table), lazy: false)
        #expect(Self.contents(whole) == model)
    }

    @Test("a damaged bucket is never served: a lazy table reports it, a whole read fails")
    func damagedBucket() throws {
        var table = SnapshotTable<String>()
        for index in 0..<300 { table["K-\(index)"] = String(repeating: "v", count: index % 40) }
        var encoded = Self.encode(table)
        encoded.records[encoded.records.count / 2] ^= 0x20
        #expect(throws: SnapshotError.self) { try Self.read(encoded, lazy: false) }

        let (lazy, records) = try Self.read(encoded, lazy: true)
        #expect(!records.isDamaged, "nothing read yet")
        let answers = (0..<300).map { lazy["K-\($0)"] }
        #expect(records.isDamaged)
        // What was served is exactly the undamaged records; the damaged bucket's keys are missing, never wrong.
        for (index, answer) in answers.enumerated() where answer != nil {
            #expect(answer == String(repeating: "v", count: index % 40))
        }
        #expect(answers.contains(nil))
        // A snapshot written from it fails rather than copy a damaged bucket.
        var writer = SnapshotWriter()
        writer.write(lazy)
        #expect(writer.failure != nil)
    }

    @Test("a table whose buckets do not match its count, or a record in the wrong bucket, is refused")
    func malformedTables() throws {
        var table = SnapshotTable<String>()
        for index in 0..<100 { table["K-\(index)"] = "v" }
        let encoded = Self.encode(table)
        // The count says 10: 1 bucket expected, 2 written.
        var state = encoded.state
        state[0] = 10
        #expect(throws: SnapshotError.self) { try Self.read((state, encoded.records), lazy: false) }
        // Two buckets swapped in the directory (hashes and all): each bucket's keys are then in the wrong one.
        var reader = SnapshotReader(encoded.state)
        _ = try reader.readUnsigned()
        _ = try reader.readUnsigned()
        let first = reader.offset
        _ = try reader.readUnsigned()
        _ = try reader.readUnsigned()
        _ = try reader.read() as Digest
        let second = reader.offset
        var swapped = Array(encoded.state[..<first])
        swapped += encoded.state[second...]
        swapped += encoded.state[first..<second]
        #expect(throws: SnapshotError.self) { try Self.read((swapped, encoded.records), lazy: false) }
    }
}
