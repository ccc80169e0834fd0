/// Streams the lines of a file in fixed-size chunks: memory stays flat whatever the file's length.
///
/// Reads up to a length fixed when it was opened (the commit point), so an append made meanwhile is not seen
/// half-written, and a batch interrupted by a crash is not seen at all.
public final class LineReader: IteratorProtocol, Sequence {
    public static let chunkSize = 1 << 20

    private let fd: Int32
    private let path: String
    private let limit: Int
    /// Where the reading stops: the file's committed length (or the limit it was opened with).
    public var endOffset: Int { limit }
    private var offset = 0
    /// Read once and reused: bytes `start..<filled` are read and not yet returned. A fresh array per chunk would
    /// cost the allocator, page faults and zeroing a megabyte at a time on the replay's busiest thread.
    private var buffer: [UInt8] = []
    private var start = 0
    private var filled = 0
    private var finished = false

    /// Bytes of the file past what is read (its commit point): an interrupted write, reported by `verify`.
    public let uncommittedBytes: Int
    /// Why the log does not match its commit point (it was cut or rewritten after a commit), if it does not; the
    /// reader then reads every complete line.
    public let commitMismatch: CommitMismatch?
    /// The first read error, if any; iteration stops there.
    public private(set) var error: LedgerError? = nil
    /// Byte offset in the file of the line last returned.
    public private(set) var lineOffset = 0

    /// Reads the lines between `start` (the first byte of a line) and `limit`.
    init(path: String, from start: Int = 0, limit: Int) throws(LedgerError) {
        self.fd = try FileIO.open(path, Platform.readOnly)
        self.path = path
        self.limit = limit
        self.offset = start
        self.uncommittedBytes = 0
        self.commitMismatch = nil
    }

    init(path: String, view: LedgerStore.View) throws(LedgerError) {
        self.fd = try FileIO.open(path, Platform.readOnly)
        self.path = path
        self.limit = view.length
        self.uncommittedBytes = view.uncommittedBytes
        self.commitMismatch = view.mismatch
    }

    deinit {
        Platform.close(fd)
    }

    public func next() -> [UInt8]? {
        while true {
            let found = buffer.withUnsafeBufferPointer { raw -> Int? in
                guard start < filled, let base = raw.baseAddress,
                    let hit = Platform.firstIndex(of: 0x0A, in: base + start, count: filled - start)
                else { return nil }
                return UnsafePointer(hit.assumingMemoryBound(to: UInt8.self)) - base
            }
            if let newline = found {
                let line = Array(buffer[start..<newline])
                lineOffset = offset - (filled - start)
                start = newline + 1
                return line
            }
            if finished {
                // Only with a plain limit that does not end on a line: the rest is not a line.
                start = filled
                return nil
            }
            let want = Swift.min(LineReader.chunkSize, limit - offset)
            if want <= 0 {
                finished = true
                continue
            }
            // The partial line moves to the front; the buffer grows only for a line longer than a chunk.
            let kept = filled - start
            if buffer.count < kept + want {
                var larger = [UInt8](repeating: 0, count: Swift.max(kept + want, 2 * buffer.count))
                larger.withUnsafeMutableBytes { to in
                    buffer.withUnsafeBytes { from in
                        if kept > 0 { to.baseAddress!.copyMemory(from: from.baseAddress! + start, byteCount: kept) }
                    }
                }
                buffer = larger
            } else if kept > 0, start > 0 {
                buffer.withUnsafeMutableBytes {
                    $0.baseAddress!.copyMemory(from: $0.baseAddress! + start, byteCount: kept)
                }
            }
            start = 0
            filled = kept
            let read = buffer.withUnsafeMutableBytes { raw in
                Result { () throws(LedgerError) -> Int in
                    try FileIO.pread(
                        fd, into: UnsafeMutableRawBufferPointer(rebasing: raw[kept..<kept + want]), offset: offset,
                        path: path)
                }
            }
            do throws(LedgerError) {
                let count = try read.get()
                if count == 0 { finished = true }
                offset += count
                filled += count
            } catch {
                self.error = error
                finished = true
                start = 0
                filled = 0
                return nil
            }
        }
    }
}
