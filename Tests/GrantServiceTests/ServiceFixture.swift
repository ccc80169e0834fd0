import Foundation
import GrantDomain
import GrantService
import Hummingbird
import HummingbirdTesting
import LedgerCore
import LedgerCrypto
import Logging
import Testing
import GrantLedgerTestSupport

/// A directory of logs for a test: the demo ledger as the log `demo` (its keys at hand), and any other log the test
/// adds. Removed by ``remove()``.
struct ServiceFixture {
    let root: String
    var logs: String { root + "/logs" }
    let authority: Ed25519PrivateKey
    let prefecture: Ed25519PrivateKey

    static let demoName = "demo"

    /// The demo, built once per test process into this directory (removed at exit) and copied for each fixture:
    /// building it signs a few hundred entries.
    static let demoDirectory = FileManager.default.temporaryDirectory.appendingPathComponent(
        "grantledger-service-demo-\(ProcessInfo.processInfo.processIdentifier)"
    ).path

    static let demo: (directory: String, keys: [DemoBuilder.DemoKey]) = {
        try? FileManager.default.removeItem(atPath: demoDirectory)
        let summary = try! DemoBuilder(reference: try! ReferenceData.shared()).build(into: demoDirectory)
        atexit { try? FileManager.default.removeItem(atPath: ServiceFixture.demoDirectory) }
        return (demoDirectory, summary.keys)
    }()

    init() throws {
        root = TestDirectory.path("grantledger-service")
        try FileManager.default.createDirectory(atPath: root + "/logs", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: Self.demo.directory, toPath: root + "/logs/" + Self.demoName)
        authority = Self.demo.keys.first { $0.role == .authority }!.key
        prefecture = Self.demo.keys.first { $0.role == .prefecture }!.key
    }

    func remove() { try? FileManager.default.removeItem(atPath: root) }

    /// The service over the fixture's logs.
    func service(configure: (inout ServiceConfiguration) -> Void = { _ in }) throws -> GrantLedgerService {
        var configuration = ServiceConfiguration(logsDirectory: logs, checkpointKey: authority)
        configure(&configuration)
        return try GrantLedgerService.open(configuration, logger: Logger(label: "test"))
    }

    /// A new log `name` with just its genesis, signed by the demo's authority key (so it also signs checkpoints).
    func addLog(_ name: String) throws {
        let ledger = Ledger(directory: logs + "/" + name, domain: { GrantRules() })
        try ledger.create(
            origin: "\(name).test.grantledger.example/1", title: "Registre de test \(name)", authority: authority,
            time: Timestamp(rfc3339: "2025-01-02T09:00:00Z")!)
    }
}

/// Entries a test signs against a head: key registrations by the authority, always valid.
enum Entries {
    static func registration(seq: Int64, prev: Digest, signer: Ed25519PrivateKey, time: Timestamp = .now()) throws
        -> (entry: Entry, key: Ed25519PrivateKey)
    {
        let key = try Ed25519PrivateKey.generate()
        let payload: JSONValue = [
            "key_id": .string(key.publicKey.keyID), "public_key": .string(PublicKeyText.encode(key.publicKey)),
            "role": "auditor", "territories": ["*"], "holder": "Auditeur de test",
        ]
        let entry = try Entry.make(
            seq: seq, prev: prev, time: time, type: EventCatalog.keyRegistered, payload: payload, signer: signer)
        return (entry, key)
    }

    /// A chain of `count` registrations from `head`.
    static func registrations(_ count: Int, after head: (size: UInt64, hash: Digest), signer: Ed25519PrivateKey)
        throws -> [Entry]
    {
        var entries: [Entry] = []
        var prev = head.hash
        for index in 0..<count {
            let entry = try registration(seq: Int64(head.size) + Int64(index), prev: prev, signer: signer).entry
            entries.append(entry)
            prev = entry.hash
        }
        return entries
    }

    static func body(_ entries: [Entry]) -> ByteBuffer {
        if entries.count == 1 { return ByteBuffer(bytes: entries[0].line) }
        var bytes: [UInt8] = [UInt8(ascii: "[")]
        for (index, entry) in entries.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            bytes += entry.line
        }
        return ByteBuffer(bytes: bytes + [UInt8(ascii: "]")])
    }
}

extension TestResponse {
    var json: JSONValue { (try? JSONParser.parse(Array(buffer: body))) ?? .null }
    var text: String { String(buffer: body) }
}

extension HTTPFields {
    static func ifMatch(_ digest: Digest) -> HTTPFields { [.ifMatch: "\"\(digest.hex)\""] }
}
