public import LedgerCrypto

/// Reading and writing key files: private keys as PKCS#8 PEM with mode 0600, public keys as SPKI PEM.
public enum KeyFiles {
    /// The most an input file (or standard input) may hold.
    public static let inputLimit = 16 << 20

    /// Reads a whole file, with a one-sentence error naming it: a regular file, a pipe, `/dev/stdin` or a process
    /// substitution alike (read to its end, never sized by `fstat`), at most ``inputLimit`` bytes.
    public static func read(_ path: String) throws(LedgerError) -> [UInt8] {
        let fd: Int32
        do throws(LedgerError) {
            fd = try FileIO.openUserFile(path, Platform.readOnly)
        } catch {
            throw LedgerError(
                .badInput, "impossible de lire \(path) : \(error.code == .notFound ? "fichier absent" : error.message)",
                underlying: error)
        }
        defer { Platform.close(fd) }
        return try FileIO.readToEnd(fd, limit: inputLimit, path: path)
    }

    /// Reads standard input to its end, at most ``inputLimit`` bytes.
    public static func readStandardInput() throws(LedgerError) -> [UInt8] {
        try FileIO.readToEnd(0, limit: inputLimit, path: "l'entrée standard")
    }

    /// Writes a file that must not exist yet, durably, with `mode`.
    public static func writeNew(_ path: String, _ bytes: [UInt8], mode: UInt32) throws(LedgerError) {
        let fd: Int32
        do throws(LedgerError) {
            fd = try FileIO.openUserFile(
                path, Platform.writeOnly | Platform.create | Platform.exclusive, mode: Platform.FileMode(mode))
        } catch {
            throw LedgerError(
                .badInput,
                error.code == .alreadyExists
                    ? "\(path) existe déjà ; choisissez un autre nom (rien n'a été écrasé)" : error.message)
        }
        defer { Platform.close(fd) }
        // The umask may have narrowed the mode; private keys must be exactly 0600.
        Platform.setMode(fd, Platform.FileMode(mode))
        try FileIO.writeAll(fd, bytes, path: path)
        try FileIO.fsync(fd, path: path)
    }

    /// Writes `FILE` (private, 0600) and `FILE.pub.pem` (public, 0644) for a key.
    public static func writeKeyPair(_ key: Ed25519PrivateKey, to path: String, passphrase: String?) throws(LedgerError)
    {
        var pem: [UInt8]
        do throws(KeyError) { pem = try key.pkcs8PEM(passphrase: passphrase) } catch {
            throw LedgerError(.key, error.message, underlying: error)
        }
        defer { Secure.cleanse(&pem) }
        let publicPath = publicKeyPath(for: path)
        if FileIO.exists(publicPath) {
            throw LedgerError(.badInput, "\(publicPath) existe déjà ; choisissez un autre nom (rien n'a été écrasé)")
        }
        try writeNew(path, pem, mode: 0o600)
        try writeNew(publicPath, Array(key.publicKey.pem.utf8), mode: 0o644)
    }

    /// `FILE.pub.pem` beside the private key `FILE` (a trailing `.pem` is replaced).
    public static func publicKeyPath(for path: String) -> String {
        (path.hasSuffix(".pem") ? String(path.dropLast(4)) : path) + ".pub.pem"
    }

    /// Loads a private key; `passphrase` is asked for only when the file is encrypted.
    public static func loadPrivateKey(_ path: String, passphrase: () throws(LedgerError) -> String?) throws(LedgerError)
        -> Ed25519PrivateKey
    {
        var bytes = try read(path)
        defer { Secure.cleanse(&bytes) }
        let encrypted = String(decoding: bytes, as: UTF8.self).contains("-----BEGIN ENCRYPTED PRIVATE KEY-----")
        let secret = encrypted ? try passphrase() : nil
        do throws(KeyError) {
            return try Ed25519PrivateKey(pem: bytes, passphrase: secret)
        } catch {
            switch error.code {
            case .passphraseNeeded:
                throw LedgerError(
                    .key, "\(path) est chiffré : donnez sa phrase secrète à l'invite ou dans GRANT_LEDGER_PASSPHRASE")
            case .wrongPassphrase:
                throw LedgerError(.key, "la phrase secrète ne déchiffre pas \(path)")
            default:
                throw LedgerError(.key, "\(path): \(error.message)", underlying: error)
            }
        }
    }

    /// Loads a public key from SPKI PEM, or derives it from a private key file that is not encrypted.
    public static func loadPublicKey(_ path: String) throws(LedgerError) -> Ed25519PublicKey {
        let bytes = try read(path)
        let text = String(decoding: bytes, as: UTF8.self)
        if text.contains("-----BEGIN PUBLIC KEY-----") {
            do throws(KeyError) { return try Ed25519PublicKey(pem: text) } catch {
                throw LedgerError(
                    .key,
                    error.code == .unsafePublicKey
                        ? "\(path) : \(error.message)"
                        : "\(path) n'est pas une clé publique Ed25519 lisible (\(error.message))")
            }
        }
        if text.contains("PRIVATE KEY-----") {
            return try loadPrivateKey(
                path,
                passphrase: { () throws(LedgerError) -> String? in
                    throw LedgerError(.key, "\(path) est une clé privée chiffrée ; donnez plutôt son fichier .pub.pem")
                }
            ).publicKey
        }
        throw LedgerError(.key, "\(path) n'est pas un fichier de clé PEM")
    }
}
