public import LedgerCrypto

/// Public keys in payloads: standard base64 of the DER SubjectPublicKeyInfo.
public enum PublicKeyText {
    public static func decode(_ text: String) -> Ed25519PublicKey? {
        guard let der = Base64.decodeCanonical(text) else { return nil }
        return try? Ed25519PublicKey(spkiDER: der)
    }

    public static func encode(_ key: Ed25519PublicKey) -> String {
        Base64.encode(key.spkiDER)
    }
}
