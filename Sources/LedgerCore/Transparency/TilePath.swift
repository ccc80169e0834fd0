public import LedgerCrypto

/// A resource of a C2SP tlog-tiles log, by its path under the log's prefix (c2sp.org/tlog-tiles, docs/PROOFS.md §9).
///
/// - `checkpoint`: the signed checkpoint;
/// - `tile/<L>/<N>[.p/<W>]`: a hash tile (``Tile``);
/// - `tile/entries/<N>[.p/<W>]`: an entry bundle (``EntryBundle``), with the coordinates of a level-0 tile.
///
/// `<L>` is a decimal 0…63 and `<W>` a decimal 1…255, both without leading zeros; `<N>` is written in groups of three
/// digits, all but the last prefixed with `x` (1234067 → `x001/x234/067`, 5 → `005`), and `.p/<W>` is present only for
/// a partial tile. Each resource has exactly one path: ``init(parsing:)`` refuses every other spelling (a first group
/// `x000`, a group of two or four digits, `.p/256`, `.p/0`, `.p/007`, a level `01`, a trailing slash), so a cache
/// keyed by path never holds one resource twice and a server never serves one under an unexpected name.
///
/// ```swift
/// let path = try TilePath(parsing: "tile/entries/x001/x234/067.p/5")
/// // .entries(Tile(level: 0, index: 1_234_067, width: 5))
/// print(TilePath.hashes(try Tile(level: 2, index: 5)))     // tile/2/005
/// ```
public enum TilePath: Sendable, Hashable, CustomStringConvertible {
    /// `checkpoint`.
    case checkpoint
    /// `tile/<L>/<N>[.p/<W>]`.
    case hashes(Tile)
    /// `tile/entries/<N>[.p/<W>]`; the tile's level is 0.
    case entries(Tile)

    /// The text of the `checkpoint` path.
    public static let checkpointPath = "checkpoint"

    /// Groups of three digits a `UInt64` can need (20 digits).
    private static let maxGroups = 7

    /// Parses a path, refusing every non-canonical spelling.
    ///
    /// - Throws: ``TransparencyError/Code/malformedTilePath``.
    public init(parsing path: String) throws(TransparencyError) {
        if path == TilePath.checkpointPath {
            self = .checkpoint
            return
        }
        func refuse(_ reason: String) -> TransparencyError {
            TransparencyError(.malformedTilePath, "« \(path.prefix(200)) » n'est pas un chemin de tuile : \(reason)")
        }
        var elements = Array(path.utf8).split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false)
        guard elements.count >= 3, elements[0].elementsEqual("tile".utf8) else {
            throw refuse("il doit être checkpoint, tile/<L>/<N>[.p/<W>] ou tile/entries/<N>[.p/<W>]")
        }
        let isEntries = elements[1].elementsEqual("entries".utf8)
        var level = 0
        if !isEntries {
            guard let parsed = TextField.decimal(String(decoding: elements[1], as: UTF8.self)),
                parsed <= UInt64(Tile.maxLevel)
            else { throw refuse("le niveau doit être un décimal de 0 à \(Tile.maxLevel) sans zéro initial") }
            level = Int(parsed)
        }
        elements.removeFirst(2)
        var width = Tile.fullWidth
        if elements.count >= 2, elements[elements.count - 2].count == 5,
            elements[elements.count - 2].suffix(2).elementsEqual(".p".utf8)
        {
            guard let parsed = TextField.decimal(String(decoding: elements[elements.count - 1], as: UTF8.self)),
                (1..<UInt64(Tile.fullWidth)).contains(parsed)
            else {
                throw refuse("la largeur d'une tuile partielle doit être un décimal de 1 à 255 sans zéro initial")
            }
            width = Int(parsed)
            elements.removeLast()
            elements[elements.count - 1] = elements[elements.count - 1].dropLast(2)
        }
        guard !elements.isEmpty, elements.count <= TilePath.maxGroups else {
            throw refuse("l'index doit compter de 1 à \(TilePath.maxGroups) groupes de trois chiffres")
        }
        var index: UInt64 = 0
        for (position, element) in elements.enumerated() {
            let isLast = position == elements.count - 1
            let digits = isLast ? element[...] : element.dropFirst()
            guard isLast || element.first == UInt8(ascii: "x"), digits.count == 3,
                digits.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") })
            else {
                throw refuse("l'index s'écrit en groupes de trois chiffres, tous sauf le dernier précédés de x")
            }
            let group = digits.reduce(UInt64(0)) { $0 * 10 + UInt64($1 - UInt8(ascii: "0")) }
            guard position > 0 || group > 0 || isLast else {
                throw refuse("l'index commence par un groupe x000")
            }
            let (times, overflow1) = index.multipliedReportingOverflow(by: 1000)
            let (sum, overflow2) = times.addingReportingOverflow(group)
            guard !overflow1, !overflow2 else { throw refuse("l'index ne tient pas sur 64 bits") }
            index = sum
        }
        let tile = Tile(unchecked: level, index, width)
        self = isEntries ? .entries(tile) : .hashes(tile)
    }

    /// The tile, for a hash tile or an entry bundle.
    public var tile: Tile? {
        switch self {
        case .checkpoint: nil
        case .hashes(let tile), .entries(let tile): tile
        }
    }

    /// The path, e.g. `tile/0/x001/x234/067.p/5`.
    public var description: String {
        switch self {
        case .checkpoint: return TilePath.checkpointPath
        case .hashes(let tile): return "tile/\(tile.level)/" + TilePath.indexPath(tile)
        case .entries(let tile): return "tile/entries/" + TilePath.indexPath(tile)
        }
    }

    /// `<N>[.p/<W>]`.
    private static func indexPath(_ tile: Tile) -> String {
        var groups: [UInt64] = []
        var rest = tile.index
        repeat {
            groups.append(rest % 1000)
            rest /= 1000
        } while rest > 0
        var text = ""
        for (position, group) in groups.reversed().enumerated() {
            if position > 0 { text += "/" }
            if position < groups.count - 1 { text += "x" }
            text += group < 10 ? "00\(group)" : group < 100 ? "0\(group)" : "\(group)"
        }
        if tile.isPartial { text += ".p/\(tile.width)" }
        return text
    }
}
