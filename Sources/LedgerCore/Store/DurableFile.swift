#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Whole-file replacement that a crash cannot leave half-written: checkpoints and cosigned checkpoints.
///
/// The bytes go to a temporary file beside the target, which is synced, renamed over the target (atomic on
/// POSIX), and the directory synced so the rename itself survives a power loss. A reader sees the old file or the
/// new one, never a mix.
public enum DurableFile {
    /// Replaces (or creates) `path` with `bytes`, durably and atomically.
    public static func write(_ path: String, _ bytes: [UInt8], mode: UInt32 = 0o644) throws(LedgerError) {
        let directory = path.contains("/") ? String(path[..<path.lastIndex(of: "/")!]) : "."
        let temporary = path + ".tmp-\(getpid())"
        let fd = try FileIO.open(temporary, O_WRONLY | O_CREAT | O_TRUNC, mode: mode_t(mode))
        do throws(LedgerError) {
            try FileIO.writeAll(fd, bytes, path: temporary)
            try FileIO.fsync(fd, path: temporary)
        } catch {
            close(fd)
            unlink(temporary)
            throw error
        }
        close(fd)
        guard rename(temporary, path) == 0 else {
            let reason = FileIO.errorText()
            unlink(temporary)
            throw LedgerError(.io, "cannot rename \(temporary) to \(path): \(reason)")
        }
        try FileIO.fsyncDirectory(directory.isEmpty ? "/" : directory)
    }

    /// Creates `path` and its missing parents, syncing the parent so the new directory entry is durable.
    public static func makeDirectory(_ path: String) throws(LedgerError) {
        guard !FileIO.exists(path) else { return }
        try FileIO.makeDirectory(path)
        let parent = path.contains("/") ? String(path[..<path.lastIndex(of: "/")!]) : "."
        try FileIO.fsyncDirectory(parent.isEmpty ? "/" : parent)
    }
}
