import LedgerCore
import LedgerCrypto
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Where ``SiteBuilder`` puts each file of the site as soon as it is made: in memory (``SiteMemory``), or on disk
/// (``SiteDirectoryWriter``), so that publishing holds a page per core at a time, not the whole site.
///
/// Both take files from several threads at once (the decision pages are rendered on every core).
protocol SiteOutput: AnyObject, Sendable {
    /// Puts the file at `path`, relative to the site root; each path comes once.
    func put(_ path: String, _ bytes: [UInt8]) throws(PublishingError)

    /// Puts the file at `path` made of the bytes of `parts` one after the other, each part made when its turn comes:
    /// a large page is never whole in memory.
    func put(_ path: String, parts: [() -> [UInt8]]) throws(PublishingError)

    /// Puts the snapshot's log at `path`: exactly its verified bytes (`identity.byteCount` bytes whose SHA-256 is
    /// `identity.fileSHA256`), or an error if the file has changed since its verification.
    func putLog(_ snapshot: LedgerSnapshot, at path: String) throws(PublishingError)
}

/// The site in memory, relative path → bytes.
final class SiteMemory: SiteOutput {
    private let content = Mutex<[String: [UInt8]]>([:])

    var files: [String: [UInt8]] { content.withLock { $0 } }

    func put(_ path: String, _ bytes: [UInt8]) throws(PublishingError) {
        // An exact-size copy: a page grew by doubling, and the site keeps every file.
        let copy = bytes.withUnsafeBufferPointer { Array($0) }
        content.withLock { $0[path] = copy }
    }

    func put(_ path: String, parts: [() -> [UInt8]]) throws(PublishingError) {
        try put(path, parts.flatMap { $0() })
    }

    func putLog(_ snapshot: LedgerSnapshot, at path: String) throws(PublishingError) {
        let log = try snapshot.readLog()
        content.withLock { $0[path] = log }
    }
}

/// Writes a site's files under a new directory as they come: the aside directory of ``SiteBuilder/write(_:to:)``.
///
/// Where `syncfs(2)` is available, nothing is synced file by file: ``finish()`` makes the whole tree durable at once,
/// before the directory is renamed into place (`docs/PUBLISHING.md` §5.1).
final class SiteDirectoryWriter: SiteOutput {
    let root: String
    /// The files and pages written, and the directories made.
    private let made: Mutex<(files: Int, pages: Int, directories: Set<String>)>
    var fileCount: Int { made.withLock { $0.files } }
    var pageCount: Int { made.withLock { $0.pages } }
    /// Opened on `root` before any file is written: `syncfs` through it reports any write-back error of the file
    /// system since then (Linux 5.8 and later).
    private let rootDescriptor: Int32

    init(root: String) throws(PublishingError) {
        self.root = root
        self.made = Mutex((0, 0, [root]))
        self.rootDescriptor = Platform.open(root, Platform.readOnly | Platform.directory | Platform.closeOnExec)
        guard rootDescriptor >= 0 else { throw SiteDirectoryWriter.failure("impossible d'ouvrir \(root)") }
    }

    deinit {
        Platform.close(rootDescriptor)
    }

    func put(_ path: String, _ bytes: [UInt8]) throws(PublishingError) { try put(path, parts: [{ bytes }]) }

    func put(_ path: String, parts: [() -> [UInt8]]) throws(PublishingError) {
        let fd = try create(path)
        defer { Platform.close(fd) }
        for part in parts {
            let bytes = part()
            guard bytes.withUnsafeBytes({ SiteDirectoryWriter.write(fd, $0) }) else {
                throw SiteDirectoryWriter.failure("impossible d'écrire \(root)/\(path)")
            }
        }
        try syncIfNeeded(fd, path)
    }

    func putLog(_ snapshot: LedgerSnapshot, at path: String) throws(PublishingError) {
        guard case .file(let store) = snapshot.log else {
            try put(path, try snapshot.readLog())
            return
        }
        // Copied in chunks and hashed on the way: the log never sits in memory, and the copy is the verified bytes.
        let changed = PublishingError(
            .unreadable, "\(store.logPath) a changé depuis sa vérification ; relancez la commande")
        let source = Platform.open(store.logPath, Platform.readOnly | Platform.closeOnExec)
        guard source >= 0 else {
            throw PublishingError(
                .unreadable, "impossible d'ouvrir \(store.logPath) : \(Platform.errorText(Platform.lastError))")
        }
        defer { Platform.close(source) }
        let fd = try create(path)
        defer { Platform.close(fd) }
        let hasher = SHA256.Hasher()
        let total = snapshot.identity.byteCount
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        var copied = 0
        while copied < total {
            let count = buffer.withUnsafeMutableBytes {
                Platform.pread(source, $0.baseAddress!, min($0.count, total - copied), copied)
            }
            if count < 0, Platform.lastError == Platform.Errno.interrupted { continue }
            guard count >= 0 else {
                throw PublishingError(
                    .unreadable, "impossible de lire \(store.logPath) : \(Platform.errorText(Platform.lastError))")
            }
            guard count > 0 else { throw changed }
            let written = buffer.withUnsafeBytes {
                let chunk = UnsafeRawBufferPointer(rebasing: $0[..<count])
                hasher.update(chunk)
                return SiteDirectoryWriter.write(fd, chunk)
            }
            guard written else { throw SiteDirectoryWriter.failure("impossible d'écrire \(root)/\(path)") }
            copied += count
        }
        guard hasher.finalize().hex == snapshot.identity.fileSHA256 else { throw changed }
        try syncIfNeeded(fd, path)
    }

    /// Makes every file and directory written so far durable.
    ///
    /// On Linux, one `syncfs(2)` of the file system: it writes back all its dirty data and metadata (the new files,
    /// their directory entries) and, since Linux 5.8, fails if any write-back failed since ``init(root:)`` opened
    /// `root`. Without `syncfs`, every file was synced as it was written, and the directories are synced here,
    /// deepest first.
    func finish() throws(PublishingError) {
        if let syncFileSystem = Platform.syncFileSystem {
            guard syncFileSystem(rootDescriptor) == 0 else {
                throw SiteDirectoryWriter.failure("impossible d'écrire \(root) sur le disque")
            }
        } else {
            for directory in made.withLock({ $0.directories }).sorted(by: >) {
                try SiteDirectoryWriter.syncDirectory(directory)
            }
        }
    }

    /// Creates the file at `path` (and its folders), which must not exist.
    private func create(_ path: String) throws(PublishingError) -> Int32 {
        let full = root + "/" + path
        try makeParents(of: full)
        let fd = Platform.open(
            full, Platform.writeOnly | Platform.create | Platform.exclusive | Platform.noFollow | Platform.closeOnExec,
            0o644)
        guard fd >= 0 else { throw SiteDirectoryWriter.failure("impossible de créer \(full)") }
        let page = path.hasSuffix(".html")
        made.withLock {
            $0.files += 1
            if page { $0.pages += 1 }
        }
        return fd
    }

    /// Makes the folders above `full` that are not made yet (another thread may be making the same: `EEXIST` is
    /// fine).
    private func makeParents(of full: String) throws(PublishingError) {
        let parent = SiteDirectoryWriter.parentOf(full)
        guard !made.withLock({ $0.directories.contains(parent) }) else { return }
        try makeParents(of: parent)
        guard Platform.makeDirectory(parent, 0o755) == 0 || Platform.lastError == Platform.Errno.exists else {
            throw SiteDirectoryWriter.failure("impossible de créer \(parent)")
        }
        made.withLock { _ = $0.directories.insert(parent) }
    }

    /// Writes all of `bytes`; false on an error, left in `Platform.lastError`.
    private static func write(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> Bool {
        var written = 0
        while written < bytes.count {
            let result = Platform.write(fd, bytes.baseAddress! + written, bytes.count - written)
            if result < 0 {
                if Platform.lastError == Platform.Errno.interrupted { continue }
                return false
            }
            written += result
        }
        return true
    }

    private func syncIfNeeded(_ fd: Int32, _ path: String) throws(PublishingError) {
        guard Platform.syncFileSystem == nil else { return }
        guard Platform.fsync(fd) == 0 else {
            throw SiteDirectoryWriter.failure("impossible d'écrire \(root)/\(path) sur le disque")
        }
    }

    static func syncDirectory(_ path: String) throws(PublishingError) {
        let fd = Platform.open(path, Platform.readOnly | Platform.directory | Platform.closeOnExec)
        guard fd >= 0 else { throw failure("impossible d'ouvrir \(path)") }
        defer { Platform.close(fd) }
        guard Platform.fsync(fd) == 0 else { throw failure("impossible d'écrire \(path) sur le disque") }
    }

    static func failure(_ what: String) -> PublishingError {
        PublishingError(.io, "\(what) : \(Platform.errorText(Platform.lastError))")
    }

    static func parentOf(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }
}
