public import LedgerCore
public import LedgerCrypto

/// One decision, proven offline: the entries an application's decision rests on, each with an RFC 6962 inclusion
/// proof against one signed checkpoint (`docs/PROOFS.md`, "Decision bundles").
///
/// A bundle is one line of RFC 8785 canonical JSON followed by `\n`. It is parsed strictly: any other spelling of
/// the same content is refused, so every byte of the file is covered by a check (the JSON form, the checkpoint's
/// signature, an entry's leaf hash, or — when the reader gives the witnesses' keys — a cosignature), and changing
/// any one byte makes `verify-bundle` fail; a cosignature whose key the reader did not give is reported not checked.
///
/// ```swift
/// let bundle = try DecisionBundle.build(store: store, applicationID: "DOS-2021-015-0001",
///                                       checkpoint: try KeyFiles.read(path), label: path)
/// try DurableFile.write(out, bundle.bytes)
/// let report = try BundleVerifier.verify(try KeyFiles.read(out), trust: noteKey, reference: nil)
/// ```
public struct DecisionBundle: Sendable, Hashable {
    /// The value of the `format` member.
    public static let format = "grantledger/decision-bundle+json@v1"
    /// Larger files are refused before parsing: a bundle is a few kilobytes.
    public static let maximumBytes = 8 << 20
    /// At most this many entries, and this many hashes per proof (a tree of 2^64 leaves needs 64).
    public static let maximumEntries = 10_000
    public static let maximumHashes = 64

    /// One bundled entry: its exact log line and its inclusion path in the checkpoint's tree.
    public struct Item: Sendable, Hashable {
        /// The leaf index: the entry's seq in a valid log.
        public let index: UInt64
        /// RFC 6962 `PATH(index, D[size])`, the leaf's sibling first.
        public let hashes: [Digest]
        /// The log line, without its `\n`.
        public let line: [UInt8]

        public init(index: UInt64, hashes: [Digest], line: [UInt8]) {
            self.index = index
            self.hashes = hashes
            self.line = line
        }
    }

    /// The log's origin (also the checkpoint's, and the trusted note key's name).
    public let origin: String
    /// The application the bundle is about.
    public let applicationID: String
    /// The signed checkpoint: body, empty line, the log's signature line, then the witnesses' cosignature lines.
    public let checkpoint: String
    /// The entries, by increasing index.
    public let items: [Item]

    public init(origin: String, applicationID: String, checkpoint: String, items: [Item]) {
        self.origin = origin
        self.applicationID = applicationID
        self.checkpoint = checkpoint
        self.items = items
    }

    /// The bundle as JSON.
    public var json: JSONValue {
        [
            "format": .string(Self.format),
            "origin": .string(origin),
            "application_id": .string(applicationID),
            "checkpoint": .string(checkpoint),
            "entries": .array(
                items.map { item in
                    [
                        "index": .integer(Int64(clamping: item.index)),
                        "hashes": .array(item.hashes.map { .string(Base64.encode($0.bytes)) }),
                        "entry": .string(String(decoding: item.line, as: UTF8.self)),
                    ]
                }),
        ]
    }

    /// The file's bytes: the canonical JSON of ``json`` and one `\n`.
    ///
    /// Written member by member in RFC 8785 order rather than through the JSON tree: publishing writes one bundle per
    /// decision, and each entry's line is escaped from its bytes without first being made a `String`.
    public var bytes: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(
            512 + checkpoint.utf8.count + items.reduce(0) { $0 + $1.line.count * 9 / 8 + 64 * $1.hashes.count })
        func literal(_ text: StaticString) {
            out.append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
        }
        literal(#"{"application_id":"#)
        CanonicalJSON.writeString(applicationID, into: &out)
        literal(#","checkpoint":"#)
        CanonicalJSON.writeString(checkpoint, into: &out)
        literal(#","entries":["#)
        for (position, item) in items.enumerated() {
            literal(position == 0 ? #"{"entry":"# : #",{"entry":"#)
            item.line.withUnsafeBufferPointer { line in
                // A line that is not UTF-8 (never one of a log) is written as the JSON tree would: repaired.
                if UTF8Text.isValid(line) {
                    CanonicalJSON.writeString(utf8: line, into: &out)
                } else {
                    CanonicalJSON.writeString(String(decoding: line, as: UTF8.self), into: &out)
                }
            }
            literal(#","hashes":["#)
            for (index, hash) in item.hashes.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                CanonicalJSON.writeString(Base64.encode(hash.bytes), into: &out)
            }
            literal(#"],"index":"#)
            out.append(contentsOf: String(Int64(clamping: item.index)).utf8)
            out.append(UInt8(ascii: "}"))
        }
        literal(#"],"format":"#)
        CanonicalJSON.writeString(Self.format, into: &out)
        literal(#","origin":"#)
        CanonicalJSON.writeString(origin, into: &out)
        literal("}\n")
        return out
    }

    /// Parses a bundle file strictly (exactly the canonical bytes of the documented members, then one `\n`);
    /// checks no hash and no signature.
    ///
    /// - Throws: `LedgerError` `.badInput` for anything that is not a bundle of this format.
    public init(parsing bytes: [UInt8]) throws(LedgerError) {
        func refuse(_ why: String) -> LedgerError {
            LedgerError(.badInput, "ce n'est pas un bundle de décision (\(Self.format)) : \(why)")
        }
        guard bytes.count <= Self.maximumBytes else {
            throw refuse(
                "le fichier fait \(FrenchFormat.integer(Int64(bytes.count))) octets, plus que les \(FrenchFormat.integer(Int64(Self.maximumBytes))) d'un bundle"
            )
        }
        guard bytes.last == 0x0A else { throw refuse("le fichier doit finir par un seul saut de ligne") }
        let body = bytes.dropLast()
        let value: JSONValue
        do { value = try JSONParser.parse(body) } catch { throw refuse(error.description) }
        guard CanonicalJSON.encode(value) == Array(body) else {
            throw refuse("le JSON n'est pas sous sa forme canonique RFC 8785 (une ligne, membres triés, sans espaces)")
        }
        guard let members = value.objectValue,
            Set(members.keys) == ["format", "origin", "application_id", "checkpoint", "entries"]
        else { throw refuse("les membres doivent être exactement format, origin, application_id, checkpoint, entries") }
        guard members["format"]?.stringValue == Self.format else { throw refuse("format doit être \(Self.format)") }
        guard let origin = members["origin"]?.stringValue, Origin.isValid(origin) else {
            throw refuse("origin doit être une origine de registre (ASCII imprimable, sans espace ni « + »)")
        }
        guard let applicationID = members["application_id"]?.stringValue, !applicationID.isEmpty else {
            throw refuse("application_id doit être une chaîne non vide")
        }
        guard let checkpoint = members["checkpoint"]?.stringValue else {
            throw refuse("checkpoint doit être une chaîne")
        }
        guard let entries = members["entries"]?.arrayValue, !entries.isEmpty, entries.count <= Self.maximumEntries
        else { throw refuse("entries doit être un tableau de 1 à \(Self.maximumEntries) entrées") }
        var items: [Item] = []
        for (position, entry) in entries.enumerated() {
            guard let object = entry.objectValue, Set(object.keys) == ["index", "hashes", "entry"] else {
                throw refuse("entries[\(position)] doit avoir exactement les membres index, hashes, entry")
            }
            guard let index = object["index"]?.integerValue, index >= 0 else {
                throw refuse("entries[\(position)].index doit être un entier positif ou nul")
            }
            if let last = items.last, UInt64(index) <= last.index {
                throw refuse("entries doit être rangé par index strictement croissant")
            }
            guard let texts = object["hashes"]?.arrayValue, texts.count <= Self.maximumHashes else {
                throw refuse("entries[\(position)].hashes doit être un tableau d'au plus \(Self.maximumHashes) hashes")
            }
            var hashes: [Digest] = []
            for text in texts {
                guard let string = text.stringValue, let raw = Base64.decodeCanonical(string),
                    let digest = Digest(bytes: raw)
                else {
                    throw refuse("entries[\(position)].hashes contient une valeur qui n'est pas le base64 de 32 octets")
                }
                hashes.append(digest)
            }
            guard let line = object["entry"]?.stringValue else {
                throw refuse("entries[\(position)].entry doit être une chaîne (la ligne du registre)")
            }
            items.append(Item(index: UInt64(index), hashes: hashes, line: Array(line.utf8)))
        }
        self.init(origin: origin, applicationID: applicationID, checkpoint: checkpoint, items: items)
    }
}
