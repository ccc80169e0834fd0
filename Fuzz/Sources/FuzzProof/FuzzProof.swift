import FuzzSupport
import LedgerCore

/// Proof texts (inclusion and consistency, docs/PROOFS.md §4) as `verify-proof` reads them: the input is split at
/// its first line `--` into the proof and the entry or old checkpoint it is checked with.
@_cdecl("FuzzProof_main")
func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    fuzz(argc, argv) { bytes in
        let separator = Array("\n--\n".utf8)
        var proof = bytes
        var other: [UInt8] = []
        if let cut = (0..<max(0, bytes.count - separator.count + 1)).first(where: {
            bytes[$0..<$0 + separator.count].elementsEqual(separator)
        }) {
            proof = Array(bytes[..<(cut + 1)])
            other = Array(bytes[(cut + separator.count)...])
        }
        _ = try? InclusionProof(parsing: proof)
        _ = try? ConsistencyProof(parsing: proof)
        _ = ProofCheck.header(proof)
        _ = try? ProofCheck.inclusion(proof: proof, entry: other, trust: FuzzFixtures.demoTrust)
        _ = try? ProofCheck.consistency(proof: proof, old: other, trust: FuzzFixtures.demoTrust)
    }
}
