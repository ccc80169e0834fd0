import Foundation
import GrantDomain
import GrantPublishing
import Testing

/// The interesting inputs the fuzzers found (docs/FUZZING.md), replayed through the very bodies the fuzz targets
/// run (``FuzzBodies``, shared with Fuzz/): none may crash. `Resources/fuzz/<Target>/` holds each target's kept
/// corpus, minimised with libFuzzer's `-merge=1` from runs of at least ten minutes, and the crashing inputs found.
@Suite("Fuzzing regressions: every kept corpus input goes through its parser without crashing")
struct FuzzRegressionTests {
    static let root = Bundle.module.url(forResource: "Resources/fuzz", withExtension: nil)!

    static let targets = [
        "FuzzEntry", "FuzzReplay", "FuzzJSON", "FuzzCSV", "FuzzKeys", "FuzzNote", "FuzzProof", "FuzzBundle",
        "FuzzStatsCheck", "FuzzIdentifiers",
    ]

    static func inputs(_ target: String) throws -> [(String, [UInt8])] {
        let directory = root.appendingPathComponent(target)
        return try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted().map { name in
            (name, [UInt8](try Data(contentsOf: directory.appendingPathComponent(name))))
        }
    }

    @Test("each target keeps a corpus", arguments: targets)
    func corpusKept(target: String) throws {
        #expect(try Self.inputs(target).count >= 5, "\(target)")
    }

    @Test("every input of every target runs to its end", arguments: targets)
    func replay(target: String) throws {
        let reference = try ReferenceData.shared()
        var snapshot: LedgerSnapshot? = nil
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("fuzz-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        if target == "FuzzStatsCheck" {
            snapshot = try FuzzBodies.statsSnapshot(directory: directory.path, reference: reference)
        }
        for (_, bytes) in try Self.inputs(target) {
            switch target {
            case "FuzzEntry": FuzzBodies.entry(bytes)
            case "FuzzReplay": FuzzBodies.replay(bytes, reference: reference)
            case "FuzzJSON": FuzzBodies.json(bytes, reference: reference)
            case "FuzzCSV": FuzzBodies.csv(bytes)
            case "FuzzKeys": FuzzBodies.keys(bytes)
            case "FuzzNote": FuzzBodies.note(bytes)
            case "FuzzProof": FuzzBodies.proof(bytes)
            case "FuzzBundle": FuzzBodies.bundle(bytes, reference: reference)
            case "FuzzStatsCheck": FuzzBodies.statsCheck(bytes, snapshot: snapshot!)
            case "FuzzIdentifiers": FuzzBodies.identifiers(bytes)
            default: Issue.record("unknown target \(target)")
            }
        }
    }
}
