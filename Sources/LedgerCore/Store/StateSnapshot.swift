public import LedgerCrypto

/// The replayed state of a log prefix, saved beside the log in `state.snapshot` so that a new write session or a
/// reader replays only the entries after it (docs/FORMAT.md §10).
///
/// A snapshot is a cache and is never trusted: it is used only when its bytes are intact (a SHA-256 trailer), it
/// was written by rules with the same ``DomainRules/snapshotIdentity``, and the log still ends its first
/// `length` bytes with a line whose hash is the snapshot's `lastHash`. Since every line carries the hash of the
/// one before it, that one hash pins every byte of the prefix. Anything else (no file, damaged, another log,
/// another build, a log that was cut) falls back to replaying the whole log, and the next write session replaces
/// it. `verify` never reads it.
public struct StateSnapshot: Sendable {
    public static let fileName = "state.snapshot"
    static let magic = Array("grant-ledger state snapshot 1\n".utf8)
    /// Temporary files of a snapshot being written: `.state.snapshot.tmp-<random>`.
    static let temporaryPrefix = "." + fileName + ".tmp-"  // as DurableFile names them

    /// Entries of the prefix.
    public let count: Int64
    /// Bytes of the prefix: it ends just after a `\n`.
    public let length: Int
    /// Hash of the prefix's last line.
    public let lastHash: Digest

    /// A write session saves a snapshot once it replayed or appended at least this many entries past the last one
    /// (``Ledger/init(directory:domain:snapshotInterval:)``): a session then costs reading the snapshot and fewer
    /// entries than this, and writing a snapshot is spread over as many appends.
    public static let defaultInterval: Int64 = 256

    /// The bytes of a snapshot of `replayer`, which has replayed exactly the `length` bytes of the log.
    static func encode<Domain: DomainRules>(_ replayer: Replayer<Domain>, length: Int, identity: String)
        -> [UInt8]
    {
        var writer = SnapshotWriter(capacity: 1 << 20)
        writer.write(raw: magic)
        writer.write(identity)
        writer.write(unsigned: UInt64(replayer.count))
        writer.write(unsigned: UInt64(length))
        writer.write(replayer.lastHash)
        replayer.writeSnapshot(to: &writer)
        var bytes = writer.bytes
        bytes += SHA256.hash(bytes).bytes
        return bytes
    }

    /// Reads a snapshot's header; the reader is left at the start of the replayer's state. Throws when the bytes
    /// are damaged or were written by other rules.
    static func header(_ bytes: [UInt8], identity: String) throws(SnapshotError) -> (StateSnapshot, SnapshotReader) {
        guard bytes.count > magic.count + SHA256.byteCount, bytes.starts(with: magic) else {
            throw SnapshotError("ce n'est pas un instantané d'état")
        }
        let body = bytes.count - SHA256.byteCount
        let digest = bytes.withUnsafeBytes { SHA256.hash(UnsafeRawBufferPointer(rebasing: $0[..<body])) }
        guard digest.bytes.elementsEqual(bytes[body...]) else {
            throw SnapshotError("l'instantané d'état est endommagé")
        }
        var reader = SnapshotReader(bytes, offset: magic.count, end: body)
        let written: String = try reader.read()
        guard written == identity else { throw SnapshotError("l'instantané a été écrit par d'autres règles") }
        let count = try reader.readUnsigned()
        let length = try reader.readUnsigned()
        let lastHash: Digest = try reader.read()
        guard count <= UInt64(Int64.max), length <= UInt64(Int.max) else {
            throw SnapshotError("l'instantané d'état est endommagé")
        }
        return (StateSnapshot(count: Int64(count), length: Int(length), lastHash: lastHash), reader)
    }
}

extension LedgerStore {
    var snapshotPath: String { directory + "/" + StateSnapshot.fileName }

    /// The replayed state saved for a prefix of the log that the log still has (up to `length`, its committed
    /// length), or nil when there is none to use (see ``StateSnapshot``).
    func loadSnapshot<Domain: DomainRules>(domain: Domain, length: Int) -> (Replayer<Domain>, StateSnapshot)? {
        guard let identity = domain.snapshotIdentity, let bytes = readSnapshotFile() else { return nil }
        do throws(SnapshotError) {
            var (snapshot, reader) = try StateSnapshot.header(bytes, identity: identity)
            guard snapshot.length <= length, snapshot.length > 0,
                lineHash(endingAt: snapshot.length) == snapshot.lastHash
            else { return nil }
            let replayer = try Replayer(snapshot: &reader, domain: domain)
            guard reader.isAtEnd, replayer.count == snapshot.count, replayer.lastHash == snapshot.lastHash else {
                return nil
            }
            return (replayer, snapshot)
        } catch {
            return nil
        }
    }

    /// Saves the state of the first `length` bytes of the log. A cache: written to a new file and renamed over the
    /// old one, not synced (a snapshot lost or torn by a crash fails its check and is rebuilt). Call under the
    /// writer lock.
    func saveSnapshot<Domain: DomainRules>(_ replayer: Replayer<Domain>, length: Int) throws(LedgerError) {
        guard let identity = replayer.domain.snapshotIdentity else { return }
        let bytes = StateSnapshot.encode(replayer, length: length, identity: identity)
        let directoryFD = try FileIO.openDirectory(directory)
        defer { Platform.close(directoryFD) }
        removeStaleSnapshotFiles(directoryFD)
        try DurableFile.write(StateSnapshot.fileName, bytes, in: directoryFD, label: snapshotPath, durable: false)
    }

    /// Removes the temporary snapshots that a session killed while writing one left behind (as large as the state):
    /// only a writer saves a snapshot, under the writer lock, so none of them is being written.
    private func removeStaleSnapshotFiles(_ directoryFD: Int32) {
        let stale = (Platform.entries(ofDirectory: directoryFD) ?? []).filter {
            $0.hasPrefix(StateSnapshot.temporaryPrefix)
        }
        for name in stale { Platform.unlink(at: directoryFD, name) }
    }

    /// The snapshot file's bytes, nil when there is none or it cannot be read (never through a link).
    private func readSnapshotFile() -> [UInt8]? {
        guard let fd = try? FileIO.open(snapshotPath, Platform.readOnly) else { return nil }
        defer { Platform.close(fd) }
        guard let size = try? FileIO.size(fd, path: snapshotPath) else { return nil }
        return try? FileIO.pread(fd, count: size, offset: 0, path: snapshotPath)
    }

    /// The hash of the log's line that ends at `end` (just after its `\n`), nil when there is none.
    private func lineHash(endingAt end: Int) -> Digest? {
        guard let fd = try? FileIO.open(logPath, Platform.readOnly) else { return nil }
        defer { Platform.close(fd) }
        guard let size = try? FileIO.size(fd, path: logPath), end <= size,
            let start = try? lineStart(fd, end: end),
            let line = try? FileIO.pread(fd, count: end - start, offset: start, path: logPath),
            line.last == 0x0A
        else { return nil }
        return SHA256.hash(line.dropLast())
    }
}
