import Foundation
import LedgerCrypto
import Synchronization
import Testing

@testable import LedgerCore

/// Records the paths fetched through it.
struct RecordingFetcher: TileFetcher {
    let inner: any TileFetcher
    let requests = TreeTileFetcher.Requests()

    func fetch(_ path: String) async throws -> [UInt8] {
        requests.record(path)
        return try await inner.fetch(path)
    }
}

/// Serves `checkpoint` from a fixed text and everything else from `inner`.
struct CheckpointSwappingFetcher: TileFetcher {
    let inner: any TileFetcher
    let checkpoint: [UInt8]

    func fetch(_ path: String) async throws -> [UInt8] {
        path == TilePath.checkpointPath ? checkpoint : try await inner.fetch(path)
    }
}

@Suite("Tiles: serving a ledger directory and mirroring it through untrusted tiles")
struct LogMirrorTests {
    static let origin = "test.example/ledger"
    static let trustedKey = try! NoteVerifier(name: origin, publicKey: TestLedgers.key(1).publicKey)

    /// A source ledger of 300 entries with a signed checkpoint, and an empty place for the mirror.
    func setUp() throws -> (source: Ledger<NoDomainRules>, mirror: String, root: String) {
        let root = TestLedgers.temporaryDirectory()
        let source = try TestLedgers.make(count: 20, in: root)
        try TestLedgers.extend(source, by: 280)
        _ = try LedgerCheckpoints.sign(source, key: TestLedgers.key(1))
        return (source, root + "/mirror", root)
    }

    func bytes(_ path: String) -> [UInt8]? {
        FileManager.default.contents(atPath: path).map(Array.init)
    }

    func sync(_ fetcher: any TileFetcher, _ mirror: String) async throws(MirrorError) -> LogMirror.SyncResult {
        try await LogMirror.sync(fetcher: fetcher, into: mirror, trustedKey: Self.trustedKey)
    }

    /// Everything the mirror would write: the log, the kept checkpoints.
    func snapshot(_ mirror: String) -> [String: [UInt8]] {
        var files: [String: [UInt8]] = [:]
        for name in [LedgerStore.logFileName, LedgerCheckpoints.latestFileName] {
            files[name] = bytes(mirror + "/" + name)
        }
        let kept = mirror + "/" + LedgerCheckpoints.directoryName
        for name in (try? FileManager.default.contentsOfDirectory(atPath: kept)) ?? [] {
            files["checkpoints/" + name] = bytes(kept + "/" + name)
        }
        return files
    }

    func expectFailure(
        _ fetcher: any TileFetcher, into mirror: String, code: MirrorError.Code, mentioning words: String,
        sourceLocation: SourceLocation = #_sourceLocation
    ) async {
        let before = snapshot(mirror)
        do {
            let result = try await sync(fetcher, mirror)
            Issue.record("the mirror accepted it (\(result.appended) entries)", sourceLocation: sourceLocation)
        } catch {
            #expect(error.code == code, "\(error.message)", sourceLocation: sourceLocation)
            #expect(error.message.contains(words), "\(error.message)", sourceLocation: sourceLocation)
            #expect(error.message.hasSuffix("rien n'a été écrit"), "\(error.message)", sourceLocation: sourceLocation)
            #expect(!error.message.contains("\n"), sourceLocation: sourceLocation)
        }
        #expect(snapshot(mirror) == before, "the mirror wrote something", sourceLocation: sourceLocation)
    }

    // MARK: - Serving

    @Test("the reader serves tiles and bundles of the log as the spec defines them")
    func reader() throws {
        let (source, _, root) = try setUp()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let lines = try TestLedgers.lines(source)
        #expect(lines.count == 300)
        let leafHashes = lines.map { ReferenceRFC6962.leafHash($0) }
        let reader = try TileReader.open(source.store)
        #expect(reader.size == 300)

        #expect(try reader.read(path: "tile/0/000") == leafHashes[0..<256].flatMap { $0 })
        #expect(try reader.read(path: "tile/0/001.p/44") == leafHashes[256..<300].flatMap { $0 })
        #expect(try reader.read(path: "tile/0/001.p/3") == leafHashes[256..<259].flatMap { $0 })
        #expect(try reader.read(path: "tile/1/000.p/1") == ReferenceRFC6962.root(leafHashes[0..<256]))
        #expect(try reader.read(path: "tile/entries/000") == (try EntryBundle.encode(Array(lines[0..<256]))))
        #expect(try reader.read(path: "tile/entries/001.p/44") == (try EntryBundle.encode(Array(lines[256..<300]))))
        #expect(try reader.read(path: "tile/entries/001.p/1") == (try EntryBundle.encode([lines[256]])))
        let bundle = try reader.read(path: "tile/entries/000")
        #expect(Array(bundle.prefix(2)) == [UInt8(lines[0].count >> 8), UInt8(lines[0].count & 0xFF)])
        #expect(try reader.read(path: "checkpoint") == bytes(LedgerCheckpoints.latestPath(source.store)))

        for missing in [
            "tile/0/001", "tile/0/001.p/45", "tile/0/002.p/1", "tile/1/000", "tile/2/000.p/1",
            "tile/entries/001", "tile/entries/001.p/45", "tile/entries/x001/000.p/1",
        ] {
            #expect(throws: LedgerError.self, "\(missing)") { try reader.read(path: missing) }
            #expect((try? reader.read(path: missing)) == nil)
        }
        do {
            _ = try reader.read(path: "tile/0/01")
            Issue.record("a non-canonical path was served")
        } catch {
            #expect(error.code == .badInput)
        }
        do {
            _ = try reader.read(path: "tile/0/002.p/1")
        } catch {
            #expect(error.code == .notFound)
        }
    }

    // MARK: - Mirroring

    @Test("mirror, append, mirror again incrementally: byte-identical logs that verify")
    func mirrorIncrementally() async throws {
        let (source, mirror, root) = try setUp()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let fetcher = RecordingFetcher(inner: FileTileFetcher(directory: source.store.directory))

        let first = try await sync(fetcher, mirror)
        #expect(first.previousSize == nil)
        #expect(first.localSizeBefore == 0)
        #expect(first.appended == 300)
        #expect(first.checkpoint.checkpoint.size == 300)
        #expect(bytes(mirror + "/ledger.jsonl") == bytes(source.store.logPath))
        #expect(bytes(mirror + "/checkpoint.txt") == bytes(LedgerCheckpoints.latestPath(source.store)))
        #expect(bytes(mirror + "/checkpoints/300.txt") == bytes(mirror + "/checkpoint.txt"))
        // The checkpoint, its right edge, then the bundles and the full tile proving the first (fetched together).
        #expect(Array(fetcher.requests.all.prefix(3)) == ["checkpoint", "tile/0/001.p/44", "tile/1/000.p/1"])
        #expect(
            Set(fetcher.requests.all.dropFirst(3)) == ["tile/0/000", "tile/entries/000", "tile/entries/001.p/44"])
        #expect(fetcher.requests.all.count == 6)
        try expectVerifies(mirror)

        // The log grows past two more bundle boundaries; only the new bundles are fetched.
        try TestLedgers.extend(source, by: 300)
        _ = try LedgerCheckpoints.sign(source, key: TestLedgers.key(1))
        fetcher.requests.reset()
        let second = try await sync(fetcher, mirror)
        #expect(second.previousSize == 300)
        #expect(second.localSizeBefore == 300)
        #expect(second.appended == 300)
        #expect(bytes(mirror + "/ledger.jsonl") == bytes(source.store.logPath))
        #expect(bytes(mirror + "/checkpoint.txt") == bytes(LedgerCheckpoints.latestPath(source.store)))
        #expect(FileManager.default.fileExists(atPath: mirror + "/checkpoints/300.txt"))
        #expect(FileManager.default.fileExists(atPath: mirror + "/checkpoints/600.txt"))
        // The right edge, tile/0/001 to prove the old root and the new entries, and the two new bundles.
        #expect(
            Set(fetcher.requests.all) == [
                "checkpoint", "tile/0/002.p/88", "tile/1/000.p/2", "tile/0/001", "tile/entries/001",
                "tile/entries/002.p/88",
            ])
        #expect(fetcher.requests.all.count == 6)
        try expectVerifies(mirror)

        // Nothing new: nothing fetched but the checkpoint and its right edge, nothing written.
        fetcher.requests.reset()
        let before = snapshot(mirror)
        let third = try await sync(fetcher, mirror)
        #expect(third.appended == 0)
        #expect(snapshot(mirror) == before)
        #expect(!fetcher.requests.all.contains { $0.hasPrefix("tile/entries/") })
    }

    @Test("a copy cut short by a crash before its checkpoint was kept is continued")
    func resumesAfterCrash() async throws {
        let (source, mirror, root) = try setUp()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let fetcher = FileTileFetcher(directory: source.store.directory)
        _ = try await sync(fetcher, mirror)
        try TestLedgers.extend(source, by: 100)
        _ = try LedgerCheckpoints.sign(source, key: TestLedgers.key(1))
        // The lines of 300..<350 reached the copy and were committed (docs/FORMAT.md §5.2), its checkpoint did not.
        let lines = try TestLedgers.lines(source)
        try LedgerStore(directory: mirror).append { _ throws(LedgerError) -> [Entry] in
            var entries: [Entry] = []
            for line in lines[300..<350] {
                do throws(EntryError) { entries.append(try Entry(line: line)) } catch {
                    throw LedgerError(.corrupt, error.message)
                }
            }
            return entries
        }
        let result = try await sync(fetcher, mirror)
        #expect(result.previousSize == 300)
        #expect(result.localSizeBefore == 350)
        #expect(result.appended == 50)
        #expect(bytes(mirror + "/ledger.jsonl") == bytes(source.store.logPath))
        try expectVerifies(mirror)
    }

    func expectVerifies(_ mirror: String) throws {
        let ledger = Ledger(directory: mirror, domain: { NoDomainRules() })
        let (report, replayer) = try LedgerVerifier.verify(store: ledger.store, domain: NoDomainRules())
        #expect(report.isValid)
        let audit = try CheckpointAudit.audit(store: ledger.store, keys: replayer.keys, options: .init())
        #expect(!audit.outcomes.hasFailures)
        #expect(audit.outcomes.tallies[CheckpointAudit.consistencyRule]?.passed ?? 0 >= 1)
    }

    // MARK: - Refusals

    /// A mirror at 300 entries and a source grown to 600, signed.
    func grownSource() async throws -> (source: Ledger<NoDomainRules>, mirror: String, root: String) {
        let (source, mirror, root) = try setUp()
        _ = try await sync(FileTileFetcher(directory: source.store.directory), mirror)
        try TestLedgers.extend(source, by: 300)
        _ = try LedgerCheckpoints.sign(source, key: TestLedgers.key(1))
        return (source, mirror, root)
    }

    @Test(
        "a changed tile is refused",
        arguments: ["tile/0/002.p/88", "tile/1/000.p/2", "tile/0/001", "tile/0/002.p/88#short"])
    func tamperedTile(path: String) async throws {
        let (source, mirror, root) = try await grownSource()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let honest = FileTileFetcher(directory: source.store.directory)
        let target = path.replacingOccurrences(of: "#short", with: "")
        let fetcher = TamperingFetcher(inner: honest, path: target) { bytes in
            if path.hasSuffix("#short") { bytes.removeLast(32) } else { bytes[40] ^= 0x01 }
        }
        await expectFailure(fetcher, into: mirror, code: .tampered, mentioning: target)
        // The same log, served honestly, still mirrors.
        _ = try await sync(honest, mirror)
        #expect(bytes(mirror + "/ledger.jsonl") == bytes(source.store.logPath))
    }

    @Test("a changed, added or missing entry in a bundle is refused")
    func tamperedBundle() async throws {
        let (source, mirror, root) = try await grownSource()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let honest = FileTileFetcher(directory: source.store.directory)
        // A byte inside entry 257's line (the bundle starts with entry 256's length and line).
        let changed = TamperingFetcher(inner: honest, path: "tile/entries/001") { bytes in
            let first = Int(bytes[0]) << 8 | Int(bytes[1])
            bytes[2 + first + 2 + 30] ^= 0x01
        }
        await expectFailure(changed, into: mirror, code: .tampered, mentioning: "l'entrée 257 de tile/entries/001")
        let extra = TamperingFetcher(inner: honest, path: "tile/entries/002.p/88") { $0 += [0x00, 0x02, 0x7B, 0x7D] }
        await expectFailure(extra, into: mirror, code: .tampered, mentioning: "tile/entries/002.p/88")
        let cut = TamperingFetcher(inner: honest, path: "tile/entries/002.p/88") { $0.removeLast(10) }
        await expectFailure(cut, into: mirror, code: .tampered, mentioning: "tile/entries/002.p/88")
    }

    @Test("a checkpoint signed by another key, or for another origin, is refused")
    func foreignCheckpoint() async throws {
        let (source, mirror, root) = try await grownSource()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let honest = FileTileFetcher(directory: source.store.directory)
        let checkpoint = try Checkpoint(
            body: String(decoding: try #require(bytes(LedgerCheckpoints.latestPath(source.store))), as: UTF8.self)
                .components(separatedBy: "\n\n")[0] + "\n")
        let impostor = try NoteSigner(name: Self.origin, privateKey: TestLedgers.key(2))
        let forged = Array(try SignedCheckpoint(checkpoint, signer: impostor).text.utf8)
        await expectFailure(
            CheckpointSwappingFetcher(inner: honest, checkpoint: forged), into: mirror, code: .checkpointRefused,
            mentioning: "signée par aucune clé de confiance")
        let elsewhere = try Checkpoint(
            origin: "other.example/ledger", size: checkpoint.size, rootHash: checkpoint.rootHash)
        let otherLog = try NoteSigner(name: "other.example/ledger", privateKey: TestLedgers.key(1))
        let foreign = Array(try SignedCheckpoint(elsewhere, signer: otherLog).text.utf8)
        await expectFailure(
            CheckpointSwappingFetcher(inner: honest, checkpoint: foreign), into: mirror, code: .checkpointRefused,
            mentioning: "origine")
        // A first mirror writes nothing at all either.
        let fresh = root + "/fresh"
        await expectFailure(
            CheckpointSwappingFetcher(inner: honest, checkpoint: forged), into: fresh, code: .checkpointRefused,
            mentioning: "signée par aucune")
        #expect(!FileManager.default.fileExists(atPath: fresh))
    }

    @Test("a log rolled back to an older checkpoint is refused")
    func rolledBack() async throws {
        let (source, mirror, root) = try setUp()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let old = root + "/old"
        try FileManager.default.copyItem(atPath: source.store.directory, toPath: old)
        try TestLedgers.extend(source, by: 300)
        _ = try LedgerCheckpoints.sign(source, key: TestLedgers.key(1))
        _ = try await sync(FileTileFetcher(directory: source.store.directory), mirror)
        await expectFailure(
            FileTileFetcher(directory: old), into: mirror, code: .forked, mentioning: "ramené en arrière")
    }

    @Test("a log that rewrote its history (a fork signed by the same key) is refused")
    func forked() async throws {
        let (source, mirror, root) = try setUp()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let fork = Ledger(directory: root + "/fork", domain: { NoDomainRules() })
        try FileManager.default.copyItem(atPath: source.store.directory, toPath: fork.store.directory)
        try TestLedgers.extend(source, by: 300)
        _ = try LedgerCheckpoints.sign(source, key: TestLedgers.key(1))
        _ = try await sync(FileTileFetcher(directory: source.store.directory), mirror)
        // The fork shares the first 300 entries, then says something else, and is longer.
        try TestLedgers.extend(fork, by: 350, seedTag: 0x5A)
        _ = try LedgerCheckpoints.sign(fork, key: TestLedgers.key(1))
        await expectFailure(
            FileTileFetcher(directory: fork.store.directory), into: mirror, code: .forked,
            mentioning: "ne prolonge pas le dernier vérifié, de taille 600")
        // Same size, other history: a fork of a copy that has no checkpoint yet is caught by its own entries.
        let lone = root + "/lone"
        _ = try await sync(FileTileFetcher(directory: source.store.directory), lone)
        try FileManager.default.removeItem(atPath: lone + "/checkpoint.txt")
        await expectFailure(
            FileTileFetcher(directory: fork.store.directory), into: lone, code: .forked,
            mentioning: "ne sont pas les 600 premières du registre")
    }

    @Test("a local copy changed since its last verified checkpoint is refused")
    func localChanged() async throws {
        let (source, mirror, root) = try await grownSource()
        defer { try? FileManager.default.removeItem(atPath: root) }
        var text = try #require(bytes(mirror + "/ledger.jsonl"))
        text[100] ^= 0x01
        try Data(text).write(to: URL(fileURLWithPath: mirror + "/ledger.jsonl"))
        await expectFailure(
            FileTileFetcher(directory: source.store.directory), into: mirror, code: .local,
            mentioning: "ne correspond plus à son dernier point de contrôle vérifié")
    }
}
