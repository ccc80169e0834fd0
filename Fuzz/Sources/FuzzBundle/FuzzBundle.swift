import FuzzSupport
import GrantDomain
import LedgerCore

/// Decision bundles as `verify-bundle` reads them (docs/PROOFS.md, Decision bundles).
@_cdecl("FuzzBundle_main")
func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    fuzz(argc, argv) { bytes in
        _ = try? DecisionBundle(parsing: bytes)
        if let report = try? BundleVerifier.verify(bytes, trust: FuzzFixtures.demoTrust, reference: FuzzFixtures.reference) {
            _ = report.json
            _ = report.text
        }
    }
}
