public import LedgerCrypto

/// RFC 6962 (Certificate Transparency) Merkle tree hashing, the hashing every C2SP transparency format assumes.
///
/// Leaves and interior nodes get different one-byte prefixes (0x00, 0x01) so that no leaf can ever be passed
/// off as an interior node (a second-preimage attack on the tree). The empty tree's root is the hash of nothing,
/// so a checkpoint of size 0 still carries a well-defined root.
///
/// ```swift
/// let leaf = RFC6962.leafHash(Array("line\n".utf8))
/// try RFC6962.verifyInclusion(index: 3, size: 8, leafHash: leaf, proof: proof, root: checkpoint.rootHash)
/// ```
public enum RFC6962 {
    /// The root of the empty tree, SHA-256 of the empty string (`e3b0c442…b855`).
    public static let emptyRoot: Digest = SHA256.hash([UInt8]())

    /// The hash of one leaf: SHA-256(0x00 ‖ leaf).
    public static func leafHash(_ leaf: some Sequence<UInt8>) -> Digest {
        var buffer: [UInt8] = [0x00]
        buffer.append(contentsOf: leaf)
        return buffer.withUnsafeBytes { SHA256.hash($0) }
    }

    /// The hash of an interior node: SHA-256(0x01 ‖ left ‖ right).
    public static func nodeHash(_ left: Digest, _ right: Digest) -> Digest {
        var buffer: [UInt8] = [0x01]
        buffer.reserveCapacity(65)
        buffer.append(contentsOf: left.bytes)
        buffer.append(contentsOf: right.bytes)
        return buffer.withUnsafeBytes { SHA256.hash($0) }
    }

    /// The largest power of two strictly below `count` (`count >= 2`): the size of the left subtree in RFC 6962.
    static func splitPoint(_ count: UInt64) -> UInt64 {
        precondition(count >= 2)
        return 1 << (63 - UInt64((count - 1).leadingZeroBitCount))
    }
}
