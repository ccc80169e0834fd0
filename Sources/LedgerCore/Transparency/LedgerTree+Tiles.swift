public import LedgerCrypto

extension LedgerTree {
    /// The bytes of hash tile `tile` (docs/PROOFS.md §9.2): one read of the level file.
    ///
    /// - Throws: `.notFound` when the tile is not in the tree of ``size`` entries.
    public func tileBytes(_ tile: Tile) throws(LedgerError) -> [UInt8] {
        guard tile.exists(inTreeOfSize: size) else {
            throw LedgerError(.notFound, "\(tile.path) n'est pas dans le registre de \(size) entrées")
        }
        return try Self.mapped { () throws(TransparencyError) in try self.tree.tileBytes(tile) }
    }

    /// The entry bundle with the coordinates of the level-0 tile `tile` (docs/PROOFS.md §9.3): lines
    /// `index·256 … index·256 + width − 1` of the log without their `\n`, each after its big-endian `uint16` length.
    ///
    /// Two reads, whatever the width: the lines' end offsets from `merkle/offsets`, then the log's bytes they span.
    /// Each line must still end with `\n` where the cache says; a log changed under its cache is reported, not served.
    ///
    /// - Throws: `.notFound` when the bundle is not in the tree; `.corrupt` when the log no longer matches its cache or
    ///   a line is longer than a bundle can frame (65 535 bytes).
    public func entryBundle(_ tile: Tile) throws(LedgerError) -> [UInt8] {
        guard tile.level == 0, tile.exists(inTreeOfSize: size) else {
            throw LedgerError(.notFound, "\(tile.entriesPath) n'est pas dans le registre de \(size) entrées")
        }
        let first = tile.firstHashIndex
        let ends: ArraySlice<UInt64>
        let start: UInt64
        if first == 0 {
            ends = try offsets.get(0, count: tile.width)[...]
            start = 0
        } else {
            let read = try offsets.get(first - 1, count: tile.width + 1)
            start = read[0]
            ends = read.dropFirst()
        }
        // No bundle spans more than its width of maximal lines: a larger span is a damaged cache, not a read to make.
        guard let end = ends.last, end > start, end - start <= UInt64(tile.width * (EntryBundle.maxEntrySize + 1))
        else {
            throw LedgerError(
                .corrupt,
                "les lignes de \(tile.entriesPath) couvrent plus d'octets que \(tile.width) entrées ne le peuvent, ou les positions du cache de Merkle sont endommagées"
            )
        }
        let fd = try FileIO.open(logPath, Platform.readOnly)
        defer { Platform.close(fd) }
        let bytes = try FileIO.pread(fd, count: Int(end - start), offset: Int(start), path: logPath)
        guard bytes.count == Int(end - start) else {
            throw LedgerError(.corrupt, "le registre est plus court que ne le dit son cache de Merkle")
        }
        var bundle: [UInt8] = []
        bundle.reserveCapacity(bytes.count + tile.width)
        var cursor = 0
        for (position, lineEnd) in ends.enumerated() {
            let newline = lineEnd > start ? Int(lineEnd - start) - 1 : -1
            guard newline >= cursor, newline < bytes.count, bytes[newline] == 0x0A else {
                throw LedgerError(.corrupt, "le registre a changé sous son cache de Merkle")
            }
            do {
                try EntryBundle.append(bytes[cursor..<newline], position: position, to: &bundle)
            } catch {
                throw LedgerError(
                    .corrupt,
                    "l'entrée \(first + UInt64(position)) fait \(newline - cursor) octets, plus que les \(EntryBundle.maxEntrySize) qu'un paquet d'entrées peut porter"
                )
            }
            cursor = newline + 1
        }
        return bundle
    }
}
