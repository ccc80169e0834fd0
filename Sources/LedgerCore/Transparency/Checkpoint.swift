public import LedgerCrypto

/// A C2SP checkpoint body (c2sp.org/tlog-checkpoint): the log's origin, tree size and RFC 6962 root, plus optional
/// extension lines.
///
/// ```
/// example.com/behind-the-sofa
/// 20852163
/// CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=
/// ```
/// The body is what the log and its cosigners sign, so it has exactly one spelling: decimal size without leading
/// zeros, standard padded base64 root, `\n` after every line. ``init(body:)`` refuses any other spelling rather
/// than normalising it, because a normalised body would no longer match its signatures. The origin should be a
/// schema-less URL without spaces or `+` (it doubles as the log's key name, and ``SignedCheckpoint`` requires the
/// signing key's name to equal it), but parsing accepts any non-empty origin as the spec does, so older
/// checkpoints such as sum.golang.org's `go.sum database tree` still read. Signing and verification:
/// ``SignedCheckpoint``.
public struct Checkpoint: Sendable, Hashable {
    /// The log's identity, e.g. `grants.example.org/ledger`; also the name of the log's signing key.
    public let origin: String
    /// The number of leaves.
    public let size: UInt64
    /// The RFC 6962 root of the first `size` leaves.
    public let rootHash: Digest
    /// Extension lines after the root, without their `\n` (not recommended by the spec; carried verbatim).
    public let extensions: [String]

    /// Creates a checkpoint, refusing fields that cannot be written unambiguously.
    public init(origin: String, size: UInt64, rootHash: Digest, extensions: [String] = []) throws(TransparencyError) {
        guard !origin.isEmpty, !origin.utf8.contains(where: { $0 < 0x20 }) else {
            throw TransparencyError(
                .malformedCheckpoint, "l'origine du point de contrôle est vide ou contient un caractère de contrôle")
        }
        for line in extensions {
            guard !line.isEmpty, !line.utf8.contains(where: { $0 < 0x20 }) else {
                throw TransparencyError(
                    .malformedCheckpoint,
                    "une ligne d'extension du point de contrôle est vide ou contient un caractère de contrôle")
            }
        }
        self.origin = origin
        self.size = size
        self.rootHash = rootHash
        self.extensions = extensions
    }

    /// Parses a checkpoint body (a signed note's text), byte-exact.
    public init(body: String) throws(TransparencyError) {
        guard body.utf8.last == 0x0A else {
            throw TransparencyError(
                .malformedCheckpoint, "le corps du point de contrôle doit finir par un saut de ligne")
        }
        let lines = body.utf8.split(separator: 0x0A, omittingEmptySubsequences: false).dropLast()
            .map { String(Substring($0)) }
        guard lines.count >= 3 else {
            throw TransparencyError(
                .malformedCheckpoint, "un point de contrôle a au moins trois lignes : origine, taille, racine")
        }
        guard let size = TextField.decimal(lines[1]) else {
            throw TransparencyError(
                .malformedCheckpoint,
                "la taille du point de contrôle « \(lines[1]) » n'est pas un décimal sans zéro initial")
        }
        guard let rootBytes = Base64.decode(lines[2]), let root = Digest(bytes: rootBytes) else {
            throw TransparencyError(
                .malformedCheckpoint, "la racine du point de contrôle n'est pas le base64 avec remplissage de 32 octets"
            )
        }
        try self.init(origin: lines[0], size: size, rootHash: root, extensions: Array(lines[3...]))
    }

    /// The body: `origin\nsize\nbase64(root)\n` then each extension line and `\n`.
    public var body: String {
        var text = "\(origin)\n\(size)\n\(Base64.encode(rootHash.bytes))\n"
        for line in extensions { text += line + "\n" }
        return text
    }
}
