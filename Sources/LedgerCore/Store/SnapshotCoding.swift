public import LedgerCrypto

/// Why a state snapshot cannot be used: it is then ignored and the log replayed (a snapshot is a cache).
/// The errors of reading a state snapshot.
public enum SnapshotFailure: ErrorDomain {}

public typealias SnapshotError = CodedError<SnapshotFailure>

extension ErrorCode where Domain == SnapshotFailure {
    /// The bytes are not a snapshot this version wrote.
    public static let malformed = Self("malformed")
}

extension CodedError where Domain == SnapshotFailure {
    /// A malformed snapshot, for `message`.
    public init(_ message: String) {
        self.init(.malformed, message)
    }

    static let truncated = SnapshotError("l'instantané d'état est tronqué")
}

/// A value a state snapshot can hold (docs/FORMAT.md §10): written field after field, in declaration order, with
/// no names and no padding, and read back in the same order.
///
/// The encoding is the package's own, not a standard: a snapshot is read only by the build that wrote it
/// (its `DomainRules/snapshotIdentity` says which), so it needs no evolution rules. Unsigned integers are
/// LEB128 varints, signed ones zigzag-then-LEB128, strings a varint length and their UTF-8 bytes, arrays a varint
/// count and their elements, dictionaries a count and their pairs sorted by key (so the same state always gives the
/// same bytes), optionals one byte `0` or `1` then the value.
public protocol SnapshotCodable {
    func write(to writer: inout SnapshotWriter)
    init(from reader: inout SnapshotReader) throws(SnapshotError)
}

/// Writes a state snapshot's bytes (see ``SnapshotCodable``).
public struct SnapshotWriter: Sendable {
    public private(set) var bytes: [UInt8] = []
    /// The record area: the buckets of the ``SnapshotTable``s written so far (docs/FORMAT.md §10). Held in memory
    /// unless the writer was given a file to spill it to.
    private var recordArea: SnapshotRecordArea?
    /// Why the snapshot cannot be written, if a table could not read the records it copies.
    public private(set) var failure: SnapshotError?

    public init(capacity: Int = 1 << 16) {
        bytes.reserveCapacity(capacity)
    }

    /// A writer whose record area goes to `records` (a file, when it spills).
    init(capacity: Int, records: SnapshotRecordArea) {
        bytes.reserveCapacity(capacity)
        recordArea = records
    }

    /// The record area, when it is held in memory; for a writer that spills to a file, the part not written out yet.
    public var records: [UInt8] { recordArea?.buffer ?? [] }

    public mutating func write(unsigned value: UInt64) {
        var value = value
        while value >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: value) | 0x80)
            value >>= 7
        }
        bytes.append(UInt8(value))
    }

    public mutating func write(_ value: Int64) {
        write(unsigned: UInt64(bitPattern: (value << 1) ^ (value >> 63)))
    }

    public mutating func write(_ value: Int) { write(Int64(value)) }

    public mutating func write(_ value: Bool) { bytes.append(value ? 1 : 0) }

    public mutating func write(_ value: String) {
        var value = value
        value.withUTF8 { utf8 in
            write(unsigned: UInt64(utf8.count))
            bytes.append(contentsOf: utf8)
        }
    }

    public mutating func write(_ value: Digest) {
        bytes.append(contentsOf: value.bytes)
    }

    public mutating func write(raw: [UInt8]) {
        bytes.append(contentsOf: raw)
    }

    public mutating func write(raw: ArraySlice<UInt8>) {
        bytes.append(contentsOf: raw)
    }

    /// Appends a bucket to the record area; returns its offset there.
    public mutating func appendRecords(_ bucket: [UInt8]) -> Int {
        if recordArea == nil { recordArea = SnapshotRecordArea() }
        return recordArea!.append(bucket)
    }

    /// Records that this snapshot cannot be written (the first reason is kept).
    public mutating func fail(_ error: SnapshotError) {
        if failure == nil { failure = error }
    }

    public mutating func write<T: SnapshotCodable>(_ value: T) {
        value.write(to: &self)
    }

    public mutating func write<T: SnapshotCodable>(_ value: T?) {
        guard let value else { return bytes.append(0) }
        bytes.append(1)
        value.write(to: &self)
    }

    public mutating func write<Key: SnapshotCodable & Comparable, Value: SnapshotCodable>(_ values: [Key: Value]) {
        write(unsigned: UInt64(values.count))
        for (key, value) in values.sorted(by: { $0.key < $1.key }) {
            key.write(to: &self)
            value.write(to: &self)
        }
    }

    public mutating func write<Element: SnapshotCodable & Comparable>(_ values: Set<Element>) {
        write(values.sorted())
    }
}

/// The record area of a snapshot being written: in memory, or written to a file as it grows, so that writing the
/// snapshot of a large state does not hold its records (most of its bytes) in memory.
///
/// Owned by the one ``SnapshotWriter`` that writes a snapshot, on one thread.
final class SnapshotRecordArea: @unchecked Sendable {
    /// What spilling writes past: a file open for writing, and its name for messages.
    private let spill: (fd: Int32, path: String)?
    /// Bytes not yet written to the file (all of them without one).
    private(set) var buffer: [UInt8] = []
    /// Bytes already written to the file.
    private(set) var spilled = 0
    /// Why writing to the file failed, if it did.
    private(set) var error: LedgerError?

    /// Bytes kept in memory before they are written to the file.
    static let spillSize = 1 << 20

    init(spillingTo spill: (fd: Int32, path: String)? = nil) {
        self.spill = spill
        if spill != nil { buffer.reserveCapacity(SnapshotRecordArea.spillSize) }
    }

    var count: Int { spilled + buffer.count }

    /// Appends `bytes`; returns their offset in the area.
    func append(_ bytes: [UInt8]) -> Int {
        let offset = count
        // Written out before the buffer would grow past its size, not after: growing it would double it.
        if spill != nil, buffer.count + bytes.count > SnapshotRecordArea.spillSize { flush() }
        if spill != nil, bytes.count > SnapshotRecordArea.spillSize {
            write(bytes)
        } else {
            buffer.append(contentsOf: bytes)
        }
        return offset
    }

    /// Writes what is buffered to the file, if there is one.
    func flush() {
        guard spill != nil, !buffer.isEmpty else { return }
        write(buffer)
        buffer.removeAll(keepingCapacity: true)
    }

    /// Writes `chunk` to the file. After a failure the snapshot will not be saved: bytes are only counted, so that
    /// memory stays bounded.
    private func write(_ chunk: [UInt8]) {
        guard let spill else { return }
        if error == nil {
            do throws(LedgerError) { try FileIO.writeAll(spill.fd, chunk, path: spill.path) } catch {
                self.error = error
            }
        }
        spilled += chunk.count
    }
}

/// Reads what a ``SnapshotWriter`` wrote; every read checks the bounds and throws on damaged bytes.
public struct SnapshotReader: Sendable {
    private let bytes: [UInt8]
    public private(set) var offset: Int
    /// Where the readable bytes end (the rest, a trailer, is not read).
    private let end: Int
    /// The record area of the snapshot, which its ``SnapshotTable``s read.
    public let records: SnapshotRecords?

    public init(_ bytes: [UInt8], offset: Int = 0, end: Int? = nil, records: SnapshotRecords? = nil) {
        self.bytes = bytes
        self.offset = offset
        self.end = min(end ?? bytes.count, bytes.count)
        self.records = records
    }

    public var isAtEnd: Bool { offset == end }

    public mutating func readUnsigned() throws(SnapshotError) -> UInt64 {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while offset < end {
            let byte = bytes[offset]
            offset += 1
            guard shift < 64 else { break }
            value |= UInt64(byte & 0x7F) << shift
            if byte < 0x80 { return value }
            shift += 7
        }
        throw SnapshotError.truncated
    }

    public mutating func read() throws(SnapshotError) -> Int64 {
        let zigzag = try readUnsigned()
        return Int64(bitPattern: (zigzag >> 1) ^ (0 &- (zigzag & 1)))
    }

    public mutating func read() throws(SnapshotError) -> Int {
        let value: Int64 = try read()
        guard let narrow = Int(exactly: value) else { throw SnapshotError("entier hors limites dans l'instantané") }
        return narrow
    }

    public mutating func read() throws(SnapshotError) -> Bool {
        guard offset < end else { throw SnapshotError.truncated }
        let byte = bytes[offset]
        offset += 1
        guard byte <= 1 else { throw SnapshotError("booléen invalide dans l'instantané") }
        return byte == 1
    }

    /// A count of elements that each take at least one byte: never more than the bytes left.
    public mutating func readCount() throws(SnapshotError) -> Int {
        let count = try readUnsigned()
        guard count <= UInt64(end - offset) else { throw SnapshotError.truncated }
        return Int(count)
    }

    public mutating func read() throws(SnapshotError) -> String {
        let count = try readCount()
        defer { offset += count }
        return String(decoding: bytes[offset..<offset + count], as: UTF8.self)
    }

    public mutating func read() throws(SnapshotError) -> Digest {
        let raw = try read(raw: SHA256.byteCount)
        guard let digest = Digest(bytes: raw) else { throw SnapshotError.truncated }
        return digest
    }

    public mutating func read(raw count: Int) throws(SnapshotError) -> ArraySlice<UInt8> {
        guard count <= end - offset else { throw SnapshotError.truncated }
        defer { offset += count }
        return bytes[offset..<offset + count]
    }

    public mutating func read<T: SnapshotCodable>() throws(SnapshotError) -> T {
        try T(from: &self)
    }

    /// An optional value. (A distinct name: `read()` into an optional would pick the plain overload and wrap it.)
    public mutating func readIfPresent<T: SnapshotCodable>() throws(SnapshotError) -> T? {
        guard try read() as Bool else { return nil }
        return try T(from: &self)
    }

    public mutating func read<Key: SnapshotCodable & Hashable, Value: SnapshotCodable>() throws(SnapshotError)
        -> [Key: Value]
    {
        let count = try readCount()
        var values: [Key: Value] = [:]
        values.reserveCapacity(count)
        for _ in 0..<count {
            let key = try Key(from: &self)
            values[key] = try Value(from: &self)
        }
        guard values.count == count else { throw SnapshotError("clé en double dans l'instantané") }
        return values
    }

    public mutating func read<Element: SnapshotCodable & Hashable>() throws(SnapshotError) -> Set<Element> {
        let elements: [Element] = try read()
        let set = Set(elements)
        guard set.count == elements.count else { throw SnapshotError("élément en double dans l'instantané") }
        return set
    }
}

/// An array is saved as `varint(count) element*`.
extension Array: SnapshotCodable where Element: SnapshotCodable {
    public func write(to writer: inout SnapshotWriter) {
        writer.write(unsigned: UInt64(count))
        for element in self { element.write(to: &writer) }
    }

    public init(from reader: inout SnapshotReader) throws(SnapshotError) {
        let count = try reader.readCount()
        self.init()
        reserveCapacity(count)
        for _ in 0..<count { append(try Element(from: &reader)) }
    }
}

extension String: SnapshotCodable {
    public func write(to writer: inout SnapshotWriter) { writer.write(self) }
    public init(from reader: inout SnapshotReader) throws(SnapshotError) { self = try reader.read() }
}

extension Int64: SnapshotCodable {
    public func write(to writer: inout SnapshotWriter) { writer.write(self) }
    public init(from reader: inout SnapshotReader) throws(SnapshotError) { self = try reader.read() }
}

extension Int: SnapshotCodable {
    public func write(to writer: inout SnapshotWriter) { writer.write(self) }
    public init(from reader: inout SnapshotReader) throws(SnapshotError) { self = try reader.read() }
}

extension Bool: SnapshotCodable {
    public func write(to writer: inout SnapshotWriter) { writer.write(self) }
    public init(from reader: inout SnapshotReader) throws(SnapshotError) { self = try reader.read() }
}

extension Digest: SnapshotCodable {
    public func write(to writer: inout SnapshotWriter) { writer.write(self) }
    public init(from reader: inout SnapshotReader) throws(SnapshotError) { self = try reader.read() }
}

extension Timestamp: SnapshotCodable {
    public func write(to writer: inout SnapshotWriter) { writer.write(secondsSinceEpoch) }
    public init(from reader: inout SnapshotReader) throws(SnapshotError) {
        self.init(secondsSinceEpoch: try reader.read())
    }
}

extension Role: SnapshotCodable {}

extension SnapshotReader {
    /// A value of a `String`-backed enum.
    public mutating func read<T: RawRepresentable<String>>(_ type: T.Type) throws(SnapshotError) -> T {
        let raw: String = try read()
        guard let value = T(rawValue: raw) else { throw SnapshotError("valeur inconnue « \(raw) » dans l'instantané") }
        return value
    }
}

/// A `String`-backed enum is saved as its raw value.
extension SnapshotCodable where Self: RawRepresentable, RawValue == String {
    public func write(to writer: inout SnapshotWriter) { writer.write(rawValue) }
    public init(from reader: inout SnapshotReader) throws(SnapshotError) { self = try reader.read(Self.self) }
}
