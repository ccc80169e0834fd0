public import LedgerCrypto

/// A C2SP signed note (c2sp.org/signed-note): a text and the signature lines that follow it.
///
/// ```
/// <text lines, each ending in \n>      ← the signed bytes, final \n included
/// \n                                   ← the last empty line separates text and signatures
/// — <key name> <base64(keyID ‖ signature)>\n
/// ```
/// Parsing follows Go's `golang.org/x/mod/sumdb/note.Open`, the reference implementation: the text must be UTF-8
/// with no control character but `\n`; signatures by keys the reader does not know are kept but not trusted
/// (cosignatures from unknown witnesses are normal); a known key's failing signature rejects the whole note (it
/// was altered or forged); and a note no known key signed is rejected, since an unsigned text proves nothing.
///
/// ```swift
/// let note = try Note.open(signedText, verifiers: [logVerifier])
/// print(note.text)
/// ```
public struct Note: Sendable, Hashable, TextParsable {
    /// The signed text, ending in `\n`.
    public let text: String
    /// The signature lines, in order.
    public var signatures: [NoteSignature]

    /// At most this many signature lines are read, as in Go, so a hostile note cannot make the reader spin.
    public static let maxSignatures = 100

    /// Creates a note from its text. The text must be non-empty, end with `\n`, and hold no control character but
    /// `\n`.
    public init(text: String, signatures: [NoteSignature] = []) throws(TransparencyError) {
        try Self.validateText(Array(text.utf8))
        self.text = text
        self.signatures = signatures
    }

    /// Parses a signed note without checking any signature (see ``open(_:verifiers:)``).
    public init(parsing bytes: [UInt8]) throws(TransparencyError) {
        let malformed = TransparencyError(.malformedNote, "la note signée est mal formée")
        guard String(validating: bytes, as: UTF8.self) != nil else {
            throw TransparencyError(.malformedNote, "la note signée n'est pas de l'UTF-8 valide")
        }
        // The last "\n\n" separates the text (keeping its final \n) from the signature block.
        var split: Int? = nil
        var index = bytes.count - 2
        while index >= 0 {
            if bytes[index] == 0x0A && bytes[index + 1] == 0x0A {
                split = index
                break
            }
            index -= 1
        }
        guard let split else {
            throw TransparencyError(.malformedNote, "la note signée n'a pas de ligne vide avant ses signatures")
        }
        let textBytes = Array(bytes[...split])
        let block = bytes[(split + 2)...]
        try Self.validateText(textBytes)
        guard let last = block.last, last == 0x0A else {
            throw TransparencyError(
                .malformedNote, "la note signée n'a pas de signature, ou sa dernière ligne n'a pas de saut de ligne")
        }
        var signatures: [NoteSignature] = []
        var lineStart = block.startIndex
        while lineStart < block.endIndex {
            let lineEnd = block[lineStart...].firstIndex(of: 0x0A)!
            let line = block[lineStart..<lineEnd]
            lineStart = lineEnd + 1
            guard signatures.count < Self.maxSignatures else {
                throw TransparencyError(
                    .malformedNote, "la note signée a plus de \(Self.maxSignatures) signatures")
            }
            guard let signature = NoteSignature(line: String(decoding: line, as: UTF8.self)) else { throw malformed }
            signatures.append(signature)
        }
        self.text = String(decoding: textBytes, as: UTF8.self)
        self.signatures = signatures
    }

    /// Parses `signedNote` and checks it against `verifiers`; returns the note whose ``signatures`` are the
    /// verified ones only.
    ///
    /// - Throws: ``TransparencyError/Code/malformedNote``; ``TransparencyError/Code/signatureInvalid`` if a known
    ///   key's signature fails; ``TransparencyError/Code/noKnownSignature`` if no known key signed.
    public static func open(
        _ signedNote: [UInt8], verifiers: [any NoteSignatureVerifier]
    ) throws(TransparencyError) -> Note {
        let parsed = try Note(parsing: signedNote)
        return try Note(text: parsed.text, signatures: parsed.verifiedSignatures(verifiers))
    }

    /// Parses `signedNote` and checks it against `verifiers` (see ``open(_:verifiers:)``).
    public static func open(_ signedNote: String, verifiers: [any NoteSignatureVerifier]) throws(TransparencyError)
        -> Note
    {
        try open(Array(signedNote.utf8), verifiers: verifiers)
    }

    /// The signatures made by `verifiers`' keys, checked; unknown signers are skipped.
    ///
    /// - Throws: ``TransparencyError/Code/signatureInvalid`` if a known key's signature fails, or a known key
    ///   signed twice; ``TransparencyError/Code/noKnownSignature`` if none of `verifiers` signed.
    public func verifiedSignatures(_ verifiers: [any NoteSignatureVerifier]) throws(TransparencyError)
        -> [NoteSignature]
    {
        let message = Array(text.utf8)
        var verified: [NoteSignature] = []
        for signature in signatures {
            guard let verifier = verifiers.first(where: { $0.name == signature.name && $0.keyID == signature.keyID })
            else { continue }
            guard !verified.contains(where: { $0.name == signature.name && $0.keyID == signature.keyID }) else {
                throw TransparencyError(.malformedNote, "la note signée porte deux signatures de \(signature.name)")
            }
            guard verifier.isValidSignature(signature.signature, for: message) else {
                throw TransparencyError(
                    .signatureInvalid, "la signature de \(signature.name) ne correspond pas au texte de la note")
            }
            verified.append(signature)
        }
        guard !verified.isEmpty else {
            throw TransparencyError(.noKnownSignature, "la note n'est signée par aucune clé de confiance")
        }
        return verified
    }

    /// Returns this note with a signature by `signer` appended.
    public func signed(by signer: NoteSigner) throws(TransparencyError) -> Note {
        var copy = self
        copy.signatures.append(try signer.signature(for: text))
        return copy
    }

    /// The signed note: text, empty line, signature lines. Empty signatures give no valid note (a reader needs
    /// at least one signature).
    public var formatted: String {
        text + "\n" + signatures.map(\.line).joined()
    }

    /// Refuses texts Go's `note.Sign` and `note.Open` would refuse: empty, not ending in `\n`, or holding a
    /// control character other than `\n` (which could hide or fake lines on a terminal).
    static func validateText(_ bytes: [UInt8]) throws(TransparencyError) {
        guard let last = bytes.last, last == 0x0A else {
            throw TransparencyError(
                .malformedNote, "le texte de la note doit être non vide et finir par un saut de ligne")
        }
        guard !bytes.contains(where: { $0 < 0x20 && $0 != 0x0A }) else {
            throw TransparencyError(.malformedNote, "le texte de la note contient un caractère de contrôle")
        }
    }
}

/// One signature line of a signed note: `— <name> <base64(keyID ‖ signature)>`.
public struct NoteSignature: Sendable, Hashable {
    /// The key name.
    public let name: String
    /// The 4-byte key ID, big-endian.
    public let keyID: UInt32
    /// The signature bytes after the key ID (64 for Ed25519, 72 for a cosignature).
    public let signature: [UInt8]

    public init(name: String, keyID: UInt32, signature: [UInt8]) {
        self.name = name
        self.keyID = keyID
        self.signature = signature
    }

    /// Parses one signature line, without its final `\n`; nil if malformed.
    init?(line: String) {
        // Compare bytes, not characters: a combining mark after the space must not pass for a prefix.
        let prefix: [UInt8] = [0xE2, 0x80, 0x94, 0x20]
        guard line.utf8.starts(with: prefix) else { return nil }
        let rest = Substring(line.utf8.dropFirst(prefix.count))
        guard let (name, encoded) = TextField.chop(rest, UInt8(ascii: " ")), TextField.isValidKeyName(name),
            let bytes = Base64.decode(encoded), bytes.count >= 5
        else { return nil }
        self.name = String(name)
        self.keyID = TextField.bigEndianUInt32(bytes[...])
        self.signature = Array(bytes.dropFirst(4))
    }

    /// The line `— <name> <base64(keyID ‖ signature)>\n`, U+2014 em dash included.
    public var line: String {
        "\u{2014} \(name) \(Base64.encode(TextField.bytes(bigEndian: keyID) + signature))\n"
    }
}
