#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Thin, error-checked wrappers over the POSIX calls the store needs for durability.
enum FileIO {
    static func errorText() -> String {
        String(cString: strerror(errno))
    }

    static func open(_ path: String, _ flags: Int32, mode: mode_t = 0o644) throws(LedgerError) -> Int32 {
        let fd = Glibc.open(path, flags | O_CLOEXEC, mode)
        guard fd >= 0 else {
            let code: LedgerError.Code = errno == ENOENT ? .notFound : (errno == EEXIST ? .alreadyExists : .io)
            throw LedgerError(code, "cannot open \(path): \(errorText())")
        }
        return fd
    }

    static func writeAll(_ fd: Int32, _ bytes: [UInt8], path: String) throws(LedgerError) {
        var written = 0
        while written < bytes.count {
            let result = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + written, $0.count - written) }
            if result < 0 {
                if errno == EINTR { continue }
                throw LedgerError(.io, "cannot write \(path): \(errorText())")
            }
            written += result
        }
    }

    static func fsync(_ fd: Int32, path: String) throws(LedgerError) {
        guard Glibc.fsync(fd) == 0 else { throw LedgerError(.io, "cannot flush \(path) to disk: \(errorText())") }
    }

    /// Makes a new or renamed directory entry durable.
    static func fsyncDirectory(_ path: String) throws(LedgerError) {
        let fd = try open(path, O_RDONLY | O_DIRECTORY)
        defer { close(fd) }
        try fsync(fd, path: path)
    }

    static func size(_ fd: Int32, path: String) throws(LedgerError) -> Int {
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw LedgerError(.io, "cannot read the size of \(path): \(errorText())") }
        return Int(info.st_size)
    }

    static func pread(_ fd: Int32, count: Int, offset: Int, path: String) throws(LedgerError) -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: count)
        var done = 0
        while done < count {
            let result = buffer.withUnsafeMutableBytes {
                Glibc.pread(fd, $0.baseAddress! + done, count - done, off_t(offset + done))
            }
            if result < 0 {
                if errno == EINTR { continue }
                throw LedgerError(.io, "cannot read \(path): \(errorText())")
            }
            if result == 0 { break }
            done += result
        }
        return done == count ? buffer : Array(buffer[..<done])
    }

    static func truncate(_ fd: Int32, to length: Int, path: String) throws(LedgerError) {
        guard ftruncate(fd, off_t(length)) == 0 else {
            throw LedgerError(.io, "cannot truncate \(path): \(errorText())")
        }
    }

    static func makeDirectory(_ path: String) throws(LedgerError) {
        var current = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/") {
            current += "/" + component
            if mkdir(current, 0o755) != 0 && errno != EEXIST {
                throw LedgerError(.io, "cannot create the directory \(current): \(errorText())")
            }
        }
    }

    static func exists(_ path: String) -> Bool {
        access(path, F_OK) == 0
    }

    /// Takes an advisory lock on a file; blocks until it is granted, so writers queue.
    static func lock(_ fd: Int32, exclusive: Bool, path: String) throws(LedgerError) {
        while flock(fd, exclusive ? LOCK_EX : LOCK_SH) != 0 {
            if errno == EINTR { continue }
            throw LedgerError(.io, "cannot lock \(path): \(errorText())")
        }
    }
}
