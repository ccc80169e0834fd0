import LedgerCore
public import LedgerCrypto

/// The descriptor published beside an SCDL export: a Frictionless *Tabular Data Resource* (the specification the
/// SCDL schema itself is written in) naming the file's size, SHA-256 and schema, and, in its `grantledger` member,
/// the log the file was computed from (`docs/PUBLISHING.md` §4.1).
///
/// The SCDL file cannot say where it comes from: its 16 columns are fixed and the schema allows no comment line.
/// The descriptor can, in the standard way: `frictionless validate subventions.resource.json` checks the CSV
/// against the schema, its size and its hash, and `grant-ledger export scdl --check subventions.csv` recomputes it
/// from the log at the size the descriptor names.
///
/// ```swift
/// let resource = SCDLResource(csv: bytes, fileName: "subventions.csv", identity: snapshot.identity, identifiers: nil)
/// try write(resource.bytes, to: SCDLResource.descriptorPath(forCSV: "subventions.csv"))
/// ```
public struct SCDLResource: Sendable, Hashable {
    /// The SCDL « Subventions » schema the file follows.
    public static let schemaURL = "https://schema.data.gouv.fr/schemas/scdl/subventions/2.1.1/schema.json"
    /// The value of `grantledger.format`.
    public static let provenanceFormat = "grantledger/scdl-provenance@v1"

    /// The CSV's file name, relative to the descriptor (`path`).
    public let fileName: String
    /// The CSV's length and SHA-256 (hex).
    public let byteCount: Int
    public let sha256: String
    /// Grant rows (the header excluded).
    public let rows: Int
    /// The log the rows were computed from.
    public let origin: String
    public let size: Int64
    public let headSeq: Int64?
    public let headHash: String
    public let rootHash: String
    /// SHA-256 (hex) of the identifiers file used, nil when there was none.
    public let identifiersSHA256: String?

    /// Describes `csv`, written under `fileName`, computed from the log `identity` with the identifiers file
    /// `identifiers` (its bytes).
    public init(csv: [UInt8], fileName: String, identity: LogIdentity, identifiers: [UInt8]?) {
        self.fileName = fileName
        self.byteCount = csv.count
        self.sha256 = SHA256.hash(csv).hex
        self.rows = max(0, csv.filter { $0 == 0x0A }.count - 1)
        self.origin = identity.origin
        self.size = identity.size
        self.headSeq = identity.headSeq
        self.headHash = identity.headHash
        self.rootHash = identity.rootHash
        self.identifiersSHA256 = identifiers.map { SHA256.hash($0).hex }
    }

    /// `X.resource.json` for `X.csv` (the suffix Frictionless tools recognise), else the path and `.resource.json`.
    public static func descriptorPath(forCSV path: String) -> String {
        (path.hasSuffix(".csv") ? String(path.dropLast(4)) : path) + ".resource.json"
    }

    /// The resource name: the file name without `.csv`, in the characters the specification allows.
    var name: String {
        let base = fileName.hasSuffix(".csv") ? String(fileName.dropLast(4)) : fileName
        let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789-._")
        let cleaned = String(base.lowercased().map { allowed.contains($0) ? $0 : "-" })
        return cleaned.isEmpty ? "subventions" : cleaned
    }

    var json: JSONValue {
        [
            "profile": "tabular-data-resource",
            "name": .string(name),
            "path": .string(fileName),
            "format": "csv",
            "mediatype": "text/csv",
            "encoding": "utf-8",
            "dialect": [
                "delimiter": ",", "lineTerminator": "\n", "quoteChar": "\"", "doubleQuote": true, "header": true,
            ],
            "bytes": .integer(Int64(byteCount)),
            "hash": .string("sha256:" + sha256),
            "schema": .string(Self.schemaURL),
            "grantledger": [
                "format": .string(Self.provenanceFormat),
                "origin": .string(origin),
                "size": .integer(size),
                "head_seq": headSeq.map { .integer($0) } ?? .null,
                "head_hash": .string(headHash),
                "root_hash": .string(rootHash),
                "rows": .integer(Int64(rows)),
                "identifiers_sha256": identifiersSHA256.map { .string($0) } ?? .null,
            ],
        ]
    }

    /// The descriptor's bytes: one line of RFC 8785 canonical JSON and `\n`.
    public var bytes: [UInt8] { CanonicalJSON.encode(json) + [0x0A] }

    /// Parses a descriptor this tool wrote; the members it relies on are checked, others a person may have added
    /// (title, licence) are left alone.
    ///
    /// - Throws: `.badInput` naming `source` when it is not such a descriptor.
    public init(parsing bytes: [UInt8], source: String) throws(PublishingError) {
        func refuse(_ why: String) -> PublishingError {
            PublishingError(.badInput, "\(source) n'est pas un descripteur d'export SCDL de grant-ledger (\(why))")
        }
        let value: JSONValue
        do { value = try JSONParser.parse(bytes) } catch { throw refuse(error.description) }
        guard value["profile"]?.stringValue == "tabular-data-resource", let path = value["path"]?.stringValue,
            let byteCount = value["bytes"]?.integerValue, byteCount >= 0,
            let hash = value["hash"]?.stringValue, hash.hasPrefix("sha256:"), hash.count == 71
        else { throw refuse("profile, path, bytes ou hash sha256 absent") }
        guard let provenance = value["grantledger"], provenance["format"]?.stringValue == Self.provenanceFormat,
            let origin = provenance["origin"]?.stringValue, let size = provenance["size"]?.integerValue, size >= 0,
            let headHash = provenance["head_hash"]?.stringValue, let rootHash = provenance["root_hash"]?.stringValue,
            let rows = provenance["rows"]?.integerValue, rows >= 0
        else { throw refuse("le membre grantledger ne nomme pas le journal : origine, taille, tête, racine") }
        self.fileName = path
        self.byteCount = Int(byteCount)
        self.sha256 = String(hash.dropFirst(7))
        self.rows = Int(rows)
        self.origin = origin
        self.size = size
        self.headSeq = provenance["head_seq"]?.integerValue
        self.headHash = headHash
        self.rootHash = rootHash
        self.identifiersSHA256 = provenance["identifiers_sha256"]?.stringValue
    }
}
