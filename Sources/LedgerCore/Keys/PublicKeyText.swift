public import LedgerCrypto

/// Public keys in payloads: standard base64 of the DER SubjectPublicKeyInfo (docs/FORMAT.md §4).
///
/// Reading one applies every rule of FORMAT §4: canonical base64, the canonical 44-byte DER, and a point
/// ``Ed25519PublicKey`` accepts (not small-order, not non-canonical, in the prime-order subgroup). `ledger.created`,
/// `key.registered`, the append-time checks and `verify` all read keys here, so they refuse the same keys.
public enum PublicKeyText {
    /// The key `text` holds, or why it is refused (one French sentence).
    public static func read(_ text: String) -> Result<Ed25519PublicKey, KeyError> {
        guard let der = Base64.decodeCanonical(text) else {
            return .failure(KeyError(.malformed, "la clé publique n'est pas en base64 standard avec remplissage"))
        }
        do throws(KeyError) {
            return .success(try Ed25519PublicKey(spkiDER: der))
        } catch {
            if error.code == .unsafePublicKey { return .failure(error) }
            return .failure(
                KeyError(
                    .malformed,
                    "la clé publique n'est pas le base64 d'une SubjectPublicKeyInfo DER Ed25519 de 44 octets"))
        }
    }

    /// The key `text` holds, or nil when it is refused (``read(_:)`` says why).
    public static func decode(_ text: String) -> Ed25519PublicKey? {
        try? read(text).get()
    }

    /// Why `text` is refused, in one French sentence; empty when it is an acceptable key.
    public static func problem(_ text: String) -> String {
        switch read(text) {
        case .success: return ""
        case .failure(let error): return error.message
        }
    }

    public static func encode(_ key: Ed25519PublicKey) -> String {
        Base64.encode(key.spkiDER)
    }
}
