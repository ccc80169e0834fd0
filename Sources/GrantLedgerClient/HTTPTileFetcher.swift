public import Foundation
public import LedgerCore
import LedgerCrypto

#if canImport(FoundationNetworking)
    public import FoundationNetworking
#endif

/// A ``TileFetcher`` over HTTP: `GET <prefix><path>` (a server's `/{log}/` prefix, or any web cache in front of
/// it). Trusted with nothing: ``TileClient`` and ``LogMirror`` check every byte it returns.
public struct HTTPTileFetcher: TileFetcher {
    /// The log's prefix, ending with `/`.
    public let prefix: URL
    let session: URLSession

    public init(prefix: URL, session: URLSession = .shared) {
        self.prefix = prefix
        self.session = session
    }

    /// A checkpoint is a few KB; a tile at most 8 192 bytes; a bundle at most 256 × 65 537 bytes.
    static let maxBytes = 256 * 65_537

    public func fetch(_ path: String) async throws -> [UInt8] {
        var request = URLRequest(url: URL(string: prefix.absoluteString + path)!)
        request.timeoutInterval = 60
        let (data, response) = try await session.data(for: request)
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        guard status == 200 else {
            throw ClientError(.server, "\(path) : le serveur a répondu \(status)")
        }
        guard data.count <= Self.maxBytes else {
            throw ClientError(.badResponse, "\(path) : \(data.count) octets, plus qu'une tuile ne peut en avoir")
        }
        return Array(data)
    }
}
