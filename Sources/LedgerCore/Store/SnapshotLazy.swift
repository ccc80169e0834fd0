public import LedgerCrypto
import Synchronization

/// A value that a state snapshot saves as one record of its record area, checked by its own SHA-256
/// (docs/FORMAT.md §10): a write session decodes it only if its entries read it, and a new snapshot copies its
/// record unchanged when nobody did.
///
/// For the large collections of a state that most entries never read (every application id of a call, say).
/// Read from a snapshot by a write session (``SnapshotRecords/lazy``), the record is read, checked and decoded on
/// first access; otherwise when the value is. A damaged record is never served: the value then reads as empty,
/// and the snapshot is marked damaged, which the session checks before it commits anything.
public struct SnapshotLazy<Value: SnapshotCodable & SnapshotEmpty & Sendable>: Sendable {
    private var stored: Value?
    private var base: Base?

    public init(_ value: Value) {
        stored = value
    }

    public var value: Value {
        get { stored ?? base?.value() ?? Value() }
        _modify {
            if stored == nil { stored = base?.value() ?? Value() }
            base = nil
            yield &stored!
        }
        set {
            stored = newValue
            base = nil
        }
    }

    /// The record of a snapshot the value was read from and not yet decoded, shared by its copies.
    final class Base: Sendable {
        let records: SnapshotRecords
        let ref: SnapshotRecordRef
        private let decoded = Mutex<Value?>(nil)

        init(records: SnapshotRecords, ref: SnapshotRecordRef) {
            self.records = records
            self.ref = ref
        }

        /// The record's bytes, checked; nil when damaged.
        func bytes() -> [UInt8]? { records.record(ref) }

        /// The value, decoded the first time; nil when the record is damaged (the snapshot is then marked so).
        func value() -> Value? {
            if let value = decoded.withLock({ $0 }) { return value }
            guard let bytes = bytes() else { return nil }
            var reader = SnapshotReader(bytes)
            guard let value = try? Value(from: &reader), reader.isAtEnd else {
                records.markDamaged()
                return nil
            }
            decoded.withLock { $0 = value }
            return value
        }
    }
}

/// A value with an empty state (`init()`), which a ``SnapshotLazy`` whose record is damaged reads as.
public protocol SnapshotEmpty {
    init()
}

extension Array: SnapshotEmpty {}

extension SnapshotLazy: Equatable where Value: Equatable {
    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.value == rhs.value }
}

extension SnapshotLazy: SnapshotCodable {
    /// `varint(offset) varint(size) sha256` in the state, the value's encoding in the record area. A record read
    /// from a snapshot and never decoded is copied as it is.
    public func write(to writer: inout SnapshotWriter) {
        let bytes: [UInt8]
        if let stored {
            var encoded = SnapshotWriter(capacity: 1024)
            stored.write(to: &encoded)
            bytes = encoded.bytes
        } else if let base {
            guard let copied = base.bytes() else {
                return writer.fail(SnapshotError("l'instantané lu est endommagé"))
            }
            bytes = copied
        } else {
            var encoded = SnapshotWriter()
            Value().write(to: &encoded)
            bytes = encoded.bytes
        }
        writer.write(record: bytes)
    }

    public init(from reader: inout SnapshotReader) throws(SnapshotError) {
        let ref = try SnapshotRecordRef(from: &reader)
        guard let records = reader.records else { throw SnapshotError("instantané sans zone d'enregistrements") }
        let base = Base(records: records, ref: ref)
        if records.lazy {
            self.base = base
            return
        }
        guard let value = base.value() else { throw SnapshotError("l'instantané d'état est endommagé") }
        stored = value
    }
}

/// Where a record is in a snapshot's record area, and the SHA-256 of its bytes: `varint(offset) varint(size)
/// sha256` (docs/FORMAT.md §10).
public struct SnapshotRecordRef: Sendable, SnapshotCodable {
    let offset: Int
    let length: Int
    let hash: Digest

    public func write(to writer: inout SnapshotWriter) {
        writer.write(unsigned: UInt64(offset))
        writer.write(unsigned: UInt64(length))
        writer.write(hash)
    }

    public init(from reader: inout SnapshotReader) throws(SnapshotError) {
        let (offset, length): (UInt64, UInt64) = (try reader.readUnsigned(), try reader.readUnsigned())
        guard offset <= UInt64(Int.max), length <= UInt64(Int.max) else { throw SnapshotError.truncated }
        self.offset = Int(offset)
        self.length = Int(length)
        hash = try reader.read()
    }

    init(offset: Int, length: Int, hash: Digest) {
        self.offset = offset
        self.length = length
        self.hash = hash
    }
}

extension SnapshotWriter {
    /// Appends `bytes` to the record area, and their ``SnapshotRecordRef`` here.
    public mutating func write(record bytes: [UInt8]) {
        let offset = appendRecords(bytes)
        SnapshotRecordRef(offset: offset, length: bytes.count, hash: SHA256.hash(bytes)).write(to: &self)
    }
}
