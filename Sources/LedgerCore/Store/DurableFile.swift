public import LedgerCrypto

/// Whole-file replacement that a crash cannot leave half-written: checkpoints, cosigned checkpoints, bundles.
///
/// The bytes go to a new temporary file beside the target, created with `O_EXCL` under an unpredictable name (a
/// link planted there in advance cannot redirect the write), which is synced, renamed over the target (atomic on
/// POSIX; a link at the target's name is replaced, never followed), and the directory synced so the rename itself
/// survives a power loss. A reader sees the old file or the new one, never a mix.
public enum DurableFile {
    /// Replaces (or creates) `path` with `bytes`, durably and atomically.
    public static func write(_ path: String, _ bytes: [UInt8], mode: UInt32 = 0o644) throws(LedgerError) {
        let (directory, name) = split(path)
        let directoryFD = try FileIO.openDirectory(directory)
        defer { Platform.close(directoryFD) }
        try write(name, bytes, in: directoryFD, label: path, mode: mode)
    }

    /// Replaces (or creates) the file `name` of the open directory `directoryFD`, durably and atomically. With
    /// `durable: false` (a cache), still atomically, but neither the file nor the directory is synced.
    static func write(
        _ name: String, _ bytes: [UInt8], in directoryFD: Int32, label: String, mode: UInt32 = 0o644,
        durable: Bool = true
    ) throws(LedgerError) {
        try write(name, in: directoryFD, label: label, mode: mode, durable: durable) { fd throws(LedgerError) in
            try FileIO.writeAll(fd, bytes, path: label)
        }
    }

    /// The same, for a file whose bytes `contents` writes to the descriptor it is given (a large file is then
    /// written without first being held in one array).
    static func write(
        _ name: String, in directoryFD: Int32, label: String, mode: UInt32 = 0o644, durable: Bool = true,
        contents: (Int32) throws(LedgerError) -> Void
    ) throws(LedgerError) {
        let (fd, temporary) = try FileIO.createUnique(
            at: directoryFD, prefix: "." + name + ".tmp-", mode: Platform.FileMode(mode), label: split(label).directory)
        do throws(LedgerError) {
            try contents(fd)
            if durable { try FileIO.fsync(fd, path: label) }
        } catch {
            Platform.close(fd)
            Platform.unlink(at: directoryFD, temporary)
            throw error
        }
        Platform.close(fd)
        guard Platform.rename(at: directoryFD, temporary, to: name) == 0 else {
            let reason = FileIO.errorText()
            Platform.unlink(at: directoryFD, temporary)
            throw LedgerError(.io, "impossible de remplacer \(label) : \(reason)")
        }
        if durable { try FileIO.fsync(directoryFD, path: label + "/..") }
    }

    /// Creates `path` and its missing parents, syncing the parent so the new directory entry is durable.
    public static func makeDirectory(_ path: String) throws(LedgerError) {
        guard !FileIO.exists(path) else { return }
        try FileIO.makeDirectory(path)
        try FileIO.fsyncDirectory(split(path).directory)
    }

    /// The directory part and the last component of `path`.
    static func split(_ path: String) -> (directory: String, name: String) {
        guard let slash = path.lastIndex(of: "/") else { return (".", path) }
        let directory = String(path[..<slash])
        return (directory.isEmpty ? "/" : directory, String(path[path.index(after: slash)...]))
    }
}
