import LedgerCrypto

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
        let fd = Platform.open(path, Platform.readOnly | Platform.noFollow | Platform.closeOnExec)
        guard fd >= 0 else {
            if Platform.lastError == Platform.Errno.notFound { return nil }
            throw LedgerError(
                .io,
                "impossible de lire \(path) : \(reason(Platform.lastError == Platform.Errno.loop ? "lien symbolique" : nil))"
            )
        }
        defer { Platform.close(fd) }
        guard let status = Platform.status(fd), status.kind == .regular else {
            throw LedgerError(.io, "\(path) n'est pas un fichier ordinaire")
        }
        guard status.size <= maximumBytes else {
            throw LedgerError(.io, "\(path) dépasse \(maximumBytes) octets")
        }
        var bytes = [UInt8](repeating: 0, count: status.size)
        var done = 0
        while done < bytes.count {
            let count = bytes.withUnsafeMutableBytes { Platform.read(fd, $0.baseAddress! + done, $0.count - done) }
            if count < 0 && Platform.lastError == Platform.Errno.interrupted { continue }
            guard count > 0 else { throw LedgerError(.io, "impossible de lire \(path) : \(reason())") }
            done += count
        }
        return bytes
    }

    /// Replaces (or creates) `path` with `bytes`, atomically and durably, mode 0600.
    static func replace(_ path: String, with bytes: [UInt8]) throws(LedgerError) {
        let directory = parent(of: path)
        var random = SystemRandomNumberGenerator()
        let temporary =
            "\(directory)/.\(path.split(separator: "/").last ?? "state").tmp-\(Platform.processID)-\(random.next())"
        let fd = Platform.open(
            temporary,
            Platform.writeOnly | Platform.create | Platform.exclusive | Platform.noFollow | Platform.closeOnExec, 0o600)
        guard fd >= 0 else { throw LedgerError(.io, "impossible de créer \(temporary) : \(reason())") }
        var written = 0
        var failure: String? = nil
        while written < bytes.count {
            let count = bytes.withUnsafeBytes { Platform.write(fd, $0.baseAddress! + written, $0.count - written) }
            if count < 0 && Platform.lastError == Platform.Errno.interrupted { continue }
            guard count > 0 else {
                failure = reason()
                break
            }
            written += count
        }
        if failure == nil && Platform.fsync(fd) != 0 { failure = reason() }
        Platform.close(fd)
        if let failure {
            Platform.unlink(temporary)
            throw LedgerError(.io, "impossible d'écrire \(temporary) : \(failure)")
        }
        guard Platform.rename(temporary, path) == 0 else {
            let failure = reason()
            Platform.unlink(temporary)
            throw LedgerError(.io, "impossible de remplacer \(path) : \(failure)")
        }
        try syncDirectory(directory)
    }

    /// Creates `path` and its missing parents with mode 0700; refuses a link or a non-directory at `path`.
    static func makeDirectory(_ path: String) throws(LedgerError) {
        var current = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/") {
            current += "/" + component
            if Platform.makeDirectory(current, 0o700) != 0 && Platform.lastError != Platform.Errno.exists {
                throw LedgerError(.io, "impossible de créer le répertoire \(current) : \(reason())")
            }
        }
        guard Platform.linkStatus(path) == .directory else {
            throw LedgerError(.io, "\(path) n'est pas un répertoire (un lien symbolique n'est pas suivi)")
        }
    }

    /// Runs `body` holding an exclusive `flock` on `path` (created 0600 if needed).
    static func withLock<T>(_ path: String, _ body: () throws(LedgerError) -> T) throws(LedgerError) -> T {
        let fd = Platform.open(
            path, Platform.readWrite | Platform.create | Platform.noFollow | Platform.closeOnExec, 0o600)
        guard fd >= 0 else { throw LedgerError(.io, "impossible d'ouvrir \(path) : \(reason())") }
        defer { Platform.close(fd) }
        guard Platform.lock(fd, exclusive: true) == 0 else {
            throw LedgerError(.io, "impossible de verrouiller \(path) : \(reason())")
        }
        return try body()
    }

    private static func syncDirectory(_ path: String) throws(LedgerError) {
        let fd = Platform.open(path, Platform.readOnly | Platform.directory | Platform.closeOnExec)
        guard fd >= 0 else { throw LedgerError(.io, "impossible d'ouvrir \(path) : \(reason())") }
        defer { Platform.close(fd) }
        guard Platform.fsync(fd) == 0 else {
            throw LedgerError(.io, "impossible de synchroniser \(path) : \(reason())")
        }
    }

    private static func parent(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    private static func reason(_ override: String? = nil) -> String {
        override ?? Platform.errorText(Platform.lastError)
    }
}
