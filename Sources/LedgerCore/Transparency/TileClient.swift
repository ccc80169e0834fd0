public import LedgerCrypto

/// Reads a tlog-tiles log through a ``TileFetcher`` that it does not trust: every tile and entry it returns is
/// proven against one checkpoint's root (docs/PROOFS.md §9.4).
///
/// Opening reads exactly the partial tiles of the tree's right edge (at most one per level) and recomputes the root
/// from them: they are the complete subtrees the root folds, so a match authenticates every hash they hold. Any other
/// tile is full and authenticated by its parent: the root of its 256 hashes must be the hash at its position in the
/// tile one level up, itself authenticated the same way, up to the right edge. An entry bundle is authenticated by
/// its level-0 tile: entry `i` must hash (RFC 6962 leaf hash) to hash `i`. This is Go's `tlog.TileHashReader`
/// scheme: no proof is ever asked of the server, only tiles, which any cache can serve.
///
/// The checkpoint itself is the caller's to check (``fetchCheckpoint(_:key:)`` does it with a note key): the client
/// proves tiles against whatever root it is given.
///
/// ```swift
/// let (signed, _) = try await TileClient.fetchCheckpoint(fetcher, key: trustedKey)
/// var client = try await TileClient(fetcher: fetcher, checkpoint: signed.checkpoint)
/// guard try await client.root(atSize: old.size) == old.rootHash else { /* the log forked */ }
/// let entries = try await client.entries(bundle: 0)
/// ```
public struct TileClient {
    /// The transport.
    public let fetcher: any TileFetcher
    /// The checkpoint every result is proven against.
    public let checkpoint: Checkpoint

    /// Authenticated tiles: the right edge and the full tiles above level 0 (one per 65 536 entries).
    private var verified: [Tile: [UInt8]] = [:]
    /// The last authenticated full level-0 tile: entries are read in order, so one is enough.
    private var lastLeafTile: (tile: Tile, bytes: [UInt8])?
    /// Bytes fetched ahead by ``prefetch(_:)``, not yet authenticated.
    private var prefetched: [String: [UInt8]] = [:]

    /// The number of entries of the tree.
    public var size: UInt64 { checkpoint.size }

    /// Fetches `checkpoint` and checks it is signed by `key` (whose name must be its origin); returns it and its
    /// bytes as served.
    ///
    /// - Throws: ``TransparencyError/Code/fetchFailed``, or the errors of ``SignedCheckpoint/open(_:log:cosigners:)``.
    public static func fetchCheckpoint(
        _ fetcher: any TileFetcher, key: NoteVerifier
    ) async throws(TransparencyError) -> (checkpoint: SignedCheckpoint, text: [UInt8]) {
        let text = try await fetch(fetcher, TilePath.checkpointPath)
        return (try SignedCheckpoint.open(text, log: key), text)
    }

    /// Reads the right edge of `checkpoint`'s tree and checks that it reproduces the checkpoint's root.
    ///
    /// - Throws: ``TransparencyError/Code/fetchFailed``; ``TransparencyError/Code/malformedTile`` for a tile of the
    ///   wrong length; ``TransparencyError/Code/tileMismatch`` when the tiles do not reproduce the root.
    public init(fetcher: any TileFetcher, checkpoint: Checkpoint) async throws(TransparencyError) {
        self.fetcher = fetcher
        self.checkpoint = checkpoint
        let edge = Tile.rightEdge(treeSize: checkpoint.size)
        for tile in edge {
            verified[tile] = try await fetchTile(tile)
        }
        // Highest level first: its subtrees cover the lowest leaves.
        var subtrees: [Digest] = []
        for tile in edge.reversed() {
            guard let bytes = verified[tile] else { continue }
            var position = 0
            for bit in stride(from: Tile.height - 1, through: 0, by: -1) where tile.width & (1 << bit) != 0 {
                subtrees.append(Tile.subtreeHash(bytes, position: position, count: 1 << bit))
                position += 1 << bit
            }
        }
        guard Self.fold(subtrees) == checkpoint.rootHash else {
            let paths = edge.map(\.path).joined(separator: ", ")
            throw TransparencyError(
                .tileMismatch,
                "les tuiles servies (\(paths.isEmpty ? "aucune" : paths)) ne reproduisent pas la racine du point de contrôle de taille \(checkpoint.size)"
            )
        }
    }

    // MARK: - Proven hashes

    /// The root of the tree's first `size` entries, from authenticated tiles: the check that an older checkpoint of
    /// that size is a prefix of this one (a consistency proof made of tiles).
    public mutating func root(atSize oldSize: UInt64) async throws(TransparencyError) -> Digest {
        guard oldSize <= size else {
            throw TransparencyError(
                .outOfRange, "l'arbre a \(size) entrées, il n'a pas de racine à la taille \(oldSize)")
        }
        if oldSize == size { return checkpoint.rootHash }
        var subtrees: [Digest] = []
        var start: UInt64 = 0
        for bit in stride(from: 63, through: 0, by: -1) where oldSize & (1 << UInt64(bit)) != 0 {
            subtrees.append(try await nodeHash(level: bit, index: start >> UInt64(bit)))
            start += 1 << UInt64(bit)
        }
        return Self.fold(subtrees)
    }

    /// The hash of node `index` at Merkle `level` (the root of leaves `index·2^level ..< (index+1)·2^level`), which
    /// must be complete in the tree.
    public mutating func nodeHash(level: Int, index: UInt64) async throws(TransparencyError) -> Digest {
        guard (0..<64).contains(level), index < size >> UInt64(level) else {
            throw TransparencyError(
                .outOfRange, "le nœud \(index) du niveau \(level) n'est pas complet dans un arbre de \(size)")
        }
        let tileLevel = level / Tile.height
        let within = level - tileLevel * Tile.height
        let first = index << UInt64(within)
        let bytes = try await tileBytes(level: tileLevel, index: first >> UInt64(Tile.height)).bytes
        return Tile.subtreeHash(bytes, position: Int(first & UInt64(Tile.fullWidth - 1)), count: 1 << within)
    }

    /// The authenticated tile of `index` at tile `level` as it exists in the tree (full, or the partial right edge),
    /// and its bytes.
    public mutating func tileBytes(level: Int, index: UInt64) async throws(TransparencyError) -> (
        tile: Tile, bytes: [UInt8]
    ) {
        guard let tile = Tile.inTree(level: level, index: index, treeSize: size) else {
            throw TransparencyError(
                .outOfRange, "il n'y a pas de tuile \(index) au niveau \(level) dans un arbre de \(size)")
        }
        if let bytes = authenticated(tile) { return (tile, bytes) }
        // Climb to the first authenticated ancestor (the right edge at worst: a full tile's parent always exists).
        var chain = [tile]
        var parent = tile
        while true {
            guard !parent.isPartial,
                let next = Tile.inTree(level: parent.level + 1, index: parent.index >> 8, treeSize: size)
            else {
                throw TransparencyError(.outOfRange, "\(parent.path) n'a pas de tuile parente dans un arbre de \(size)")
            }
            parent = next
            if authenticated(parent) != nil { break }
            chain.append(parent)
        }
        // Walk back down, checking each tile against the hash at its position in its parent.
        var parentBytes = authenticated(parent)!
        var parentTile = parent
        for child in chain.reversed() {
            let bytes = try await fetchTile(child)
            let position = Int(child.index & UInt64(Tile.fullWidth - 1))
            let expected = Tile.subtreeHash(parentBytes, position: position, count: 1)
            guard Tile.subtreeHash(bytes, position: 0, count: Tile.fullWidth) == expected else {
                throw TransparencyError(
                    .tileMismatch,
                    "\(child.path) ne correspond pas au hachage \(position) de \(parentTile.path), que prouve le point de contrôle de taille \(size)"
                )
            }
            if child.level == 0 { lastLeafTile = (child, bytes) } else { verified[child] = bytes }
            parentBytes = bytes
            parentTile = child
        }
        return (tile, parentBytes)
    }

    /// The entries of bundle `index` (leaves `index·256 …`), each proven by its leaf hash in the level-0 tile.
    ///
    /// - Throws: ``TransparencyError/Code/malformedTile`` for a bundle that does not frame exactly the tile's width
    ///   of entries; ``TransparencyError/Code/tileMismatch`` for an entry whose leaf hash is not its tile's.
    public mutating func entries(bundle index: UInt64) async throws(TransparencyError) -> [ArraySlice<UInt8>] {
        let (tile, hashes) = try await tileBytes(level: 0, index: index)
        let path = tile.entriesPath
        let bytes = try await fetch(path)
        let entries: [ArraySlice<UInt8>]
        do { entries = try EntryBundle.decode(bytes, count: tile.width) } catch {
            throw TransparencyError(.malformedTile, "\(path): \(error.message)", underlying: error)
        }
        for (position, entry) in entries.enumerated() {
            let leaf = hashes[(position * Tile.hashSize)..<((position + 1) * Tile.hashSize)]
            guard RFC6962.leafHash(entry).bytes.elementsEqual(leaf) else {
                throw TransparencyError(
                    .tileMismatch,
                    "l'entrée \(tile.firstHashIndex + UInt64(position)) de \(path) ne donne pas par hachage sa feuille dans \(tile.path)"
                )
            }
        }
        return entries
    }

    // MARK: - Fetching

    /// Fetches the entry bundles `bundles`, and the level-0 tiles that prove them, concurrently (at most `width` at
    /// a time), and keeps their bytes until ``entries(bundle:)`` asks for and authenticates them. A failed fetch is
    /// simply retried, and reported, when the resource is asked for.
    public mutating func prefetch(bundles: Range<UInt64>, width: Int = 8) async {
        var paths: [String] = []
        for index in bundles {
            guard let tile = Tile.inTree(level: 0, index: index, treeSize: size) else { break }
            if authenticated(tile) == nil { paths.append(tile.path) }
            paths.append(tile.entriesPath)
        }
        let fetcher = self.fetcher
        let fetched = await withTaskGroup(of: (String, [UInt8]?).self) { group -> [(String, [UInt8]?)] in
            var results: [(String, [UInt8]?)] = []
            var pending = paths[...]
            for _ in 0..<max(1, width) {
                guard let path = pending.popFirst() else { break }
                group.addTask { (path, try? await fetcher.fetch(path)) }
            }
            while let result = await group.next() {
                results.append(result)
                if let path = pending.popFirst() { group.addTask { (path, try? await fetcher.fetch(path)) } }
            }
            return results
        }
        for case (let path, let bytes?) in fetched { prefetched[path] = bytes }
    }

    private func authenticated(_ tile: Tile) -> [UInt8]? {
        if let bytes = verified[tile] { return bytes }
        if let last = lastLeafTile, last.tile == tile { return last.bytes }
        return nil
    }

    private mutating func fetchTile(_ tile: Tile) async throws(TransparencyError) -> [UInt8] {
        let bytes = try await fetch(tile.path)
        guard bytes.count == tile.byteCount else {
            throw TransparencyError(
                .malformedTile, "\(tile.path) fait \(bytes.count) octets là où \(tile.byteCount) étaient attendus")
        }
        return bytes
    }

    private mutating func fetch(_ path: String) async throws(TransparencyError) -> [UInt8] {
        if let bytes = prefetched.removeValue(forKey: path) { return bytes }
        return try await Self.fetch(fetcher, path)
    }

    private static func fetch(_ fetcher: any TileFetcher, _ path: String) async throws(TransparencyError) -> [UInt8] {
        do { return try await fetcher.fetch(path) } catch {
            throw TransparencyError(.fetchFailed, "impossible de récupérer \(path) : \(error)", underlying: error)
        }
    }

    /// The root folded from the complete subtrees covering a tree, leftmost first.
    private static func fold(_ subtrees: [Digest]) -> Digest {
        guard var result = subtrees.last else { return RFC6962.emptyRoot }
        for hash in subtrees.dropLast().reversed() { result = RFC6962.nodeHash(hash, result) }
        return result
    }
}
