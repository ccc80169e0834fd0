import Foundation
import LedgerCrypto
import Testing

@testable import LedgerCore

@Suite("Transparency: the Merkle cache beside the log (LedgerTree)")
struct LedgerTreeTests {
    /// The root of `lines` computed from scratch, the oracle for the cache.
    func expectedRoot(_ lines: [[UInt8]]) -> Digest {
        var range = CompactRange()
        for line in lines { range.append(RFC6962.leafHash(line)) }
        return range.root
    }

    func current(_ ledger: Ledger<NoDomainRules>) throws -> (size: UInt64, root: Digest, lines: [[UInt8]]) {
        try LedgerTree.withCurrent(ledger.store) { (tree) throws(LedgerError) in
            var lines: [[UInt8]] = []
            for index in 0..<tree.size { lines.append(try tree.line(at: index)) }
            return (tree.size, tree.root, lines)
        }
    }

    func merkle(_ ledger: Ledger<NoDomainRules>) -> String { ledger.store.directory + "/merkle" }

    @Test("appends update the cache at flush; it matches the log line for line")
    func appendsUpdateTheCache() throws {
        let ledger = try TestLedgers.make(count: 20)
        // ledger.create writes no leaf; the first flush catches up entry 0, then appends the flushed ones.
        let leafFile = merkle(ledger) + "/level-00.hashes"
        #expect(try FileManager.default.attributesOfItem(atPath: leafFile)[.size] as? Int == 20 * 32)
        let lines = try TestLedgers.lines(ledger)
        let tree = try current(ledger)
        #expect(tree.size == 20)
        #expect(tree.root == expectedRoot(lines))
        #expect(tree.lines == lines)
        try ledger.append(
            type: EventCatalog.keyRevoked,
            payload: [
                "key_id": .string(TestLedgers.key(11).publicKey.keyID),
                "reason": "test",
            ], signer: TestLedgers.key(1))
        #expect(try FileManager.default.attributesOfItem(atPath: leafFile)[.size] as? Int == 21 * 32)
        #expect(try current(ledger).root == expectedRoot(try TestLedgers.lines(ledger)))
    }

    @Test("a missing or lagging cache is caught up from the log")
    func catchUp() throws {
        let ledger = try TestLedgers.make(count: 33)
        let lines = try TestLedgers.lines(ledger)
        try FileManager.default.removeItem(atPath: merkle(ledger))
        #expect(try current(ledger).root == expectedRoot(lines))
        // Cut the cache files behind the log, unevenly, as a crash could.
        for (name, keep) in [("level-00.hashes", 25 * 32), ("offsets", 21 * 8), ("level-01.hashes", 3 * 32)] {
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: merkle(ledger) + "/" + name))
            try handle.truncate(atOffset: UInt64(keep))
            try handle.close()
        }
        let tree = try current(ledger)
        #expect(tree.size == 33)
        #expect(tree.root == expectedRoot(lines))
        #expect(tree.lines == lines)
    }

    @Test("a shorter log cuts the tree back; a rewritten log rebuilds it")
    func truncationAndRewrite() throws {
        let ledger = try TestLedgers.make(count: 40)
        let lines = try TestLedgers.lines(ledger)
        _ = try current(ledger)
        try TestLedgers.write(Array(lines[..<23]), to: ledger)
        var tree = try current(ledger)
        #expect(tree.size == 23)
        #expect(tree.root == expectedRoot(Array(lines[..<23])))
        // The same number of lines, the last one different: the cache's last leaf no longer matches.
        var forked = lines
        forked[39] = Array(
            String(decoding: lines[39], as: UTF8.self).replacingOccurrences(of: "Préfecture", with: "Prefecture").utf8)
        try TestLedgers.write(forked, to: ledger)
        tree = try current(ledger)
        #expect(tree.size == 40)
        #expect(tree.root == expectedRoot(forked))
        #expect(tree.lines == forked)
        // A torn tail is not a leaf.
        try TestLedgers.write(forked + [Array("{\"torn".utf8)], to: ledger, finalNewline: false)
        #expect(try current(ledger).size == 40)
    }

    @Test("proofs from the cache verify against roots recomputed from the log")
    func proofsVerify() throws {
        let ledger = try TestLedgers.make(count: 21)
        let lines = try TestLedgers.lines(ledger)
        try LedgerTree.withCurrent(ledger.store) { (tree) throws(LedgerError) in
            for size in [UInt64(1), 7, 16, 21] {
                let root = expectedRoot(Array(lines[..<Int(size)]))
                #expect(try tree.root(size: size) == root)
                for index in [UInt64(0), size / 2, size - 1] {
                    let proof = try tree.inclusionProof(index: index, size: size)
                    #expect(throws: Never.self) {
                        try RFC6962.verifyInclusion(
                            index: index, size: size, leafHash: RFC6962.leafHash(lines[Int(index)]),
                            proof: proof, root: root)
                    }
                }
                let consistency = try tree.consistencyProof(from: size, to: 21)
                #expect(throws: Never.self) {
                    try RFC6962.verifyConsistency(
                        oldSize: size, newSize: 21, oldRoot: root, newRoot: tree.root,
                        proof: consistency)
                }
            }
        }
    }
}
