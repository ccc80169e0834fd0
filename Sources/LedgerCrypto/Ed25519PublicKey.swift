import COpenSSL

/// An Ed25519 public key held by OpenSSL (RFC 8032), with its GrantLedger key id.
///
/// Every initialiser refuses the keys docs/FORMAT.md §4 refuses (non-canonical encodings, points off the curve,
/// small-order points and points with a small-order component; see ``rejection(ofRaw:)``), so an instance is
/// always a key whose signatures only its private key can make.
///
/// Sharing one instance across threads is sound: the `EVP_PKEY` is never mutated after creation, and every
/// verification uses its own fresh `EVP_MD_CTX`.
public final class Ed25519PublicKey: @unchecked Sendable, Hashable {
    let pkey: OpaquePointer

    /// The DER SubjectPublicKeyInfo (44 bytes for Ed25519).
    public let spkiDER: [UInt8]

    /// Lowercase hex SHA-256 of `spkiDER`: what `openssl pkey -pubout -outform DER | sha256sum` prints.
    public let keyID: String

    /// The DER SubjectPublicKeyInfo of every Ed25519 key is these 12 bytes followed by the 32-byte raw key
    /// (RFC 8410 §4): SEQUENCE { SEQUENCE { OID 1.3.101.112 }, BIT STRING }.
    public static let spkiPrefix: [UInt8] = [0x30, 0x2A, 0x30, 0x05, 0x06, 0x03, 0x2B, 0x65, 0x70, 0x03, 0x21, 0x00]

    /// Takes ownership of `pkey` (freed on failure) after checking that it is an acceptable Ed25519 key.
    init(owning pkey: OpaquePointer) throws(KeyError) {
        guard EVP_PKEY_get_id(pkey) == EVP_PKEY_ED25519 else {
            EVP_PKEY_free(pkey)
            throw KeyError(.notEd25519, "la clé n'est pas une clé Ed25519")
        }
        var raw = [UInt8](repeating: 0, count: 32)
        var length = 32
        guard EVP_PKEY_get_raw_public_key(pkey, &raw, &length) == 1, length == 32 else {
            EVP_PKEY_free(pkey)
            throw KeyError(drainingOpenSSL: "lisant la clé publique brute")
        }
        // OpenSSL keeps the 32 bytes as they are: the point is judged here (docs/FORMAT.md §4).
        if let rejection = Ed25519PublicKey.rejection(ofRaw: raw) {
            EVP_PKEY_free(pkey)
            throw KeyError(.unsafePublicKey, rejection.message)
        }
        self.pkey = pkey
        // Building the DER from the fixed prefix is exact for Ed25519 and avoids OpenSSL's generic encoder,
        // which dominated key loading when replaying a log.
        self.spkiDER = Ed25519PublicKey.spkiPrefix + raw
        self.keyID = SHA256.hash(spkiDER).hex
    }

    deinit {
        EVP_PKEY_free(pkey)
    }

    /// Reads a DER SubjectPublicKeyInfo.
    ///
    /// - Throws: ``KeyError`` `.unsafePublicKey` for a key docs/FORMAT.md §4 refuses, `.malformed` or `.openSSL`
    ///   for bytes that are not an Ed25519 SubjectPublicKeyInfo in canonical DER.
    public convenience init(spkiDER: [UInt8]) throws(KeyError) {
        // The only canonical DER of an Ed25519 SubjectPublicKeyInfo is prefix ‖ raw key: take the fast path,
        // and leave anything else to OpenSSL's decoder, whose result must then re-encode to the same bytes.
        if spkiDER.count == 44 && spkiDER.starts(with: Ed25519PublicKey.spkiPrefix) {
            try self.init(raw: Array(spkiDER[12...]))
            return
        }
        let pkey: OpaquePointer? = spkiDER.withUnsafeBufferPointer { buffer in
            var cursor: UnsafePointer<UInt8>? = buffer.baseAddress
            return d2i_PUBKEY(nil, &cursor, buffer.count)
        }
        guard let pkey else {
            throw KeyError(.malformed, drainingOpenSSL: "lisant la clé publique DER")
        }
        try self.init(owning: pkey)
        // Reject trailing bytes and non-canonical encodings: the key id must be a function of the key.
        guard self.spkiDER == spkiDER else {
            throw KeyError(.malformed, "l'encodage DER de la clé publique n'est pas canonique")
        }
    }

    /// Reads a PEM `PUBLIC KEY` block (SPKI).
    public convenience init(pem: String) throws(KeyError) {
        // A public key has no passphrase: a callback that refuses, so that OpenSSL never prompts on the terminal when
        // the PEM holds an encrypted block (found by fuzzing, docs/FUZZING.md).
        let pkey: OpaquePointer? = withMemoryBIO(Array(pem.utf8)) { bio in
            PEM_read_bio_PUBKEY(bio, nil, { _, _, _, _ in -1 }, nil)
        }
        guard let pkey else {
            throw KeyError(.malformed, drainingOpenSSL: "lisant la clé publique PEM")
        }
        try self.init(owning: pkey)
    }

    /// Wraps a raw 32-byte Ed25519 public key (RFC 8032 encoding).
    public convenience init(raw: [UInt8]) throws(KeyError) {
        guard raw.count == 32 else {
            throw KeyError(.malformed, "une clé publique Ed25519 fait 32 octets, pas \(raw.count)")
        }
        let pkey = raw.withUnsafeBufferPointer {
            EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nil, $0.baseAddress, 32)
        }
        guard let pkey else { throw KeyError(drainingOpenSSL: "lisant la clé publique brute") }
        try self.init(owning: pkey)
    }

    /// The raw 32-byte public key.
    public var raw: [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        var length = 32
        _ = EVP_PKEY_get_raw_public_key(pkey, &out, &length)
        return out
    }

    /// The key as a PEM `PUBLIC KEY` block.
    public var pem: String {
        let bytes = try? withNewMemoryBIO { bio in
            PEM_write_bio_PUBKEY(bio, pkey) == 1
        }
        return String(decoding: bytes ?? [], as: UTF8.self)
    }

    /// Checks an Ed25519 signature over `message` with one-shot `EVP_DigestVerify` (NULL digest).
    public func isValidSignature(_ signature: some Collection<UInt8>, for message: UnsafeRawBufferPointer) -> Bool {
        guard signature.count == 64 else { return false }
        guard let ctx = EVP_MD_CTX_new() else {
            OpenSSLError.clearQueue()
            return false
        }
        defer { EVP_MD_CTX_free(ctx) }
        guard EVP_DigestVerifyInit(ctx, nil, nil, nil, pkey) == 1 else {
            OpenSSLError.clearQueue()
            return false
        }
        let sig = Array(signature)
        let result = sig.withUnsafeBufferPointer { sigBuffer in
            EVP_DigestVerify(
                ctx, sigBuffer.baseAddress, 64,
                message.baseAddress?.assumingMemoryBound(to: UInt8.self), message.count
            )
        }
        if result != 1 { OpenSSLError.clearQueue() }
        return result == 1
    }

    /// Checks an Ed25519 signature over `message`.
    public func isValidSignature(_ signature: some Collection<UInt8>, for message: [UInt8]) -> Bool {
        message.withUnsafeBytes { isValidSignature(signature, for: $0) }
    }

    public static func == (lhs: Ed25519PublicKey, rhs: Ed25519PublicKey) -> Bool {
        lhs.spkiDER == rhs.spkiDER
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(spkiDER)
    }
}

/// Runs `body` with a read-only memory BIO over `bytes`.
func withMemoryBIO<T>(_ bytes: [UInt8], _ body: (OpaquePointer) -> T?) -> T? {
    bytes.withUnsafeBytes { raw -> T? in
        guard let bio = BIO_new_mem_buf(raw.baseAddress, Int32(raw.count)) else { return nil }
        defer { BIO_free(bio) }
        return body(bio)
    }
}

/// Runs `body` with a fresh writable memory BIO and returns what it wrote, or throws if `body` fails.
func withNewMemoryBIO(_ body: (OpaquePointer) -> Bool) throws(OpenSSLError) -> [UInt8] {
    guard let bio = BIO_new(BIO_s_mem()) else { throw OpenSSLError.drain("allouant un tampon mémoire") }
    defer { BIO_free(bio) }
    guard body(bio) else { throw OpenSSLError.drain("écrivant le PEM") }
    var data: UnsafeMutablePointer<CChar>? = nil
    let length = grantledger_bio_get_mem_data(bio, &data)
    guard length > 0, let data else { return [] }
    return data.withMemoryRebound(to: UInt8.self, capacity: length) {
        Array(UnsafeBufferPointer(start: $0, count: length))
    }
}
