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
    final class RacingStorage: LogStorage {
        let base: FileLogStorage
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
        func leafHash(seq: UInt64) throws(ServiceError) -> Digest { try base.leafHash(seq: seq) }
        func resource(_ path: TilePath, size: UInt64) throws(ServiceError) -> [UInt8] {
            try base.resource(path, size: size)
        }
        func signCheckpoint(keys: KeyRegistry, size: UInt64, key: Ed25519PrivateKey) throws(ServiceError)
            -> SignedCheckpoint
        {
            try base.signCheckpoint(keys: keys, size: size, key: key)
        }
        func latestCheckpoint() throws(ServiceError) -> [UInt8]? { try base.latestCheckpoint() }
        func checkpoint(size: UInt64) throws(ServiceError) -> [UInt8]? { try base.checkpoint(size: size) }
        func scdlIdentifiers() throws(ServiceError) -> [UInt8]? { try base.scdlIdentifiers() }
        func inclusionProof(seq: UInt64, checkpoint: [UInt8]) throws(ServiceError) -> (InclusionProof, [UInt8]) {
            try base.inclusionProof(seq: seq, checkpoint: checkpoint)
        }
        func consistencyProof(old: [UInt8], new: [UInt8]) throws(ServiceError) -> ConsistencyProof {
            try base.consistencyProof(old: old, new: new)
        }
        func decisionBundle(applicationID: String, checkpoint: [UInt8], state: GrantState, keys: KeyRegistry)
            throws(ServiceError) -> DecisionBundle
        {
            try base.decisionBundle(applicationID: applicationID, checkpoint: checkpoint, state: state, keys: keys)
        }
        func logPrefix(size: UInt64) throws(ServiceError) -> [UInt8] { try base.logPrefix(size: size) }
        func root(size: UInt64) throws(ServiceError) -> Digest { try base.root(size: size) }
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
