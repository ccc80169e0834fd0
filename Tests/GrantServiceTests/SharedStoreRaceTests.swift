import Foundation
import GrantDomain
import GrantService
import LedgerCore
import LedgerCrypto
import Synchronization
import Testing

/// A node of a shared store loses the race for the head: another node commits between its catch-up and its own
/// write. The entries it validated must leave no trace in its state, whether it validated them in place (a single
/// entry) or on a copy (a batch).
struct SharedStoreRaceTests {
    /// A ledger directory that another writer appends to just before each of the node's first `races` appends, as
    /// a second node on the same database would: the node's append then finds the head moved.
    final class RacingStorage: ForwardingStorage {
        let base: FileLogStorage
        var forwarded: any LogStorage { base }
        let signer: Ed25519PrivateKey
        /// The entries "the other node" appended, and how many races are left to lose.
        let others = Mutex<(entries: [Entry], races: Int)>(([], 0))
        /// How many times the whole log was replayed.
        let loads = Atomic<Int>(0)

        init(directory: String, signer: Ed25519PrivateKey, races: Int) {
            base = FileLogStorage(directory: directory, name: "race")
            self.signer = signer
            others.withLock { $0.races = races }
        }

        var isShared: Bool { true }
        func mayHaveEntries(after size: UInt64) -> Bool { true }

        func append(_ entries: [Entry], expecting expected: LogHead) throws(ServiceError) -> LogHead? {
            if others.withLock({ $0.races }) > 0 {
                let other: [Entry]
                do { other = try Entries.registrations(1, after: (expected.size, expected.hash), signer: signer) } catch
                {
                    throw ServiceError(.internalFailure, "\(error)")
                }
                guard try base.append(other, expecting: expected) != nil else {
                    throw ServiceError(.internalFailure, "the other writer lost its own race")
                }
                others.withLock {
                    $0.entries += other
                    $0.races -= 1
                }
            }
            return try base.append(entries, expecting: expected)
        }

        func entries(after size: UInt64) throws(ServiceError) -> [Entry] {
            others.withLock { $0.entries.filter { $0.seq >= Int64(size) } }
        }

        func load(rules: GrantRules) throws(ServiceError) -> (VerificationReport, Replayer<GrantRules>) {
            loads.add(1, ordering: .relaxed)
            return try base.load(rules: rules)
        }
    }

    @Test(arguments: [1, 3])
    func aLostRaceLeavesNothingOfTheLosersEntries(batch: Int) async throws {
        let fixture = try ServiceFixture()
        defer { fixture.remove() }
        try fixture.addLog("race")
        let storage = RacingStorage(directory: fixture.logs + "/race", signer: fixture.authority, races: 2)
        let log = try ServedLog.open(name: "race", storage: storage)
        // Twice: the other node commits first, the client gets 412 with the head that includes its entry.
        for round in 0..<2 {
            let head = log.head
            let entries = try Entries.registrations(batch, after: (head.size, head.hash), signer: fixture.authority)
            let error = await #expect(throws: ServiceError.self) { try await log.append(entries, ifMatch: head.hash) }
            #expect(error?.code == .staleHead, "round \(round): \(error?.message ?? "")")
            #expect(log.head.size == head.size + 1, "round \(round): the other node's entry is taken in")
        }
        // Neither race replayed the whole log: a batch was validated on a copy, a single entry goes back to the base.
        #expect(storage.loads.load(ordering: .relaxed) == 1)
        // Then the client re-signs against the new head: accepted, and the state is the log's, entry for entry.
        let head = log.head
        let entries = try Entries.registrations(batch, after: (head.size, head.hash), signer: fixture.authority)
        let result = try await log.append(entries, ifMatch: head.hash)
        #expect(result.head.size == head.size + UInt64(batch))
        #expect(log.verificationFailure == nil)
        let replayed = try ServedLog.open(
            name: "race", storage: FileLogStorage(directory: fixture.logs + "/race", name: "race"))
        #expect(replayed.head == log.head)
        #expect(replayed.keys.sortedRecords.map(\.keyID) == log.keys.sortedRecords.map(\.keyID))
    }
}
