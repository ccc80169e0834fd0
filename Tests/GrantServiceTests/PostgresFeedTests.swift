import Foundation
import GrantDomain
import GrantService
import LedgerCore
import LedgerCrypto
import LedgerPostgres
import Logging
import Synchronization
import Testing

/// Several nodes on one database: a node hears of the others' appends (LISTEN/NOTIFY) and catches up in the
/// background; a node that lost the race for the head after validating a single entry in place goes back to its
/// base and forward through the database's entries, without replaying the whole log.
@Suite(.enabled(if: PostgresCluster.enabled)) struct PostgresFeedTests {
    static let logger = Logger(label: "test")

    /// A store that says it heard of no append by another node (as a node does until a notification arrives), and
    /// counts its whole-log replays.
    final class DeafStorage: ForwardingStorage {
        let forwarded: any LogStorage
        let loads = Atomic<Int>(0)

        init(_ forwarded: any LogStorage) { self.forwarded = forwarded }

        func mayHaveEntries(after size: UInt64) -> Bool { false }
        func load(rules: GrantRules) throws(ServiceError) -> (VerificationReport, Replayer<GrantRules>) {
            loads.add(1, ordering: .relaxed)
            return try forwarded.load(rules: rules)
        }
    }

    /// A database holding the fixture's log `p` (its genesis alone); `body` gets the database, client running.
    static func withLog<T: Sendable>(
        _ body: @escaping @Sendable (PostgresLedgerDatabase, ServiceFixture, String) async throws -> T
    ) async throws -> T {
        let url = try PostgresCluster.shared.get().createDatabase()
        let fixture = try ServiceFixture()
        defer { fixture.remove() }
        try fixture.addLog("p")
        return try await PostgresLedgerDatabase.with(url: url, logger: logger) { database in
            try await database.migrate()
            _ = try await LogCopy.toDatabase(directory: fixture.logs + "/p", database: database, name: "p")
            return try await body(database, fixture, url)
        }
    }

    /// Waits (at most 30 s) until `condition` holds.
    static func eventually(_ condition: () -> Bool) async throws -> Bool {
        for _ in 0..<300 where !condition() { try await Task.sleep(for: .milliseconds(100)) }
        return condition()
    }

    @Test func aNodeHearsOfAnotherNodesAppendsAndCatchesUpWithoutBeingAsked() async throws {
        try await Self.withLog { database, fixture, url in
            let configuration = ServiceConfiguration(logsDirectory: "")
            let writer = try await GrantLedgerService.open(configuration, database: database, logger: Self.logger)
            // The reader has a connection pool of its own, as another server has.
            try await PostgresLedgerDatabase.with(url: url, logger: Self.logger) { other in
                let reader = try await GrantLedgerService.open(configuration, database: other, logger: Self.logger)
                let following = [
                    Task { await reader.followOtherServers() }, Task { await writer.followOtherServers() },
                ]
                defer { for task in following { task.cancel() } }
                #expect(try await Self.eventually { other.feed.isListening && database.feed.isListening })
                // Singles and a batch through the writer: the reader's head follows, without a read of the head.
                for batch in [1, 1, 5] {
                    let head = try writer.log("p").head
                    let entries = try Entries.registrations(
                        batch, after: (head.size, head.hash), signer: fixture.authority)
                    _ = try await writer.log("p").append(entries, ifMatch: head.hash)
                }
                let expected = try writer.log("p").head
                #expect(expected.size == 8)
                #expect(try await Self.eventually { (try? reader.log("p").head) == expected })
                // The reader writes next, from the head it heard of: accepted at once.
                let entries = try Entries.registrations(
                    1, after: (expected.size, expected.hash), signer: fixture.authority)
                let result = try await reader.log("p").append(entries, ifMatch: expected.hash)
                #expect(result.head.size == 9)
                #expect(try await Self.eventually { (try? writer.log("p").head) == result.head })
            }
        }
    }

    @Test(arguments: [1, 3])
    func aLostRaceGoesBackToTheBaseNotToTheWholeLog(batch: Int) async throws {
        try await Self.withLog { database, fixture, _ in
            let other = try ServedLog.open(name: "p", storage: PostgresLogStorage(store: try await database.log("p")))
            let deaf = DeafStorage(PostgresLogStorage(store: try await database.log("p")))
            let node = try ServedLog.open(name: "p", storage: deaf)
            // The node appends past its first base, so that going back replays its own entries too.
            for _ in 0..<40 {
                let head = node.head
                let entries = try Entries.registrations(1, after: (head.size, head.hash), signer: fixture.authority)
                _ = try await node.append(entries, ifMatch: head.hash)
            }
            // Another node appends; this one has not heard of it and validates against its old head.
            for round in 0..<2 {
                try await other.refresh()
                let theirs = other.head
                _ = try await other.append(
                    try Entries.registrations(1, after: (theirs.size, theirs.hash), signer: fixture.authority),
                    ifMatch: theirs.hash)
                let head = node.head
                let entries = try Entries.registrations(
                    batch, after: (head.size, head.hash), signer: fixture.authority)
                let error = await #expect(throws: ServiceError.self) {
                    try await node.append(entries, ifMatch: head.hash)
                }
                #expect(error?.code == .staleHead, "round \(round): \(error?.message ?? "")")
                #expect(error?.head == other.head && node.head == other.head, "round \(round)")
            }
            #expect(deaf.loads.load(ordering: .relaxed) == 1, "the whole log was replayed again")
            // The client re-signs against the new head: accepted, and the state is the database's, entry for entry.
            let head = node.head
            let entries = try Entries.registrations(batch, after: (head.size, head.hash), signer: fixture.authority)
            #expect(try await node.append(entries, ifMatch: head.hash).head.size == head.size + UInt64(batch))
            #expect(node.verificationFailure == nil)
            let replayed = try ServedLog.open(
                name: "p", storage: PostgresLogStorage(store: try await database.log("p")))
            #expect(replayed.head == node.head)
            #expect(replayed.keys.sortedRecords.map(\.keyID) == node.keys.sortedRecords.map(\.keyID))
        }
    }
}
