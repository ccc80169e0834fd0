import FuzzSupport
import GrantDomain
import LedgerCore

/// Arbitrary lines replayed through the real grant verifier: `Entry(line:)`, then `Replayer` with `GrantRules` and
/// the bundled reference data, as `grant-ledger verify` does (signatures aside, which only need OpenSSL).
@_cdecl("FuzzReplay_main")
func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    fuzz(argc, argv) { bytes in
        var replayer = Replayer(domain: GrantRules(reference: FuzzFixtures.reference))
        var outcomes = RuleOutcomes()
        for line in bytes.split(separator: 0x0A, omittingEmptySubsequences: false) {
            do throws(EntryError) {
                _ = replayer.apply(try Entry(line: Array(line)), outcomes: &outcomes)
            } catch {
                replayer.applyUnparseable(line: Array(line), error: error, outcomes: &outcomes)
            }
        }
        replayer.domain.finish(outcomes: &outcomes)
        _ = outcomes.sortedFindings
    }
}
