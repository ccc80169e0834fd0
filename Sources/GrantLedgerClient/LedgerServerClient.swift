public import Foundation
public import LedgerCore
public import LedgerCrypto

#if canImport(FoundationNetworking)
    public import FoundationNetworking
#endif

/// The write protocol of a GrantLedger server (docs/SERVICE.md §2), over Foundation's URLSession: read the head,
/// sign locally, post with `If-Match`, and on 412 sign again against the head the server answered, a bounded number
/// of times with random back-off. The signing key never leaves the caller.
///
/// ```swift
/// let client = try LedgerServerClient(server: "http://127.0.0.1:8080", log: "national")
/// let entries = try await client.append { head throws(LedgerError) in
///     try head.sign([(type: "key.revoked", payload: payload)], signer: key, time: nil)
/// }
/// ```
public struct LedgerServerClient: Sendable {
    /// The server's base URL, e.g. `http://127.0.0.1:8080`.
    public let server: URL
    /// The log's name on the server.
    public let log: String
    /// How many times an append is tried against a moving head before giving up.
    public var maxAttempts = 12
    let session: URLSession

    public init(server: String, log: String, session: URLSession = .shared) throws(ClientError) {
        let trimmed = server.hasSuffix("/") ? String(server.dropLast()) : server
        guard let url = URL(string: trimmed), let scheme = url.scheme, scheme == "http" || scheme == "https",
            url.host != nil
        else {
            throw ClientError(.badInput, "« \(server) » n'est pas l'adresse d'un serveur (http://hôte:port)")
        }
        guard Self.isLogName(log) else {
            throw ClientError(.badInput, "« \(log) » n'est pas un nom de registre")
        }
        self.server = url
        self.log = log
        self.session = session
    }

    /// A log name that can stand in a URL path as it is: printable ASCII, no `/`.
    static func isLogName(_ name: String) -> Bool {
        var valid = !name.isEmpty
        for byte in name.utf8 where byte <= 0x20 || byte >= 0x7F || byte == UInt8(ascii: "/") { valid = false }
        return valid
    }

    /// `<server>/v1/logs/<log>/<path>`.
    func url(_ path: String) -> URL { URL(string: server.absoluteString + "/v1/logs/\(log)/" + path)! }

    /// The tlog-tiles prefix of the log: `<server>/<log>/`.
    public var tilesPrefix: URL { URL(string: server.absoluteString + "/\(log)/")! }

    /// One request; the status and body of whatever the server answered.
    func send(_ request: URLRequest) async throws(ClientError) -> (
        status: Int, body: [UInt8], headers: [String: String]
    ) {
        let data: Data
        let response: URLResponse
        do {
            (data, response) = try await session.data(for: request)
        } catch {
            throw ClientError(
                .network, "le serveur \(server.absoluteString) ne répond pas (\(error.localizedDescription))",
                underlying: error)
        }
        guard let http = response as? HTTPURLResponse else {
            throw ClientError(.badResponse, "le serveur \(server.absoluteString) n'a pas répondu en HTTP")
        }
        var headers: [String: String] = [:]
        for (name, value) in http.allHeaderFields {
            if let name = name as? String, let value = value as? String { headers[name.lowercased()] = value }
        }
        return (http.statusCode, Array(data), headers)
    }

    /// The error a non-success answer stands for, with the server's own sentence.
    func failure(status: Int, body: [UInt8]) -> ClientError {
        let json = try? JSONParser.parse(body)
        let message = json?["message"]?.stringValue ?? "le serveur a répondu \(status)"
        if status == 422, let rule = json?["rule"]?.stringValue {
            var error = ClientError(.refused, message)
            error.rule = RuleID(rawValue: rule)
            error.status = status
            return error
        }
        var error = ClientError(.server, message)
        error.status = status
        return error
    }

    /// `GET /v1/logs/{log}/head`.
    public func head() async throws(ClientError) -> LogHead {
        var request = URLRequest(url: url("head"))
        request.timeoutInterval = 30
        let (status, body, _) = try await send(request)
        guard status == 200 else { throw failure(status: status, body: body) }
        guard let json = try? JSONParser.parse(body), let head = LogHead(json: json) else {
            throw ClientError(.badResponse, "la tête renvoyée par le serveur n'est pas lisible")
        }
        return head
    }

    /// What one `POST …/entries` gave.
    public enum PostOutcome: Sendable {
        /// Acknowledged (201, or 200 for an identical resend): the entries are durable in the log.
        case appended(head: LogHead)
        /// 412: the head moved; the server's current head.
        case stale(LogHead)
    }

    /// `POST /v1/logs/{log}/entries` with `If-Match: "<expected>"`: one entry, or a batch (all or nothing).
    public func post(_ entries: [Entry], expecting expected: Digest) async throws(ClientError) -> PostOutcome {
        var request = URLRequest(url: url("entries"))
        request.httpMethod = "POST"
        request.timeoutInterval = 60
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.setValue("\"\(expected.hex)\"", forHTTPHeaderField: "If-Match")
        request.httpBody = Data(Self.body(entries))
        let (status, body, _) = try await send(request)
        let json = try? JSONParser.parse(body)
        switch status {
        case 200, 201:
            guard let json, let head = LogHead(json: json) else {
                throw ClientError(.badResponse, "la réponse du serveur à l'écriture n'est pas lisible")
            }
            return .appended(head: head)
        case 412:
            guard let json, let head = LogHead(json: json) else {
                throw ClientError(.badResponse, "la réponse 412 du serveur ne donne pas la tête du registre")
            }
            return .stale(head)
        default:
            throw failure(status: status, body: body)
        }
    }

    /// Appends the entries `build` signs against the current head, re-signing against the new head after each 412
    /// (at most ``maxAttempts`` times, with a short random pause that grows), and resending the same bytes after a lost
    /// answer (an identical resend is answered with the entries already logged). Returns the entries as logged.
    public func append(_ build: (LogHead) throws(LedgerError) -> [Entry]) async throws -> [Entry] {
        try await append(from: nil, build).entries
    }

    /// ``append(_:)`` starting from a head the caller already knows (the one the last append returned), so that a
    /// writer that keeps appending makes one request per append while no one else writes; returns the head after
    /// the append too.
    public func append(from known: LogHead?, _ build: (LogHead) throws(LedgerError) -> [Entry]) async throws
        -> (entries: [Entry], head: LogHead)
    {
        var head: LogHead
        if let known { head = known } else { head = try await self.head() }
        for attempt in 0..<maxAttempts {
            let entries = try build(head)
            let outcome: PostOutcome
            do {
                outcome = try await post(entries, expecting: head.hash)
            } catch {
                // The answer was lost, not necessarily the write: resend the very same entries once.
                guard error.code == .network else { throw error }
                outcome = try await post(entries, expecting: head.hash)
            }
            switch outcome {
            case .appended(let after): return (entries, after)
            case .stale(let current): head = current
            }
            // The 412 gave the new head: retry at once the first time, then after a short random pause that grows,
            // so that writers racing for one log spread out instead of colliding again.
            if attempt > 0 {
                let pause: Int = (1 << min(attempt, 6)) - 1  // 1, 3, 7 … 63 ms; the shift never overflows
                try? await Task.sleep(for: .milliseconds(Int.random(in: 0...pause)))
            }
        }
        throw ClientError(
            .contention,
            "le registre \(log) a changé à chacune des \(maxAttempts) tentatives ; rien n'a été écrit, réessayez")
    }

    /// The body of `POST …/entries`: the entry line itself, or a JSON array of lines.
    public static func body(_ entries: [Entry]) -> [UInt8] {
        if entries.count == 1 { return entries[0].line }
        var bytes: [UInt8] = [UInt8(ascii: "[")]
        var length = 2
        for entry in entries { length += entry.line.count + 1 }
        bytes.reserveCapacity(length)
        for (index, entry) in entries.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            bytes.append(contentsOf: entry.line)
        }
        bytes.append(UInt8(ascii: "]"))
        return bytes
    }

    /// `GET` of a path under the log, for the JSON read endpoints.
    public func getJSON(_ path: String) async throws(ClientError) -> JSONValue {
        var request = URLRequest(url: url(path))
        request.timeoutInterval = 30
        let (status, body, _) = try await send(request)
        guard status == 200 else { throw failure(status: status, body: body) }
        guard let json = try? JSONParser.parse(body) else {
            throw ClientError(.badResponse, "la réponse du serveur à \(path) n'est pas du JSON")
        }
        return json
    }
}
