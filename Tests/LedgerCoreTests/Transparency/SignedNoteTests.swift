import Foundation
import LedgerCore
import LedgerCrypto
import Testing

/// One note of `Resources/signed-note.json` (see `Resources/PROVENANCE.md`).
struct SignedNoteVector: Decodable, Sendable, CustomTestStringConvertible {
    var source: String
    var privateKey: String?
    var verifierKey: String
    var text: String
    var signatureLine: String

    enum CodingKeys: String, CodingKey {
        case source, text
        case privateKey = "private_key"
        case verifierKey = "verifier_key"
        case signatureLine = "signature_line"
    }

    var signedNote: String { text + "\n" + signatureLine }
    var testDescription: String { source }

    static let all: [SignedNoteVector] = {
        struct File: Decodable { var notes: [SignedNoteVector] }
        guard let base = Bundle.module.url(forResource: "Resources", withExtension: nil),
            let data = try? Data(contentsOf: base.appendingPathComponent("signed-note.json")),
            let file = try? JSONDecoder().decode(File.self, from: data)
        else { return [] }
        return file.notes
    }()
}

/// The code of the `TransparencyError` that `body` throws; nil if it returns or throws something else.
func thrownCode<T>(_ body: () throws -> T) -> TransparencyError.Code? {
    do {
        _ = try body()
        return nil
    } catch let error as TransparencyError {
        return error.code
    } catch {
        return nil
    }
}

/// A deterministic signer for tests.
func testNoteSigner(_ name: String, seedByte: UInt8 = 7) throws -> NoteSigner {
    try NoteSigner(name: name, privateKey: Ed25519PrivateKey(seed: [UInt8](repeating: seedByte, count: 32)))
}

@Suite("Transparency: C2SP signed notes")
struct TransparencySignedNoteTests {
    @Test("the vector file holds the four published notes")
    func vectorCount() {
        #expect(SignedNoteVector.all.count == 4)
    }

    @Test("published verifier keys parse, format back, and verify their note", arguments: SignedNoteVector.all)
    func publishedNote(_ vector: SignedNoteVector) throws {
        let verifier = try NoteVerifier(verifierKey: vector.verifierKey)
        #expect(verifier.verifierKey == vector.verifierKey)
        let note = try Note.open(vector.signedNote, verifiers: [verifier])
        #expect(note.text == vector.text)
        #expect(note.signatures.count == 1)
        #expect(note.signatures.first?.name == verifier.name)
        #expect(try Note(parsing: vector.signedNote).formatted == vector.signedNote)

        // One flipped bit in the text breaks the known key's signature.
        var altered = Array(vector.signedNote.utf8)
        altered[0] ^= 0x01
        #expect(thrownCode { try Note.open(altered, verifiers: [verifier]) } == .signatureInvalid)
    }

    @Test("the published private key signs exactly the published signature line")
    func publishedPrivateKey() throws {
        let vector = try #require(SignedNoteVector.all.first { $0.privateKey != nil })
        let signer = try NoteSigner(privateKey: try #require(vector.privateKey))
        #expect(signer.name == "PeterNeumann")
        #expect(signer.keyID == 0xc74f_20a3)
        #expect(signer.verifier.verifierKey == vector.verifierKey)
        #expect(try signer.signature(for: vector.text).line == vector.signatureLine)
        #expect(try Note(text: vector.text).signed(by: signer).formatted == vector.signedNote)

        // Private key text round trip from the seed.
        let encoded = String(try #require(vector.privateKey).split(separator: "+", maxSplits: 4)[4])
        let payload = [UInt8](try #require(Data(base64Encoded: encoded)))
        #expect(
            try NoteSigner.privateKeyText(name: "PeterNeumann", seed: Array(payload.dropFirst())) == vector.privateKey)
    }

    @Test("two signers: each known key counts, unknown ones are ignored")
    func twoSigners() throws {
        let peter = try #require(SignedNoteVector.all.first { $0.verifierKey.hasPrefix("PeterNeumann+") })
        let enoch = try #require(SignedNoteVector.all.first { $0.verifierKey.hasPrefix("EnochRoot+") })
        let both = peter.text + "\n" + peter.signatureLine + enoch.signatureLine
        let peterKey = try NoteVerifier(verifierKey: peter.verifierKey)
        let enochKey = try NoteVerifier(verifierKey: enoch.verifierKey)
        #expect(try Note.open(both, verifiers: [peterKey]).signatures.map(\.name) == ["PeterNeumann"])
        #expect(try Note.open(both, verifiers: [enochKey]).signatures.map(\.name) == ["EnochRoot"])
        #expect(try Note.open(both, verifiers: [peterKey, enochKey]).signatures.count == 2)
        let stranger = try testNoteSigner("stranger").verifier
        #expect(thrownCode { try Note.open(both, verifiers: [stranger]) } == .noKnownSignature)
        #expect(thrownCode { try Note.open(both, verifiers: []) } == .noKnownSignature)
    }

    @Test("a signature by the right name but another key is ignored, a forged one with the right key ID fails")
    func forgedSignature() throws {
        let vector = SignedNoteVector.all[2]
        let verifier = try NoteVerifier(verifierKey: vector.verifierKey)
        let impostor = try testNoteSigner(verifier.name)
        let impostorNote = try Note(text: vector.text).signed(by: impostor).formatted
        #expect(thrownCode { try Note.open(impostorNote, verifiers: [verifier]) } == .noKnownSignature)
        // Same key ID, wrong signature bytes.
        let forged = NoteSignature(
            name: verifier.name, keyID: verifier.keyID, signature: [UInt8](repeating: 1, count: 64))
        let forgedNote = try Note(text: vector.text, signatures: [forged]).formatted
        #expect(thrownCode { try Note.open(forgedNote, verifiers: [verifier]) } == .signatureInvalid)
    }

    static let malformedNotes: [String] = {
        let good = SignedNoteVector.all.first?.signedNote ?? ""
        let line = SignedNoteVector.all.first?.signatureLine ?? ""
        let text = SignedNoteVector.all.first?.text ?? ""
        return [
            "",
            String(good.dropLast()),  // last line without \n
            text + line,  // no empty line
            text + "\n",  // no signature
            text + "\n" + line.replacingOccurrences(of: "\u{2014}", with: "-"),
            text + "\n" + line.replacingOccurrences(of: "\u{2014} ", with: "\u{2014}  "),
            text + "\n" + line.replacingOccurrences(of: "=\n", with: "\n"),  // unpadded base64
            text + "\n" + "\u{2014} PeterNeumann AAAA\n",  // shorter than key ID + 1 byte
            text + "\n" + "\u{2014} Peter+Neumann x08go/ZJ\n",
            "tab\there\n\n" + line,
            text + "\n" + line + line,  // duplicate known signature
            text + "\n" + String(repeating: "\u{2014} other AAAAAAA=\n", count: 101),
        ]
    }()

    @Test("malformed notes are refused", arguments: malformedNotes.indices)
    func malformed(_ index: Int) throws {
        let verifier = try NoteVerifier(verifierKey: SignedNoteVector.all[0].verifierKey)
        #expect(
            thrownCode {
                try Note.open(Self.malformedNotes[index], verifiers: [verifier])
            } == .malformedNote)
    }

    @Test("a note that is not UTF-8 is refused")
    func notUTF8() throws {
        let verifier = try NoteVerifier(verifierKey: SignedNoteVector.all[0].verifierKey)
        let bytes: [UInt8] = [0xFF, 0x0A, 0x0A] + Array(SignedNoteVector.all[0].signatureLine.utf8)
        #expect(thrownCode { try Note.open(bytes, verifiers: [verifier]) } == .malformedNote)
    }

    @Test(
        "malformed key texts are refused",
        arguments: [
            "",
            "PeterNeumann",
            "PeterNeumann+c74f20a3",
            "PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",  // wrong key ID
            "PeterNeumann+c74f20a+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",  // 7 hex digits
            "Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
            "PeterNeumann+c74f20a3+BBpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",  // type 0x04
            "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10T",  // bad base64
        ]
    )
    func malformedKeys(_ text: String) {
        #expect(thrownCode { try NoteVerifier(verifierKey: text) } == .malformedKey)
    }

    @Test("uppercase key ID hex is accepted, as Go does, and formats back in lowercase")
    func uppercaseKeyID() throws {
        let verifier = try NoteVerifier(
            verifierKey: "PeterNeumann+C74F20A3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW")
        #expect(verifier.verifierKey == SignedNoteVector.all[0].verifierKey)
    }

    @Test("note texts that cannot be signed are refused")
    func unsignableText() throws {
        let signer = try testNoteSigner("log")
        for text in ["", "no newline", "bell\u{07}\n"] {
            #expect(thrownCode { try signer.signature(for: text) } == .malformedNote)
        }
        #expect(thrownCode { try testNoteSigner("two words") } == .malformedKey)
    }
}
