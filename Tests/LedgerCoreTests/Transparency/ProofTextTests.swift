import Foundation
import LedgerCore
import LedgerCrypto
import Testing

@Suite("Transparency: proof texts")
struct TransparencyProofTextTests {
    let log: NoteSigner
    let witness: CosignatureSigner
    let lines: [[UInt8]]
    var tree: MerkleTree<InMemoryMerkleHashStore>

    init() throws {
        log = try testNoteSigner("grants.example/ledger")
        witness = try testCosigner("witness.example/w1", seedByte: 5)
        lines = (0..<13).map { Array("{\"seq\":\($0)}\n".utf8) }
        tree = try MerkleTree(store: InMemoryMerkleHashStore())
        for line in lines { try tree.append(leaf: line) }
    }

    func signedCheckpoint(size: UInt64) throws -> SignedCheckpoint {
        let checkpoint = try Checkpoint(origin: log.name, size: size, rootHash: tree.root(size: size))
        return try SignedCheckpoint(checkpoint, signer: log).cosigned(by: witness, timestamp: 1_700_000_000)
    }

    @Test("inclusion proofs for every entry round-trip and verify")
    func inclusionRoundTrip() throws {
        let signed = try signedCheckpoint(size: 13)
        for index in 0..<UInt64(13) {
            let extra: [UInt8]? = index % 2 == 0 ? nil : [0xDE, 0xAD, UInt8(index)]
            let proof = InclusionProof(
                index: index, hashes: try tree.inclusionProof(index: index, size: 13), checkpoint: signed, extra: extra
            )
            let text = proof.text
            #expect(text.hasPrefix("c2sp.org/tlog-proof@v1\n" + (extra == nil ? "" : "extra ")))
            let parsed = try InclusionProof(parsing: text)
            #expect(parsed == proof)
            #expect(parsed.text == text)
            let verified = try parsed.verify(
                leafHash: RFC6962.leafHash(lines[Int(index)]), log: log.verifier, cosigners: [witness.verifier]
            )
            #expect(verified.cosignatures.count == 1)
            #expect(
                thrownCode {
                    try parsed.verify(leafHash: RFC6962.leafHash(lines[Int((index + 1) % 13)]), log: log.verifier)
                } == .inclusionProofInvalid)
        }
    }

    @Test("the text form is exactly the C2SP layout")
    func exactLayout() throws {
        let signed = try signedCheckpoint(size: 2)
        let proof = InclusionProof(index: 1, hashes: try tree.inclusionProof(index: 1, size: 2), checkpoint: signed)
        let sibling = try tree.leafHash(at: 0)
        let expected =
            "c2sp.org/tlog-proof@v1\nindex 1\n\(try #require(Base64Helper.encode(sibling.bytes)))\n\n" + signed.text
        #expect(proof.text == expected)
    }

    @Test("a proof against a forged checkpoint is refused")
    func forgedCheckpoint() throws {
        let signed = try signedCheckpoint(size: 13)
        let proof = InclusionProof(index: 4, hashes: try tree.inclusionProof(index: 4, size: 13), checkpoint: signed)
        let forged = proof.text.replacingOccurrences(of: "\n13\n", with: "\n12\n")
        let parsed = try InclusionProof(parsing: forged)
        #expect(
            thrownCode { try parsed.verify(leafHash: RFC6962.leafHash(lines[4]), log: log.verifier) }
                == .signatureInvalid)
        let stranger = try testNoteSigner("grants.example/ledger", seedByte: 99)
        #expect(
            thrownCode { try proof.verify(leafHash: RFC6962.leafHash(lines[4]), log: stranger.verifier) }
                == .noKnownSignature)
    }

    @Test("malformed inclusion proof texts are refused")
    func malformedInclusion() throws {
        let signed = try signedCheckpoint(size: 13)
        let good = InclusionProof(index: 4, hashes: try tree.inclusionProof(index: 4, size: 13), checkpoint: signed)
            .text
        let hashLine = good.split(separator: "\n", omittingEmptySubsequences: false)[2]
        let variants = [
            good.replacingOccurrences(of: "c2sp.org/tlog-proof@v1\n", with: "c2sp.org/tlog-proof@v2\n"),
            good.replacingOccurrences(of: "index 4\n", with: "index 04\n"),
            good.replacingOccurrences(of: "index 4\n", with: "index  4\n"),
            good.replacingOccurrences(of: "index 4\n", with: "index 4 \n"),
            good.replacingOccurrences(of: "index 4\n", with: "extra !!!!\nindex 4\n"),
            good.replacingOccurrences(of: "index 4\n", with: ""),
            good.replacingOccurrences(of: hashLine + "\n", with: hashLine.dropLast() + "\n"),
            good.replacingOccurrences(of: hashLine + "\n", with: "AAAA\n"),
            good.replacingOccurrences(of: "\n\ngrants.example", with: "\ngrants.example"),
            String(good.prefix { $0 != "\n" }) + "\nindex 4\n",
            good.replacingOccurrences(of: "\n\n\u{2014}", with: "\n\u{2014}"),
        ]
        for variant in variants {
            #expect(thrownCode { try InclusionProof(parsing: variant) } == .malformedProof, "\(variant)")
        }
        _ = try InclusionProof(parsing: good)
    }

    @Test("consistency proofs between signed checkpoints round-trip and verify")
    func consistency() throws {
        let new = try signedCheckpoint(size: 13)
        for oldSize in UInt64(1)...13 {
            let old = try signedCheckpoint(size: oldSize).checkpoint
            let proof = ConsistencyProof(
                oldSize: oldSize, hashes: try tree.consistencyProof(from: oldSize, to: 13), checkpoint: new
            )
            #expect(proof.text.hasPrefix("grantledger/tlog-consistency@v1\nold \(oldSize)\n"))
            let parsed = try ConsistencyProof(parsing: proof.text)
            #expect(parsed == proof)
            #expect(parsed.text == proof.text)
            let verified = try parsed.verify(from: old, log: log.verifier, cosigners: [witness.verifier])
            #expect(verified.checkpoint.size == 13)

            // An old checkpoint with another root (a forked log) is refused.
            let forked = try Checkpoint(origin: old.origin, size: oldSize, rootHash: RFC6962.leafHash([0xFF]))
            #expect(thrownCode { try parsed.verify(from: forked, log: log.verifier) } == .consistencyProofInvalid)
        }
        let old = try signedCheckpoint(size: 5).checkpoint
        let proof = ConsistencyProof(oldSize: 5, hashes: try tree.consistencyProof(from: 5, to: 13), checkpoint: new)
        let wrongSize = try Checkpoint(origin: old.origin, size: 6, rootHash: try tree.root(size: 6))
        #expect(thrownCode { try proof.verify(from: wrongSize, log: log.verifier) } == .consistencyProofInvalid)
        let otherLog = try Checkpoint(origin: "other.example/log", size: 5, rootHash: old.rootHash)
        #expect(thrownCode { try proof.verify(from: otherLog, log: log.verifier) } == .originMismatch)
        #expect(
            thrownCode {
                try ConsistencyProof(
                    parsing: proof.text.replacingOccurrences(of: "old 5\n", with: "extra AA==\nold 5\n"))
            } == .malformedProof)
    }
}

/// Standard base64 for expected values, written independently of the library's encoder.
enum Base64Helper {
    static func encode(_ bytes: [UInt8]) -> String? {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
        var out = ""
        var index = 0
        while index < bytes.count {
            let chunk = Array(bytes[index..<min(index + 3, bytes.count)])
            let padded = chunk + [UInt8](repeating: 0, count: 3 - chunk.count)
            let value = Int(padded[0]) << 16 | Int(padded[1]) << 8 | Int(padded[2])
            for position in 0..<4 {
                out.append(position <= chunk.count ? alphabet[(value >> (18 - 6 * position)) & 63] : "=")
            }
            index += 3
        }
        return out
    }
}
