public import LedgerCrypto

/// The ledger directory on disk: `ledger.jsonl`, its commit point `ledger.head`, its writer lock, and crash repair.
///
/// Durability contract (`docs/FORMAT.md` §5): a batch is written with one `write` on an `O_APPEND` descriptor and
/// synced, then the commit point naming its end is synced (``CommitPoint``); only then is it acknowledged, and
/// only then do readers see it. All writers take an exclusive `flock` on `ledger.lock`, so batches from several
/// processes queue and never interleave or fork the chain. Readers need no write access: they read the commit
/// point and the log up to it, taking the shared lock only when `ledger.lock` exists and can be opened, so an
/// archived copy on a read-only mount verifies as well as the live ledger.
///
/// No file of the directory is ever opened through a symbolic link.
public final class LedgerStore: Sendable {
    public static let logFileName = "ledger.jsonl"
    public static let lockFileName = "ledger.lock"
    public static let headFileName = CommitPoint.fileName
    /// Every file and directory a ledger directory may hold besides anything a person put there: the log, its commit
    /// point and lock, the Merkle hash store, the signed checkpoints and the latest one, and the state snapshot.
    public static var fileNames: [String] {
        [
            logFileName, headFileName, lockFileName, LedgerTree.directoryName, LedgerCheckpoints.directoryName,
            LedgerCheckpoints.latestFileName, StateSnapshot.fileName,
        ]
    }

    /// The ledger directory.
    public let directory: String

    public init(directory: String) {
        self.directory = directory.count > 1 && directory.hasSuffix("/") ? String(directory.dropLast()) : directory
    }

    public var logPath: String { directory + "/" + LedgerStore.logFileName }
    var lockPath: String { directory + "/" + LedgerStore.lockFileName }
    var headPath: String { directory + "/" + LedgerStore.headFileName }

    /// Whether the directory holds a ledger file (a symbolic link at its name counts, and is refused on use).
    public var exists: Bool { FileIO.exists(logPath) }

    /// The last committed entry and the commit point, read under the writer lock.
    public struct Tail: Sendable {
        /// The last entry, nil when the log is empty.
        public let last: Entry?
        /// The committed length of the log: it ends just after a `\n`.
        public var length: Int { commit.length }
        /// The commit point the next batch extends.
        public let commit: CommitPoint
    }

    /// What a reader may read: the committed prefix of the log, and what lies beyond it.
    public struct View: Sendable {
        /// The committed length: read up to here.
        public let commit: CommitPoint?
        public let length: Int
        /// The log's size when the view was taken.
        public let fileSize: Int
        /// How the log and its commit point disagree (the log was cut or rewritten after a commit), if they do; the
        /// view then covers the log's complete lines.
        public let mismatch: CommitMismatch?

        /// Bytes past the commit point (or past the last `\n` when there is none): an interrupted write.
        public var uncommittedBytes: Int { fileSize - length }
    }

    // MARK: - Locking

    /// Runs `body` holding the exclusive writer lock.
    ///
    /// - Throws: `.readOnly` when the directory cannot be written: nothing can be appended there.
    public func withExclusiveLock<T>(_ body: () throws(LedgerError) -> T) throws(LedgerError) -> T {
        guard FileIO.exists(directory) else {
            throw LedgerError(.notFound, "le répertoire de registre \(directory) n'existe pas")
        }
        let fd: Int32
        do throws(LedgerError) {
            fd = try FileIO.open(lockPath, Platform.readWrite | Platform.create, mode: 0o644)
        } catch  where error.code == .readOnly {
            throw LedgerError(
                .readOnly,
                "le répertoire de registre \(directory) n'est pas accessible en écriture (\(error.message)) ; rien n'a été écrit, la lecture reste possible",
                underlying: error
            )
        }
        defer { Platform.close(fd) }
        try FileIO.lock(fd, exclusive: true, path: lockPath)
        return try body()
    }

    /// Runs `body` under the shared lock when `ledger.lock` can be opened for reading, else without a lock: a
    /// read-only copy has no writer to wait for. Never creates the lock file.
    func withSharedLockIfPossible<T>(_ body: () throws(LedgerError) -> T) throws(LedgerError) -> T {
        let fd = Platform.open(lockPath, Platform.readOnly | Platform.closeOnExec | Platform.noFollow)
        if fd < 0 {
            if Platform.lastError == Platform.Errno.loop { throw FileIO.openError(lockPath, code: Platform.Errno.loop) }
            return try body()
        }
        defer { Platform.close(fd) }
        try FileIO.lock(fd, exclusive: false, path: lockPath)
        return try body()
    }

    private func requireLog() throws(LedgerError) {
        guard FileIO.exists(logPath) else {
            throw LedgerError(
                .notFound,
                "il n'y a pas de registre dans \(directory) (pas de \(LedgerStore.logFileName))")
        }
    }

    // MARK: - Reading

    /// What a reader may read now: the committed prefix, taken under the shared lock when there is one.
    public func view() throws(LedgerError) -> View {
        try requireLog()
        return try withSharedLockIfPossible { () throws(LedgerError) -> View in try viewLocked() }
    }

    /// The length of the log that a reader may read now: its commit point.
    public func stableLength() throws(LedgerError) -> Int {
        try view().length
    }

    /// The first `length` bytes of the log (a length a reader got from a view: the log only grows past it).
    public func readLog(length: Int) throws(LedgerError) -> [UInt8] {
        let fd = try FileIO.open(logPath, Platform.readOnly)
        defer { Platform.close(fd) }
        let bytes = try FileIO.pread(fd, count: length, offset: 0, path: logPath)
        guard bytes.count == length else {
            throw LedgerError(.corrupt, "\(logPath) a moins de \(length) octets : il a été coupé")
        }
        return bytes
    }

    /// Streams the log's committed lines.
    public func lines() throws(LedgerError) -> LineReader {
        let view = try view()
        return try LineReader(path: logPath, view: view)
    }

    /// Streams the lines up to `length` without taking the shared lock (the caller holds the writer lock).
    func linesLocked(length: Int) throws(LedgerError) -> LineReader {
        try LineReader(path: logPath, limit: length)
    }

    /// The view, without taking any lock.
    func viewLocked() throws(LedgerError) -> View {
        // The commit point first, then the size: the log only grows past a commit, so a reader racing a writer
        // never sees a commit beyond the size it read.
        let commit = try readCommit()
        let fd = try FileIO.open(logPath, Platform.readOnly)
        defer { Platform.close(fd) }
        let size = try FileIO.size(fd, path: logPath)
        guard let commit else {
            return View(commit: nil, length: try lastNewline(fd, size: size), fileSize: size, mismatch: nil)
        }
        if let problem = try check(commit, fd: fd, size: size) {
            return View(commit: commit, length: try lastNewline(fd, size: size), fileSize: size, mismatch: problem)
        }
        return View(commit: commit, length: commit.length, fileSize: size, mismatch: nil)
    }

    /// The commit point in `ledger.head`, nil when there is no head file (a ledger written before commit points,
    /// or a copy of `ledger.jsonl` alone: every complete line counts).
    func readCommit() throws(LedgerError) -> CommitPoint? {
        let fd: Int32
        do throws(LedgerError) {
            fd = try FileIO.open(headPath, Platform.readOnly)
        } catch  where error.code == .notFound {
            return nil
        }
        defer { Platform.close(fd) }
        // A slot being rewritten fails its check and the other one stands; a second try covers the unlikely case
        // of a reader overtaken by two commits.
        for _ in 0..<3 {
            let bytes = try FileIO.pread(fd, count: CommitPoint.fileSize + 1, offset: 0, path: headPath)
            if let newest = CommitPoint.newest(in: bytes) { return newest.commit }
        }
        throw LedgerError(
            .corrupt,
            "\(headPath) est endommagé (aucun point de validation valide) ; si \(LedgerStore.logFileName) est sûr, supprimez \(LedgerStore.headFileName)"
        )
    }

    /// How the log fails to end its committed part at `commit.length` with the committed hash, or nil when it does.
    private func check(_ commit: CommitPoint, fd: Int32, size: Int) throws(LedgerError) -> CommitMismatch? {
        guard commit.length <= size else { return .cut(commit, size: size) }
        guard commit.length > 0 else { return nil }
        let start = try lineStart(fd, end: commit.length)
        let line = try FileIO.pread(fd, count: commit.length - start, offset: start, path: logPath)
        guard line.last == 0x0A, SHA256.hash(line.dropLast()) == commit.lastHash else { return .rewritten(commit) }
        return nil
    }

    /// The offset where the line ending at `end` (just after its `\n`) starts.
    func lineStart(_ fd: Int32, end: Int) throws(LedgerError) -> Int {
        var cursor = end - 1
        while cursor > 0 {
            let start = max(0, cursor - 65_536)
            let chunk = try FileIO.pread(fd, count: cursor - start, offset: start, path: logPath)
            if let newline = chunk.lastIndex(of: 0x0A) { return start + newline + 1 }
            cursor = start
        }
        return 0
    }

    /// The length up to and including the last `\n` of the first `size` bytes: one backward pass.
    func lastNewline(_ fd: Int32, size: Int) throws(LedgerError) -> Int {
        var end = size
        while end > 0 {
            let start = max(0, end - 65_536)
            let chunk = try FileIO.pread(fd, count: end - start, offset: start, path: logPath)
            if let newline = chunk.lastIndex(of: 0x0A) { return start + newline + 1 }
            end = start
        }
        return 0
    }

    // MARK: - Writing

    /// Reads the last committed entry and the commit point. Must be called under the writer lock.
    ///
    /// - Throws: `.tornTail` when bytes lie past the commit point (an interrupted write: run `repair`); `.corrupt`
    ///   when the log does not match its commit point or its last line is not an entry.
    public func readTail() throws(LedgerError) -> Tail {
        try requireLog()
        let view = try viewLocked()
        if let mismatch = view.mismatch {
            throw LedgerError(.corrupt, mismatch.message + " ; rien n'a été écrit")
        }
        guard view.uncommittedBytes == 0 else {
            throw LedgerError(
                .tornTail,
                "le registre a \(view.uncommittedBytes) octets après sa dernière entrée validée (une écriture interrompue)"
            )
        }
        let fd = try FileIO.open(logPath, Platform.readOnly)
        defer { Platform.close(fd) }
        guard view.length > 0 else { return Tail(last: nil, commit: view.commit ?? .empty) }
        let start = try lineStart(fd, end: view.length)
        let line = try FileIO.pread(fd, count: view.length - 1 - start, offset: start, path: logPath)
        let last = try parseTail(line)
        if let commit = view.commit { return Tail(last: last, commit: commit) }
        // A log without a head file: its first commit point is computed once.
        return Tail(
            last: last,
            commit: CommitPoint(length: view.length, count: last.seq + 1, lastHash: SHA256.hash(line)))
    }

    private func parseTail(_ line: [UInt8]) throws(LedgerError) -> Entry {
        do {
            return try Entry(line: line)
        } catch {
            throw LedgerError(
                .corrupt, "la dernière ligne du registre n'est pas une entrée valide (\(error.message))",
                underlying: error)
        }
    }

    /// Creates the ledger directory and file with its first entry, durably and atomically: `ledger.jsonl` appears
    /// complete, with its commit point already in place, or not at all.
    public func create(genesis: Entry) throws(LedgerError) {
        try FileIO.makeDirectory(directory)
        try withExclusiveLock { () throws(LedgerError) in
            guard !FileIO.exists(logPath) else {
                throw LedgerError(.alreadyExists, "\(directory) contient déjà un registre ; rien n'a été écrit")
            }
            let directoryFD = try FileIO.openDirectory(directory)
            defer { Platform.close(directoryFD) }
            let line = genesis.line + [0x0A]
            let commit = CommitPoint(length: line.count, count: 1, lastHash: genesis.hash)
            let (fd, temporary) = try FileIO.createUnique(
                at: directoryFD, prefix: LedgerStore.logFileName + ".new-", label: directory)
            defer { Platform.close(fd) }
            do throws(LedgerError) {
                try FileIO.writeAll(fd, line, path: logPath)
                try FileIO.fsync(fd, path: logPath)
                try writeHeadFile(commit, directoryFD: directoryFD)
                guard Platform.link(at: directoryFD, temporary, to: LedgerStore.logFileName) == 0 else {
                    throw Platform.lastError == Platform.Errno.exists
                        ? LedgerError(.alreadyExists, "\(directory) contient déjà un registre ; rien n'a été écrit")
                        : LedgerError(.io, "impossible de créer \(logPath) : \(FileIO.errorText())")
                }
            } catch {
                Platform.unlink(at: directoryFD, temporary)
                throw error
            }
            Platform.unlink(at: directoryFD, temporary)
            try FileIO.fsync(directoryFD, path: directory)
        }
    }

    /// Writes a whole new `ledger.head` holding `commit` in both slots (temporary file, sync, rename, directory
    /// sync): used when a ledger is created, and once for a ledger written before commit points.
    private func writeHeadFile(_ commit: CommitPoint, directoryFD: Int32) throws(LedgerError) {
        let (fd, temporary) = try FileIO.createUnique(
            at: directoryFD, prefix: LedgerStore.headFileName + ".new-", label: directory)
        defer { Platform.close(fd) }
        do throws(LedgerError) {
            try FileIO.writeAll(fd, commit.slot + commit.slot, path: headPath)
            try FileIO.fsync(fd, path: headPath)
            guard Platform.rename(at: directoryFD, temporary, to: LedgerStore.headFileName) == 0 else {
                throw LedgerError(.io, "impossible de créer \(headPath) : \(FileIO.errorText())")
            }
        } catch {
            Platform.unlink(at: directoryFD, temporary)
            throw error
        }
        try FileIO.fsync(directoryFD, path: directory)
    }

    /// Makes `commit` the ledger's commit point, replacing `previous`: the older slot of `ledger.head` is
    /// overwritten and synced. On failure the slot is given `previous` back, so the caller may cut the log.
    private func writeCommit(_ commit: CommitPoint, previous: CommitPoint) throws(LedgerError) {
        let fd: Int32
        do throws(LedgerError) {
            fd = try FileIO.open(headPath, Platform.readWrite)
        } catch  where error.code == .notFound {
            let directoryFD = try FileIO.openDirectory(directory)
            defer { Platform.close(directoryFD) }
            try writeHeadFile(commit, directoryFD: directoryFD)
            return
        }
        defer { Platform.close(fd) }
        let bytes = try FileIO.pread(fd, count: CommitPoint.fileSize + 1, offset: 0, path: headPath)
        guard let current = CommitPoint.newest(in: bytes), current.commit == previous else {
            throw LedgerError(.corrupt, "\(headPath) a changé sous le verrou d'écriture ; rien n'a été écrit")
        }
        let slot = 1 - current.slot
        do throws(LedgerError) {
            try FileIO.pwriteAll(fd, commit.slot, offset: slot * CommitPoint.slotSize, path: headPath)
            try FileIO.fdatasync(fd, path: headPath)
        } catch {
            // The new slot may be in the page cache: put the previous commit back in it, so that the log can be cut.
            _ = try? FileIO.pwriteAll(fd, previous.slot, offset: slot * CommitPoint.slotSize, path: headPath)
            _ = Platform.fdatasync(fd)
            throw error
        }
    }

    /// Appends entries built from the current tail, under the writer lock, and commits them.
    ///
    /// `build` receives the tail and returns the entries to write (it may throw to refuse). Either every line is
    /// written, synced and committed, or the file is cut back to its previous length and the error rethrown.
    @discardableResult
    public func append(_ build: (Tail) throws(LedgerError) -> [Entry]) throws(LedgerError) -> [Entry] {
        try withExclusiveLock { () throws(LedgerError) -> [Entry] in
            let tail = try readTail()
            let entries = try build(tail)
            _ = try writeLocked(entries, after: tail.commit)
            return entries
        }
    }

    /// Writes whole lines with one `write`, syncs them, then commits them; on failure cuts the file back to the
    /// previous commit. The caller holds the writer lock. Returns the new commit point.
    func writeLocked(_ entries: [Entry], after previous: CommitPoint) throws(LedgerError) -> CommitPoint {
        guard let last = entries.last else { return previous }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(entries.reduce(0) { $0 + $1.line.count + 1 })
        for entry in entries {
            bytes.append(contentsOf: entry.line)
            bytes.append(0x0A)
        }
        let commit = CommitPoint(
            length: previous.length + bytes.count, count: previous.count + Int64(entries.count), lastHash: last.hash)
        let fd = try FileIO.open(logPath, Platform.writeOnly | Platform.append)
        defer { Platform.close(fd) }
        do throws(LedgerError) {
            try FileIO.writeAll(fd, bytes, path: logPath)
            try FileIO.fsync(fd, path: logPath)
            try writeCommit(commit, previous: previous)
        } catch {
            // Nothing was acknowledged: remove the partial write so the file ends at its commit point.
            try? FileIO.truncate(fd, to: previous.length, path: logPath)
            _ = Platform.fsync(fd)
            throw error
        }
        return commit
    }

    // MARK: - Repair

    /// What `repair` did.
    public struct RepairResult: Sendable {
        /// Where the uncommitted bytes were moved; nil when there was nothing to repair.
        public let sideFile: String?
        public let removedBytes: Int
        /// Length of the log after repair.
        public let length: Int
    }

    /// Moves everything after the commit point (after the last `\n` for a log without `ledger.head`) to a new side
    /// file and truncates the log there; writes the commit point if the ledger had none.
    ///
    /// Those bytes were never acknowledged, since a batch is reported only once its commit point is synced. One
    /// linear pass; the side file `ledger.jsonl.torn-<time>-<random>` is always new, so no repair overwrites the bytes
    /// an earlier one set aside.
    ///
    /// - Throws: `.corrupt` when the log does not match its commit point (cut or rewritten): that is not a crash to
    ///   repair, and nothing is touched.
    public func repair(now: Timestamp = .now()) throws(LedgerError) -> RepairResult {
        try requireLog()
        return try withExclusiveLock { () throws(LedgerError) -> RepairResult in try repairLocked(now: now) }
    }

    /// ``repair(now:)``, the writer lock already held.
    func repairLocked(now: Timestamp) throws(LedgerError) -> RepairResult {
        let view = try viewLocked()
        if let mismatch = view.mismatch {
            throw LedgerError(
                .corrupt,
                mismatch.message
                    + " ; ce n'est pas une écriture interrompue, rien n'a donc été modifié (restaurez le registre depuis une copie, ou supprimez \(LedgerStore.headFileName) si le registre est sûr)"
            )
        }
        let fd = try FileIO.open(logPath, Platform.readWrite)
        defer { Platform.close(fd) }
        let size = try FileIO.size(fd, path: logPath)
        let keep = view.length
        var sidePath: String? = nil
        if keep < size {
            sidePath = try setAside(fd, from: keep, to: size, now: now)
            try FileIO.truncate(fd, to: keep, path: logPath)
            try FileIO.fsync(fd, path: logPath)
        }
        if view.commit == nil, keep > 0 {
            let start = try lineStart(fd, end: keep)
            let line = try FileIO.pread(fd, count: keep - 1 - start, offset: start, path: logPath)
            let count = (try? Entry(line: line).seq).map { $0 + 1 } ?? 0
            let directoryFD = try FileIO.openDirectory(directory)
            defer { Platform.close(directoryFD) }
            try writeHeadFile(
                CommitPoint(length: keep, count: count, lastHash: SHA256.hash(line)), directoryFD: directoryFD)
        }
        return RepairResult(sideFile: sidePath, removedBytes: size - keep, length: keep)
    }

    /// Copies bytes `start..<end` of the log to a new side file, synced with its directory entry; returns its path.
    private func setAside(_ fd: Int32, from start: Int, to end: Int, now: Timestamp) throws(LedgerError) -> String {
        let directoryFD = try FileIO.openDirectory(directory)
        defer { Platform.close(directoryFD) }
        let stamp = now.description.split(separator: ":").joined()
        let (side, name) = try FileIO.createUnique(
            at: directoryFD, prefix: LedgerStore.logFileName + ".torn-" + stamp + "-", label: directory)
        let sidePath = directory + "/" + name
        do throws(LedgerError) {
            var offset = start
            while offset < end {
                let chunk = try FileIO.pread(fd, count: min(1 << 20, end - offset), offset: offset, path: logPath)
                guard !chunk.isEmpty else { break }
                try FileIO.writeAll(side, chunk, path: sidePath)
                offset += chunk.count
            }
            try FileIO.fsync(side, path: sidePath)
        } catch {
            Platform.close(side)
            Platform.unlink(at: directoryFD, name)
            throw error
        }
        Platform.close(side)
        try FileIO.fsync(directoryFD, path: directory)
        return sidePath
    }
}

/// How a log disagrees with its commit point: acknowledged entries were cut, or rewritten, after they were committed.
public enum CommitMismatch: Sendable, Equatable {
    /// The log is shorter than the committed length.
    case cut(CommitPoint, size: Int)
    /// The line ending at the committed length is not the committed entry.
    case rewritten(CommitPoint)

    /// One sentence, for errors.
    public var message: String {
        switch self {
        case .cut(let commit, let size):
            return
                "\(LedgerStore.headFileName) valide \(commit) mais \(LedgerStore.logFileName) n'a que \(size) octets : des entrées acquittées ont été coupées"
        case .rewritten(let commit):
            return
                "la partie validée de \(LedgerStore.logFileName) ne finit pas par l'entrée que nomme \(LedgerStore.headFileName) (\(commit)) : le registre a été réécrit après sa validation"
        }
    }

    /// The same, in French, for verification findings.
    public var frenchMessage: String {
        switch self {
        case .cut(let commit, let size):
            return
                "\(LedgerStore.headFileName) valide \(commit.count) entrées (\(commit.length) octets) mais \(LedgerStore.logFileName) n'a que \(size) octets : des entrées acquittées ont été coupées"
        case .rewritten(let commit):
            return
                "\(LedgerStore.logFileName) ne se termine pas, à son point de validation (\(commit.count) entrées, \(commit.length) octets), par l'entrée que nomme \(LedgerStore.headFileName) : le journal a été réécrit après validation"
        }
    }
}
