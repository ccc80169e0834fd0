import Foundation
public import LedgerCore
public import LedgerCrypto

/// Copies a log between a ledger directory and a ``PostgresLedgerDatabase``, byte for byte, with its signed
/// checkpoints (`grant-ledger-server copy`). The destination must not hold the log yet; the copy is appended in
/// batches, each one transaction (or one committed write), so an interrupted copy is a valid shorter log.
public enum LogCopy {
    /// Entries per batch.
    static let batch = 1_000

    /// Copies the ledger directory `directory` into the database as the log `name`; returns the entries copied.
    public static func toDatabase(directory: String, database: PostgresLedgerDatabase, name: String)
        async throws(LedgerError) -> Int64
    {
        let source = LedgerStore(directory: directory)
        let reader = try source.lines()
        try await database.createLog(name)
        let destination = try await database.log(name)
        var head = LogStoreHead.empty
        var pending: [Entry] = []
        while true {
            let line = reader.next()
            if let line { pending.append(try entry(line, seq: head.count + Int64(pending.count))) }
            if pending.count >= batch || (line == nil && !pending.isEmpty) {
                head = try await append(pending, to: destination, after: head)
                pending = []
            }
            if line == nil { break }
        }
        if let error = reader.error { throw error }
        for (size, note) in try checkpointFiles(source) {
            try await destination.storeCheckpoint(size: size, note: note, latest: false)
        }
        let latestPath = LedgerCheckpoints.latestPath(source)
        if FileManager.default.fileExists(atPath: latestPath) {
            let note = try KeyFiles.read(latestPath)
            try await destination.storeCheckpoint(size: try size(of: note, what: latestPath), note: note, latest: true)
        }
        return head.count
    }

    /// Copies the database's log `name` into a new ledger directory `directory`; returns the entries copied.
    public static func toDirectory(database: PostgresLedgerDatabase, name: String, directory: String)
        async throws(LedgerError) -> Int64
    {
        let source = try await database.log(name)
        let destination = LedgerStore(directory: directory)
        var head = LogStoreHead.empty
        while true {
            let lines = try await source.lines(from: head.count, limit: batch)
            guard !lines.isEmpty else { break }
            var entries: [Entry] = []
            for line in lines { entries.append(try entry(line, seq: head.count + Int64(entries.count))) }
            if head.count == 0 {
                try destination.create(genesis: entries[0])
                head = LogStoreHead(count: 1, hash: entries[0].hash)
                entries.removeFirst()
            }
            if !entries.isEmpty { head = try await append(entries, to: destination, after: head) }
        }
        guard head.count > 0 else { throw LedgerError(.notFound, "le registre \(name) de la base est vide") }
        let checkpoints = try await source.checkpoints()
        for (size, note) in checkpoints {
            try DurableFile.makeDirectory(directory + "/" + LedgerCheckpoints.directoryName)
            try DurableFile.write(LedgerCheckpoints.path(destination, size: size), note)
        }
        if let latest = try await source.latestCheckpoint() {
            try DurableFile.write(LedgerCheckpoints.latestPath(destination), latest)
        }
        return head.count
    }

    private static func entry(_ line: [UInt8], seq: Int64) throws(LedgerError) -> Entry {
        do { return try Entry(line: line) } catch {
            throw LedgerError(
                .corrupt,
                "la ligne \(seq) n'est pas une entrée valide (\(error.message)) ; rien n'a été copié après elle",
                underlying: error)
        }
    }

    private static func append(_ entries: [Entry], to store: some LogStore, after head: LogStoreHead)
        async throws(LedgerError) -> LogStoreHead
    {
        switch try await store.appendVerified(entries, expecting: head) {
        case .appended(let next): return next
        case .stale:
            throw LedgerError(
                .alreadyExists, "la destination a changé pendant la copie ; elle est laissée telle quelle")
        }
    }

    /// The signed checkpoints of a ledger directory, `checkpoints/<size>.txt`, by size.
    private static func checkpointFiles(_ store: LedgerStore) throws(LedgerError) -> [(UInt64, [UInt8])] {
        let directory = store.directory + "/" + LedgerCheckpoints.directoryName
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return [] }
        var result: [(UInt64, [UInt8])] = []
        for name in names where name.hasSuffix(".txt") {
            guard let size = UInt64(name.dropLast(4)) else { continue }
            result.append((size, try KeyFiles.read(directory + "/" + name)))
        }
        return result.sorted { $0.0 < $1.0 }
    }

    private static func size(of note: [UInt8], what: String) throws(LedgerError) -> UInt64 {
        guard let text = try? Note(parsing: note).text, let checkpoint = try? Checkpoint(body: text) else {
            throw LedgerError(.corrupt, "\(what) n'est pas un point de contrôle signé")
        }
        return checkpoint.size
    }
}
