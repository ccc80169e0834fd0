#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The ledger directory on disk: `ledger.jsonl`, its writer lock, and crash repair.
///
/// Durability contract (`docs/FORMAT.md` §5): an append writes whole lines with one `write` on an
/// `O_APPEND` descriptor and returns only after `fsync`; creating the file also syncs the directory. All
/// writers take an exclusive `flock` on `ledger.lock`, so appends from several processes queue and never
/// interleave or fork the chain. Readers take the shared lock just long enough to fix the length they will
/// read, so they never see a line that is being written.
public final class LedgerStore: Sendable {
    public static let logFileName = "ledger.jsonl"
    public static let lockFileName = "ledger.lock"

    /// The ledger directory.
    public let directory: String

    public init(directory: String) {
        self.directory = directory.count > 1 && directory.hasSuffix("/") ? String(directory.dropLast()) : directory
    }

    public var logPath: String { directory + "/" + LedgerStore.logFileName }
    var lockPath: String { directory + "/" + LedgerStore.lockFileName }

    /// Whether the directory holds a ledger file.
    public var exists: Bool { FileIO.exists(logPath) }

    /// The last complete entry and the file's state, read from the end of the file.
    public struct Tail: Sendable {
        /// The last entry, nil when the file is empty.
        public let last: Entry?
        /// Length of the file up to and including the last `\n`.
        public let length: Int
    }

    /// Runs `body` holding the exclusive writer lock.
    public func withExclusiveLock<T>(_ body: () throws(LedgerError) -> T) throws(LedgerError) -> T {
        guard FileIO.exists(directory) else {
            throw LedgerError(.notFound, "there is no ledger directory at \(directory)")
        }
        let fd = try FileIO.open(lockPath, O_RDWR | O_CREAT, mode: 0o644)
        defer { close(fd) }
        try FileIO.lock(fd, exclusive: true, path: lockPath)
        return try body()
    }

    /// The length of the log that a reader may read now: taken under the shared lock, so it ends on a
    /// complete append.
    public func stableLength() throws(LedgerError) -> Int {
        try requireLog()
        let lockFD = try FileIO.open(lockPath, O_RDWR | O_CREAT, mode: 0o644)
        defer { close(lockFD) }
        try FileIO.lock(lockFD, exclusive: false, path: lockPath)
        let fd = try FileIO.open(logPath, O_RDONLY)
        defer { close(fd) }
        return try FileIO.size(fd, path: logPath)
    }

    private func requireLog() throws(LedgerError) {
        guard FileIO.exists(logPath) else {
            throw LedgerError(
                .notFound,
                "there is no ledger at \(directory) (no \(LedgerStore.logFileName)); create one with grant-ledger init")
        }
    }

    /// Streams the log's lines, up to its stable length.
    public func lines() throws(LedgerError) -> LineReader {
        let length = try stableLength()
        return try LineReader(path: logPath, limit: length)
    }

    /// Reads the last complete entry. Must be called under the writer lock to be current.
    ///
    /// - Throws: `.tornTail` when the file does not end with `\n`; `.corrupt` when the last line is not an entry.
    public func readTail() throws(LedgerError) -> Tail {
        try requireLog()
        let fd = try FileIO.open(logPath, O_RDONLY)
        defer { close(fd) }
        let size = try FileIO.size(fd, path: logPath)
        if size == 0 { return Tail(last: nil, length: 0) }
        let lastByte = try FileIO.pread(fd, count: 1, offset: size - 1, path: logPath)
        guard lastByte == [0x0A] else {
            throw LedgerError(
                .tornTail,
                "the ledger's last line is incomplete (a write was interrupted); run grant-ledger repair to set the torn bytes aside"
            )
        }
        // Read backwards in growing windows until the previous newline (or the start) is found.
        var window = 4096
        while true {
            let start = max(0, size - 1 - window)
            let bytes = try FileIO.pread(fd, count: size - 1 - start, offset: start, path: logPath)
            if let newline = bytes.lastIndex(of: 0x0A) {
                return Tail(last: try parseTail(Array(bytes[(newline + 1)...])), length: size)
            }
            if start == 0 { return Tail(last: try parseTail(bytes), length: size) }
            window *= 4
        }
    }

    private func parseTail(_ line: [UInt8]) throws(LedgerError) -> Entry {
        do {
            return try Entry(line: line)
        } catch {
            throw LedgerError(
                .corrupt, "the ledger's last line is not a valid entry (\(error.message)); run grant-ledger verify")
        }
    }

    /// Creates the ledger directory and file with its first entry, durably.
    public func create(genesis: Entry) throws(LedgerError) {
        try FileIO.makeDirectory(directory)
        try withExclusiveLock { () throws(LedgerError) in
            guard !FileIO.exists(logPath) else {
                throw LedgerError(.alreadyExists, "\(directory) already holds a ledger; nothing was written")
            }
            let fd = try FileIO.open(logPath, O_WRONLY | O_CREAT | O_EXCL | O_APPEND, mode: 0o644)
            defer { close(fd) }
            do throws(LedgerError) {
                try FileIO.writeAll(fd, genesis.line + [0x0A], path: logPath)
                try FileIO.fsync(fd, path: logPath)
                try FileIO.fsyncDirectory(directory)
            } catch {
                unlink(logPath)
                throw error
            }
        }
    }

    /// Appends entries built from the current tail, under the writer lock, and syncs them to disk.
    ///
    /// `build` receives the tail and returns the entries to write (it may throw to refuse). Either every
    /// line is written and synced, or the file is cut back to its previous length and the error rethrown.
    @discardableResult
    public func append(_ build: (Tail) throws(LedgerError) -> [Entry]) throws(LedgerError) -> [Entry] {
        try withExclusiveLock { () throws(LedgerError) -> [Entry] in
            let tail = try readTail()
            let entries = try build(tail)
            try writeLocked(entries, currentLength: tail.length)
            return entries
        }
    }

    /// Writes whole lines with one `write` and syncs them; on failure cuts the file back to
    /// `currentLength`. The caller holds the writer lock.
    func writeLocked(_ entries: [Entry], currentLength: Int) throws(LedgerError) {
        guard !entries.isEmpty else { return }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(entries.reduce(0) { $0 + $1.line.count + 1 })
        for entry in entries {
            bytes.append(contentsOf: entry.line)
            bytes.append(0x0A)
        }
        let fd = try FileIO.open(logPath, O_WRONLY | O_APPEND)
        defer { close(fd) }
        do throws(LedgerError) {
            try FileIO.writeAll(fd, bytes, path: logPath)
            try FileIO.fsync(fd, path: logPath)
        } catch {
            // Nothing was acknowledged: remove the partial write so the file ends on a complete line.
            try? FileIO.truncate(fd, to: currentLength, path: logPath)
            _ = Glibc.fsync(fd)
            throw error
        }
    }

    /// Streams the lines up to `length` without taking the shared lock (the caller holds the writer lock).
    func linesLocked(length: Int) throws(LedgerError) -> LineReader {
        try LineReader(path: logPath, limit: length)
    }

    /// What `repair` did.
    public struct RepairResult: Sendable {
        /// Where the torn bytes were moved; nil when there was nothing to repair.
        public let sideFile: String?
        public let removedBytes: Int
        /// Length of the log after repair.
        public let length: Int
    }

    /// Moves a torn final line to a side file and truncates the log to its last complete line.
    ///
    /// Only bytes after the last `\n` are moved: they were never acknowledged, since an append reports
    /// success only after its whole line and `\n` are synced.
    public func repair(now: Timestamp = .now()) throws(LedgerError) -> RepairResult {
        try requireLog()
        return try withExclusiveLock { () throws(LedgerError) -> RepairResult in
            let fd = try FileIO.open(logPath, O_RDWR)
            defer { close(fd) }
            let size = try FileIO.size(fd, path: logPath)
            var keep = size
            var cursor = size
            var tail: [UInt8] = []
            while cursor > 0 {
                let start = max(0, cursor - 65_536)
                let chunk = try FileIO.pread(fd, count: cursor - start, offset: start, path: logPath)
                if let newline = chunk.lastIndex(of: 0x0A) {
                    keep = start + newline + 1
                    tail = Array(chunk[(newline + 1)...]) + tail
                    break
                }
                tail = chunk + tail
                cursor = start
                keep = 0
            }
            guard keep < size else { return RepairResult(sideFile: nil, removedBytes: 0, length: size) }
            let stamp = now.description.split(separator: ":").joined()
            let sidePath = logPath + ".torn-" + stamp
            let side = try FileIO.open(sidePath, O_WRONLY | O_CREAT | O_TRUNC, mode: 0o644)
            do throws(LedgerError) {
                try FileIO.writeAll(side, tail, path: sidePath)
                try FileIO.fsync(side, path: sidePath)
            } catch {
                close(side)
                throw error
            }
            close(side)
            try FileIO.fsyncDirectory(directory)
            try FileIO.truncate(fd, to: keep, path: logPath)
            try FileIO.fsync(fd, path: logPath)
            return RepairResult(sideFile: sidePath, removedBytes: size - keep, length: keep)
        }
    }
}
