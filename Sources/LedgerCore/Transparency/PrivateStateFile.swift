import LedgerCrypto

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Small files a user keeps for themself (a verifier's state), read and replaced without following symbolic links.
///
/// A replacement is atomic and durable: a new file is created next to the target with `O_CREAT | O_EXCL |
/// O_NOFOLLOW` (so it can be neither an existing file nor a planted link), written, synced, renamed over the target
/// (a link at the target is replaced, never followed) and the directory synced. Reading refuses a link or anything
/// but a regular file. Files are 0600 and directories 0700: what a verifier remembers is no one else's to change.
///
/// This is deliberately self-contained (the ledger store has its own durable-write code for the ledger directory).
enum PrivateStateFile {
    /// Reads `path`; nil when it does not exist.
    static func contents(of path: String, maximumBytes: Int) throws(LedgerError) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else {
            if errno == ENOENT { return nil }
            throw LedgerError(.io, "impossible de lire \(path) : \(reason(errno == ELOOP ? "lien symbolique" : nil))")
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFREG else {
            throw LedgerError(.io, "\(path) n'est pas un fichier ordinaire")
        }
        guard Int(info.st_size) <= maximumBytes else {
            throw LedgerError(.io, "\(path) dépasse \(maximumBytes) octets")
        }
        var bytes = [UInt8](repeating: 0, count: Int(info.st_size))
        var done = 0
        while done < bytes.count {
            let count = bytes.withUnsafeMutableBytes { read(fd, $0.baseAddress! + done, $0.count - done) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { throw LedgerError(.io, "impossible de lire \(path) : \(reason())") }
            done += count
        }
        return bytes
    }

    /// Replaces (or creates) `path` with `bytes`, atomically and durably, mode 0600.
    static func replace(_ path: String, with bytes: [UInt8]) throws(LedgerError) {
        let directory = parent(of: path)
        var random = SystemRandomNumberGenerator()
        let temporary = "\(directory)/.\(path.split(separator: "/").last ?? "state").tmp-\(getpid())-\(random.next())"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw LedgerError(.io, "impossible de créer \(temporary) : \(reason())") }
        var written = 0
        var failure: String? = nil
        while written < bytes.count {
            let count = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + written, $0.count - written) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else {
                failure = reason()
                break
            }
            written += count
        }
        if failure == nil && fsync(fd) != 0 { failure = reason() }
        close(fd)
        if let failure {
            unlink(temporary)
            throw LedgerError(.io, "impossible d'écrire \(temporary) : \(failure)")
        }
        guard rename(temporary, path) == 0 else {
            let failure = reason()
            unlink(temporary)
            throw LedgerError(.io, "impossible de remplacer \(path) : \(failure)")
        }
        try syncDirectory(directory)
    }

    /// Creates `path` and its missing parents with mode 0700; refuses a link or a non-directory at `path`.
    static func makeDirectory(_ path: String) throws(LedgerError) {
        var current = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/") {
            current += "/" + component
            if mkdir(current, 0o700) != 0 && errno != EEXIST {
                throw LedgerError(.io, "impossible de créer le répertoire \(current) : \(reason())")
            }
        }
        var info = stat()
        guard lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFDIR else {
            throw LedgerError(.io, "\(path) n'est pas un répertoire (un lien symbolique n'est pas suivi)")
        }
    }

    /// Runs `body` holding an exclusive `flock` on `path` (created 0600 if needed).
    static func withLock<T>(_ path: String, _ body: () throws(LedgerError) -> T) throws(LedgerError) -> T {
        let fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw LedgerError(.io, "impossible d'ouvrir \(path) : \(reason())") }
        defer { close(fd) }
        while flock(fd, LOCK_EX) != 0 {
            if errno == EINTR { continue }
            throw LedgerError(.io, "impossible de verrouiller \(path) : \(reason())")
        }
        return try body()
    }

    private static func syncDirectory(_ path: String) throws(LedgerError) {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw LedgerError(.io, "impossible d'ouvrir \(path) : \(reason())") }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw LedgerError(.io, "impossible de synchroniser \(path) : \(reason())") }
    }

    private static func parent(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    private static func reason(_ override: String? = nil) -> String {
        override ?? String(cString: strerror(errno))
    }
}
