import LedgerCrypto
import Synchronization

/// The record area of a state snapshot being read (docs/FORMAT.md §10): the buckets of its record tables
/// (``SnapshotTable``), each read and checked against its own SHA-256 when a table first needs it.
///
/// A write session reads the buckets it needs only (`lazy`); a reader that rebuilds the whole state reads and checks
/// every one while the snapshot is loaded, and falls back to a full replay if one is damaged. A bucket found damaged
/// late, in a write session, is never used: the table answers as if its records were missing, this value remembers
/// the damage, and the session checks ``isDamaged`` before it commits anything (``Ledger/write(_:)``).
public final class SnapshotRecords: Sendable {
    private enum Storage {
        /// An open snapshot file (closed with this value) and where its record area starts.
        case file(fd: Int32, start: Int)
        /// The record area in memory.
        case memory([UInt8])
    }

    private let storage: Storage
    /// Bytes of the record area.
    let length: Int
    /// Whether tables read their buckets when first needed (a write session) rather than all when decoded.
    public let lazy: Bool
    private let damage = Mutex(false)

    init(fd: Int32, start: Int, length: Int, lazy: Bool) {
        storage = .file(fd: fd, start: start)
        self.length = length
        self.lazy = lazy
    }

    init(_ bytes: [UInt8], lazy: Bool) {
        storage = .memory(bytes)
        length = bytes.count
        self.lazy = lazy
    }

    deinit {
        if case .file(let fd, _) = storage { Platform.close(fd) }
    }

    /// Whether a bucket read from this snapshot was damaged (torn, changed, or not what its table names).
    public var isDamaged: Bool { damage.withLock { $0 } }

    /// Marks the snapshot damaged: what was read from it is not to be used.
    public func markDamaged() { damage.withLock { $0 = true } }

    /// A record's bytes (a table's bucket, a lazy value) if their SHA-256 is the one `ref` names; else nil, and the
    /// snapshot is marked damaged.
    func record(_ ref: SnapshotRecordRef) -> [UInt8]? {
        let (offset, length) = (ref.offset, ref.length)
        guard offset >= 0, length >= 0, offset <= self.length, length <= self.length - offset else {
            markDamaged()
            return nil
        }
        let bytes: [UInt8]?
        switch storage {
        case .memory(let all): bytes = Array(all[offset..<offset + length])
        case .file(let fd, let start):
            bytes = try? FileIO.pread(fd, count: length, offset: start + offset, path: StateSnapshot.fileName)
        }
        guard let bytes, bytes.count == length, SHA256.hash(bytes) == ref.hash else {
            markDamaged()
            return nil
        }
        return bytes
    }
}
