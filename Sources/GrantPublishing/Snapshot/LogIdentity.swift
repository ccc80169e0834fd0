public import LedgerCore

/// What a published figure was computed from: the log's size, head and RFC 6962 root.
///
/// Every output of this module names it, so that anyone can tell which log a figure belongs to and
/// recompute it (`docs/PUBLISHING.md` §1). The root is the RFC 6962 Merkle tree head over the log's lines
/// without their `\n` (`docs/FORMAT.md` §3): the value a checkpoint of that size signs. Unlike the head
/// hash, it changes when any byte of any line changes, even if the chain is not re-checked.
public struct LogIdentity: Sendable, Hashable {
    /// The log's name (`ledger.created` origin).
    public let origin: String
    /// The programme's title.
    public let title: String
    /// Number of entries (the Merkle tree size).
    public let size: Int64
    /// Seq and entry hash (hex) of the last entry; nil and "" for an empty log.
    public let headSeq: Int64?
    public let headHash: String
    /// Time of the last entry.
    public let headTime: Timestamp?
    /// RFC 6962 root (hex) over the `size` lines.
    public let rootHash: String
    /// Bytes of the log file (the `size` lines with their `\n`).
    public let byteCount: Int
    /// SHA-256 (hex) of the log file's bytes.
    public let fileSHA256: String

    public init(
        origin: String, title: String, size: Int64, headSeq: Int64?, headHash: String, headTime: Timestamp?,
        rootHash: String, byteCount: Int, fileSHA256: String
    ) {
        self.origin = origin
        self.title = title
        self.size = size
        self.headSeq = headSeq
        self.headHash = headHash
        self.headTime = headTime
        self.rootHash = rootHash
        self.byteCount = byteCount
        self.fileSHA256 = fileSHA256
    }

    /// The UTC date of the head entry (`YYYY-MM-DD`), the date the figures are « au ».
    public var headDate: String { headTime?.date ?? "" }
}
