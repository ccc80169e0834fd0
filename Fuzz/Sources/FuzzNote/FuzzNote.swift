import FuzzSupport
import LedgerCore

/// Signed notes, checkpoints and cosignatures (C2SP signed-note, tlog-checkpoint, tlog-cosignature).
@_cdecl("FuzzNote_main")
func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    let log = try? NoteVerifier(verifierKey: FuzzFixtures.demoTrust)
    return fuzz(argc, argv) { bytes in
        if let note = try? Note(parsing: bytes) {
            _ = note.formatted
            _ = try? Checkpoint(body: note.text)
            for signature in note.signatures { _ = Cosignature(signature) }
        }
        if let log { _ = try? SignedCheckpoint.open(String(decoding: bytes, as: UTF8.self), log: log) }
        _ = try? Checkpoint(body: String(decoding: bytes, as: UTF8.self))
    }
}
