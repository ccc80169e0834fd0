import FuzzSupport
import LedgerCore

/// `Entry(line:)`: one line of `ledger.jsonl` (docs/FORMAT.md §2–3). A parsed entry must re-encode to the same bytes.
@_cdecl("FuzzEntry_main")
func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    fuzz(argc, argv) { bytes in
        guard let entry = try? Entry(line: bytes) else { return }
        precondition(entry.line == bytes, "an accepted line is not its own canonical form")
        _ = entry.signedBytes
        _ = entry.hash
    }
}
