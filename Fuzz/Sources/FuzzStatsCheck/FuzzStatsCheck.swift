import Foundation
import FuzzSupport

/// See ``FuzzBodies`` (docs/FUZZING.md).
@_cdecl("FuzzStatsCheck_main")
func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("fuzz-stats-\(getpid())").path
    defer { try? FileManager.default.removeItem(atPath: directory) }
    guard let reference = FuzzFixtures.reference,
        let snapshot = try? FuzzBodies.statsSnapshot(directory: directory, reference: reference)
    else { fatalError("cannot build the demo ledger the statistics are checked against") }
    return fuzz(argc, argv) { bytes in FuzzBodies.statsCheck(bytes, snapshot: snapshot) }
}
