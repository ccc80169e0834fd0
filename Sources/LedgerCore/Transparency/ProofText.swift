import LedgerCrypto

/// The line grammar shared by ``InclusionProof`` and ``ConsistencyProof`` texts:
///
/// ```
/// <header>\n
/// [extra <base64>\n]            ← only where allowed
/// <keyword> <decimal>\n
/// <base64 hash>\n …             ← zero or more, 32 bytes each
/// \n
/// <signed checkpoint, verbatim>
/// ```
/// Parsing is strict: one spelling per value, no trailing spaces, no missing newline, at most 64 hashes (no
/// RFC 6962 proof in a tree of at most 2^64 leaves is longer), and the checkpoint must itself parse.
enum ProofText {
    struct Parts {
        var extra: [UInt8]?
        var number: UInt64
        var hashes: [Digest]
        var note: Note
        var checkpoint: Checkpoint
    }

    static func format(
        header: String, extra: [UInt8]?, keyword: String, number: UInt64, hashes: [Digest], checkpoint: Note
    ) -> String {
        var text = header + "\n"
        if let extra { text += "extra \(Base64.encode(extra))\n" }
        text += "\(keyword) \(number)\n"
        for hash in hashes { text += Base64.encode(hash.bytes) + "\n" }
        return text + "\n" + checkpoint.formatted
    }

    static func parse(
        _ bytes: [UInt8], header: String, allowsExtra: Bool, keyword: String, what: String
    ) throws(TransparencyError) -> Parts {
        func malformed(_ why: String) -> TransparencyError {
            TransparencyError(.malformedProof, "la \(what) \(why)")
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw malformed("n'est pas de l'UTF-8 valide")
        }
        var rest = Substring(text)
        func nextLine() throws(TransparencyError) -> Substring {
            guard let (line, after) = TextField.chop(rest, 0x0A) else {
                throw malformed("finit avant son point de contrôle")
            }
            rest = after
            return line
        }
        guard try nextLine() == header else { throw malformed("ne commence pas par \(header)") }
        var line = try nextLine()
        var extra: [UInt8]? = nil
        if allowsExtra, line.utf8.starts(with: "extra ".utf8) {
            guard let decoded = Base64.decode(Substring(line.utf8.dropFirst(6))) else {
                throw malformed("a une ligne supplémentaire qui n'est pas du base64 avec remplissage")
            }
            extra = decoded
            line = try nextLine()
        }
        let prefix = keyword + " "
        guard line.utf8.starts(with: prefix.utf8),
            let number = TextField.decimal(Substring(line.utf8.dropFirst(prefix.utf8.count)))
        else { throw malformed("n'a pas de ligne « \(keyword) <décimal sans zéro initial> »") }
        var hashes: [Digest] = []
        while true {
            line = try nextLine()
            if line.isEmpty { break }
            guard hashes.count < 64 else { throw malformed("a plus de 64 hachages de preuve") }
            guard let decoded = Base64.decode(line), let hash = Digest(bytes: decoded) else {
                throw malformed("a une ligne de preuve qui n'est pas le base64 avec remplissage de 32 octets")
            }
            hashes.append(hash)
        }
        let note: Note
        let checkpoint: Checkpoint
        do {
            note = try Note(parsing: Array(rest.utf8))
            checkpoint = try Checkpoint(body: note.text)
        } catch {
            throw malformed("porte un point de contrôle mal formé : \(error.message)")
        }
        return Parts(extra: extra, number: number, hashes: hashes, note: note, checkpoint: checkpoint)
    }
}
