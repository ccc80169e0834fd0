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
    private var buffer: [UInt8] = []
    private var start = 0
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
                guard start < raw.count, let base = raw.baseAddress,
                    let hit = Platform.firstIndex(of: 0x0A, in: base + start, count: raw.count - start)
                else { return nil }
                return UnsafePointer(hit.assumingMemoryBound(to: UInt8.self)) - base
            }
            if let newline = found {
                let line = Array(buffer[start..<newline])
                lineOffset = offset - (buffer.count - start)
                start = newline + 1
                return line
            }
            if finished {
                // Only with a plain limit that does not end on a line: the rest is not a line.
                start = buffer.count
                return nil
            }
            buffer.removeSubrange(..<start)
            start = 0
            let want = Swift.min(LineReader.chunkSize, limit - offset)
            if want <= 0 {
                finished = true
                continue
            }
            do throws(LedgerError) {
                let chunk = try FileIO.pread(fd, count: want, offset: offset, path: path)
                if chunk.isEmpty { finished = true }
                offset += chunk.count
                buffer.append(contentsOf: chunk)
            } catch {
                self.error = error
                finished = true
                buffer.removeAll()
                return nil
            }
        }
    }
}
