import FuzzSupport
import LedgerCore
import LedgerCrypto

/// Key files and key texts: PEM (SPKI, PKCS#8, encrypted PKCS#8), DER SPKI in base64 as in payloads, and note /
/// cosigner verifier keys.
@_cdecl("FuzzKeys_main")
func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    fuzz(argc, argv) { bytes in
        let text = String(decoding: bytes, as: UTF8.self)
        _ = try? Ed25519PublicKey(pem: text)
        _ = try? Ed25519PublicKey(spkiDER: bytes)
        // A short passphrase keeps each encrypted-key attempt cheap enough to fuzz.
        _ = try? Ed25519PrivateKey(pem: bytes, passphrase: "fuzz")
        _ = try? Ed25519PrivateKey(pem: bytes, passphrase: nil)
        _ = PublicKeyText.decode(text)
        _ = try? NoteVerifier(verifierKey: text)
        _ = try? CosignatureVerifier(verifierKey: text)
    }
}
