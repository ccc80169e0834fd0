public import LedgerCrypto

/// What a verifier remembers about one log between runs, outside the ledger directory (docs/PROOFS.md §10): the
/// largest tree it verified completely and the latest signed checkpoint it verified.
///
/// Anyone who can rewrite a ledger directory can also replace or delete its `checkpoints/`, so the directory cannot
/// vouch for its own past. Like Go's checksum-database client (which keeps the latest tree it verified per server),
/// `grant-ledger verify` keeps this state per log origin, and a log that is shorter than it, or whose root at its
/// size differs, fails `TLOG-HISTORY`.
///
/// The file is one line of RFC 8785 canonical JSON and `\n`, parsed strictly:
/// ```
/// {"checkpoint":"<signed checkpoint>"|null,"format":"grantledger/verifier-state@v1","head_hash":"<hex>",
///  "origin":"<origin>","root":"<base64>","size":<entries>,"verified_at":"<RFC 3339>"}
/// ```
public struct VerifierState: Sendable, Hashable {
    public static let format = "grantledger/verifier-state@v1"
    /// A state file is a few hundred bytes; anything much larger is not one.
    static let maximumBytes = 64 << 10

    /// The log's origin (`ledger.created`).
    public let origin: String
    /// How many entries were verified.
    public let size: UInt64
    /// The RFC 6962 root of those entries.
    public let root: Digest
    /// The hash of the last of them (FORMAT §3), for the person reading the state.
    public let headHash: Digest
    /// When they were verified.
    public let verifiedAt: Timestamp
    /// The largest signed checkpoint verified for this origin, verbatim (cosignatures included), if any.
    public let checkpoint: String?

    public init(
        origin: String, size: UInt64, root: Digest, headHash: Digest, verifiedAt: Timestamp, checkpoint: String?
    ) {
        self.origin = origin
        self.size = size
        self.root = root
        self.headHash = headHash
        self.verifiedAt = verifiedAt
        self.checkpoint = checkpoint
    }

    /// The file's bytes.
    public var bytes: [UInt8] {
        let object: JSONValue = [
            "format": .string(Self.format), "origin": .string(origin), "size": .integer(Int64(clamping: size)),
            "root": .string(Base64.encode(root.bytes)), "head_hash": .string(headHash.hex),
            "verified_at": .string(verifiedAt.description), "checkpoint": checkpoint.map { .string($0) } ?? .null,
        ]
        return CanonicalJSON.encode(object) + [0x0A]
    }

    /// Parses a state file.
    ///
    /// - Throws: `.badInput` naming `path` when the bytes are not exactly a state of this format.
    public init(parsing bytes: [UInt8], path: String) throws(LedgerError) {
        func refuse(_ why: String) -> LedgerError {
            LedgerError(
                .badInput,
                "\(path) n'est pas un état de vérificateur lisible (\(why)) ; supprimez-le pour repartir de zéro")
        }
        guard bytes.last == 0x0A else { throw refuse("il doit finir par un saut de ligne") }
        let body = Array(bytes.dropLast())
        let value: JSONValue
        do { value = try JSONParser.parse(body) } catch { throw refuse(error.description) }
        guard CanonicalJSON.encode(value) == body, let members = value.objectValue,
            Set(members.keys) == ["format", "origin", "size", "root", "head_hash", "verified_at", "checkpoint"],
            members["format"]?.stringValue == Self.format
        else { throw refuse("format \(Self.format) attendu") }
        guard let origin = members["origin"]?.stringValue, Origin.isValid(origin),
            let size = members["size"]?.integerValue, size >= 0,
            let rootText = members["root"]?.stringValue, let rootBytes = Base64.decodeCanonical(rootText),
            let root = Digest(bytes: rootBytes),
            let headText = members["head_hash"]?.stringValue, let head = Digest(hex: headText),
            let timeText = members["verified_at"]?.stringValue, let time = Timestamp(rfc3339: timeText)
        else { throw refuse("un membre est absent ou mal formé") }
        let checkpoint: String?
        switch members["checkpoint"] {
        case .some(.null): checkpoint = nil
        case .some(.string(let text)): checkpoint = text
        default: throw refuse("le point de contrôle doit être un texte ou null")
        }
        self.init(
            origin: origin, size: UInt64(size), root: root, headHash: head, verifiedAt: time, checkpoint: checkpoint)
    }
}

/// The per-user directory where `verify` keeps a ``VerifierState`` per log origin: `<directory>/logs/<origin>.json`.
///
/// ```swift
/// let states = VerifierStateDirectory(path: VerifierStateDirectory.defaultPath(environment: env)!)
/// let known = try states.load(origin: "grants.example.gouv.fr/log")
/// ```
public struct VerifierStateDirectory: Sendable {
    /// The environment variable that overrides the default directory.
    public static let environmentVariable = "GRANT_LEDGER_STATE_DIR"

    public let path: String

    public init(path: String) {
        self.path = path
    }

    /// `$GRANT_LEDGER_STATE_DIR`, else `$XDG_STATE_HOME/grant-ledger`, else `$HOME/.local/state/grant-ledger`
    /// (the XDG Base Directory specification; a relative `XDG_STATE_HOME` is ignored, as it requires); nil when none
    /// applies.
    public static func defaultPath(environment: [String: String]) -> String? {
        if let explicit = environment[environmentVariable], !explicit.isEmpty { return explicit }
        if let xdg = environment["XDG_STATE_HOME"], xdg.hasPrefix("/") { return xdg + "/grant-ledger" }
        if let home = environment["HOME"], home.hasPrefix("/") { return home + "/.local/state/grant-ledger" }
        return nil
    }

    /// The state file of `origin`: its bytes outside `[A-Za-z0-9._-]` written `%XX`, or `sha256-<hex>` when that
    /// would be longer than a file name may be.
    public func filePath(origin: String) -> String {
        var name = ""
        for byte in origin.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "-"):
                name.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                name += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            }
        }
        if name.utf8.count > 200 || name.hasPrefix(".") { name = "sha256-" + SHA256.hash(Array(origin.utf8)).hex }
        return path + "/logs/" + name + ".json"
    }

    /// The state kept for `origin`, nil when this verifier never verified it.
    public func load(origin: String) throws(LedgerError) -> VerifierState? {
        let file = filePath(origin: origin)
        guard let bytes = try PrivateStateFile.contents(of: file, maximumBytes: VerifierState.maximumBytes) else {
            return nil
        }
        let state = try VerifierState(parsing: bytes, path: file)
        guard state.origin == origin else {
            throw LedgerError(.badInput, "\(file) est l'état du registre \(state.origin), pas de \(origin)")
        }
        return state
    }

    /// Replaces the state of `new.origin` with `new`, unless another verifier changed it since `previous` was read
    /// (then the file is left alone: it was not proven consistent with this log). Returns whether it wrote.
    @discardableResult
    public func save(_ new: VerifierState, replacing previous: VerifierState?) throws(LedgerError) -> Bool {
        try PrivateStateFile.makeDirectory(path + "/logs")
        let file = filePath(origin: new.origin)
        return try PrivateStateFile.withLock(file + ".lock") { () throws(LedgerError) -> Bool in
            let current = try PrivateStateFile.contents(of: file, maximumBytes: VerifierState.maximumBytes)
            guard current == previous?.bytes else { return false }
            try PrivateStateFile.replace(file, with: new.bytes)
            return true
        }
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        String(repeating: "0", count: max(0, width - count)) + self
    }
}
