public import LedgerCrypto

/// One event of the log: a line of `ledger.jsonl`, format version 1.
///
/// The line is the RFC 8785 canonical JSON of an object with exactly the members `actor`, `payload`, `prev`,
/// `seq`, `sig`, `time`, `type`, `v`; the signature covers the canonical bytes of the same object without
/// `sig`. Byte-for-byte definition: `docs/FORMAT.md` §3.
///
/// A class, immutable: an entry goes from the thread that parses it through the signature batch to the rules, and
/// every hand-over is one reference count instead of one per member (line, strings, signature, payload).
public final class Entry: Sendable {
    /// The value of `v`.
    public static let formatVersion: Int64 = 1

    /// The longest line, in bytes without its `\n`: 65 535, so that every entry fits a tlog-tiles entry bundle,
    /// whose lengths are two bytes (docs/FORMAT.md §3, docs/PROOFS.md §9.3).
    public static let maxLineBytes = 65_535

    /// The canonical bytes of the line, without the final `\n`.
    public let line: [UInt8]
    public let version: Int64
    public let seq: Int64
    /// SHA-256 of the previous line (zeros for entry 0).
    public let prev: Digest
    public let time: Timestamp
    public let type: String
    /// Key id of the signer: lowercase hex SHA-256 of its DER SubjectPublicKeyInfo.
    public let actor: String
    /// The 64-byte Ed25519 signature.
    public let signature: [UInt8]

    let payloadRange: Range<Int>
    /// The bytes `,"sig":"…"`: removing them from the line gives the signed bytes.
    let sigMemberRange: Range<Int>

    /// SHA-256 of the line's bytes: the entry hash, and the next entry's `prev`.
    public let hash: Digest

    /// The canonical bytes of the payload object.
    public var payloadBytes: ArraySlice<UInt8> { line[payloadRange] }

    /// The payload as a JSON tree. The line was checked canonical, so parsing cannot fail.
    ///
    /// Hash and payload are worked out with the line, so that whoever parses lines (the verifier's worker
    /// threads) does all of an entry's decoding, and the rules only read it. When a ``DomainRules/payloadDecoder``
    /// made ``decoded`` of it, the tree is not kept: the entry holds what the rules read, and the tree is freed on
    /// the thread that built it; the rare reader of such an entry's tree (a refused event) parses the payload again.
    public var payload: JSONValue {
        payloadTree ?? Entry.parsePayload(line[payloadRange])
    }

    /// The tree, kept when no decoder ran.
    private let payloadTree: JSONValue?

    private static func parsePayload(_ bytes: ArraySlice<UInt8>) -> JSONValue {
        (try? JSONParser.parse(bytes)) ?? .object([:])
    }

    /// What the rules' ``DomainRules/payloadDecoder`` made of the payload on the thread that parsed the line (the
    /// verifier's workers), for the rules to read instead of decoding it again on theirs; nil when none ran.
    public let decoded: (any Sendable)?

    /// The bytes the signature covers: the canonical entry object without its `sig` member.
    public var signedBytes: [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(line.count - sigMemberRange.count)
        bytes.append(contentsOf: line[..<sigMemberRange.lowerBound])
        bytes.append(contentsOf: line[sigMemberRange.upperBound...])
        return bytes
    }

    /// Puts ``signedBytes`` into `buffer`, replacing what it held: a thread checking many signatures reuses one
    /// buffer instead of allocating one per entry.
    public func copySignedBytes(into buffer: inout [UInt8]) {
        buffer.removeAll(keepingCapacity: true)
        buffer.append(contentsOf: line[..<sigMemberRange.lowerBound])
        buffer.append(contentsOf: line[sigMemberRange.upperBound...])
    }

    /// Member names of an entry, in canonical order.
    static let memberNames: [[UInt8]] = ["actor", "payload", "prev", "seq", "sig", "time", "type", "v"].map {
        Array($0.utf8)
    }

    /// Parses and checks one line (without `\n`): canonical form and the type of every member.
    ///
    /// Checks only what a line says about itself; chaining, signatures and keys are the verifier's.
    public convenience init(line: [UInt8]) throws(EntryError) {
        var texts = RepeatedTexts()
        try self.init(line: line, texts: &texts)
    }

    /// The type and signer of the last line parsed by one thread: consecutive lines mostly repeat them, and reusing
    /// the string spares two allocations a line.
    struct RepeatedTexts {
        /// Run on each entry's payload as it is parsed (``decoded``).
        let decoder: PayloadDecoder?
        private var type = ""
        private var typeBytes: [UInt8] = []
        private var actor = ""
        private var actorBytes: [UInt8] = []

        init(decoder: PayloadDecoder? = nil) {
            self.decoder = decoder
        }

        mutating func type(_ bytes: ArraySlice<UInt8>) -> String {
            if !bytes.elementsEqual(typeBytes) {
                typeBytes = Array(bytes)
                type = String(decoding: bytes, as: UTF8.self)
            }
            return type
        }

        mutating func actor(_ bytes: ArraySlice<UInt8>) -> String {
            if !bytes.elementsEqual(actorBytes) {
                actorBytes = Array(bytes)
                actor = String(decoding: bytes, as: UTF8.self)
            }
            return actor
        }
    }

    /// The key id a line names as its signer, read at its fixed place without parsing the rest: an entry's line is
    /// canonical JSON, so it begins `{"actor":"` and 64 lowercase hexadecimal digits. Nil when the line does not
    /// begin so. It says nothing of the rest of the line: for lines of a log already verified.
    public static func actor(ofLine line: [UInt8]) -> String? {
        let start = actorPrefix.count
        guard line.count > start + 64, line.starts(with: actorPrefix), line[start + 64] == UInt8(ascii: "\"") else {
            return nil
        }
        let hex = line[start..<(start + 64)]
        guard Digest(hexBytes: hex) != nil else { return nil }
        return String(decoding: hex, as: UTF8.self)
    }

    private static let actorPrefix = Array(#"{"actor":""#.utf8)

    /// Parses one line, reusing the type and signer strings of the line `texts` last saw when they are the same.
    init(line: [UInt8], texts: inout RepeatedTexts) throws(EntryError) {
        guard line.count <= Entry.maxLineBytes else {
            throw EntryError(
                .tooLarge,
                "la ligne fait \(line.count) octets ; une entrée fait au plus \(Entry.maxLineBytes) octets (elle doit tenir dans un paquet d'entrées de tuile)"
            )
        }
        let scanned = line.withUnsafeBufferPointer { buffer -> Result<[CanonicalScanner.Member], EntryError> in
            do throws(CanonicalScanner.Failure) {
                return .success(try CanonicalScanner.scanObject(buffer))
            } catch {
                guard case .invalid(let message, let offset) = error else { fatalError("unreachable") }
                return .failure(
                    EntryError(.notCanonical, "la ligne n'est pas du JSON canonique : \(message) (octet \(offset))"))
            }
        }
        let members = try scanned.get()
        guard members.count == 8, zip(members, Entry.memberNames).allSatisfy({ line[$0.name].elementsEqual($1) })
        else {
            let names = members.map { String(decoding: line[$0.name], as: UTF8.self) }.joined(separator: ", ")
            throw EntryError(
                .badMember,
                "une entrée a exactement les membres actor, payload, prev, seq, sig, time, type, v ; celle-ci a \(names)"
            )
        }
        // Member values are read straight from the line's bytes: this runs for every entry of every replay.
        func stringBytes(_ member: CanonicalScanner.Member, _ name: String) throws(EntryError) -> ArraySlice<UInt8> {
            let value = member.value
            guard line[value.lowerBound] == UInt8(ascii: "\"") else {
                throw EntryError(.badMember, "\(name) doit être une chaîne")
            }
            return line[(value.lowerBound + 1)..<(value.upperBound - 1)]
        }
        func integer(_ member: CanonicalScanner.Member, _ name: String) throws(EntryError) -> Int64 {
            // The scanner has already checked the canonical integer form and its range.
            var value: Int64 = 0
            var negative = false
            for byte in line[member.value] {
                if byte == UInt8(ascii: "-") {
                    negative = true
                } else if byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") {
                    value = value * 10 + Int64(byte - UInt8(ascii: "0"))
                } else {
                    throw EntryError(.badMember, "\(name) doit être un entier")
                }
            }
            return negative ? -value : value
        }
        let actorBytes = try stringBytes(members[0], "actor")
        guard actorBytes.count == 64, Digest(hexBytes: actorBytes) != nil else {
            throw EntryError(
                .badMember, "actor doit être un identifiant de clé : 64 caractères hexadécimaux minuscules")
        }
        guard line[members[1].value.lowerBound] == UInt8(ascii: "{") else {
            throw EntryError(.badMember, "payload doit être un objet JSON")
        }
        guard let prev = Digest(hexBytes: try stringBytes(members[2], "prev")) else {
            throw EntryError(.badMember, "prev doit compter 64 caractères hexadécimaux minuscules")
        }
        let seq = try integer(members[3], "seq")
        guard seq >= 0 else { throw EntryError(.badMember, "seq ne doit pas être négatif") }
        guard let signature = Base64.decodeCanonical(bytes: try stringBytes(members[4], "sig")), signature.count == 64
        else {
            throw EntryError(.badMember, "sig doit être le base64 standard, avec remplissage, de 64 octets")
        }
        guard let time = Timestamp(rfc3339Bytes: try stringBytes(members[5], "time")) else {
            throw EntryError(
                .badMember, "time doit être une date RFC 3339 en UTC à la seconde, comme 2021-03-01T09:30:00Z")
        }
        let typeBytes = try stringBytes(members[6], "type")
        guard EventTypeName.isValid(bytes: typeBytes) else {
            throw EntryError(
                .badMember, "type doit être des mots en minuscules séparés par des points, comme ledger.created")
        }
        let type = texts.type(typeBytes)
        let actor = texts.actor(actorBytes)
        let version = try integer(members[7], "v")

        self.line = line
        self.version = version
        self.seq = seq
        self.prev = prev
        self.time = time
        self.type = type
        self.actor = actor
        self.signature = signature
        self.payloadRange = (members[1].value.lowerBound)..<(members[1].value.upperBound)
        // The sig member is preceded by the comma that ends the seq member.
        self.sigMemberRange = (members[4].name.lowerBound - 2)..<(members[4].value.upperBound)
        self.hash = line.withUnsafeBytes { SHA256.hash($0) }
        let payload = Entry.parsePayload(line[payloadRange])
        let decoded = texts.decoder?(type, payload)
        self.decoded = decoded
        // A payload the decoder left alone (a key event) is read as a tree: kept. (`Optional.none` spelt out: a bare
        // `nil` would be JSON null, which `JSONValue` is expressible by.)
        self.payloadTree = decoded == nil ? payload : Optional<JSONValue>.none
    }

    /// Builds, signs and encodes a new entry.
    ///
    /// - Throws: `EntryError` when the payload holds a number the format forbids, the entry would be longer than
    ///   ``maxLineBytes``, or the key fails to sign.
    public static func make(
        seq: Int64, prev: Digest, time: Timestamp, type: String, payload: JSONValue, signer: Ed25519PrivateKey
    ) throws(EntryError) -> Entry {
        guard EventTypeName.isValid(type) else {
            throw EntryError(
                .badMember,
                "le type d'évènement « \(type) » n'est pas fait de mots en minuscules séparés par des points, comme ledger.created"
            )
        }
        guard case .object = payload else { throw EntryError(.badMember, "la charge utile doit être un objet JSON") }
        let payload = payload.normalizedToNFC
        if let path = payload.firstForbiddenNumber() {
            throw EntryError(
                .badMember,
                "la charge utile contient en \(path) un nombre qui n'est pas un entier compris dans ±(2^53 − 1) ; les montants sont des centimes entiers"
            )
        }
        var object: [String: JSONValue] = [
            "v": .integer(formatVersion), "seq": .integer(seq), "prev": .string(prev.hex),
            "time": .string(time.description), "type": .string(type), "actor": .string(signer.publicKey.keyID),
            "payload": payload,
        ]
        let unsigned = CanonicalJSON.encode(.object(object))
        let signature: [UInt8]
        do { signature = try signer.signature(for: unsigned) } catch {
            throw EntryError(.signing, error.message, underlying: error)
        }
        object["sig"] = .string(Base64.encode(signature))
        let line = CanonicalJSON.encode(.object(object))
        guard line.count <= maxLineBytes else {
            throw EntryError(
                .tooLarge,
                "l'entrée \(type) ferait \(line.count) octets ; une entrée fait au plus \(maxLineBytes) octets, sa charge utile doit donc être plus petite"
            )
        }
        return try Entry(line: line)
    }
}

/// The errors of reading and making entries.
public enum EntryFailure: ErrorDomain {}

/// Why a line is not a valid entry.
public typealias EntryError = CodedError<EntryFailure>

extension ErrorCode where Domain == EntryFailure {
    /// Not canonical JSON (RFC 8785), or not the entry's member order.
    public static let notCanonical = Self("notCanonical")
    /// A member missing, extra, or of the wrong type or form.
    public static let badMember = Self("badMember")
    /// The entry could not be signed.
    public static let signing = Self("signing")
    /// Longer than ``Entry/maxLineBytes``.
    public static let tooLarge = Self("tooLarge")
}

/// Event type names: dotted lowercase words (`ledger.created`, `decision.recorded`).
public enum EventTypeName {
    public static func isValid(_ name: String) -> Bool {
        isValid(bytes: ArraySlice(name.utf8))
    }

    /// Whether `text` is one lowercase word, `[a-z][a-z0-9_]*`, at most 32 bytes (a role name).
    public static func isWord(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard let first = bytes.first, first >= UInt8(ascii: "a"), first <= UInt8(ascii: "z"), bytes.count <= 32 else {
            return false
        }
        return bytes.allSatisfy {
            ($0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z")) || ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9"))
                || $0 == UInt8(ascii: "_")
        }
    }

    /// The same check on bytes: `[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+`, at most 64 bytes.
    public static func isValid(bytes: ArraySlice<UInt8>) -> Bool {
        guard bytes.count <= 64 else { return false }
        var parts = 0
        var atStart = true
        for byte in bytes {
            if atStart {
                guard byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z") else { return false }
                atStart = false
                parts += 1
            } else if byte == UInt8(ascii: ".") {
                atStart = true
            } else {
                let ok =
                    (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
                    || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: "_")
                guard ok else { return false }
            }
        }
        return !atStart && parts >= 2
    }
}
