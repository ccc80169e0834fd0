public import LedgerCrypto

/// The ledger's commit point: how much of `ledger.jsonl` is committed, kept in `ledger.head` (docs/FORMAT.md §5.2).
///
/// A batch of entries (one append, an import, any write session's flush) is written to the log and synced first;
/// it becomes part of the ledger only when the commit point naming its end is synced in turn. Bytes of the log past
/// the commit point were never acknowledged: readers stop there, writers refuse to append after them, and
/// `repair` sets them aside. So a process killed in the middle of a large import leaves none of its rows in the
/// ledger, even the complete ones.
///
/// `ledger.head` is 256 bytes: two 128-byte slots, each a line of text
/// `head1 <length, 19 digits> <count, 19 digits> <last entry hash, 64 hex> <check, 16 hex>\n` where the check is
/// the first 8 bytes of SHA-256 of the 110 bytes before the space that precedes it. A commit overwrites the older slot in
/// place and syncs it: one small write and one `fdatasync`, no rename and no directory sync. A slot torn by a
/// crash fails its check and the other slot, the previous commit, stands.
public struct CommitPoint: Sendable, Equatable, CustomStringConvertible {
    /// Bytes of `ledger.jsonl` committed: it ends just after a `\n`.
    public let length: Int
    /// Entries (lines) committed.
    public let count: Int64
    /// Hash of the last committed line (docs/FORMAT.md §3), 32 zero bytes for an empty log.
    public let lastHash: Digest

    public static let fileName = "ledger.head"
    static let slotSize = 128
    static let fileSize = 2 * slotSize
    private static let prefix = Array("head1 ".utf8)

    public init(length: Int, count: Int64, lastHash: Digest) {
        self.length = length
        self.count = count
        self.lastHash = lastHash
    }

    /// The empty log's commit point.
    public static let empty = CommitPoint(length: 0, count: 0, lastHash: .zero)

    public var description: String {
        "\(count) entrées, \(length) octets, dernier hachage \(lastHash.hex.prefix(16))…"
    }

    /// The 128 bytes of one slot.
    var slot: [UInt8] {
        var bytes = CommitPoint.prefix
        bytes += Array(CommitPoint.digits(length).utf8) + [0x20]
        bytes += Array(CommitPoint.digits(Int(count)).utf8) + [0x20]
        bytes += Array(lastHash.hex.utf8)
        let check = SHA256.hash(bytes).bytes.prefix(8)
        bytes.append(0x20)
        bytes += Array(Hex.encode(check).utf8)
        bytes.append(0x0A)
        return bytes
    }

    private static func digits(_ value: Int) -> String {
        let text = String(value)
        return String(repeating: "0", count: max(0, 19 - text.count)) + text
    }

    /// Parses one slot; nil when it is torn, blank or not a slot.
    init?(slot bytes: ArraySlice<UInt8>) {
        let bytes = Array(bytes)
        guard bytes.count == CommitPoint.slotSize, bytes.starts(with: CommitPoint.prefix), bytes[127] == 0x0A,
            bytes[25] == 0x20, bytes[45] == 0x20, bytes[110] == 0x20
        else { return nil }
        let body = bytes[..<110]
        guard Hex.encode(SHA256.hash(Array(body)).bytes.prefix(8)) == String(decoding: bytes[111..<127], as: UTF8.self)
        else { return nil }
        guard let length = CommitPoint.decimal(bytes[6..<25]), let count = CommitPoint.decimal(bytes[26..<45]),
            let hash = Digest(hex: String(decoding: bytes[46..<110], as: UTF8.self))
        else { return nil }
        self.init(length: length, count: Int64(count), lastHash: hash)
    }

    private static func decimal(_ bytes: ArraySlice<UInt8>) -> Int? {
        var value = 0
        for byte in bytes {
            guard (0x30...0x39).contains(byte) else { return nil }
            let (times, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times.addingReportingOverflow(Int(byte - 0x30))
            guard !overflow1, !overflow2 else { return nil }
            value = sum
        }
        return value
    }

    /// The newest valid commit of a 256-byte head file, and the index of the slot that holds it.
    static func newest(in file: [UInt8]) -> (commit: CommitPoint, slot: Int)? {
        guard file.count == fileSize else { return nil }
        let first = CommitPoint(slot: file[0..<slotSize])
        let second = CommitPoint(slot: file[slotSize..<fileSize])
        switch (first, second) {
        case (let a?, let b?): return b.length > a.length ? (b, 1) : (a, 0)
        case (let a?, nil): return (a, 0)
        case (nil, let b?): return (b, 1)
        case (nil, nil): return nil
        }
    }
}
