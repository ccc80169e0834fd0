public import LedgerCrypto

/// A C2SP tlog-tiles entry bundle: the entries of up to 256 consecutive leaves, each as a big-endian `uint16` length
/// followed by that many bytes (c2sp.org/tlog-tiles, docs/PROOFS.md §9.3).
///
/// In a GrantLedger log an entry is a line of `ledger.jsonl` without its `\n`, so bundle `N` of width `W` is lines
/// `N·256 … N·256 + W − 1`, each framed by its length. The two-byte length is why an entry is at most 65 535 bytes
/// (docs/FORMAT.md §3). Decoding is strict: exactly the expected number of entries, no byte left over, no length
/// running past the end.
///
/// ```swift
/// let bytes = try EntryBundle.encode([Array("{\"a\":1}".utf8)])   // 00 07 7b 22 61 22 3a 31 7d
/// let entries = try EntryBundle.decode(bytes, count: 1)
/// ```
public enum EntryBundle {
    /// The largest entry a bundle can frame: 65 535 bytes.
    public static let maxEntrySize = Int(UInt16.max)

    /// Frames `entries` as a bundle.
    ///
    /// - Throws: ``TransparencyError/Code/malformedTile`` when an entry is larger than ``maxEntrySize`` or there are
    ///   more than 256 entries.
    public static func encode(_ entries: [[UInt8]]) throws(TransparencyError) -> [UInt8] {
        guard entries.count <= Tile.fullWidth else {
            throw TransparencyError(.malformedTile, "un paquet d'entrées contient au plus \(Tile.fullWidth) entrées")
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(entries.reduce(0) { $0 + 2 + $1.count })
        for (position, entry) in entries.enumerated() {
            try append(entry, position: position, to: &bytes)
        }
        return bytes
    }

    /// Appends one framed entry to `bundle`.
    static func append(
        _ entry: some Collection<UInt8>, position: Int, to bundle: inout [UInt8]
    ) throws(TransparencyError) {
        guard entry.count <= maxEntrySize else {
            throw TransparencyError(
                .malformedTile,
                "l'entrée \(position) du paquet fait \(entry.count) octets ; un paquet encadre des entrées d'au plus \(maxEntrySize) octets"
            )
        }
        bundle.append(UInt8(truncatingIfNeeded: entry.count >> 8))
        bundle.append(UInt8(truncatingIfNeeded: entry.count))
        bundle.append(contentsOf: entry)
    }

    /// Splits a bundle into exactly `count` entries (the width of its level-0 tile).
    ///
    /// - Throws: ``TransparencyError/Code/malformedTile`` when a length runs past the end, the bundle holds fewer or
    ///   more entries than `count`, or bytes follow the last one.
    public static func decode(_ bytes: [UInt8], count: Int) throws(TransparencyError) -> [ArraySlice<UInt8>] {
        var entries: [ArraySlice<UInt8>] = []
        entries.reserveCapacity(count)
        var offset = 0
        while offset < bytes.count {
            guard entries.count < count else {
                throw TransparencyError(
                    .malformedTile,
                    "le paquet d'entrées a \(bytes.count - offset) octets après ses \(count) entrées")
            }
            guard bytes.count - offset >= 2 else {
                throw TransparencyError(
                    .malformedTile, "le paquet d'entrées finit dans la longueur de l'entrée \(entries.count)")
            }
            let length = Int(bytes[offset]) << 8 | Int(bytes[offset + 1])
            offset += 2
            guard bytes.count - offset >= length else {
                throw TransparencyError(
                    .malformedTile,
                    "l'entrée \(entries.count) du paquet annonce \(length) octets mais il n'en reste que \(bytes.count - offset)"
                )
            }
            entries.append(bytes[offset..<(offset + length)])
            offset += length
        }
        guard entries.count == count else {
            throw TransparencyError(
                .malformedTile, "le paquet d'entrées contient \(entries.count) entrées là où \(count) étaient attendues"
            )
        }
        return entries
    }
}
