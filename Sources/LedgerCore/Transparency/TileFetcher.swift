/// Where a ``TileClient`` gets a tlog-tiles log's resources: `checkpoint`, `tile/<L>/<N>[.p/<W>]` and
/// `tile/entries/<N>[.p/<W>]`, relative to the log's prefix (docs/PROOFS.md §9).
///
/// A fetcher is pure transport and is trusted with nothing: the client checks the checkpoint's signature, every tile
/// against the signed root and every entry against its tile, so a fetcher may read from a web server, a cache, a CDN
/// or a directory on disk. Paths are always canonical (``TilePath``). A fetcher returns the resource's exact bytes
/// (decompressed, if the transport compressed them) or throws — for a missing resource, an HTTP error, a timeout;
/// the client reports the path and the error's description in one sentence, so make that description short. Bound
/// what you accept: a tile is at most 8 192 bytes, an entry bundle at most 256 × 65 537, a checkpoint a few KB.
///
/// It is `async` because the real transport is (URLSession in the command-line tool, an HTTP client in tests of the
/// service); ``FileTileFetcher`` serves a ledger directory directly. `Sendable`, so the client can fetch several
/// resources at once.
///
/// ```swift
/// struct HTTPTileFetcher: TileFetcher {
///     let prefix: URL
///     func fetch(_ path: String) async throws -> [UInt8] {
///         let (data, response) = try await URLSession.shared.data(from: prefix.appending(path: path))
///         guard (response as? HTTPURLResponse)?.statusCode == 200 else { throw URLError(.badServerResponse) }
///         return Array(data)
///     }
/// }
/// ```
public protocol TileFetcher: Sendable {
    /// The bytes of the resource at `path` (e.g. `checkpoint`, `tile/0/x001/234.p/7`).
    func fetch(_ path: String) async throws -> [UInt8]
}
