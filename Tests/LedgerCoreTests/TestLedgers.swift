import Foundation
@testable import LedgerCore
import LedgerCrypto
import GrantLedgerTestSupport

/// Temporary ledgers for tests, with fixed keys and times.
enum TestLedgers {
    static func temporaryDirectory() -> String {
        TestDirectory.make("grantledger")
    }

    static func key(_ byte: UInt8) -> Ed25519PrivateKey {
        try! Ed25519PrivateKey(seed: [UInt8](repeating: byte, count: 32))
    }

    static let start = Timestamp(rfc3339: "2021-03-01T09:30:00Z")!

    static func registration(_ key: Ed25519PrivateKey, role: Role, territories: [String], holder: String) -> JSONValue {
        KeyRegistry.registrationPayload(key.publicKey, role: role, territories: territories, holder: holder)
    }

    /// A ledger of `count` entries: genesis, then registrations of fresh keys (each valid).
    static func make(count: Int, in directory: String = temporaryDirectory()) throws -> Ledger<NoDomainRules> {
        let ledger = Ledger(directory: directory + "/ledger", domain: { NoDomainRules() })
        let authority = key(1)
        try ledger.create(origin: "test.example/ledger", title: "Programme de test", authority: authority, time: start)
        try ledger.write { (writer) throws(LedgerError) in
            for index in 1..<count {
                let subject = key(UInt8(truncatingIfNeeded: 10 + index))
                if writer.state.keys[subject.publicKey.keyID] != nil {
                    continue
                }
                try writer.append(
                    type: EventCatalog.keyRegistered,
                    payload: registration(
                        subject, role: .prefecture, territories: ["15"], holder: "Préfecture \(index)"),
                    signer: authority, time: start.adding(seconds: Int64(index * 60)))
            }
        }
        return ledger
    }

    /// Appends `count` registrations of fresh keys (derived from `seedTag` and their seq, so never one of
    /// ``key(_:)``), a minute apart after the last entry: logs longer than ``make(count:in:)`` can build.
    static func extend(_ ledger: Ledger<NoDomainRules>, by count: Int, seedTag: UInt8 = 0xA5) throws {
        let authority = key(1)
        try ledger.write { (writer) throws(LedgerError) in
            for _ in 0..<count {
                let seq = writer.nextSeq
                var seed = [UInt8](repeating: seedTag, count: 32)
                for byte in 0..<8 { seed[byte] = UInt8(truncatingIfNeeded: seq >> (8 * Int64(byte))) }
                let subject = try! Ed25519PrivateKey(seed: seed)
                try writer.append(
                    type: EventCatalog.keyRegistered,
                    payload: registration(
                        subject, role: .prefecture, territories: ["15"], holder: "Préfecture \(seedTag) \(seq)"),
                    signer: authority, time: start.adding(seconds: seq * 60))
            }
        }
    }

    static func lines(_ ledger: Ledger<NoDomainRules>) throws -> [[UInt8]] {
        let data = try Data(contentsOf: URL(fileURLWithPath: ledger.store.logPath))
        var lines = Array(data).split(separator: 0x0A, omittingEmptySubsequences: false).map(Array.init)
        if lines.last == [] { lines.removeLast() }
        return lines
    }

    /// Replaces the log with `lines`. A log written by hand has no commit point: `ledger.head` goes, and every
    /// complete line counts (docs/FORMAT.md §5.2).
    static func write(_ lines: [[UInt8]], to ledger: Ledger<NoDomainRules>, finalNewline: Bool = true) throws {
        var bytes = lines.joined(separator: [0x0A]).map { $0 }
        if finalNewline && !lines.isEmpty { bytes.append(0x0A) }
        try Data(bytes).write(to: URL(fileURLWithPath: ledger.store.logPath))
        try? FileManager.default.removeItem(atPath: ledger.store.directory + "/" + LedgerStore.headFileName)
    }

    static func verify(_ ledger: Ledger<NoDomainRules>) throws -> VerificationReport {
        try LedgerVerifier.verify(store: ledger.store, domain: NoDomainRules()).0
    }
}

/// Roles of the bare ledger of these tests (only labels: `NoDomainRules` accepts any lowercase word).
extension Role {
    static let prefecture = Role(rawValue: "prefecture")
    static let payer = Role(rawValue: "payer")
    static let auditor = Role(rawValue: "auditor")
}
