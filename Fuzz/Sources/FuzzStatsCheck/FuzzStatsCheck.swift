import Foundation
import FuzzSupport
import GrantDomain
import GrantPublishing
import LedgerCore

/// `stats --check FILE`: a published statistics file (table, JSON or CSV) recomputed against a small demo ledger.
@_cdecl("FuzzStatsCheck_main")
func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("fuzz-stats-\(getpid())").path
    defer { try? FileManager.default.removeItem(atPath: directory) }
    guard let reference = FuzzFixtures.reference,
        (try? DemoBuilder(seed: 2021, applications: 12, reference: reference).build(into: directory)) != nil,
        let snapshot = try? LedgerSnapshot.load(directory: directory)
    else {
        fatalError("cannot build the demo ledger the statistics are checked against")
    }
    return fuzz(argc, argv) { bytes in
        _ = try? StatsCheck(published: bytes, snapshot: snapshot)
    }
}
