import FuzzSupport
import GrantDomain
import LedgerCore

/// The JSON input files: the strict parser, canonical re-encoding, and every payload decoder of docs/EVENTS.md,
/// including the call file's presets (`call publish --file`).
@_cdecl("FuzzJSON_main")
func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    let operations = GrantOperations(
        ledger: Ledger(directory: "/nonexistent-fuzz-ledger", domain: { GrantRules() }),
        reference: FuzzFixtures.reference)
    return fuzz(argc, argv) { bytes in
        guard let value = try? JSONParser.parse(bytes) else { return }
        let canonical = CanonicalJSON.encode(value)
        if let again = try? JSONParser.parse(canonical) {
            precondition(CanonicalJSON.encode(again) == canonical, "canonical JSON is not stable")
        }
        _ = try? operations.callPayload(fromFile: value)
        _ = try? operations.application(fromFile: value)
        _ = try? GrantCall(payload: value)
        _ = try? GrantApplication(payload: value)
        _ = try? ApplicationScore(payload: value)
        _ = try? GrantDecision(payload: value)
        _ = try? GrantPayment(payload: value)
        _ = try? Withdrawal(payload: value, requiresReference: true)
        _ = try? Withdrawal(payload: value, requiresReference: false)
    }
}
