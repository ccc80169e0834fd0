public import LedgerCrypto

/// A ``MerkleHashStore`` on disk: one flat file per level, `level-00.hashes`, `level-01.hashes`, …, each a
/// sequence of fixed 32-byte records.
///
/// Fixed-size records make node `(level, i)` a single `pread` at offset `32 * i`, with no index to maintain or
/// corrupt; the whole store is about twice the size of the leaf hashes. Files are only ever appended to, so a crash
/// can at worst leave a partial last record (dropped on open) or a level shorter than its children imply (repaired
/// by ``MerkleTree``'s initialiser). Writes go straight to the page cache with `pwrite`; durability is the caller's
/// decision through ``sync()``, typically once per batch of appends, after the log file itself is synced.
///
/// Not `Sendable`: it owns file descriptors and a count cache, so confine it to one owner (the log's single writer,
/// e.g. an actor), as the log file is.
///
/// ```swift
/// var tree = try MerkleTree(store: FileMerkleHashStore(directory: "ledger/merkle"))
/// try tree.append(leaf: Array(line.utf8))
/// try tree.sync()
/// ```
public final class FileMerkleHashStore: MerkleHashStore {
    /// The directory holding the level files.
    public let directory: String

    private var directoryFD: Int32 = -1
    private var descriptors: [Int32] = []
    private var counts: [UInt64] = []
    private var directoryNeedsSync = false

    private static let recordSize = 32
    /// More levels than a `UInt64` leaf count can need.
    private static let maxLevels = 64

    /// Opens the store in `directory`, creating the directory if needed, and drops any partial trailing record.
    ///
    /// Neither the directory nor a level file is ever opened through a symbolic link: a link planted at either
    /// name is refused, so the cache cannot be made to write outside its directory.
    public init(directory: String) throws(TransparencyError) {
        self.directory = directory
        if Platform.makeDirectory(directory, 0o755) != 0 && Platform.lastError != Platform.Errno.exists {
            throw Self.failure("créant le répertoire des hachages \(directory)")
        }
        let opened = Platform.open(
            directory, Platform.readOnly | Platform.directory | Platform.closeOnExec | Platform.noFollow)
        guard opened >= 0 else {
            if Platform.lastError == Platform.Errno.loop || Platform.lastError == Platform.Errno.notDirectory {
                throw TransparencyError(
                    .storage,
                    "\(directory) n'est pas un répertoire (un lien symbolique ?) ; le magasin de hachages ne suit jamais de lien"
                )
            }
            throw Self.failure("ouvrant le répertoire des hachages \(directory)")
        }
        directoryFD = opened
        for level in 0..<Self.maxLevels {
            let name = Self.name(level)
            let descriptor = Platform.open(
                at: directoryFD, name, Platform.readWrite | Platform.closeOnExec | Platform.noFollow)
            if descriptor < 0 {
                if Platform.lastError == Platform.Errno.notFound { break }
                let error = Self.failure("ouvrant \(directory)/\(name)")
                closeAll()
                throw error
            }
            descriptors.append(descriptor)
            guard let status = Platform.status(descriptor), status.kind == .regular else {
                let error = Self.failure("lisant la taille de \(directory)/\(name)")
                closeAll()
                throw error
            }
            let whole = UInt64(status.size) / UInt64(Self.recordSize)
            if UInt64(status.size) % UInt64(Self.recordSize) != 0 {
                // A crash mid-write: the partial record was never acknowledged, drop it.
                guard Platform.truncate(descriptor, Int(whole * UInt64(Self.recordSize))) == 0 else {
                    let error = Self.failure("retirant un enregistrement partiel de \(directory)/\(name)")
                    closeAll()
                    throw error
                }
            }
            counts.append(whole)
        }
    }

    deinit {
        closeAll()
    }

    private func closeAll() {
        for descriptor in descriptors { Platform.close(descriptor) }
        descriptors.removeAll()
        if directoryFD >= 0 { Platform.close(directoryFD) }
        directoryFD = -1
    }

    private static func name(_ level: Int) -> String {
        "level-\(level < 10 ? "0" : "")\(level).hashes"
    }

    private static func failure(_ operation: String) -> TransparencyError {
        let reason = Platform.errorText(Platform.lastError)
        return TransparencyError(.storage, "le magasin de hachages a échoué en \(operation) : \(reason)")
    }

    public func count(level: Int) -> UInt64 {
        level < counts.count ? counts[level] : 0
    }

    public func hash(level: Int, index: UInt64) throws(TransparencyError) -> Digest {
        Digest(bytes: try hashBytes(level: level, start: index, count: 1))!
    }

    /// Reads the `count` records from node `start` with one `pread` (more only if the kernel returns less).
    public func hashBytes(level: Int, start: UInt64, count: Int) throws(TransparencyError) -> [UInt8] {
        guard level < counts.count, start <= counts[level], UInt64(count) <= counts[level] - start else {
            throw TransparencyError(
                .storage,
                "le magasin de hachages n'a pas les nœuds \(start)..<\(start &+ UInt64(count)) au niveau \(level)")
        }
        let length = count * Self.recordSize
        var bytes = [UInt8](repeating: 0, count: length)
        let offset = Int(start * UInt64(Self.recordSize))
        var done = 0
        while done < length {
            let read = bytes.withUnsafeMutableBytes { buffer in
                Platform.pread(descriptors[level], buffer.baseAddress! + done, length - done, offset + Int(done))
            }
            if read < 0 && Platform.lastError == Platform.Errno.interrupted { continue }
            guard read > 0 else {
                if read == 0 {
                    throw TransparencyError(
                        .storage, "le fichier du niveau \(level) du magasin de hachages est plus court que prévu")
                }
                throw Self.failure("lisant les nœuds \(start)..<\(start + UInt64(count)) au niveau \(level)")
            }
            done += read
        }
        return bytes
    }

    public func append(_ hash: Digest, level: Int) throws(TransparencyError) {
        guard level < Self.maxLevels else {
            throw TransparencyError(.outOfRange, "le niveau \(level) dépasse tout arbre")
        }
        while descriptors.count <= level {
            let name = Self.name(descriptors.count)
            let descriptor = Platform.open(
                at: directoryFD, name, Platform.readWrite | Platform.create | Platform.closeOnExec | Platform.noFollow,
                0o644)
            guard descriptor >= 0 else { throw Self.failure("créant \(directory)/\(name)") }
            descriptors.append(descriptor)
            counts.append(0)
            directoryNeedsSync = true
        }
        let record = hash.bytes
        let offset = Int(counts[level] * UInt64(Self.recordSize))
        var done = 0
        while done < Self.recordSize {
            let written = record.withUnsafeBytes { buffer in
                Platform.pwrite(
                    descriptors[level], buffer.baseAddress! + done, Self.recordSize - done, offset + Int(done))
            }
            if written < 0 && Platform.lastError == Platform.Errno.interrupted { continue }
            guard written > 0 else { throw Self.failure("écrivant le nœud \(counts[level]) au niveau \(level)") }
            done += written
        }
        counts[level] += 1
    }

    public func truncate(level: Int, count: UInt64) throws(TransparencyError) {
        guard level < counts.count, count < counts[level] else { return }
        guard Platform.truncate(descriptors[level], Int(count * UInt64(Self.recordSize))) == 0 else {
            throw Self.failure("tronquant le niveau \(level)")
        }
        counts[level] = count
    }

    /// Flushes every level file, and the directory when a level file was created, to stable storage.
    public func sync() throws(TransparencyError) {
        for (level, descriptor) in descriptors.enumerated() {
            guard Platform.fsync(descriptor) == 0 else { throw Self.failure("synchronisant le niveau \(level)") }
        }
        if directoryNeedsSync {
            guard Platform.fsync(directoryFD) == 0 else {
                throw Self.failure("synchronisant le répertoire \(directory)")
            }
            directoryNeedsSync = false
        }
    }
}
