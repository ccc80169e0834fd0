import Foundation
import LedgerCore
import LedgerCrypto
import Testing

/// A deterministic cosigner for tests.
func testCosigner(_ name: String, seedByte: UInt8) throws -> CosignatureSigner {
    try CosignatureSigner(name: name, privateKey: Ed25519PrivateKey(seed: [UInt8](repeating: seedByte, count: 32)))
}

@Suite("Transparency: checkpoints and cosignatures")
struct TransparencyCheckpointTests {
    let specBody = "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"

    @Test("the C2SP example body parses and formats back byte for byte")
    func specExample() throws {
        let checkpoint = try Checkpoint(body: specBody)
        #expect(checkpoint.origin == "example.com/behind-the-sofa")
        #expect(checkpoint.size == 20_852_163)
        #expect(checkpoint.extensions.isEmpty)
        #expect(checkpoint.body == specBody)
        let extended = try Checkpoint(body: specBody + "ext one\nanother\n")
        #expect(extended.extensions == ["ext one", "another"])
        #expect(extended.body == specBody + "ext one\nanother\n")
    }

    @Test("the sum.golang.org checkpoint parses, but its key name is not its origin")
    func sumGolangOrg() throws {
        let vector = try #require(SignedNoteVector.all.first { $0.verifierKey.hasPrefix("sum.golang.org+") })
        let checkpoint = try Checkpoint(body: vector.text)
        #expect(checkpoint.origin == "go.sum database tree")
        #expect(checkpoint.size == 6_476_701)
        #expect(checkpoint.body == vector.text)
        let log = try NoteVerifier(verifierKey: vector.verifierKey)
        _ = try Note.open(vector.signedNote, verifiers: [log])
        #expect(thrownCode { try SignedCheckpoint.open(vector.signedNote, log: log) } == .originMismatch)
    }

    @Test(
        "bodies with another spelling are refused",
        arguments: [
            "example.com/log\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=",  // no final newline
            "example.com/log\n20852163\n",
            "example.com/log\n020852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",
            "example.com/log\n+20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",
            "example.com/log\n 20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",
            "example.com/log\n18446744073709551616\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",
            "example.com/log\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I\n",  // unpadded
            "example.com/log\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2J=\n",  // non-zero trailing bits
            "example.com/log\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jx=\n",  // 29 bytes
            "\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",
            "example.com/log\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n\n",  // empty extension
        ]
    )
    func strictBody(_ body: String) {
        #expect(thrownCode { try Checkpoint(body: body) } == .malformedCheckpoint)
    }

    @Test("size 0 and the empty root are written as the spec says")
    func emptyTree() throws {
        let checkpoint = try Checkpoint(origin: "example.com/log", size: 0, rootHash: RFC6962.emptyRoot)
        #expect(checkpoint.body == "example.com/log\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n")
        #expect(try Checkpoint(body: checkpoint.body) == checkpoint)
    }

    @Test("a log signs its checkpoint under its origin; readers check the log key and the origin")
    func signAndOpen() throws {
        let log = try testNoteSigner("example.com/log")
        let checkpoint = try Checkpoint(origin: "example.com/log", size: 3, rootHash: RFC6962.leafHash([1]))
        let signed = try SignedCheckpoint(checkpoint, signer: log)
        #expect(signed.text.hasPrefix(checkpoint.body + "\n\u{2014} example.com/log "))
        let opened = try SignedCheckpoint.open(signed.text, log: log.verifier)
        #expect(opened.checkpoint == checkpoint)
        #expect(opened.text == signed.text)

        let other = try testNoteSigner("example.com/other", seedByte: 9)
        #expect(thrownCode { try SignedCheckpoint(checkpoint, signer: other) } == .originMismatch)
        #expect(thrownCode { try SignedCheckpoint.open(signed.text, log: other.verifier) } == .originMismatch)
        let sameNameOtherKey = try testNoteSigner("example.com/log", seedByte: 9)
        #expect(
            thrownCode { try SignedCheckpoint.open(signed.text, log: sameNameOtherKey.verifier) } == .noKnownSignature)
        let tampered = signed.text.replacingOccurrences(of: "\n3\n", with: "\n4\n")
        #expect(thrownCode { try SignedCheckpoint.open(tampered, log: log.verifier) } == .signatureInvalid)
    }

    @Test("the cosigned message is the C2SP one")
    func cosignedMessage() {
        let message = Cosignature.message(timestamp: 1_679_315_147, body: specBody)
        #expect(
            String(decoding: message, as: UTF8.self)
                == "cosignature/v1\ntime 1679315147\n"
                + "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"
        )
    }

    @Test("cosigner keys: type 0x04 key ID and verifier key text")
    func cosignerKeys() throws {
        let witness = try testCosigner("witness.example/w1", seedByte: 3)
        let text = witness.verifier.verifierKey
        let parsed = try CosignatureVerifier(verifierKey: text)
        #expect(parsed == witness.verifier)
        #expect(parsed.keyID == witness.keyID)
        // The same public key under type 0x01 has another key ID, and neither parser accepts the other's text.
        let asNoteKey = try NoteVerifier(name: witness.name, publicKey: witness.privateKey.publicKey)
        #expect(asNoteKey.keyID != witness.keyID)
        #expect(thrownCode { try NoteVerifier(verifierKey: text) } == .malformedKey)
        #expect(thrownCode { try CosignatureVerifier(verifierKey: asNoteKey.verifierKey) } == .malformedKey)
        let privateText = try CosignatureSigner.privateKeyText(
            name: witness.name, seed: [UInt8](repeating: 3, count: 32))
        #expect(try CosignatureSigner(privateKey: privateText).keyID == witness.keyID)
    }

    @Test("cosignatures are created, carried and verified; unknown witnesses are ignored")
    func cosign() throws {
        let log = try testNoteSigner("example.com/log")
        let w1 = try testCosigner("witness.example/w1", seedByte: 3)
        let w2 = try testCosigner("witness.example/w2", seedByte: 4)
        let checkpoint = try Checkpoint(origin: "example.com/log", size: 10, rootHash: RFC6962.leafHash([2]))
        let signed = try SignedCheckpoint(checkpoint, signer: log)
            .cosigned(by: w1, timestamp: 1_700_000_000)
            .cosigned(by: w2, timestamp: 1_700_000_001)
        #expect(signed.note.signatures.count == 3)
        #expect(signed.note.signatures[1].signature.count == 72)

        let opened = try SignedCheckpoint.open(signed.text, log: log.verifier, cosigners: [w1.verifier])
        #expect(opened.cosignatures.map(\.name) == ["witness.example/w1"])
        #expect(opened.cosignatures.first?.timestamp == 1_700_000_000)
        #expect(opened.text == signed.text)
        let both = try SignedCheckpoint.open(signed.text, log: log.verifier, cosigners: [w1.verifier, w2.verifier])
        #expect(both.cosignatures.map(\.timestamp) == [1_700_000_000, 1_700_000_001])
        #expect(try SignedCheckpoint.open(signed.text, log: log.verifier).cosignatures.isEmpty)

        // A cosignature alone is not the log's signature.
        let onlyWitness = try Note(
            text: checkpoint.body, signatures: [try w1.cosign(checkpoint, timestamp: 5).noteSignature])
        #expect(
            thrownCode {
                try SignedCheckpoint.open(onlyWitness.formatted, log: log.verifier, cosigners: [w1.verifier])
            } == .noKnownSignature)

        // Moving the timestamp breaks the cosignature.
        let genuine = try w1.cosign(checkpoint, timestamp: 1_700_000_000)
        let replayed = Cosignature(
            name: genuine.name, keyID: genuine.keyID, timestamp: 1_800_000_000, signature: genuine.signature)
        #expect(w1.verifier.isValid(genuine, body: Array(checkpoint.body.utf8)))
        #expect(!w1.verifier.isValid(replayed, body: Array(checkpoint.body.utf8)))
        var note = try SignedCheckpoint(checkpoint, signer: log).note
        note.signatures.append(replayed.noteSignature)
        #expect(
            thrownCode {
                try SignedCheckpoint.open(note.formatted, log: log.verifier, cosigners: [w1.verifier])
            } == .signatureInvalid)
        #expect(thrownCode { try w1.cosign(checkpoint, timestamp: UInt64(Int64.max) + 1) } == .outOfRange)
    }
}
