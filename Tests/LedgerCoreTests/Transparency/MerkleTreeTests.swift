import Foundation
import LedgerCore
import LedgerCrypto
import Testing

/// Leaves of transparency-dev/merkle's 8-leaf reference tree.
private let referenceLeaves: [[UInt8]] = [
    "", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f",
].map { Hex.decode($0)! }

/// The reference recursive MTH of RFC 6962 §2.1, hashing every leaf: the oracle for the stored tree.
private func referenceRoot(_ leaves: ArraySlice<[UInt8]>) -> Digest {
    if leaves.isEmpty { return SHA256.hash([UInt8]()) }
    if leaves.count == 1 { return RFC6962.leafHash(leaves.first!) }
    var split = 1
    while split * 2 < leaves.count { split *= 2 }
    let start = leaves.startIndex
    return RFC6962.nodeHash(
        referenceRoot(leaves[start..<start + split]), referenceRoot(leaves[(start + split)...])
    )
}

private func leaves(_ count: Int) -> [[UInt8]] {
    (0..<count).map { Array("entry \($0)\n".utf8) }
}

@Suite("Transparency: Merkle tree")
struct TransparencyMerkleTreeTests {
    @Test("known RFC 6962 values")
    func knownValues() throws {
        #expect(RFC6962.emptyRoot.hex == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(RFC6962.leafHash([]).hex == "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d")
        var tree = try MerkleTree(store: InMemoryMerkleHashStore())
        #expect(tree.root == RFC6962.emptyRoot)
        for leaf in referenceLeaves { try tree.append(leaf: leaf) }
        #expect(tree.root.hex == "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328")
    }

    @Test("roots at every size match the recursive definition")
    func rootsAtEverySize() throws {
        let all = leaves(70)
        var tree = try MerkleTree(store: InMemoryMerkleHashStore())
        for (index, leaf) in all.enumerated() {
            #expect(try tree.append(leaf: leaf) == UInt64(index))
            #expect(tree.root == referenceRoot(all[...index]))
        }
        for size in 0...all.count {
            #expect(try tree.root(size: UInt64(size)) == referenceRoot(all[..<size]))
        }
        #expect(throws: TransparencyError.self) { try tree.root(size: 71) }
    }

    @Test("generated proofs verify for every (m, n) with n ≤ 70")
    func generatedProofsVerify() throws {
        let all = leaves(70)
        var tree = try MerkleTree(store: InMemoryMerkleHashStore())
        for leaf in all { try tree.append(leaf: leaf) }
        var roots: [Digest] = []
        for size in 0...70 { roots.append(try tree.root(size: UInt64(size))) }
        for n in 1...UInt64(70) {
            for m in 0..<n {
                let proof = try tree.inclusionProof(index: m, size: n)
                try RFC6962.verifyInclusion(
                    index: m, size: n, leafHash: RFC6962.leafHash(all[Int(m)]), proof: proof, root: roots[Int(n)]
                )
                // The same proof must fail for a neighbour leaf.
                #expect(throws: TransparencyError.self) {
                    try RFC6962.verifyInclusion(
                        index: m, size: n, leafHash: RFC6962.leafHash(Array("forged".utf8)), proof: proof,
                        root: roots[Int(n)]
                    )
                }
            }
            for m in 0...n {
                let proof = try tree.consistencyProof(from: m, to: n)
                if m == 0 && n > 0 {
                    #expect(proof.isEmpty)
                    continue
                }
                try RFC6962.verifyConsistency(
                    oldSize: m, newSize: n, oldRoot: roots[Int(m)], newRoot: roots[Int(n)], proof: proof
                )
                if m > 0 && m < n {
                    #expect(throws: TransparencyError.self) {
                        try RFC6962.verifyConsistency(
                            oldSize: m, newSize: n, oldRoot: roots[Int(m) - 1], newRoot: roots[Int(n)], proof: proof
                        )
                    }
                }
            }
        }
    }

    @Test("proof requests outside the tree are refused")
    func outOfRange() throws {
        var tree = try MerkleTree(store: InMemoryMerkleHashStore())
        for leaf in leaves(5) { try tree.append(leaf: leaf) }
        #expect(throws: TransparencyError.self) { try tree.inclusionProof(index: 5, size: 5) }
        #expect(throws: TransparencyError.self) { try tree.inclusionProof(index: 0, size: 6) }
        #expect(throws: TransparencyError.self) { try tree.consistencyProof(from: 3, to: 6) }
        #expect(throws: TransparencyError.self) { try tree.consistencyProof(from: 4, to: 3) }
        #expect(throws: TransparencyError.self) { try tree.leafHash(at: 5) }
    }

    @Test("a proof costs O(log n) store reads")
    func proofReadCount() throws {
        let counter = CountingStore()
        var tree = try MerkleTree(store: counter)
        for index in 0..<1000 { try tree.append(leafHash: RFC6962.leafHash(Array("\(index)".utf8))) }
        counter.reads = 0
        _ = tree.root
        #expect(counter.reads == 0)
        _ = try tree.inclusionProof(index: 357, size: 1000)
        #expect(counter.reads <= 2 * 10)
        counter.reads = 0
        _ = try tree.consistencyProof(from: 357, to: 999)
        #expect(counter.reads <= 2 * 10)
        counter.reads = 0
        _ = try tree.root(size: 777)
        #expect(counter.reads <= 10)
    }

    @Test("file store persists, reopens, repairs missing parents and truncates")
    func fileStore() throws {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("merkle-\(UInt64.random(in: 0...UInt64.max))").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let all = leaves(37)
        do {
            var tree = try MerkleTree(store: FileMerkleHashStore(directory: directory))
            for leaf in all { try tree.append(leaf: leaf) }
            try tree.sync()
        }
        var reopened = try MerkleTree(store: FileMerkleHashStore(directory: directory))
        #expect(reopened.size == 37)
        #expect(reopened.root == referenceRoot(all[...]))
        let proof = try reopened.inclusionProof(index: 20, size: 30)
        try RFC6962.verifyInclusion(
            index: 20, size: 30, leafHash: RFC6962.leafHash(all[20]), proof: proof,
            root: referenceRoot(all[..<30])
        )

        // A crash after the leaf write but before its parents, plus a torn half record on level 0.
        try reopened.truncate(toSize: 32)
        #expect(reopened.root == referenceRoot(all[..<32]))
        let raw = try FileMerkleHashStore(directory: directory)
        for level in 1..<6 { try raw.truncate(level: level, count: 0) }
        let handle = try #require(FileHandle(forWritingAtPath: "\(directory)/level-00.hashes"))
        handle.seekToEndOfFile()
        handle.write(Data(repeating: 0xAB, count: 17))
        try handle.close()
        let repaired = try MerkleTree(store: FileMerkleHashStore(directory: directory))
        #expect(repaired.size == 32)
        #expect(repaired.root == referenceRoot(all[..<32]))
        #expect(try repaired.root(size: 17) == referenceRoot(all[..<17]))
    }
}

/// A store that counts reads, to check the O(log n) cost claims.
private final class CountingStore: MerkleHashStore {
    var inner = InMemoryMerkleHashStore()
    var reads = 0

    func count(level: Int) -> UInt64 { inner.count(level: level) }

    func hash(level: Int, index: UInt64) throws(TransparencyError) -> Digest {
        reads += 1
        return try inner.hash(level: level, index: index)
    }

    func append(_ hash: Digest, level: Int) throws(TransparencyError) { try inner.append(hash, level: level) }

    func truncate(level: Int, count: UInt64) throws(TransparencyError) {
        try inner.truncate(level: level, count: count)
    }

    func sync() throws(TransparencyError) {}
}
