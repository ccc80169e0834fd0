public import LedgerCrypto

/// Keeps a local copy of a tlog-tiles log in a ledger directory, trusting only the log's note key
/// (docs/PROOFS.md §9.4).
///
/// A sync fetches the checkpoint and checks its signature; reads the tiles of its right edge and checks they
/// reproduce its root; checks with tiles that the tree extends the last checkpoint this directory verified (else the
/// log was rolled back or rewritten) and the entries already copied; then downloads the missing entry bundles,
/// checks every entry against its leaf hash in an authenticated level-0 tile, and only then appends the new lines to
/// `ledger.jsonl` through ``LedgerStore`` (one `write`, one `fsync`) and keeps the checkpoint, verbatim, as
/// `checkpoint.txt` and `checkpoints/<size>.txt`. Any refusal throws one sentence and writes nothing: no line, no
/// checkpoint (the copy's derived `merkle/` cache may be brought up to date, as any reader of a ledger does).
///
/// The copy is byte for byte the log's first `size` lines, so the caller then runs the ordinary verifier on it
/// (`LedgerVerifier`, `grant-ledger verify`), which also re-checks the kept checkpoint against the log.
///
/// The new entries are held in memory until all are proven (about 1 KB each), so a first sync of a very large log
/// needs memory in proportion. One sync at a time per directory.
///
/// ```swift
/// let key = try NoteVerifier(verifierKey: "relance.example.gouv.fr/3a+1a2b3c4d+AbC…")
/// let result = try await LogMirror.sync(fetcher: FileTileFetcher(directory: "server/events"),
///                                       into: "mirror", trustedKey: key)
/// print(result.appended, result.checkpoint.checkpoint.size)
/// ```
public enum LogMirror {
    /// What a sync did.
    public struct SyncResult: Sendable {
        /// The checkpoint now kept as the last verified one.
        public let checkpoint: SignedCheckpoint
        /// The size of the last verified checkpoint before the sync; nil on a first sync.
        public let previousSize: UInt64?
        /// The number of entries the local copy had before the sync.
        public let localSizeBefore: UInt64
        /// The number of entries appended.
        public let appended: Int
    }

    /// Bundles fetched ahead at once (with their level-0 tiles).
    public static let window = 16

    /// Brings the ledger directory `directory` up to the log's current checkpoint; creates it on a first sync.
    ///
    /// - Throws: ``MirrorError``; nothing is written when it is thrown (except, for an I/O failure while writing, a
    ///   proven prefix of the new entries, which the next sync continues from).
    public static func sync(
        fetcher: any TileFetcher, into directory: String, trustedKey: NoteVerifier
    ) async throws(MirrorError) -> SyncResult {
        let store = LedgerStore(directory: directory)
        let served: SignedCheckpoint
        let text: [UInt8]
        do { (served, text) = try await TileClient.fetchCheckpoint(fetcher, key: trustedKey) } catch {
            throw refusal(error)
        }
        let new = served.checkpoint
        let local = try LocalCopy.read(store, key: trustedKey)
        let previousSize = local.previous?.size
        if let previousSize, new.size < previousSize {
            throw MirrorError(
                .forked,
                "le point de contrôle du registre compte \(new.size) entrées, moins que les \(previousSize) du dernier vérifié : le registre a été ramené en arrière ; rien n'a été écrit"
            )
        }
        guard new.size >= local.size else {
            throw MirrorError(
                .forked,
                "le point de contrôle du registre compte \(new.size) entrées, moins que les \(local.size) de la copie locale : le registre a été ramené en arrière ; rien n'a été écrit"
            )
        }
        var client: TileClient
        do { client = try await TileClient(fetcher: fetcher, checkpoint: new) } catch { throw refusal(error) }
        if let previous = local.previous {
            guard try await root(&client, size: previous.size) == previous.rootHash else {
                throw MirrorError(
                    .forked,
                    "le point de contrôle du registre de taille \(new.size) ne prolonge pas le dernier vérifié, de taille \(previous.size) : l'historique du registre a été réécrit ; rien n'a été écrit"
                )
            }
        }
        guard try await root(&client, size: local.size) == local.root else {
            throw MirrorError(
                .forked,
                "les \(local.size) entrées de la copie locale ne sont pas les \(local.size) premières du registre : l'historique du registre a été réécrit ; rien n'a été écrit"
            )
        }
        let entries = try await download(&client, from: local.size)
        try write(entries, store: store, local: local, checkpoint: text, size: new.size)
        return SyncResult(
            checkpoint: served, previousSize: previousSize, localSizeBefore: local.size, appended: entries.count)
    }

    // MARK: - Steps

    /// The local copy as it stands: its entries, and the checkpoint it last verified, itself checked again.
    struct LocalCopy {
        var previous: Checkpoint?
        var size: UInt64
        var root: Digest
        /// Bytes of the log's complete lines.
        var length: Int

        static func read(_ store: LedgerStore, key: NoteVerifier) throws(MirrorError) -> LocalCopy {
            let latest = LedgerCheckpoints.latestPath(store)
            do throws(LedgerError) {
                guard store.exists else {
                    guard !FileIO.exists(latest) else {
                        throw LedgerError(
                            .badInput,
                            "\(store.directory) contient un point de contrôle mais pas de \(LedgerStore.logFileName) : la copie se fait dans un répertoire vide ou une copie antérieure"
                        )
                    }
                    return LocalCopy(previous: nil, size: 0, root: RFC6962.emptyRoot, length: 0)
                }
                var previous: Checkpoint?
                if FileIO.exists(latest) {
                    let text = try KeyFiles.read(latest)
                    do { previous = try SignedCheckpoint.open(text, log: key).checkpoint } catch {
                        throw LedgerError(
                            .badInput,
                            "le dernier point de contrôle vérifié, \(latest), ne se vérifie pas : \(error.message)",
                            underlying: error)
                    }
                }
                _ = try store.readTail()
                return try LedgerTree.withCurrent(store) { (tree) throws(LedgerError) -> LocalCopy in
                    if let previous {
                        guard previous.size <= tree.size else {
                            throw LedgerError(
                                .corrupt,
                                "la copie locale a \(tree.size) entrées, moins que son dernier point de contrôle vérifié (\(previous.size)) : elle a été coupée"
                            )
                        }
                        guard try tree.root(size: previous.size) == previous.rootHash else {
                            throw LedgerError(
                                .corrupt,
                                "la copie locale ne correspond plus à son dernier point de contrôle vérifié (taille \(previous.size)) : elle a été modifiée"
                            )
                        }
                    }
                    return LocalCopy(previous: previous, size: tree.size, root: tree.root, length: tree.coveredLength)
                }
            } catch {
                throw MirrorError(.local, error.message + " ; rien n'a été écrit", underlying: error)
            }
        }
    }

    private static func root(_ client: inout TileClient, size: UInt64) async throws(MirrorError) -> Digest {
        do { return try await client.root(atSize: size) } catch { throw refusal(error) }
    }

    /// Fetches and proves the entries from `start` to the checkpoint's size, a window of bundles at a time.
    private static func download(_ client: inout TileClient, from start: UInt64) async throws(MirrorError) -> [Entry] {
        let size = client.size
        var entries: [Entry] = []
        guard start < size else { return entries }
        entries.reserveCapacity(Int(clamping: min(size - start, 1 << 20)))
        var bundle = start >> 8
        let end = (size >> 8) + (size & 0xFF == 0 ? 0 : 1)
        while bundle < end {
            let batchEnd = min(end, bundle + UInt64(window))
            await client.prefetch(bundles: bundle..<batchEnd)
            for index in bundle..<batchEnd {
                let lines: [ArraySlice<UInt8>]
                do { lines = try await client.entries(bundle: index) } catch { throw refusal(error) }
                for (position, line) in lines.enumerated() {
                    let seq = index * UInt64(Tile.fullWidth) + UInt64(position)
                    guard seq >= start else { continue }
                    ProgressObserver.report(
                        entries: Int64(seq - start + 1), done: Int(seq - start + 1), total: Int(size - start))
                    do { entries.append(try Entry(line: Array(line))) } catch {
                        throw MirrorError(
                            .invalidEntry,
                            "l'entrée \(seq), que prouve le point de contrôle du registre, n'est pas une ligne de registre : \(error.message) ; rien n'a été écrit",
                            underlying: error
                        )
                    }
                }
            }
            bundle = batchEnd
        }
        return entries
    }

    /// Appends the proven entries durably and keeps the checkpoint.
    private static func write(
        _ entries: [Entry], store: LedgerStore, local: LocalCopy, checkpoint text: [UInt8], size: UInt64
    ) throws(MirrorError) {
        do throws(LedgerError) {
            var rest = entries[...]
            var expectedLength = local.length
            if !store.exists {
                // An empty log: there is no ledger to keep its checkpoint in yet.
                guard let genesis = rest.popFirst() else { return }
                try store.create(genesis: genesis)
                expectedLength = genesis.line.count + 1
            }
            if !rest.isEmpty {
                try store.append { (tail) throws(LedgerError) -> [Entry] in
                    guard tail.length == expectedLength else {
                        throw LedgerError(
                            .corrupt, "la copie locale a changé pendant la copie ; rien n'a été ajouté")
                    }
                    return Array(rest)
                }
            }
            let latest = LedgerCheckpoints.latestPath(store)
            if FileIO.exists(latest), try KeyFiles.read(latest) == text { return }
            try LedgerCheckpoints.write(text, size: size, to: store)
        } catch {
            throw MirrorError(.local, error.message, underlying: error)
        }
    }

    /// A refusal of what the log served, as a mirror error.
    private static func refusal(_ error: TransparencyError) -> MirrorError {
        let code: MirrorError.Code
        switch error.code {
        case .fetchFailed: code = .fetchFailed
        case .malformedTile, .tileMismatch, .outOfRange: code = .tampered
        default: code = .checkpointRefused
        }
        let message =
            code == .checkpointRefused
            ? "le point de contrôle du registre est refusé : \(error.message)" : error.message
        return MirrorError(code, message + " ; rien n'a été écrit")
    }
}
