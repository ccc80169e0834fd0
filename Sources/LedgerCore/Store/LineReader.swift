#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Streams the lines of a file in fixed-size chunks: memory stays flat whatever the file's length.
///
/// Reads up to a length fixed when it was opened, so an append made meanwhile is not seen half-written.
public final class LineReader: IteratorProtocol, Sequence {
    public static let chunkSize = 1 << 20

    private let fd: Int32
    private let path: String
    private let limit: Int
    private var offset = 0
    private var buffer: [UInt8] = []
    private var start = 0
    private var finished = false

    /// Bytes after the last `\n`, set once the end is reached: a torn (interrupted) final write.
    public private(set) var tornTail: [UInt8]? = nil
    /// The first read error, if any; iteration stops there.
    public private(set) var error: LedgerError? = nil
    /// Byte offset in the file of the line last returned.
    public private(set) var lineOffset = 0

    init(path: String, limit: Int) throws(LedgerError) {
        self.fd = try FileIO.open(path, O_RDONLY)
        self.path = path
        self.limit = limit
    }

    deinit {
        close(fd)
    }

    public func next() -> [UInt8]? {
        while true {
            let found = buffer.withUnsafeBufferPointer { raw -> Int? in
                guard start < raw.count, let base = raw.baseAddress,
                    let hit = memchr(base + start, 0x0A, raw.count - start)
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
                if start < buffer.count { tornTail = Array(buffer[start...]) }
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
