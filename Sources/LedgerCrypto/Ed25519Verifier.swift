import COpenSSL

/// Checks many Ed25519 signatures on one thread, reusing one initialised `EVP_MD_CTX` per key.
///
/// `EVP_DigestVerifyInit` allocates and sets up a key context; for a log signed by a few dozen keys, doing it
/// once per key instead of once per signature is what lets verification approach `openssl speed ed25519`
/// (which also initialises once). Not `Sendable`: use one per thread. After a failed check the context is
/// discarded, so an error state never carries over.
public final class Ed25519Verifier {
    private var contexts: [ObjectIdentifier: OpaquePointer] = [:]
    /// Keeps every key whose context is cached alive as long as the context.
    private var keys: [ObjectIdentifier: Ed25519PublicKey] = [:]

    public init() {}

    deinit {
        for context in contexts.values { EVP_MD_CTX_free(context) }
    }

    /// Whether `signature` is a valid Ed25519 signature of `message` by `key` (one-shot `EVP_DigestVerify`).
    public func isValidSignature(_ signature: [UInt8], for message: [UInt8], key: Ed25519PublicKey) -> Bool {
        guard signature.count == 64 else { return false }
        let id = ObjectIdentifier(key)
        let context: OpaquePointer
        if let cached = contexts[id] {
            context = cached
        } else {
            guard let fresh = EVP_MD_CTX_new() else {
                OpenSSLError.clearQueue()
                return false
            }
            guard EVP_DigestVerifyInit(fresh, nil, nil, nil, key.pkey) == 1 else {
                EVP_MD_CTX_free(fresh)
                OpenSSLError.clearQueue()
                return false
            }
            contexts[id] = fresh
            keys[id] = key
            context = fresh
        }
        let result = signature.withUnsafeBufferPointer { sig in
            message.withUnsafeBufferPointer { msg in
                EVP_DigestVerify(context, sig.baseAddress, 64, msg.baseAddress, msg.count)
            }
        }
        if result != 1 {
            OpenSSLError.clearQueue()
            EVP_MD_CTX_free(context)
            contexts[id] = nil
            keys[id] = nil
        }
        return result == 1
    }
}
