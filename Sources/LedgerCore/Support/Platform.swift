#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Every call GrantLedger makes to the operating system, and the only file that imports the C library.
///
/// The code paths are written for Linux (glibc or musl); the Darwin branch compiles the same calls but is not
/// tested, which is why the README claims Linux only. Where systems differ, the difference is settled here:
/// `fdatasync` is a full `fsync` where the system has none.
///
/// The functions keep the C calls' contracts (a negative result and ``errno`` on failure), so that the callers'
/// error handling reads as the manual pages do; ``FileIO`` wraps the store's uses into ``LedgerError``s.
package enum Platform {
    /// Permission bits (`mode_t` is narrower on some systems; the calls convert).
    package typealias FileMode = UInt32

    // MARK: open(2) flags

    package static let readOnly = O_RDONLY
    package static let writeOnly = O_WRONLY
    package static let readWrite = O_RDWR
    package static let create = O_CREAT
    package static let exclusive = O_EXCL
    package static let append = O_APPEND
    package static let directory = O_DIRECTORY
    package static let noFollow = O_NOFOLLOW
    package static let closeOnExec = O_CLOEXEC

    // MARK: Errors

    /// The `errno` values the callers tell apart.
    package enum Errno {
        package static let exists = EEXIST
        package static let loop = ELOOP
        package static let notFound = ENOENT
        package static let notDirectory = ENOTDIR
        package static let interrupted = EINTR
        package static let noSpace = ENOSPC
        package static let readOnlyFileSystem = EROFS
        package static let accessDenied = EACCES
        package static let notPermitted = EPERM
    }

    /// The calling thread's `errno`.
    package static var lastError: Int32 { errno }

    /// The system's sentence for an `errno` value.
    package static func errorText(_ code: Int32) -> String {
        String(cString: strerror(code))
    }

    // MARK: Files

    @discardableResult
    package static func open(_ path: String, _ flags: Int32, _ mode: FileMode = 0) -> Int32 {
        posixOpen(path, flags, mode)
    }

    @discardableResult
    package static func open(at directory: Int32, _ name: String, _ flags: Int32, _ mode: FileMode = 0) -> Int32 {
        openat(directory, name, flags, mode_t(mode))
    }

    /// Closes a descriptor; its result is not checked (every durable write was `fsync`ed before).
    package static func close(_ fd: Int32) {
        _ = posixClose(fd)
    }

    @discardableResult
    package static func read(_ fd: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int {
        posixRead(fd, buffer, count)
    }

    @discardableResult
    package static func write(_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
        posixWrite(fd, buffer, count)
    }

    @discardableResult
    package static func pread(_ fd: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int, _ offset: Int) -> Int {
        posixPread(fd, buffer, count, off_t(offset))
    }

    @discardableResult
    package static func pwrite(_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int, _ offset: Int) -> Int {
        posixPwrite(fd, buffer, count, off_t(offset))
    }

    @discardableResult
    package static func fsync(_ fd: Int32) -> Int32 {
        posixFsync(fd)
    }

    /// `fdatasync(2)`: the data and the size, not every metadata field.
    @discardableResult
    package static func fdatasync(_ fd: Int32) -> Int32 {
        #if canImport(Darwin)
            posixFsync(fd)
        #else
            posixFdatasync(fd)
        #endif
    }

    @discardableResult
    package static func truncate(_ fd: Int32, _ length: Int) -> Int32 {
        ftruncate(fd, off_t(length))
    }

    /// `flock(2)`, waiting for the lock; retried when a signal interrupts the wait.
    @discardableResult
    package static func lock(_ fd: Int32, exclusive: Bool) -> Int32 {
        while true {
            let result = flock(fd, exclusive ? LOCK_EX : LOCK_SH)
            if result == 0 || errno != EINTR { return result }
        }
    }

    @discardableResult
    package static func setMode(_ fd: Int32, _ mode: FileMode) -> Int32 {
        fchmod(fd, mode_t(mode))
    }

    // MARK: Directories

    @discardableResult
    package static func makeDirectory(_ path: String, _ mode: FileMode) -> Int32 {
        mkdir(path, mode_t(mode))
    }

    @discardableResult
    package static func makeDirectory(at directory: Int32, _ name: String, _ mode: FileMode) -> Int32 {
        mkdirat(directory, name, mode_t(mode))
    }

    @discardableResult
    package static func rename(_ from: String, _ to: String) -> Int32 {
        posixRename(from, to)
    }

    @discardableResult
    package static func rename(at directory: Int32, _ from: String, to: String) -> Int32 {
        renameat(directory, from, directory, to)
    }

    /// `linkat(2)` within one directory: a second name for a file, refused when `to` exists.
    @discardableResult
    package static func link(at directory: Int32, _ from: String, to: String) -> Int32 {
        linkat(directory, from, directory, to, 0)
    }

    /// Whether `path` names something, links followed (`access(2)` with `F_OK`).
    package static func exists(_ path: String) -> Bool {
        access(path, F_OK) == 0
    }

    @discardableResult
    package static func unlink(_ path: String) -> Int32 {
        posixUnlink(path)
    }

    @discardableResult
    package static func unlink(at directory: Int32, _ name: String) -> Int32 {
        unlinkat(directory, name, 0)
    }

    /// The names in a directory (not `.` and `..`), or nil when it cannot be read.
    package static func entries(of path: String) -> [String]? {
        guard let handle = opendir(path) else { return nil }
        return names(handle)
    }

    /// The names in the directory open as `fd` (which stays open), or nil when it cannot be read.
    package static func entries(ofDirectory fd: Int32) -> [String]? {
        let duplicate = dup(fd)
        guard duplicate >= 0 else { return nil }
        guard let handle = fdopendir(duplicate) else {
            _ = posixClose(duplicate)
            return nil
        }
        return names(handle)
    }

    private static func names(_ handle: OpaquePointer) -> [String] {
        defer { closedir(handle) }
        var names: [String] = []
        while let item = readdir(handle) {
            let name = withUnsafeBytes(of: item.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    /// The first `byte` in `count` bytes from `start` (`memchr`, which the C library vectorises), or nil.
    package static func firstIndex(of byte: UInt8, in start: UnsafeRawPointer, count: Int) -> UnsafeRawPointer? {
        memchr(start, Int32(byte), count).map { UnsafeRawPointer($0) }
    }

    // MARK: File status

    /// What a directory entry is.
    package enum FileKind: Sendable, Equatable {
        case regular, directory, symbolicLink, other
    }

    private static func kind(_ info: stat) -> FileKind {
        switch info.st_mode & S_IFMT {
        case S_IFREG: .regular
        case S_IFDIR: .directory
        case S_IFLNK: .symbolicLink
        default: .other
        }
    }

    /// The kind and size of the open file `fd`, or nil (and ``lastError``) when `fstat` fails.
    package static func status(_ fd: Int32) -> (kind: FileKind, size: Int)? {
        var info = stat()
        guard fstat(fd, &info) == 0 else { return nil }
        return (kind(info), Int(info.st_size))
    }

    /// The kind of the entry at `path`, a symbolic link not followed; nil when there is none.
    package static func linkStatus(_ path: String) -> FileKind? {
        var info = stat()
        guard lstat(path, &info) == 0 else { return nil }
        return kind(info)
    }

    /// The kind of the entry `name` in the directory open as `directory`, a symbolic link not followed.
    package static func linkStatus(at directory: Int32, _ name: String) -> FileKind? {
        var info = stat()
        guard fstatat(directory, name, &info, AT_SYMLINK_NOFOLLOW) == 0 else { return nil }
        return kind(info)
    }

    // MARK: Process and terminal

    package static var processID: Int32 { getpid() }

    /// The wall clock, in whole seconds since 1970-01-01T00:00:00Z.
    package static var secondsSinceEpoch: Int64 {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Int64(spec.tv_sec)
    }

    /// Linux's `syncfs(2)`, looked up at run time: Swift's Glibc module does not declare it (it needs `_GNU_SOURCE`).
    /// Nil elsewhere, with a C library without it, and before Linux 5.8, whose `syncfs` reports no write-back error.
    package static let syncFileSystem: (@convention(c) (Int32) -> Int32)? = {
        #if os(Linux)
            var system = utsname()
            uname(&system)
            let release = withUnsafeBytes(of: &system.release) {
                String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self)
            }
            let version = release.split(whereSeparator: { !$0.isNumber }).prefix(2).compactMap { Int($0) }
            guard version.count == 2, (version[0], version[1]) >= (5, 8),
                let symbol = dlsym(dlopen(nil, RTLD_NOW), "syncfs")
            else { return nil }
            return unsafeBitCast(symbol, to: (@convention(c) (Int32) -> Int32).self)
        #else
            return nil
        #endif
    }()

    /// Asks the C allocator for one arena shared by every thread (glibc's `M_ARENA_MAX`; nothing on other systems).
    ///
    /// Replays parse lines on worker threads and fold them into the state on the calling thread: with an arena per
    /// thread, what the workers allocate and the caller frees stays in the workers' arenas while the state grows in
    /// another, and the process holds both (23 to 26 MB more at the peak of a 100 000-application replay). One arena
    /// reuses that memory for the state, at some cost in time (the threads share one allocator lock: 6 % on a full
    /// verification, docs/PERFORMANCE.md). `MALLOC_ARENA_MAX` set in the environment is left to decide. Call it
    /// before any other thread starts.
    package static func useOneAllocatorArena() {
        #if canImport(Glibc)
            guard getenv("MALLOC_ARENA_MAX") == nil else { return }
            // `mallopt` is declared in <malloc.h>, which the Glibc module does not import: found by name instead
            // (RTLD_DEFAULT is the null handle). M_ARENA_MAX is -8 in <malloc.h>.
            typealias MallocOption = @convention(c) (Int32, Int32) -> Int32
            if let symbol = dlsym(nil, "mallopt") {
                _ = unsafeBitCast(symbol, to: MallocOption.self)(-8, 1)
            }
        #endif
    }

    /// The processors online.
    package static var processorCount: Int {
        max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
    }

    package static func isTerminal(_ fd: Int32) -> Bool {
        isatty(fd) == 1
    }

    /// Runs `body` with the terminal `fd`'s echo off, restoring it after; nil when `fd` is not a terminal.
    package static func withEchoOff<T>(_ fd: Int32, _ body: () -> T) -> T? {
        var original = termios()
        guard tcgetattr(fd, &original) == 0 else { return nil }
        var silent = original
        silent.c_lflag &= ~tcflag_t(ECHO)
        guard tcsetattr(fd, TCSAFLUSH, &silent) == 0 else { return nil }
        defer { _ = tcsetattr(fd, TCSAFLUSH, &original) }
        return body()
    }
}

// The C library's functions under names the `Platform` members do not shadow.

private func posixOpen(_ path: String, _ flags: Int32, _ mode: UInt32) -> Int32 { open(path, flags, mode_t(mode)) }
private func posixClose(_ fd: Int32) -> Int32 { close(fd) }
private func posixRead(_ fd: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int {
    read(fd, buffer, count)
}
private func posixWrite(_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int { write(fd, buffer, count) }
private func posixPread(_ fd: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int, _ offset: off_t) -> Int {
    pread(fd, buffer, count, offset)
}
private func posixPwrite(_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int, _ offset: off_t) -> Int {
    pwrite(fd, buffer, count, offset)
}
private func posixFsync(_ fd: Int32) -> Int32 { fsync(fd) }
#if !canImport(Darwin)
    private func posixFdatasync(_ fd: Int32) -> Int32 { fdatasync(fd) }
#endif
private func posixRename(_ from: String, _ to: String) -> Int32 { rename(from, to) }
private func posixUnlink(_ path: String) -> Int32 { unlink(path) }
