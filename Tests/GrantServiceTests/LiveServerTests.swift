import Foundation
import GrantDomain
import GrantLedgerClient
import LedgerCore
import LedgerCrypto
import Synchronization
import Testing

#if canImport(Glibc)
    import Glibc
#endif
#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// The real `grant-ledger-server` binary on 127.0.0.1, many clients at once through the client library the CLI
/// uses, a `kill -9` mid-load: no fork, no acknowledged entry lost, every log verifies, and so does a mirror of it.
@Suite(.serialized) struct LiveServerTests {
    /// What the clients were told was durable: seq → entry hash, per log.
    final class Acknowledged: Sendable {
        let entries = Mutex<[String: [Int64: Digest]]>([:])
        func record(_ log: String, _ logged: [Entry]) {
            entries.withLock { all in
                for entry in logged {
                    // Two acknowledgements of one seq with different hashes would be a fork.
                    if let earlier = all[log]?[entry.seq] {
                        precondition(earlier == entry.hash, "fork at \(entry.seq)")
                    }
                    all[log, default: [:]][entry.seq] = entry.hash
                }
            }
        }
        var snapshot: [String: [Int64: Digest]] { entries.withLock { $0 } }
    }

    /// `clients` tasks, each appending `rounds` registrations (single entries, or batches of `batch`) to its log.
    static func load(
        server: String, logs: [String], clients: Int, rounds: Int, batch: Int, signer: Ed25519PrivateKey,
        acknowledged: Acknowledged
    ) async -> (appended: Int, failures: [String]) {
        await withTaskGroup(of: (Int, String?).self) { group in
            for index in 0..<clients {
                let log = logs[index % logs.count]
                group.addTask {
                    do {
                        var client = try LedgerServerClient(server: server, log: log)
                        client.maxAttempts = 64
                        var appended = 0
                        for _ in 0..<rounds {
                            let entries = try await client.append { (head) throws(LedgerError) -> [Entry] in
                                var events: [(type: String, payload: JSONValue)] = []
                                for _ in 0..<batch {
                                    let key = try! Ed25519PrivateKey.generate()
                                    events.append(
                                        (
                                            EventCatalog.keyRegistered,
                                            [
                                                "key_id": .string(key.publicKey.keyID),
                                                "public_key": .string(PublicKeyText.encode(key.publicKey)),
                                                "role": "auditor", "territories": ["*"],
                                                "holder": .string("Auditeur \(index)"),
                                            ]
                                        ))
                                }
                                return try head.sign(events, signer: signer, time: nil)
                            }
                            acknowledged.record(log, entries)
                            appended += entries.count
                        }
                        return (appended, nil)
                    } catch {
                        return (0, "\(error)")
                    }
                }
            }
            var total = 0
            var failures: [String] = []
            for await (count, failure) in group {
                total += count
                if let failure { failures.append(failure) }
            }
            return (total, failures)
        }
    }

    /// Every acknowledged entry is in the log at its seq; the log verifies completely.
    static func check(_ directory: String, acknowledged: [Int64: Digest]) throws {
        let (report, _) = try LedgerVerifier.verify(store: LedgerStore(directory: directory), domain: GrantRules())
        #expect(report.isValid, "\(directory): \(report.outcomes.failures.prefix(3))")
        let text = try String(contentsOfFile: directory + "/ledger.jsonl", encoding: .utf8)
        let hashes = text.split(separator: "\n").map { SHA256.hash(Array($0.utf8)) }
        for (seq, hash) in acknowledged {
            #expect(Int(seq) < hashes.count && hashes[Int(seq)] == hash, "acknowledged seq \(seq) lost")
        }
    }

    @Test func sixteenClientsOnOneLogAndSixteenOnSixteenLogs() async throws {
        let fixture = try ServiceFixture()
        defer { fixture.remove() }
        let separate = (0..<16).map { "p\($0)" }
        for name in separate { try fixture.addLog(name) }
        let server = try ServerProcess(
            logs: fixture.logs, checkpointKey: fixture.logs + "/demo/demo-keys/autorite.pem")
        defer { server.stop() }
        let acknowledged = Acknowledged()
        let one = await Self.load(
            server: server.url, logs: ["demo"], clients: 16, rounds: 4, batch: 1, signer: fixture.authority,
            acknowledged: acknowledged)
        #expect(one.failures.isEmpty, "\(one.failures.prefix(3))")
        #expect(one.appended == 64)
        let many = await Self.load(
            server: server.url, logs: separate, clients: 16, rounds: 4, batch: 3, signer: fixture.authority,
            acknowledged: acknowledged)
        #expect(many.failures.isEmpty, "\(many.failures.prefix(3))")
        #expect(many.appended == 16 * 4 * 3)
        let ledger = acknowledged.snapshot
        try Self.check(fixture.logs + "/demo", acknowledged: ledger["demo"] ?? [:])
        for name in separate { try Self.check(fixture.logs + "/" + name, acknowledged: ledger[name] ?? [:]) }

        // The sixteen writers of one log raced for its head: some were answered 412 and signed again.
        let (metrics, _) = try await URLSession.shared.data(from: URL(string: server.url + "/metrics")!)
        let line = String(decoding: metrics, as: UTF8.self).split(separator: "\n")
            .first { $0.hasPrefix("grantledger_refusals_total{log=\"demo\",rule=\"stale_head\"}") }
        #expect((line?.split(separator: " ").last.flatMap { Int($0) } ?? 0) > 0, "no 412 was answered")

        // A mirror through the tiles, trusting only the checkpoint key, holds the same bytes and verifies.
        try await Task.sleep(for: .seconds(1))
        let mirror = fixture.root + "/mirror"
        let client = try LedgerServerClient(server: server.url, log: "demo")
        let key = try NoteVerifier(name: DemoBuilder.origin, publicKey: fixture.authority.publicKey)
        let result = try await LogMirror.sync(
            fetcher: HTTPTileFetcher(prefix: client.tilesPrefix), into: mirror, trustedKey: key)
        #expect(result.checkpoint.checkpoint.size == 217 + 64)
        try Self.check(mirror, acknowledged: ledger["demo"] ?? [:])
        #expect(
            FileManager.default.contents(atPath: mirror + "/ledger.jsonl")
                == FileManager.default.contents(atPath: fixture.logs + "/demo/ledger.jsonl"))
    }

    @Test func killNineMidLoadLosesNothingAcknowledged() async throws {
        let fixture = try ServiceFixture()
        defer { fixture.remove() }
        let keyPath = fixture.logs + "/demo/demo-keys/autorite.pem"
        var server = try ServerProcess(logs: fixture.logs, checkpointKey: keyPath)
        let acknowledged = Acknowledged()
        let url = server.url
        let signer = fixture.authority
        // Clients append until the server dies under them; what they were told is durable must stay.
        let load = Task {
            await Self.load(
                server: url, logs: ["demo"], clients: 8, rounds: 200, batch: 2, signer: signer,
                acknowledged: acknowledged)
        }
        while (acknowledged.snapshot["demo"]?.count ?? 0) < 20 { try await Task.sleep(for: .milliseconds(20)) }
        server.kill()
        let interrupted = await load.value
        #expect(!interrupted.failures.isEmpty, "the clients should have seen the server go away")
        let before = acknowledged.snapshot["demo"] ?? [:]
        #expect(before.count >= 20)

        // Restarted on the same directory: everything acknowledged is there, and appends go on.
        server = try ServerProcess(logs: fixture.logs, checkpointKey: keyPath)
        defer { server.stop() }
        let after = await Self.load(
            server: server.url, logs: ["demo"], clients: 4, rounds: 3, batch: 1, signer: signer,
            acknowledged: acknowledged)
        #expect(after.failures.isEmpty, "\(after.failures.prefix(3))")
        try Self.check(fixture.logs + "/demo", acknowledged: acknowledged.snapshot["demo"] ?? [:])
    }
}

/// A client that sends its headers and then part of its body, and stops: it gets 408 when the body timeout runs out,
/// and in the meantime other clients append to other logs and to the same log as if it were not there.
@Suite(.serialized) struct SlowClientTests {
    /// Opens a TCP connection to 127.0.0.1:`port` and sends `bytes`; returns the socket.
    static func connect(port: Int, sending bytes: [UInt8]) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw ServiceTestError("socket failed") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else { throw ServiceTestError("connect failed") }
        _ = bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }
        return fd
    }

    /// Reads what the server sends until it closes or `seconds` pass.
    static func read(_ fd: Int32, seconds: Int) -> String {
        var timeout = timeval(tv_sec: seconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count <= 0 { break }
            received += buffer[0..<count]
        }
        return String(decoding: received, as: UTF8.self)
    }

    @Test func aSlowBodyIsAnswered408AndStallsNoOne() async throws {
        let fixture = try ServiceFixture()
        defer { fixture.remove() }
        try fixture.addLog("autre")
        let key = fixture.logs + "/demo/demo-keys/autorite.pem"
        // No stall: with a body timeout far longer than the load, the appends to both logs are all acknowledged
        // while the slow request is still unanswered — so none of them waited for it, however loaded the machine.
        do {
            let server = try ServerProcess(
                logs: fixture.logs, checkpointKey: key, arguments: ["--body-timeout", "3600", "--idle-timeout", "3600"])
            defer { server.stop() }
            let slow = try await Self.slowRequest(to: server)
            defer { close(slow) }
            let acknowledged = LiveServerTests.Acknowledged()
            let load = await LiveServerTests.load(
                server: server.url, logs: ["demo", "autre"], clients: 4, rounds: 3, batch: 1,
                signer: fixture.authority, acknowledged: acknowledged)
            #expect(load.failures.isEmpty, "\(load.failures.prefix(2))")
            #expect(
                Self.pending(slow),
                "the slow request was answered before the appends finished: \(Self.read(slow, seconds: 1).prefix(200))")
        }
        // The slow request itself is answered 408 once its body timeout passes.
        let server = try ServerProcess(logs: fixture.logs, checkpointKey: key, arguments: ["--body-timeout", "1"])
        defer { server.stop() }
        let slow = try await Self.slowRequest(to: server)
        defer { close(slow) }
        let answer = Self.read(slow, seconds: 60)
        #expect(answer.hasPrefix("HTTP/1.1 408"), "\(answer.prefix(200))")
        #expect(answer.contains("request_timeout"))
    }

    /// Opens a connection that sends the head of an append and the first bytes of a 1 000-byte body, then nothing.
    static func slowRequest(to server: ServerProcess) async throws -> Int32 {
        let head = try await LedgerServerClient(server: server.url, log: "demo").head()
        let request =
            "POST /v1/logs/demo/entries HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            + "If-Match: \(head.etag)\r\nContent-Length: 1000\r\n\r\n{\"actor\":"
        return try Self.connect(port: server.port, sending: Array(request.utf8))
    }

    /// Whether the server has neither answered nor closed `fd` yet (a non-blocking peek finds nothing to read).
    static func pending(_ fd: Int32) -> Bool {
        var byte: UInt8 = 0
        let count = recv(fd, &byte, 1, Int32(MSG_PEEK | MSG_DONTWAIT))
        return count < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)
    }
}
