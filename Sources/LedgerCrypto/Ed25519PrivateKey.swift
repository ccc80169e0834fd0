import COpenSSL

/// An Ed25519 private key held by OpenSSL.
///
/// Sharing one instance across threads is sound: the `EVP_PKEY` is never mutated after creation, and every
/// signature uses its own fresh `EVP_MD_CTX`. OpenSSL cleanses the key material when the key is freed; the
/// PEM and seed buffers this type handles are cleansed with `OPENSSL_cleanse` after use.
public final class Ed25519PrivateKey: @unchecked Sendable {
    let pkey: OpaquePointer

    /// The matching public key.
    public let publicKey: Ed25519PublicKey

    private init(owning pkey: OpaquePointer) throws(KeyError) {
        guard EVP_PKEY_get_id(pkey) == EVP_PKEY_ED25519 else {
            EVP_PKEY_free(pkey)
            throw KeyError(.notEd25519, "la clé privée n'est pas une clé Ed25519")
        }
        self.pkey = pkey
        var raw = [UInt8](repeating: 0, count: 32)
        var length = 32
        guard EVP_PKEY_get_raw_public_key(pkey, &raw, &length) == 1 else {
            EVP_PKEY_free(pkey)
            throw KeyError(drainingOpenSSL: "dérivant la clé publique")
        }
        do {
            // A key derived from a seed is [s]B, always in the prime-order subgroup: this cannot fail, but if it
            // ever did, no key whose signatures anyone could forge would leave this initialiser.
            self.publicKey = try Ed25519PublicKey(raw: raw)
        } catch {
            EVP_PKEY_free(pkey)
            throw error
        }
    }

    deinit {
        EVP_PKEY_free(pkey)
    }

    /// Generates a new key from OpenSSL's CSPRNG.
    public static func generate() throws(KeyError) -> Ed25519PrivateKey {
        guard let pkey = grantledger_ed25519_generate() else {
            throw KeyError(drainingOpenSSL: "générant une clé Ed25519")
        }
        return try Ed25519PrivateKey(owning: pkey)
    }

    /// Creates the key whose RFC 8032 32-byte seed is `seed`. The caller should cleanse its seed afterwards.
    public convenience init(seed: [UInt8]) throws(KeyError) {
        guard seed.count == 32 else {
            throw KeyError(.malformed, "une graine Ed25519 fait 32 octets, et non \(seed.count)")
        }
        let pkey = seed.withUnsafeBufferPointer {
            EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nil, $0.baseAddress, 32)
        }
        guard let pkey else { throw KeyError(drainingOpenSSL: "important la graine") }
        try self.init(owning: pkey)
    }

    /// Reads a PKCS#8 PEM private key, encrypted (`ENCRYPTED PRIVATE KEY`) or not.
    ///
    /// - Parameter passphrase: needed for an encrypted key; ignored otherwise.
    public convenience init(pem: [UInt8], passphrase: String?) throws(KeyError) {
        var pem = pem
        defer { Secure.cleanse(&pem) }
        let text = String(decoding: pem, as: UTF8.self)
        guard text.contains("-----BEGIN") else {
            throw KeyError(.malformed, "le fichier n'est pas une clé privée PEM")
        }
        guard !text.contains("PUBLIC KEY-----") || text.contains("PRIVATE KEY-----") else {
            throw KeyError(.malformed, "le fichier contient une clé publique, pas une clé privée")
        }
        let encrypted = text.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----")
        if encrypted && passphrase == nil {
            throw KeyError(.passphraseNeeded, "la clé privée est chiffrée et aucune phrase secrète n'a été donnée")
        }
        // An explicit callback that only ever hands over `u`: with a NULL callback, some damaged encrypted keys made
        // OpenSSL fall back to prompting on the terminal (found by fuzzing, docs/FUZZING.md), which would block a
        // process that has no one to answer.
        var secret = Array((encrypted ? passphrase! : "").utf8CString)
        defer { Secure.cleanse(&secret) }
        let pkey: OpaquePointer? = withMemoryBIO(pem) { bio in
            secret.withUnsafeMutableBufferPointer { buffer in
                PEM_read_bio_PrivateKey(
                    bio, nil,
                    { output, size, _, user in
                        guard let output, let user, size > 0 else { return -1 }
                        // `user` is the NUL-terminated passphrase: copy at most `size` bytes of it, without the NUL.
                        let source = user.assumingMemoryBound(to: CChar.self)
                        var length = 0
                        while length < Int(size) && source[length] != 0 { length += 1 }
                        output.update(from: source, count: length)
                        return Int32(length)
                    }, buffer.baseAddress)
            }
        }
        guard let pkey else {
            let error = OpenSSLError.drain("lisant la clé privée")
            if encrypted {
                throw KeyError(.wrongPassphrase, "la phrase secrète ne déchiffre pas la clé privée", underlying: error)
            }
            throw KeyError(
                .malformed, "le fichier n'est pas une clé privée PEM valide (\(error.reasons.first ?? "illisible"))",
                underlying: error)
        }
        try self.init(owning: pkey)
    }

    /// The key as PKCS#8 PEM, encrypted with AES-256-CBC (PBES2, scrypt-free default KDF) when `passphrase` is given.
    public func pkcs8PEM(passphrase: String?) throws(KeyError) -> [UInt8] {
        do throws(OpenSSLError) {
            if let passphrase {
                var secret = Array(passphrase.utf8)
                defer { Secure.cleanse(&secret) }
                return try withNewMemoryBIO { bio in
                    secret.withUnsafeMutableBufferPointer { buffer in
                        buffer.withMemoryRebound(to: CChar.self) { chars in
                            PEM_write_bio_PKCS8PrivateKey(
                                bio, pkey, EVP_aes_256_cbc(), chars.baseAddress, Int32(chars.count), nil, nil
                            ) == 1
                        }
                    }
                }
            }
            return try withNewMemoryBIO { bio in
                PEM_write_bio_PKCS8PrivateKey(bio, pkey, nil, nil, 0, nil, nil) == 1
            }
        } catch {
            throw KeyError(.openSSL, error.message, underlying: error)
        }
    }

    /// Signs `message` with one-shot `EVP_DigestSign` (NULL digest): 64 bytes, deterministic (RFC 8032).
    public func signature(for message: UnsafeRawBufferPointer) throws(KeyError) -> [UInt8] {
        guard let ctx = EVP_MD_CTX_new() else { throw KeyError(drainingOpenSSL: "signant") }
        defer { EVP_MD_CTX_free(ctx) }
        guard EVP_DigestSignInit(ctx, nil, nil, nil, pkey) == 1 else {
            throw KeyError(drainingOpenSSL: "commençant une signature")
        }
        var signature = [UInt8](repeating: 0, count: 64)
        var length = 64
        let ok = EVP_DigestSign(
            ctx, &signature, &length, message.baseAddress?.assumingMemoryBound(to: UInt8.self), message.count
        )
        guard ok == 1, length == 64 else { throw KeyError(drainingOpenSSL: "signant") }
        return signature
    }

    /// Signs `message`.
    public func signature(for message: [UInt8]) throws(KeyError) -> [UInt8] {
        let result = message.withUnsafeBytes { buffer in
            Result { () throws(KeyError) -> [UInt8] in try signature(for: buffer) }
        }
        return try result.get()
    }
}

/// The errors of reading, writing and using keys.
public enum KeyFailure: ErrorDomain {}

/// Why a key could not be read, written or used.
public typealias KeyError = CodedError<KeyFailure>

extension ErrorCode where Domain == KeyFailure {
    /// Not a key in the expected encoding.
    public static let malformed = Self("malformed")
    /// A key of another algorithm.
    public static let notEd25519 = Self("notEd25519")
    /// An encrypted private key and no passphrase.
    public static let passphraseNeeded = Self("passphraseNeeded")
    /// The passphrase does not decrypt the key.
    public static let wrongPassphrase = Self("wrongPassphrase")
    /// OpenSSL failed (the cause is the ``OpenSSLError``).
    public static let openSSL = Self("openSSL")
    /// A public key docs/FORMAT.md §4 refuses (see ``Ed25519PublicKey/Rejection``).
    public static let unsafePublicKey = Self("unsafePublicKey")
}

extension CodedError where Domain == KeyFailure {
    /// A key error caused by OpenSSL: the calling thread's OpenSSL error queue, drained, is its cause.
    init(_ code: Code = .openSSL, drainingOpenSSL operation: String) {
        let cause = OpenSSLError.drain(operation)
        self.init(code, cause.message, underlying: cause)
    }
}

/// Wiping secrets from memory.
public enum Secure {
    /// Overwrites the buffer with zeros in a way the compiler cannot elide (`OPENSSL_cleanse`).
    public static func cleanse<T>(_ bytes: inout [T]) {
        bytes.withUnsafeMutableBytes { raw in
            if let base = raw.baseAddress { OPENSSL_cleanse(base, raw.count) }
        }
    }
}
