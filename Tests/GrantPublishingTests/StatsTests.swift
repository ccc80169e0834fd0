import Foundation
import GrantDomain
import GrantPublishing
import LedgerCore
import LedgerCrypto
import Testing

@Suite("Funding statistics")
struct StatsTests {
    @Test(
        "ratios are exact and rounded half up",
        arguments: [
            (2, 3, 4, "0.6667"), (1, 8, 2, "0.13"), (1, 200, 2, "0.01"), (35, 2, 2, "17.50"), (0, 5, 4, "0.0000"),
            (5, 5, 4, "1.0000"), (7, 1, 0, "7"), (1, 3, 0, "0"),
        ] as [(Int64, Int64, Int, String)])
    func ratios(numerator: Int64, denominator: Int64, places: Int, expected: String) {
        #expect(ExactRatio(numerator, denominator).decimal(places: places) == expected)
    }

    @Test func undefinedRatio() {
        #expect(ExactRatio(0, 0).decimal(places: 4) == nil)
        #expect(ExactRatio(0, 0).french(places: 2, percent: true) == "—")
        #expect(ExactRatio(2, 3).french(places: 2, percent: true) == "66,67 %")
    }

    @Test("median days read « 84 jours » for people, and stay 2-decimal averages for machines")
    func days() {
        #expect(FigureValue.days(ExactRatio(84, 1)).french == "84 jours")
        #expect(FigureValue.days(ExactRatio(169, 2)).french == "84,5 jours")
        #expect(FigureValue.days(ExactRatio(1, 1)).french == "1 jour")
        #expect(FigureValue.days(ExactRatio(0, 0)).french == "—")
        #expect(FigureValue.days(ExactRatio(169, 2)).plain == "84.50")
    }

    @Test func mediansAreExact() {
        #expect(ExactRatio.median([3, 1, 2]) == ExactRatio(2, 1))
        #expect(ExactRatio.median([4, 1, 2, 3]) == ExactRatio(5, 2))
        #expect(ExactRatio.median([]).isDefined == false)
        #expect(ExactRatio.mean([1, 2, 4]).decimal(places: 2) == "2.33")
    }

    @Test func dayCounts() throws {
        let a = try CalendarDate(iso: "2021-02-28"), b = try CalendarDate(iso: "2021-03-01")
        #expect(a.days(to: b) == 1)
        #expect(try CalendarDate(iso: "1970-01-01").dayNumber == 0)
        #expect(try CalendarDate(iso: "2024-02-28").days(to: CalendarDate(iso: "2024-03-01")) == 2)
    }

    @Test("figures agree with the projections status prints")
    func agreeWithStatus() throws {
        let snapshot = DemoFixture.snapshot
        let state = snapshot.state
        let national = try FundingStatistics(snapshot: snapshot, scope: StatsScope())
        var committed: Int64 = 0, paid: Int64 = 0, envelope: Int64 = 0
        for callID in state.callOrder {
            let call = state.calls[callID]!
            let stats = try FundingStatistics(snapshot: snapshot, scope: StatsScope(callID: callID))
            let apps = state.applications(ofCall: callID)
            #expect(stats.total.committedCents == call.committedCents)
            #expect(stats.total.paidCents == call.paidCents)
            #expect(stats.total.remainingCents == call.remainingCents)
            #expect(stats.total.applications == Int64(apps.count))
            #expect(stats.total.granted == Int64(apps.filter { $0.decision?.outcome == .granted }.count))
            #expect(stats.total.rejected == Int64(apps.filter { $0.decision?.outcome == .rejected }.count))
            #expect(stats.total.rejectedByMotive.reduce(0) { $0 + $1.count } == stats.total.rejected)
            committed += call.committedCents
            paid += call.paidCents
            envelope += call.envelopeCents
        }
        #expect(national.total.committedCents == committed)
        #expect(national.total.paidCents == paid)
        #expect(national.total.envelopeCents == envelope)
        #expect(national.total.declaredDeviations == Int64(state.declaredDeviations.count))
        #expect(
            national.total.applications == national.total.decided + national.total.pending
                + Int64(state.applications.values.filter { $0.decision == nil && $0.withdrawal != nil }.count))
    }

    @Test("status prints the published figures of each call: dossiers, pending, motives, budget")
    func statusTextUsesThePublishedFigures() throws {
        let snapshot = DemoFixture.snapshot
        let text = LedgerStatus(state: snapshot.state).text
        for callID in snapshot.state.callOrder {
            let figures = try FundingStatistics(snapshot: snapshot, scope: StatsScope(callID: callID)).total
            let block = try #require(text.components(separatedBy: "Appel \(callID) — ").dropFirst().first)
            #expect(
                block.contains(
                    "  Dossiers \(FrenchFormat.integer(figures.applications)) : "
                        + "\(FrenchFormat.quantity(figures.granted, "aidé", "aidés")), "
                        + "\(FrenchFormat.quantity(figures.rejected, "rejeté", "rejetés")), "
                        + "\(FrenchFormat.integer(figures.pending)) sans décision"), "\(block)")
            #expect(block.contains("engagé \(FrenchFormat.euros(figures.committedCents))"))
            for (motive, count) in figures.rejectedByMotive where count > 0 {
                #expect(block.contains("\(motive.label) \(FrenchFormat.integer(count))"))
            }
        }
        let one = LedgerStatus(state: snapshot.state, callID: snapshot.state.callOrder[0]).text
        #expect(one.contains("  Dossiers (identifiant, état, montant accordé, demandeur) :"))
        #expect(LedgerStatus(state: snapshot.state, callID: "absent").text == "Aucun appel absent dans ce registre.")
    }

    @Test("groups partition the applications", arguments: StatsGrouping.allCases)
    func groupsPartition(grouping: StatsGrouping) throws {
        let stats = try FundingStatistics(snapshot: DemoFixture.snapshot, scope: StatsScope(grouping: grouping))
        let t = stats.total
        let g = stats.groups.map(\.figures)
        #expect(g.reduce(0) { $0 + $1.applications } == t.applications)
        #expect(g.reduce(0) { $0 + $1.granted } == t.granted)
        #expect(g.reduce(0) { $0 + $1.committedCents } == t.committedCents)
        #expect(g.reduce(0) { $0 + $1.paidCents } == t.paidCents)
        #expect(stats.groups.map(\.key) == stats.groups.map(\.key).sorted())
    }

    @Test("every format is byte-identical for the same log and names the log", arguments: StatsFormat.allCases)
    func deterministic(format: StatsFormat) throws {
        let again = try LedgerSnapshot.verified(directory: DemoFixture.directory)
        for grouping in [nil] + StatsGrouping.allCases {
            let scope = StatsScope(grouping: grouping)
            let a = try FundingStatistics(snapshot: DemoFixture.snapshot, scope: scope).render(format)
            let b = try FundingStatistics(snapshot: again, scope: scope).render(format)
            #expect(a == b)
            #expect(a.contains(again.identity.rootHash))
            #expect(a.contains(again.identity.headHash))
            let check = try StatsCheck(published: Array(a.utf8), snapshot: again)
            #expect(check.matches, "\(check.differences)")
            #expect(check.scope == scope && check.format == format)
        }
    }

    @Test func jsonIsCanonical() throws {
        let text = try FundingStatistics(snapshot: DemoFixture.snapshot, scope: StatsScope(grouping: .month)).render(
            .json)
        let body = Array(text.utf8.dropLast())
        #expect(CanonicalJSON.encode(try JSONParser.parse(body)) == body)
    }

    @Test("the Merkle root is the RFC 6962 root of the lines")
    func merkleRoot() throws {
        let lines = try DemoFixture.snapshot.readLog().split(separator: 0x0A)
        var tree = try MerkleTree(store: InMemoryMerkleHashStore())
        for line in lines { try tree.append(leaf: line) }
        #expect(tree.root.hex == DemoFixture.snapshot.identity.rootHash)
        #expect(Int64(lines.count) == DemoFixture.snapshot.identity.size)
    }

    @Test("a changed figure in a published file is reported", arguments: StatsFormat.allCases)
    func editedFile(format: StatsFormat) throws {
        let text = try FundingStatistics(snapshot: DemoFixture.snapshot, scope: StatsScope(grouping: .departement))
            .render(format)
        let granted = DemoFixture.snapshot.state.applications.values.filter { $0.decision?.outcome == .granted }.count
        let edited: String
        switch format {
        case .json: edited = text.replacing("\"granted\":\(granted),", with: "\"granted\":\(granted + 1),")
        case .csv, .table:
            edited = text.replacing("140000.00", with: "140001.00").replacing("140 000,00 €", with: "140 001,00 €")
        }
        #expect(edited != text)
        let check = try StatsCheck(published: Array(edited.utf8), snapshot: DemoFixture.snapshot)
        #expect(!check.matches)
        if format == .json { #expect(check.differences.contains { $0.hasPrefix("total.granted :") }) }
    }

    @Test("a changed byte anywhere in the log makes the check fail, naming the root", arguments: [100, 5_000, 20_000])
    func changedLogByte(offset: Int) throws {
        let published = try FundingStatistics(snapshot: DemoFixture.snapshot, scope: StatsScope()).render(.json)
        let tampered = try DemoFixture.tamperedCopy { bytes in
            // Change a letter or digit, never a line break.
            var index = offset
            while !(bytes[index] >= 0x61 && bytes[index] <= 0x7A) && !(bytes[index] >= 0x30 && bytes[index] <= 0x39) {
                index += 1
            }
            bytes[index] = bytes[index] == 0x61 ? 0x62 : (bytes[index] == 0x30 ? 0x31 : bytes[index] - 1)
        }
        let snapshot = try LedgerSnapshot.load(directory: tampered)
        #expect(snapshot.identity.rootHash != DemoFixture.snapshot.identity.rootHash)
        #expect(snapshot.verificationFailure != nil)
        let check = try StatsCheck(published: Array(published.utf8), snapshot: snapshot)
        #expect(!check.matches)
        #expect(check.differences.contains { $0.hasPrefix("log.root_hash :") })
        #expect(throws: PublishingError.self) { try LedgerSnapshot.verified(directory: tampered) }
    }

    @Test func unknownCallAndUnknownFile() throws {
        #expect(throws: PublishingError.self) {
            try FundingStatistics(snapshot: DemoFixture.snapshot, scope: StatsScope(callID: "nope"))
        }
        #expect(throws: PublishingError.self) {
            try StatsCheck(published: Array("hello".utf8), snapshot: DemoFixture.snapshot)
        }
    }
}
