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
    static let magic = Array("grant-ledger state snapshot 2\n".utf8)
    /// The magic line and the 8-byte length of the head.
    static let prologue = magic.count + 8
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

    /// The bytes of a snapshot of `replayer`, which has replayed exactly the `length` bytes of the log (empty if
    /// the records it copies from the snapshot it was read from cannot be read: see ``encodeChecked``).
    static func encode<Domain: DomainRules>(_ replayer: Replayer<Domain>, length: Int, identity: String)
        -> [UInt8]
    {
        let records = SnapshotRecordArea()
        guard let head = try? encodeChecked(replayer, length: length, identity: identity, records: records) else {
            return []
        }
        return head + records.buffer
    }

    /// Encodes a snapshot of `replayer`: returns its first bytes, from the magic line to the head's SHA-256, and
    /// leaves its record area, which follows them, in `records` (most of a snapshot: a file when `records` spills).
    /// Throws when a record it would copy from the snapshot it was read from is damaged.
    static func encodeChecked<Domain: DomainRules>(
        _ replayer: Replayer<Domain>, length: Int, identity: String, records: SnapshotRecordArea
    ) throws(SnapshotError) -> [UInt8] {
        var state = SnapshotWriter(capacity: 1 << 20, records: records)
        replayer.writeSnapshot(to: &state)
        if let failure = state.failure { throw failure }
        records.flush()
        var head = SnapshotWriter(capacity: state.bytes.count + 256)
        head.write(identity)
        head.write(unsigned: UInt64(replayer.count))
        head.write(unsigned: UInt64(length))
        head.write(replayer.lastHash)
        head.write(unsigned: UInt64(records.count))
        head.write(raw: state.bytes)
        var bytes = magic
        bytes.reserveCapacity(prologue + head.bytes.count + SHA256.byteCount)
        var headLength = UInt64(head.bytes.count + SHA256.byteCount).littleEndian
        withUnsafeBytes(of: &headLength) { bytes.append(contentsOf: $0) }
        bytes += head.bytes
        bytes += SHA256.hash(bytes).bytes
        return bytes
    }

    /// Reads a snapshot's head (`bytes`: from the magic line to the head's SHA-256); the reader is left at the start
    /// of the replayer's state and reads the tables' records from what `records` makes of the record area's length.
    /// Throws when the bytes are damaged, were written by other rules, or the file's size (`fileSize`) is not the
    /// snapshot's (a torn file).
    static func header(
        _ bytes: [UInt8], fileSize: Int, identity: String, records: (Int) -> SnapshotRecords
    ) throws(SnapshotError) -> (StateSnapshot, SnapshotReader) {
        guard bytes.count > prologue + SHA256.byteCount, bytes.starts(with: magic) else {
            throw SnapshotError("ce n'est pas un instantané d'état")
        }
        let body = bytes.count - SHA256.byteCount
        let digest = bytes.withUnsafeBytes { SHA256.hash(UnsafeRawBufferPointer(rebasing: $0[..<body])) }
        guard digest.bytes.elementsEqual(bytes[body...]) else {
            throw SnapshotError("l'instantané d'état est endommagé")
        }
        var reader = SnapshotReader(bytes, offset: prologue, end: body)
        let written: String = try reader.read()
        guard written == identity else { throw SnapshotError("l'instantané a été écrit par d'autres règles") }
        let count = try reader.readUnsigned()
        let length = try reader.readUnsigned()
        let lastHash: Digest = try reader.read()
        let recordsLength = try reader.readUnsigned()
        guard count <= UInt64(Int64.max), length <= UInt64(Int.max), fileSize >= bytes.count,
            recordsLength == UInt64(fileSize - bytes.count)
        else {
            throw SnapshotError("l'instantané d'état est endommagé")
        }
        reader = SnapshotReader(bytes, offset: reader.offset, end: body, records: records(Int(recordsLength)))
        return (StateSnapshot(count: Int64(count), length: Int(length), lastHash: lastHash), reader)
    }

    /// The bytes from the start of the file to the end of the head, as its first ``prologue`` bytes announce them;
    /// nil if they are not a snapshot's.
    static func headEnd(_ prologue: [UInt8], fileSize: Int) -> Int? {
        guard prologue.count == Self.prologue, prologue.starts(with: magic) else { return nil }
        let length = prologue[magic.count...].reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        guard length <= UInt64(fileSize - Self.prologue) else { return nil }
        return Self.prologue + Int(length)
    }
}

extension LedgerStore {
    var snapshotPath: String { directory + "/" + StateSnapshot.fileName }

    /// The replayed state saved for a prefix of the log that the log still has (up to `length`, its committed
    /// length), or nil when there is none to use (see ``StateSnapshot``). With `lazy`, the records of its tables
    /// are read when first needed, and returned to be checked (``SnapshotRecords/isDamaged``) before what was judged
    /// with them is committed (a write session); otherwise all are read, checked and decoded now.
    func loadSnapshot<Domain: DomainRules>(domain: Domain, length: Int, lazy: Bool = false)
        -> (Replayer<Domain>, StateSnapshot, SnapshotRecords?)?
    {
        guard let identity = domain.snapshotIdentity,
            let fd = try? FileIO.open(snapshotPath, Platform.readOnly)
        else { return nil }
        // The records own the file once made (they close it); until then, it is closed here.
        var records: SnapshotRecords? = nil
        defer { if records == nil { Platform.close(fd) } }
        guard let size = try? FileIO.size(fd, path: snapshotPath), size > StateSnapshot.prologue,
            let prologue = try? FileIO.pread(fd, count: StateSnapshot.prologue, offset: 0, path: snapshotPath),
            let headEnd = StateSnapshot.headEnd(prologue, fileSize: size),
            let head = try? FileIO.pread(fd, count: headEnd, offset: 0, path: snapshotPath)
        else { return nil }
        do throws(SnapshotError) {
            var (snapshot, reader) = try StateSnapshot.header(head, fileSize: size, identity: identity) {
                let made = SnapshotRecords(fd: fd, start: headEnd, length: $0, lazy: lazy)
                records = made
                return made
            }
            guard snapshot.length <= length, snapshot.length > 0,
                lineHash(endingAt: snapshot.length) == snapshot.lastHash
            else { return nil }
            let replayer = try Replayer(snapshot: &reader, domain: domain)
            guard reader.isAtEnd, replayer.count == snapshot.count, replayer.lastHash == snapshot.lastHash,
                records?.isDamaged != true
            else { return nil }
            return (replayer, snapshot, lazy ? records : nil)
        } catch {
            return nil
        }
    }

    /// Removes a snapshot found damaged, so that the next write session replays the log and writes a new one.
    func removeSnapshot() {
        _ = Platform.unlink(snapshotPath)
    }

    /// Saves the state of the first `length` bytes of the log. A cache: written to a new file and renamed over the
    /// old one, not synced (a snapshot lost or torn by a crash fails its check and is rebuilt). Call under the
    /// writer lock.
    func saveSnapshot<Domain: DomainRules>(_ replayer: Replayer<Domain>, length: Int) throws(LedgerError) {
        guard let identity = replayer.domain.snapshotIdentity else { return }
        let directoryFD = try FileIO.openDirectory(directory)
        defer { Platform.close(directoryFD) }
        removeStaleSnapshotFiles(directoryFD)
        // The record area goes to a file of its own as it is encoded, then is copied after the head: the snapshot
        // of a large state is never held in memory whole.
        let (spillFD, spillName) = try FileIO.createUnique(
            at: directoryFD, prefix: StateSnapshot.temporaryPrefix, mode: 0o600, label: directory, readable: true)
        defer {
            Platform.close(spillFD)
            Platform.unlink(at: directoryFD, spillName)
        }
        let records = SnapshotRecordArea(spillingTo: (spillFD, snapshotPath))
        let head: [UInt8]
        do throws(SnapshotError) {
            head = try StateSnapshot.encodeChecked(replayer, length: length, identity: identity, records: records)
        } catch {
            // The snapshot the state was read from is damaged: remove it rather than keep it.
            removeSnapshot()
            return
        }
        if let error = records.error { throw error }
        try DurableFile.write(StateSnapshot.fileName, in: directoryFD, label: snapshotPath, durable: false) {
            fd throws(LedgerError) in
            try FileIO.writeAll(fd, head, path: snapshotPath)
            var offset = 0
            while offset < records.count {
                let chunk = try FileIO.pread(
                    spillFD, count: min(SnapshotRecordArea.spillSize, records.count - offset), offset: offset,
                    path: snapshotPath)
                guard !chunk.isEmpty else {
                    throw LedgerError(.io, "\(snapshotPath) : zone d'enregistrements tronquée")
                }
                try FileIO.writeAll(fd, chunk, path: snapshotPath)
                offset += chunk.count
            }
        }
    }

    /// Removes the temporary snapshots that a session killed while writing one left behind (as large as the state):
    /// only a writer saves a snapshot, under the writer lock, so none of them is being written.
    private func removeStaleSnapshotFiles(_ directoryFD: Int32) {
        let stale = (Platform.entries(ofDirectory: directoryFD) ?? []).filter {
            $0.hasPrefix(StateSnapshot.temporaryPrefix)
        }
        for name in stale { Platform.unlink(at: directoryFD, name) }
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
