import Synchronization
import LedgerCrypto

/// Thin, error-checked wrappers over the POSIX calls the store needs for durability.
///
/// Every file of a ledger directory is opened with `O_NOFOLLOW`: a symbolic link planted at a ledger file's name
/// makes the call fail (one sentence, nothing written) instead of redirecting a write outside the directory. Files
/// that must not exist yet (temporary files, side files) are created with `O_EXCL` under unpredictable names.
enum FileIO {
    static func errorText(_ code: Int32 = Platform.lastError) -> String {
        Platform.errorText(code)
    }

    /// The error for a failed `open` of `path`.
    static func openError(_ path: String, code: Int32 = Platform.lastError) -> LedgerError {
        switch code {
        case Platform.Errno.notFound: return LedgerError(.notFound, "impossible d'ouvrir \(path) : \(errorText(code))")
        case Platform.Errno.exists: return LedgerError(.alreadyExists, "impossible de créer \(path) : il existe déjà")
        case Platform.Errno.loop:
            return LedgerError(
                .badInput, "\(path) est un lien symbolique ; un répertoire de registre ne suit jamais de lien")
        case Platform.Errno.readOnlyFileSystem, Platform.Errno.accessDenied, Platform.Errno.notPermitted:
            return LedgerError(.readOnly, "impossible d'ouvrir \(path) en écriture : \(errorText(code))")
        default: return LedgerError(.io, "impossible d'ouvrir \(path) : \(errorText(code))")
        }
    }

    /// Opens `path`, never through a symbolic link at its last component.
    static func open(_ path: String, _ flags: Int32, mode: Platform.FileMode = 0o644) throws(LedgerError) -> Int32 {
        let fd = Platform.open(path, flags | Platform.closeOnExec | Platform.noFollow, mode)
        guard fd >= 0 else {
            // O_NOFOLLOW on a link gives ELOOP; O_CREAT | O_EXCL on a link gives EEXIST: name the link either way.
            if Platform.lastError == Platform.Errno.exists, isSymbolicLink(path) {
                throw openError(path, code: Platform.Errno.loop)
            }
            throw openError(path)
        }
        return fd
    }

    /// Opens a file the user named (a key, an input, an output): links are followed, as the user may mean them.
    static func openUserFile(_ path: String, _ flags: Int32, mode: Platform.FileMode = 0o644) throws(LedgerError)
        -> Int32
    {
        let fd = Platform.open(path, flags | Platform.closeOnExec, mode)
        guard fd >= 0 else { throw openError(path) }
        return fd
    }

    /// Opens `name` inside the directory `directory`, never through a symbolic link.
    static func open(
        at directory: Int32, _ name: String, _ flags: Int32, mode: Platform.FileMode = 0o644, label: String
    )
        throws(LedgerError) -> Int32
    {
        let fd = Platform.open(at: directory, name, flags | Platform.closeOnExec | Platform.noFollow, mode)
        guard fd >= 0 else {
            let code = Platform.lastError
            if code == Platform.Errno.exists, Platform.linkStatus(at: directory, name) == .symbolicLink {
                throw openError(label, code: Platform.Errno.loop)
            }
            throw openError(label, code: code)
        }
        return fd
    }

    /// Opens a directory for `openat`, `fsync` and `renameat`; with `noFollow`, refuses a symbolic link.
    static func openDirectory(_ path: String, noFollow: Bool = false) throws(LedgerError) -> Int32 {
        let fd = Platform.open(
            path, Platform.readOnly | Platform.directory | Platform.closeOnExec | (noFollow ? Platform.noFollow : 0))
        guard fd >= 0 else {
            if Platform.lastError == Platform.Errno.notDirectory && noFollow && isSymbolicLink(path) {
                throw openError(path, code: Platform.Errno.loop)
            }
            throw openError(path)
        }
        return fd
    }

    /// Opens (creating it if needed) the subdirectory `name` of `parent`, refusing a symbolic link.
    static func openSubdirectory(_ parent: Int32, _ name: String, create: Bool, label: String) throws(LedgerError)
        -> Int32
    {
        if create, Platform.makeDirectory(at: parent, name, 0o755) == 0 {
            try fsync(parent, path: label + "/..")
        } else if create, Platform.lastError != Platform.Errno.exists {
            throw Platform.lastError == Platform.Errno.readOnlyFileSystem
                || Platform.lastError == Platform.Errno.accessDenied
                || Platform.lastError == Platform.Errno.notPermitted
                ? LedgerError(.readOnly, "impossible de créer le répertoire \(label) : \(errorText())")
                : LedgerError(.io, "impossible de créer le répertoire \(label) : \(errorText())")
        }
        let fd = Platform.open(
            at: parent, name, Platform.readOnly | Platform.directory | Platform.closeOnExec | Platform.noFollow)
        guard fd >= 0 else {
            let code = Platform.lastError
            if code == Platform.Errno.notDirectory || code == Platform.Errno.loop,
                Platform.linkStatus(at: parent, name) == .symbolicLink
            {
                throw openError(label, code: Platform.Errno.loop)
            }
            throw openError(label, code: code)
        }
        return fd
    }

    static func isSymbolicLink(_ path: String) -> Bool {
        Platform.linkStatus(path) == .symbolicLink
    }

    /// 16 random lowercase hex digits, for names nobody can plant a link at in advance.
    static func randomName() -> String {
        var generator = SystemRandomNumberGenerator()
        let value = generator.next() as UInt64
        let hex = String(value, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }

    /// Creates a new file `<prefix><random>` in `directory` with `O_EXCL`; returns its descriptor and name. The file
    /// is open for writing, and for reading too with `readable`.
    static func createUnique(
        at directory: Int32, prefix: String, mode: Platform.FileMode = 0o644, label: String, readable: Bool = false
    )
        throws(LedgerError) -> (fd: Int32, name: String)
    {
        let access = readable ? Platform.readWrite : Platform.writeOnly
        while true {
            let name = prefix + randomName()
            do {
                return (
                    try open(
                        at: directory, name, access | Platform.create | Platform.exclusive, mode: mode,
                        label: label + "/" + name),
                    name
                )
            } catch  where error.code == .alreadyExists {
                continue
            }
        }
    }

    // MARK: - Fault injection (tests)

    /// Simulated full disks, for tests where no small file system can be mounted: writes to a path under one of
    /// these directories fail with the given errno once the given number of bytes more were written.
    static let injectedWriteFaults = Mutex<[String: (errno: Int32, bytes: Int)]>([:])

    /// How many of `count` bytes a write to `path` may write before its injected fault; nil when there is none.
    private static func allowance(_ path: String, _ count: Int) -> (bytes: Int, errno: Int32)? {
        injectedWriteFaults.withLock { faults -> (bytes: Int, errno: Int32)? in
            guard !faults.isEmpty, let key = faults.keys.first(where: { path.hasPrefix($0 + "/") }),
                var fault = faults[key]
            else { return nil }
            let granted = min(count, fault.bytes)
            fault.bytes -= granted
            faults[key] = fault
            return (granted, fault.errno)
        }
    }

    // MARK: - Reading and writing

    static func writeAll(_ fd: Int32, _ bytes: [UInt8], path: String) throws(LedgerError) {
        try writeLoop(bytes, path: path, injectingFaults: true) { base, count, _ in Platform.write(fd, base, count) }
    }

    static func pwriteAll(_ fd: Int32, _ bytes: [UInt8], offset: Int, path: String) throws(LedgerError) {
        try writeLoop(bytes, path: path, injectingFaults: false) { base, count, done in
            Platform.pwrite(fd, base, count, offset + done)
        }
    }

    /// Calls `write(base, count, written)` until every byte is written: again after an interruption, and with an
    /// injected fault (``injectedWriteFaults``) when `injectingFaults`.
    private static func writeLoop(
        _ bytes: [UInt8], path: String, injectingFaults: Bool, _ write: (UnsafeRawPointer, Int, Int) -> Int
    ) throws(LedgerError) {
        var written = 0
        while written < bytes.count {
            var want = bytes.count - written
            if injectingFaults, let fault = allowance(path, want) {
                guard fault.bytes > 0 else {
                    throw LedgerError(
                        fault.errno == Platform.Errno.noSpace ? .noSpace : .io,
                        "impossible d'écrire \(path) : \(errorText(fault.errno))")
                }
                want = fault.bytes
            }
            let result = bytes.withUnsafeBytes { write($0.baseAddress! + written, want, written) }
            if result < 0 {
                if Platform.lastError == Platform.Errno.interrupted { continue }
                throw LedgerError(
                    Platform.lastError == Platform.Errno.noSpace ? .noSpace : .io,
                    "impossible d'écrire \(path) : \(errorText())")
            }
            written += result
        }
    }

    static func fsync(_ fd: Int32, path: String) throws(LedgerError) {
        guard Platform.fsync(fd) == 0 else {
            throw LedgerError(.io, "impossible de forcer l'écriture de \(path) sur le disque : \(errorText())")
        }
    }

    static func fdatasync(_ fd: Int32, path: String) throws(LedgerError) {
        guard Platform.fdatasync(fd) == 0 else {
            throw LedgerError(.io, "impossible de forcer l'écriture de \(path) sur le disque : \(errorText())")
        }
    }

    /// Makes a new or renamed directory entry durable.
    static func fsyncDirectory(_ path: String) throws(LedgerError) {
        let fd = try openDirectory(path)
        defer { Platform.close(fd) }
        try fsync(fd, path: path)
    }

    static func size(_ fd: Int32, path: String) throws(LedgerError) -> Int {
        guard let status = Platform.status(fd) else {
            throw LedgerError(.io, "impossible de lire la taille de \(path) : \(errorText())")
        }
        return status.size
    }

    static func pread(_ fd: Int32, count: Int, offset: Int, path: String) throws(LedgerError) -> [UInt8] {
        guard count > 0 else { return [] }
        var buffer = [UInt8](repeating: 0, count: count)
        var done = 0
        while done < count {
            let result = buffer.withUnsafeMutableBytes {
                Platform.pread(fd, $0.baseAddress! + done, count - done, Int(offset + done))
            }
            if result < 0 {
                if Platform.lastError == Platform.Errno.interrupted { continue }
                throw LedgerError(.io, "impossible de lire \(path) : \(errorText())")
            }
            if result == 0 { break }
            done += result
        }
        return done == count ? buffer : Array(buffer[..<done])
    }

    /// Reads up to `buffer.count` bytes at `offset` into `buffer` (fewer only at the end of the file); returns how
    /// many were read.
    static func pread(
        _ fd: Int32, into buffer: UnsafeMutableRawBufferPointer, offset: Int, path: String
    ) throws(LedgerError) -> Int {
        var done = 0
        while done < buffer.count {
            let result = Platform.pread(fd, buffer.baseAddress! + done, buffer.count - done, Int(offset + done))
            if result < 0 {
                if Platform.lastError == Platform.Errno.interrupted { continue }
                throw LedgerError(.io, "impossible de lire \(path) : \(errorText())")
            }
            if result == 0 { break }
            done += result
        }
        return done
    }

    /// Reads `fd` to its end with `read(2)`, whatever it is (file, pipe, terminal, `/dev/stdin`): the size `fstat`
    /// gives is not trusted. Refuses more than `limit` bytes without reading much further.
    static func readToEnd(_ fd: Int32, limit: Int, path: String) throws(LedgerError) -> [UInt8] {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let result = chunk.withUnsafeMutableBytes { Platform.read(fd, $0.baseAddress!, $0.count) }
            if result < 0 {
                if Platform.lastError == Platform.Errno.interrupted { continue }
                throw LedgerError(.badInput, "impossible de lire \(path) : \(errorText())")
            }
            if result == 0 { return bytes }
            guard bytes.count + result <= limit else {
                throw LedgerError(.badInput, "\(path) dépasse \(limit >> 20) Mio")
            }
            bytes.append(contentsOf: chunk[..<result])
        }
    }

    static func truncate(_ fd: Int32, to length: Int, path: String) throws(LedgerError) {
        guard Platform.truncate(fd, Int(length)) == 0 else {
            throw LedgerError(.io, "impossible de tronquer \(path) : \(errorText())")
        }
    }

    static func makeDirectory(_ path: String) throws(LedgerError) {
        var current = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/") {
            current += "/" + component
            if Platform.makeDirectory(current, 0o755) != 0 && Platform.lastError != Platform.Errno.exists {
                throw LedgerError(
                    Platform.lastError == Platform.Errno.readOnlyFileSystem
                        || Platform.lastError == Platform.Errno.accessDenied ? .readOnly : .io,
                    "impossible de créer le répertoire \(current) : \(errorText())")
            }
        }
    }

    /// Whether a directory entry exists at `path` (a symbolic link counts, dangling or not).
    static func exists(_ path: String) -> Bool {
        Platform.linkStatus(path) != nil
    }

    /// Takes an advisory lock on a file; blocks until it is granted, so writers queue.
    static func lock(_ fd: Int32, exclusive: Bool, path: String) throws(LedgerError) {
        guard Platform.lock(fd, exclusive: exclusive) == 0 else {
            throw LedgerError(.io, "impossible de verrouiller \(path) : \(errorText())")
        }
    }
}
