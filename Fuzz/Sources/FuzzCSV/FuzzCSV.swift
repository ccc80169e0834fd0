import FuzzSupport
import GrantDomain
import LedgerCore

/// `import FILE.csv`: the CSV reader and every column's conversion into an application, before any write.
@_cdecl("FuzzCSV_main")
func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    fuzz(argc, argv) { bytes in
        _ = try? GrantOperations.parseApplications(csv: bytes, callID: "15-2021-01")
    }
}
