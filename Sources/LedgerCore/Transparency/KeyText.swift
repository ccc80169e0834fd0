import LedgerCrypto

/// The `name+hex8+base64(type ‖ key)` texts of C2SP signed-note keys, shared by note keys (type 0x01) and
/// cosigner keys (type 0x04).
///
/// The key ID is carried in the text *and* recomputed from the name and key: a mismatch means a typo or a
/// spliced key, and a key whose ID is wrong would silently never match any signature line.
enum KeyText {
    /// Signature type of a plain Ed25519 note signature.
    static let ed25519: UInt8 = 0x01
    /// Signature type of an Ed25519 timestamped cosignature (c2sp.org/tlog-cosignature).
    static let cosignatureV1: UInt8 = 0x04

    /// The first four bytes, big-endian, of SHA-256(name ‖ 0x0A ‖ type ‖ public key).
    static func keyID(name: String, type: UInt8, publicKey: [UInt8]) -> UInt32 {
        var buffer = Array(name.utf8)
        buffer.append(0x0A)
        buffer.append(type)
        buffer.append(contentsOf: publicKey)
        return TextField.bigEndianUInt32(SHA256.hash(buffer).bytes[...])
    }

    /// Refuses a key name that is empty or holds a space or a `+`: no key text or signature line could carry it.
    static func requireValidName(_ name: String) throws(TransparencyError) {
        guard TextField.isValidKeyName(name) else {
            throw TransparencyError(
                .malformedKey, "le nom de clé « \(name) » est vide ou contient une espace ou un « + »")
        }
    }

    /// `name+hex8+base64(type ‖ publicKey)`.
    static func verifierKey(name: String, type: UInt8, publicKey: [UInt8]) -> String {
        let id = keyID(name: name, type: type, publicKey: publicKey)
        return "\(name)+\(TextField.hex(id))+\(Base64.encode([type] + publicKey))"
    }

    /// Parses `name+hex8+base64(type ‖ 32-byte key)`, splitting on the first two `+` only (base64 may contain `+`).
    static func parseVerifierKey(
        _ text: String, type: UInt8
    ) throws(TransparencyError) -> (name: String, keyID: UInt32, publicKey: Ed25519PublicKey) {
        let invalid = TransparencyError(.malformedKey, "la clé de vérification n'a pas la forme nom+hex8+base64")
        guard let (name, rest) = TextField.chop(text[...], UInt8(ascii: "+")),
            let (hex, key64) = TextField.chop(rest, UInt8(ascii: "+")),
            TextField.isValidKeyName(name),
            let id = TextField.keyID(hex: hex),
            let key = Base64.decode(key64), !key.isEmpty
        else { throw invalid }
        guard key[0] == type, key.count == 33 else {
            throw TransparencyError(
                .malformedKey, "la clé de vérification \(name) n'est pas une clé Ed25519 de type \(type)")
        }
        let raw = Array(key.dropFirst())
        guard keyID(name: String(name), type: type, publicKey: raw) == id else {
            throw TransparencyError(
                .malformedKey, "la clé de vérification \(name) porte un identifiant qui ne correspond pas à sa clé")
        }
        let publicKey: Ed25519PublicKey
        do { publicKey = try Ed25519PublicKey(raw: raw) } catch {
            throw TransparencyError(
                .malformedKey, "la clé de vérification \(name) est refusée : \(error.message)", underlying: error)
        }
        return (String(name), id, publicKey)
    }

    /// Parses `PRIVATE+KEY+name+hex8+base64(type ‖ 32-byte seed)`; the key ID is that of the derived public key.
    static func parsePrivateKey(
        _ text: String, type: UInt8
    ) throws(TransparencyError) -> (name: String, privateKey: Ed25519PrivateKey) {
        let invalid = TransparencyError(
            .malformedKey, "la clé privée n'a pas la forme PRIVATE+KEY+nom+hex8+base64")
        guard let (private1, rest1) = TextField.chop(text[...], UInt8(ascii: "+")), private1 == "PRIVATE",
            let (private2, rest2) = TextField.chop(rest1, UInt8(ascii: "+")), private2 == "KEY",
            let (name, rest3) = TextField.chop(rest2, UInt8(ascii: "+")),
            let (hex, key64) = TextField.chop(rest3, UInt8(ascii: "+")),
            TextField.isValidKeyName(name),
            let id = TextField.keyID(hex: hex),
            var key = Base64.decode(key64), !key.isEmpty
        else { throw invalid }
        defer { Secure.cleanse(&key) }
        guard key[0] == type, key.count == 33 else {
            throw TransparencyError(.malformedKey, "la clé privée \(name) n'est pas une clé Ed25519 de type \(type)")
        }
        var seed = Array(key.dropFirst())
        defer { Secure.cleanse(&seed) }
        let privateKey: Ed25519PrivateKey
        do { privateKey = try Ed25519PrivateKey(seed: seed) } catch {
            throw TransparencyError(.malformedKey, "la clé privée \(name) n'est pas une graine Ed25519 valide")
        }
        guard keyID(name: String(name), type: type, publicKey: privateKey.publicKey.raw) == id else {
            throw TransparencyError(
                .malformedKey, "la clé privée \(name) porte un identifiant qui ne correspond pas à sa clé")
        }
        return (String(name), privateKey)
    }

    /// `PRIVATE+KEY+name+hex8+base64(type ‖ seed)`.
    static func privateKey(name: String, type: UInt8, seed: [UInt8]) throws(TransparencyError) -> String {
        try requireValidName(name)
        let privateKey: Ed25519PrivateKey
        do { privateKey = try Ed25519PrivateKey(seed: seed) } catch {
            throw TransparencyError(.malformedKey, "une graine Ed25519 fait 32 octets")
        }
        let id = keyID(name: name, type: type, publicKey: privateKey.publicKey.raw)
        var payload = [type] + seed
        defer { Secure.cleanse(&payload) }
        return "PRIVATE+KEY+\(name)+\(TextField.hex(id))+\(Base64.encode(payload))"
    }
}
