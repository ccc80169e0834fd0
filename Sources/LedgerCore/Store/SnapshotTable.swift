public import LedgerCrypto
import Synchronization

/// A table of values by string key that a state snapshot saves as records, in buckets each checked by its own
/// SHA-256 (docs/FORMAT.md §10), so that a write session decodes only the records its entries touch.
///
/// To its readers it is a dictionary: the values read from a snapshot and the values set since are served alike.
/// Read from a snapshot by a write session (``SnapshotRecords/lazy``), a bucket is read, checked and decoded the
/// first time one of its keys is asked for; a new snapshot copies the encoded records nobody changed without
/// decoding them. Otherwise every value is decoded when the table is.
public struct SnapshotTable<Value: SnapshotCodable & Sendable>: Sendable {
    /// Values set, or read to be changed, since the table was read. Each value is in a box of its own, so the
    /// dictionary's buckets are a key and a reference: growing it moves small buckets, and only the boxes in use
    /// take a value's size (a state's values are large: an application is several hundred bytes).
    private var changed: [String: TableSlot<Value>] = [:]
    /// Keys of `base` removed since.
    private var removed: Set<String> = []
    /// The records of the snapshot the table was read from, when it was read lazily.
    private var base: Base?
    /// Number of keys.
    public private(set) var count = 0

    public init() {}

    public var isEmpty: Bool { count == 0 }

    public subscript(key: String) -> Value? {
        get {
            if let slot = changed[key] { return slot.value }
            guard let base, !removed.contains(key) else { return nil }
            return base.value(for: key)
        }
        set {
            // The old value is moved out, never copied to be looked at.
            let inBase = base.map { !removed.contains(key) && $0.contains(key) } ?? false
            let old: TableSlot<Value>?
            if let newValue {
                old = changed.updateValue(TableSlot(newValue), forKey: key)
                if !removed.isEmpty { removed.remove(key) }
            } else {
                old = changed.removeValue(forKey: key)
                if inBase { removed.insert(key) }
            }
            let had = old != nil || inBase
            count += (newValue != nil ? 1 : 0) - (had ? 1 : 0)
        }
        _modify {
            // One lookup: the slot's position serves to check, copy and read it.
            var index = changed.index(forKey: key)
            if index == nil, let base, !removed.contains(key), let value = base.value(for: key) {
                changed[key] = TableSlot(value)
                index = changed.index(forKey: key)
            }
            // The value is moved out of its box (no copy of it), changed in place, and moved back; a box shared
            // with a copy of the table is copied first (copy on write).
            var value: Value? = nil
            let slot: TableSlot<Value>?
            if let index {
                if !isKnownUniquelyReferenced(&changed.values[index]) {
                    changed.values[index] = TableSlot(changed.values[index].value)
                }
                slot = changed.values[index]
                swap(&value, &slot!.stored)
            } else {
                slot = nil
            }
            defer {
                switch (slot, value) {
                case (let slot?, let value?):
                    slot.stored = value
                case (nil, let value?):
                    changed[key] = TableSlot(value)
                    count += 1
                    if !removed.isEmpty { removed.remove(key) }
                case (_?, nil):
                    changed[key] = nil
                    count -= 1
                    if base?.contains(key) == true { removed.insert(key) }
                case (nil, nil):
                    break
                }
            }
            yield &value
        }
    }

    /// Every key, in no particular order.
    public var keys: [String] {
        var keys = Array(changed.keys)
        base?.forEachKey { key in
            if changed[key] == nil, !removed.contains(key) { keys.append(key) }
        }
        return keys
    }

    /// Every value, in no particular order (each read from the snapshot is decoded).
    public var values: [Value] {
        var values: [Value] = []
        values.reserveCapacity(count)
        forEachValue { values.append($0) }
        return values
    }

    /// Calls `body` with every value, in no particular order, one at a time: unlike ``values``, no copy of the
    /// whole table is made.
    public func forEachValue(_ body: (Value) -> Void) {
        for slot in changed.values { body(slot.value) }
        base?.forEachKey { key in
            if changed[key] == nil, !removed.contains(key), let value = base?.value(for: key) { body(value) }
        }
    }
}

/// One value of a ``SnapshotTable``, boxed.
///
/// Sendable because a box is changed only by a table that holds the only reference to it (the table copies a
/// shared box before changing it), and read otherwise.
final class TableSlot<Value: Sendable>: @unchecked Sendable {
    /// Always set, except while a table's `_modify` has moved the value out.
    var stored: Value?

    init(_ value: Value) {
        stored = value
    }

    var value: Value { stored! }
}

extension SnapshotTable: Equatable where Value: Equatable {
    public static func == (lhs: Self, rhs: Self) -> Bool {
        guard lhs.count == rhs.count else { return false }
        return lhs.keys.allSatisfy { lhs[$0] == rhs[$0] }
    }
}

// MARK: - Buckets

extension SnapshotTable {
    /// At most this many records per bucket on average: a bucket is what a lookup reads and hashes.
    static var recordsPerBucket: Int { 64 }

    /// The number of buckets for `count` records: a power of two, so that a key's bucket is the low bits of its
    /// hash, and growing the table splits buckets.
    static func bucketCount(for count: Int) -> Int {
        var buckets = 1
        while buckets * recordsPerBucket < count { buckets <<= 1 }
        return buckets
    }

    /// FNV-1a, 64 bits, of the key's UTF-8 bytes: which bucket holds it (not a security property; the buckets are
    /// checked by SHA-256).
    static func keyHash(_ key: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in key.utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
        }
        return hash
    }

    /// The records of one bucket: each key with the range of its value's encoding in `bytes`.
    struct Bucket: Sendable {
        let bytes: [UInt8]
        let slots: [(key: String, value: Range<Int>)]

        /// Parses a bucket checked by its hash: `string(key) varint(length) value`, keys in increasing byte order,
        /// each in the bucket its hash names.
        init(_ bytes: [UInt8], index: Int, bucketCount: Int) throws(SnapshotError) {
            var reader = SnapshotReader(bytes)
            var slots: [(key: String, value: Range<Int>)] = []
            while !reader.isAtEnd {
                let key: String = try reader.read()
                let length = try reader.readCount()
                let start = reader.offset
                _ = try reader.read(raw: length)
                guard Int(SnapshotTable.keyHash(key) & UInt64(bucketCount - 1)) == index,
                    slots.last.map({ $0.key.utf8.lexicographicallyPrecedes(key.utf8) }) ?? true
                else { throw SnapshotError("enregistrement mal placé dans l'instantané") }
                slots.append((key, start..<start + length))
            }
            self.bytes = bytes
            self.slots = slots
        }

        func decode(_ range: Range<Int>) throws(SnapshotError) -> Value {
            var reader = SnapshotReader(bytes, offset: range.lowerBound, end: range.upperBound)
            let value = try Value(from: &reader)
            guard reader.isAtEnd else { throw SnapshotError("enregistrement trop long dans l'instantané") }
            return value
        }
    }

    /// The buckets of a table read lazily from a snapshot, and what was read of them. Shared by the copies of a
    /// table: what it holds never changes, only what has been read of it (under a lock).
    final class Base: Sendable {
        let records: SnapshotRecords
        let count: Int
        let buckets: [SnapshotRecordRef]
        private let loaded = Mutex<[Int: Bucket]>([:])
        private let decoded = Mutex<[String: Value]>([:])

        init(records: SnapshotRecords, count: Int, buckets: [SnapshotRecordRef]) {
            self.records = records
            self.count = count
            self.buckets = buckets
        }

        func index(of key: String) -> Int { Int(SnapshotTable.keyHash(key) & UInt64(buckets.count - 1)) }

        /// Bucket `index`, read and checked the first time (and kept, unless `keep` is false: a snapshot being
        /// written reads each bucket once); nil when damaged (the snapshot is then marked so).
        func bucket(_ index: Int, keep: Bool = true) -> Bucket? {
            if let bucket = loaded.withLock({ $0[index] }) { return bucket }
            guard let bytes = records.record(buckets[index]),
                let bucket = try? Bucket(bytes, index: index, bucketCount: buckets.count)
            else {
                records.markDamaged()
                return nil
            }
            if keep { loaded.withLock { $0[index] = bucket } }
            return bucket
        }

        func contains(_ key: String) -> Bool {
            bucket(index(of: key))?.slots.contains { $0.key == key } ?? false
        }

        /// The value of `key`, decoded the first time; nil when there is none or it cannot be read.
        func value(for key: String) -> Value? {
            if let value = decoded.withLock({ $0[key] }) { return value }
            guard let bucket = bucket(index(of: key)), let slot = bucket.slots.first(where: { $0.key == key }) else {
                return nil
            }
            guard let value = try? bucket.decode(slot.value) else {
                records.markDamaged()
                return nil
            }
            decoded.withLock { $0[key] = value }
            return value
        }

        func forEachKey(_ body: (String) -> Void) {
            for index in buckets.indices {
                for slot in bucket(index)?.slots ?? [] { body(slot.key) }
            }
        }
    }
}

// MARK: - Encoding

extension SnapshotTable: SnapshotCodable {
    /// `varint(count) varint(bucket count) (varint(offset) varint(length) sha256)*` in the state; the buckets in the
    /// record area. Records nobody changed are copied from the snapshot the table was read from, not re-encoded:
    /// a snapshot is read only by the build that wrote it, so they are the bytes encoding them would give.
    public func write(to writer: inout SnapshotWriter) {
        let bucketCount = Self.bucketCount(for: count)
        writer.write(unsigned: UInt64(count))
        writer.write(unsigned: UInt64(bucketCount))
        // The changed values by new bucket: their slots, not copies of the values (the first snapshot of a log
        // changes every value).
        var changedByBucket = [[(key: String, slot: TableSlot<Value>)]](repeating: [], count: bucketCount)
        for (key, slot) in changed {
            changedByBucket[Int(Self.keyHash(key) & UInt64(bucketCount - 1))].append((key, slot))
        }
        for index in 0..<bucketCount {
            var records: [(key: String, bytes: ArraySlice<UInt8>)] = []
            for (key, slot) in changedByBucket[index] {
                var encoded = SnapshotWriter(capacity: 1024)
                slot.value.write(to: &encoded)
                records.append((key, encoded.bytes[...]))
            }
            changedByBucket[index] = []
            if let base {
                for old in Self.sourceBuckets(of: index, count: bucketCount, baseCount: base.buckets.count) {
                    guard let bucket = base.bucket(old, keep: false) else {
                        writer.fail(SnapshotError("l'instantané lu est endommagé"))
                        return
                    }
                    for slot in bucket.slots
                    where changed[slot.key] == nil && !removed.contains(slot.key)
                        && Int(Self.keyHash(slot.key) & UInt64(bucketCount - 1)) == index
                    {
                        records.append((slot.key, bucket.bytes[slot.value]))
                    }
                }
            }
            records.sort { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
            var bucket = SnapshotWriter(capacity: records.reduce(0) { $0 + $1.bytes.count + 24 })
            for record in records {
                bucket.write(record.key)
                bucket.write(unsigned: UInt64(record.bytes.count))
                bucket.write(raw: record.bytes)
            }
            writer.write(record: bucket.bytes)
        }
    }

    /// The buckets of a table of `baseCount` buckets that hold the keys of bucket `index` of one of `count`.
    static func sourceBuckets(of index: Int, count: Int, baseCount: Int) -> [Int] {
        if baseCount >= count { return Array(stride(from: index, to: baseCount, by: count)) }
        return [index & (baseCount - 1)]
    }

    public init(from reader: inout SnapshotReader) throws(SnapshotError) {
        let written = try reader.readUnsigned()
        let bucketCount = try reader.readCount()
        // The records are in the record area, so the count is bounded by the buckets (each in the state) first.
        guard written <= UInt64(bucketCount) * UInt64(Self.recordsPerBucket),
            bucketCount == Self.bucketCount(for: Int(written))
        else {
            throw SnapshotError("table de l'instantané mal répartie")
        }
        var buckets: [SnapshotRecordRef] = []
        buckets.reserveCapacity(bucketCount)
        for _ in 0..<bucketCount { buckets.append(try SnapshotRecordRef(from: &reader)) }
        guard let records = reader.records else {
            guard written == 0 else { throw SnapshotError("instantané sans zone d'enregistrements") }
            return
        }
        let count = Int(written)
        let base = Base(records: records, count: count, buckets: buckets)
        self.count = count
        if records.lazy {
            self.base = base
            return
        }
        // Read whole: every bucket checked and every value decoded now.
        changed.reserveCapacity(count)
        for index in buckets.indices {
            guard let bucket = base.bucket(index) else { throw SnapshotError("l'instantané d'état est endommagé") }
            for slot in bucket.slots { changed[slot.key] = TableSlot(try bucket.decode(slot.value)) }
        }
        guard changed.count == count else { throw SnapshotError("table de l'instantané incomplète") }
    }
}
