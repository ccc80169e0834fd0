import Foundation
import GrantDomain
import GrantService
import Hummingbird
import HummingbirdTesting
import LedgerCore
import LedgerCrypto
import Testing

/// Every endpoint and status code of docs/openapi.yaml, through the router (HummingbirdTesting).
@Suite struct RouterTests {
    /// Runs `body` against a fresh demo fixture's router.
    func withRouter(
        configure: (inout ServiceConfiguration) -> Void = { _ in },
        _ body: @escaping @Sendable (ServiceFixture, GrantLedgerService, any TestClientProtocol) async throws -> Void
    ) async throws {
        let fixture = try ServiceFixture()
        defer { fixture.remove() }
        let service = try fixture.service(configure: configure)
        let app = Application(router: service.router())
        try await app.test(.router) { client in try await body(fixture, service, client) }
    }

    func head(_ client: any TestClientProtocol, log: String = "demo") async throws -> (size: UInt64, hash: Digest) {
        try await client.execute(uri: "/v1/logs/\(log)/head", method: .get) { response in
            #expect(response.status == .ok)
            let json = response.json
            let hash = try #require(Digest(hex: json["head"]?.stringValue ?? ""))
            #expect(response.headers[.eTag] == "\"\(hash.hex)\"")
            #expect(response.headers[.cacheControl] == "no-cache")
            return (UInt64(json["size"]?.integerValue ?? -1), hash)
        }
    }

    @Test func healthMetricsAndDocument() async throws {
        try await withRouter { _, _, client in
            try await client.execute(uri: "/healthz", method: .get) { #expect($0.status == .ok) }
            try await client.execute(uri: "/openapi.yaml", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.text.hasPrefix("openapi: 3.1.0"))
            }
            try await client.execute(uri: "/metrics", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType]?.hasPrefix("text/plain") == true)
            }
            try await client.execute(uri: "/nowhere/at/all", method: .get) { response in
                #expect(response.status == .notFound)
                #expect(response.json["error"] == "not_found")
            }
        }
    }

    @Test func listsLogsAndHead() async throws {
        try await withRouter { _, _, client in
            try await client.execute(uri: "/v1/logs", method: .get) { response in
                #expect(response.status == .ok)
                let logs = response.json["logs"]?.arrayValue ?? []
                #expect(logs.map { $0["name"] } == ["demo"])
                #expect(logs.first?["origin"] == .string(DemoBuilder.origin))
            }
            let head = try await head(client)
            #expect(head.size == 217)
            try await client.execute(uri: "/v1/logs/absent/head", method: .get) { response in
                #expect(response.status == .notFound)
                #expect(response.json["message"]?.stringValue?.contains("absent") == true)
            }
        }
    }

    @Test func appendsASignedEntryOnceAndAnswersAResendWithItsSeq() async throws {
        try await withRouter { fixture, _, client in
            let head = try await head(client)
            let entry = try Entries.registration(seq: Int64(head.size), prev: head.hash, signer: fixture.authority)
                .entry
            // 428 without If-Match: nothing is written.
            try await client.execute(uri: "/v1/logs/demo/entries", method: .post, body: Entries.body([entry])) {
                #expect($0.status == .preconditionRequired)
                #expect($0.json["error"] == "precondition_required")
            }
            try await client.execute(
                uri: "/v1/logs/demo/entries", method: .post, headers: .ifMatch(head.hash), body: Entries.body([entry])
            ) { response in
                #expect(response.status == .created)
                #expect(response.json["size"]?.integerValue == 218)
                #expect(response.json["entries"]?.arrayValue?.first?["seq"]?.integerValue == 217)
                #expect(response.headers[.eTag] == "\"\(entry.hash.hex)\"")
                #expect(response.json["created"] == true)
            }
            // The same bytes again (a client whose answer was lost): its seq, nothing written.
            try await client.execute(
                uri: "/v1/logs/demo/entries", method: .post, headers: .ifMatch(head.hash), body: Entries.body([entry])
            ) { response in
                #expect(response.status == .ok)
                #expect(response.json["created"] == false)
                #expect(response.json["entries"]?.arrayValue?.first?["seq"]?.integerValue == 217)
            }
            // Another entry signed against the old head: 412 with the current head.
            let late = try Entries.registration(seq: Int64(head.size), prev: head.hash, signer: fixture.authority).entry
            try await client.execute(
                uri: "/v1/logs/demo/entries", method: .post, headers: .ifMatch(head.hash), body: Entries.body([late])
            ) { response in
                #expect(response.status == .preconditionFailed)
                #expect(response.json["size"]?.integerValue == 218)
                #expect(response.json["head"]?.stringValue == entry.hash.hex)
                #expect(response.headers[.eTag] == "\"\(entry.hash.hex)\"")
            }
            #expect(try await self.head(client).size == 218)
            let lines = try String(contentsOfFile: fixture.logs + "/demo/ledger.jsonl", encoding: .utf8)
            #expect(lines.split(separator: "\n").last.map { Array($0.utf8) } == entry.line)
        }
    }

    @Test func refusesWhatTheRulesRefuseWithTheRuleAndItsFrenchMessage() async throws {
        try await withRouter { fixture, _, client in
            let head = try await head(client)
            // A prefecture may not register keys: AUT-ROLE.
            let byPrefecture = try Entries.registration(
                seq: Int64(head.size), prev: head.hash, signer: fixture.prefecture
            ).entry
            try await client.execute(
                uri: "/v1/logs/demo/entries", method: .post, headers: .ifMatch(head.hash),
                body: Entries.body([byPrefecture])
            ) { response in
                #expect(response.status == .unprocessableContent)
                #expect(response.json["error"] == "refused")
                #expect(response.json["rule"] == "AUT-ROLE")
                #expect(response.json["seq"]?.integerValue == 217)
                #expect(response.json["message"]?.stringValue?.hasPrefix("refusé (AUT-ROLE) : ") == true)
            }
            // A forged signature: the authority's entry with another key's signature bytes.
            let genuine = try Entries.registration(seq: Int64(head.size), prev: head.hash, signer: fixture.authority)
            var object = try JSONParser.parse(genuine.entry.line).objectValue!
            object["sig"] = .string(Base64.encode([UInt8](repeating: 7, count: 64)))
            try await client.execute(
                uri: "/v1/logs/demo/entries", method: .post, headers: .ifMatch(head.hash),
                body: ByteBuffer(bytes: CanonicalJSON.encode(.object(object)))
            ) { response in
                #expect(response.status == .unprocessableContent)
                #expect(response.json["rule"] == "INT-SIGNATURE")
            }
            // Chained to the wrong prev with the right If-Match: INT-PREV.
            let unchained = try Entries.registration(seq: Int64(head.size), prev: .zero, signer: fixture.authority)
                .entry
            try await client.execute(
                uri: "/v1/logs/demo/entries", method: .post, headers: .ifMatch(head.hash),
                body: Entries.body([unchained])
            ) { response in
                #expect(response.status == .unprocessableContent)
                #expect(response.json["rule"] == "INT-PREV")
            }
            #expect(try await self.head(client).size == 217)
        }
    }

    @Test func appendsABatchWhole_orNothingOfIt() async throws {
        try await withRouter { fixture, _, client in
            let head = try await head(client)
            let batch = try Entries.registrations(3, after: head, signer: fixture.authority)
            // The second entry of this batch is refused: nothing of it is written.
            var spoiled = batch
            spoiled[1] = try Entries.registration(seq: 218, prev: batch[0].hash, signer: fixture.prefecture).entry
            spoiled[2] = try Entries.registration(seq: 219, prev: spoiled[1].hash, signer: fixture.authority).entry
            try await client.execute(
                uri: "/v1/logs/demo/entries", method: .post, headers: .ifMatch(head.hash), body: Entries.body(spoiled)
            ) { response in
                #expect(response.status == .unprocessableContent)
                #expect(response.json["seq"]?.integerValue == 218)
                #expect(response.json["message"]?.stringValue?.contains("entrée 2 sur 3") == true)
            }
            #expect(try await self.head(client).size == 217)
            try await client.execute(
                uri: "/v1/logs/demo/entries", method: .post, headers: .ifMatch(head.hash), body: Entries.body(batch)
            ) { response in
                #expect(response.status == .created)
                #expect(
                    response.json["entries"]?.arrayValue?.compactMap { $0["seq"]?.integerValue } == [217, 218, 219])
            }
            #expect(try await self.head(client).hash == batch[2].hash)
        }
    }

    @Test func takesCanonicalLinesOnly_withSpaceBetweenThem() async throws {
        try await withRouter { fixture, _, client in
            let head = try await head(client)
            let batch = try Entries.registrations(2, after: head, signer: fixture.authority)
            // The same entry, signed, but not in canonical form: refused, as a line of ledger.jsonl would be.
            let spaced = String(decoding: batch[0].line, as: UTF8.self).replacingOccurrences(
                of: "\",\"", with: "\", \"")
            try await client.execute(
                uri: "/v1/logs/demo/entries", method: .post, headers: .ifMatch(head.hash),
                body: ByteBuffer(string: spaced)
            ) { response in
                #expect(response.status == .badRequest)
                #expect(response.json["message"]?.stringValue?.contains("canonique") == true)
            }
            let lines = batch.map { String(decoding: $0.line, as: UTF8.self) }
            try await client.execute(
                uri: "/v1/logs/demo/entries", method: .post, headers: .ifMatch(head.hash),
                body: ByteBuffer(string: "[\n  \(lines[0]) ,\n  \(lines[1])\n]\n")
            ) { #expect($0.status == .created) }
            for body in ["[]", "[1]", "[\(lines[0]) \(lines[1])]", "[\(lines[0])", "\"x\""] {
                try await client.execute(
                    uri: "/v1/logs/demo/entries", method: .post, headers: .ifMatch(batch[1].hash),
                    body: ByteBuffer(string: body)
                ) { #expect($0.status == .badRequest, "\(body.prefix(20))") }
            }
        }
    }

    @Test func refusesBadBodiesAndOversizedRequests() async throws {
        try await withRouter(configure: {
            $0.limits.maxBatchEntries = 2; $0.limits.maxBodyBytes = 4_000
        }) {
            fixture, _, client in
            let head = try await head(client)
            try await client.execute(
                uri: "/v1/logs/demo/entries", method: .post, headers: .ifMatch(head.hash),
                body: ByteBuffer(string: "{not json")
            ) { #expect($0.status == .badRequest) }
            try await client.execute(
                uri: "/v1/logs/demo/entries", method: .post, headers: .ifMatch(head.hash),
                body: ByteBuffer(string: "{\"v\":1}")
            ) { #expect($0.status == .badRequest) }
            try await client.execute(
                uri: "/v1/logs/demo/entries", method: .post, headers: [.ifMatch: "W/\"abc\""],
                body: ByteBuffer(string: "{}")
            ) { #expect($0.status == .badRequest) }
            let three = try Entries.registrations(3, after: head, signer: fixture.authority)
            try await client.execute(
                uri: "/v1/logs/demo/entries", method: .post, headers: .ifMatch(head.hash), body: Entries.body(three)
            ) { response in
                #expect(response.status == .contentTooLarge)
                #expect(response.json["error"] == "too_large")
            }
            try await client.execute(
                uri: "/v1/logs/demo/entries", method: .post, headers: .ifMatch(head.hash),
                body: ByteBuffer(bytes: [UInt8](repeating: 0x20, count: 5_000))
            ) { #expect($0.status == .contentTooLarge) }
            #expect(try await self.head(client).size == 217)
        }
    }

    @Test func limitsConcurrentRequestsPerClient() async throws {
        try await withRouter(configure: { $0.limits.maxConcurrentRequestsPerClient = 0 }) { _, _, client in
            try await client.execute(uri: "/v1/logs/demo/head", method: .get) { response in
                #expect(response.status == .tooManyRequests)
                #expect(response.headers[.retryAfter] == "1")
            }
        }
    }

    @Test func aLogThatDoesNotVerifyIsServedReadOnly() async throws {
        let fixture = try ServiceFixture()
        defer { fixture.remove() }
        try fixture.addLog("abime")
        // A line that is not an entry, appended behind the store's back: the log fails INT-CANONICAL. Without its
        // commit point (`ledger.head`, which a ledger of an older version lacks) the line counts as written; with it,
        // it would lie past the commit point, where the server sets an interrupted write aside at start.
        let path = fixture.logs + "/abime/ledger.jsonl"
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data("{\"pas\": \"une entrée\"}\n".utf8))
        try handle.close()
        try FileManager.default.removeItem(atPath: fixture.logs + "/abime/" + LedgerStore.headFileName)
        let service = try fixture.service()
        try await Application(router: service.router()).test(.router) { client in
            let head = try await head(client, log: "abime")
            let next = try Entries.registration(seq: 2, prev: head.hash, signer: fixture.authority).entry
            try await client.execute(
                uri: "/v1/logs/abime/entries", method: .post, headers: .ifMatch(head.hash), body: Entries.body([next])
            ) { response in
                #expect(response.status == .serviceUnavailable)
                #expect(response.json["message"]?.stringValue?.contains("ne vérifie pas") == true)
            }
            try await client.execute(uri: "/v1/logs/abime/stats", method: .get) {
                #expect($0.status == .serviceUnavailable)
            }
        }
    }

    @Test func readsKeysApplicationsProofsAndPublications() async throws {
        try await withRouter { _, _, client in
            try await client.execute(uri: "/v1/logs/demo/keys", method: .get) { response in
                #expect(response.status == .ok)
                let keys = response.json["keys"]?.arrayValue ?? []
                #expect(keys.first?["role"] == "authority")
                #expect(keys.contains { $0["revoked_at"] != .null })
            }
            try await client.execute(uri: "/v1/logs/demo/applications/33-2021-01-0013", method: .get) { response in
                #expect(response.status == .ok)
                let json = response.json
                #expect(json["call_id"] == "33-2021-01")
                let entries = json["entries"]?.arrayValue ?? []
                #expect(entries.first?["type"] == "application.submitted")
                let call = try #require(json["call"]?["entry"])
                #expect(try Entry(line: CanonicalJSON.encode(call)).hash.hex == json["call"]?["version"]?.stringValue)
            }
            try await client.execute(uri: "/v1/logs/demo/applications/99-9999-99-9999", method: .get) {
                #expect($0.status == .notFound)
            }
            try await client.execute(uri: "/v1/logs/demo/applications/33-2021-01-0013/bundle", method: .get) {
                response in
                #expect(response.status == .ok)
                #expect(response.json["format"] == .string(DecisionBundle.format))
            }
            try await client.execute(uri: "/v1/logs/demo/proof/inclusion?seq=149", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.json["index"]?.integerValue == 149)
            }
            try await client.execute(uri: "/v1/logs/demo/proof/inclusion?seq=abc", method: .get) {
                #expect($0.status == .badRequest)
            }
            try await client.execute(uri: "/v1/logs/demo/proof/inclusion?seq=100000", method: .get) {
                #expect($0.status == .badRequest)
            }
            try await client.execute(uri: "/v1/logs/demo/proof/consistency?from=217", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.json["format"] == "grantledger/consistency-proof+json@v1")
            }
            try await client.execute(uri: "/v1/logs/demo/proof/consistency?from=3", method: .get) {
                #expect($0.status == .notFound)
            }
            try await client.execute(uri: "/v1/logs/demo/stats?by=departement&format=csv", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "text/csv; charset=utf-8")
            }
            try await client.execute(uri: "/v1/logs/demo/stats", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.json != .null)
            }
            try await client.execute(uri: "/v1/logs/demo/stats?by=planete", method: .get) {
                #expect($0.status == .badRequest)
            }
            try await client.execute(uri: "/v1/logs/demo/export/scdl.csv", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.text.hasPrefix("nomAttribuant,") || response.text.contains(","))
            }
        }
    }

    @Test func servesTheTilesWithTheirCacheHeaders() async throws {
        try await withRouter { _, service, client in
            try await client.execute(uri: "/demo/checkpoint", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.cacheControl] == "no-cache")
                #expect(response.text.hasPrefix(DemoBuilder.origin + "\n217\n"))
            }
            try await client.execute(uri: "/demo/tile/0/000.p/217", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.body.readableBytes == 217 * 32)
                #expect(response.headers[.cacheControl] == "public, max-age=31536000, immutable")
            }
            try await client.execute(uri: "/demo/tile/entries/000.p/217", method: .get) { response in
                #expect(response.status == .ok)
            }
            // Not in the tree, not canonical, or not a log.
            for uri in ["/demo/tile/0/000", "/demo/tile/0/001.p/3", "/demo/tile/0/0.p/217", "/absent/checkpoint"] {
                try await client.execute(uri: uri, method: .get) { #expect($0.status == .notFound, "\(uri)") }
            }
            // After an append and a checkpoint, the new tree is served.
            let head = try await head(client)
            let fixture = try ServiceFixture()
            defer { fixture.remove() }
            let entry = try Entries.registration(seq: 217, prev: head.hash, signer: fixture.authority).entry
            _ = try await service.logs["demo"]!.append([entry], ifMatch: head.hash)
            try await client.execute(uri: "/demo/tile/0/000.p/218", method: .get) { #expect($0.status == .ok) }
            _ = try await service.logs["demo"]!.signCheckpointIfGrown(key: fixture.authority)
            try await client.execute(uri: "/demo/checkpoint", method: .get) { response in
                #expect(response.text.hasPrefix(DemoBuilder.origin + "\n218\n"))
            }
        }
    }

    @Test func countsAppendsAndRefusalsInTheMetrics() async throws {
        try await withRouter { fixture, _, client in
            let head = try await head(client)
            let good = try Entries.registration(seq: 217, prev: head.hash, signer: fixture.authority).entry
            let bad = try Entries.registration(seq: 218, prev: good.hash, signer: fixture.prefecture).entry
            try await client.execute(
                uri: "/v1/logs/demo/entries", method: .post, headers: .ifMatch(head.hash), body: Entries.body([good]))
            try await client.execute(
                uri: "/v1/logs/demo/entries", method: .post, headers: .ifMatch(good.hash), body: Entries.body([bad]))
            try await client.execute(uri: "/metrics", method: .get) { response in
                let text = response.text
                #expect(text.contains("grantledger_appended_entries_total{log=\"demo\"} 1"))
                #expect(text.contains("grantledger_refusals_total{log=\"demo\",rule=\"AUT-ROLE\"} 1"))
                #expect(text.contains("grantledger_append_duration_seconds_bucket"))
                #expect(text.contains("grantledger_http_request_duration_seconds_bucket"))
            }
        }
    }
}
