public import GrantDomain
import LedgerCore
public import LedgerCrypto

extension LedgerSnapshot {
    /// The RFC 6962 root over `lines` (without their `\n`).
    static func merkleRoot(_ lines: [ArraySlice<UInt8>]) throws(PublishingError) -> Digest {
        do throws(TransparencyError) {
            var tree = try MerkleTree(store: InMemoryMerkleHashStore())
            for line in lines { try tree.append(leaf: line) }
            return tree.root
        } catch {
            throw PublishingError(
                .unreadable, "impossible de calculer la racine de Merkle : \(error)", underlying: error)
        }
    }

    /// The snapshot of this log's first `size` entries: what a file published when the log had that size was
    /// computed from, so it can still be recomputed after the log has grown (`docs/PUBLISHING.md` §4.1).
    ///
    /// The whole log was verified when this snapshot was taken, so its first entries were too; they are replayed
    /// (signatures are not checked again) for the state, and hashed for the identity.
    ///
    /// - Throws: `.badInput` when the log has fewer than `size` entries.
    public func prefix(size: Int64, rules: GrantRules = GrantRules()) throws(PublishingError) -> LedgerSnapshot {
        guard size >= 0, size <= identity.size else {
            throw PublishingError(
                .badInput, "le journal n'a que \(identity.size) entrées, pas \(size) : son historique a été coupé")
        }
        if size == identity.size { return self }
        let logBytes = try readLog()
        var lines: [ArraySlice<UInt8>] = []
        var start = 0
        for index in logBytes.indices where logBytes[index] == 0x0A && lines.count < size {
            lines.append(logBytes[start..<index])
            start = index + 1
        }
        let bytes = Array(logBytes[..<start])
        var replayer = Replayer(domain: rules)
        var outcomes = RuleOutcomes()
        for line in lines {
            do throws(EntryError) {
                replayer.apply(try Entry(line: Array(line)), outcomes: &outcomes)
            } catch {
                replayer.applyUnparseable(line: Array(line), error: error, outcomes: &outcomes)
            }
        }
        let prefixIdentity = LogIdentity(
            origin: replayer.keys.origin ?? "", title: replayer.keys.title ?? "", size: size,
            headSeq: replayer.lastSeq, headHash: size > 0 ? replayer.lastHash.hex : "", headTime: replayer.lastTime,
            rootHash: try Self.merkleRoot(lines).hex, byteCount: bytes.count, fileSHA256: SHA256.hash(bytes).hex)
        return LedgerSnapshot(
            identity: prefixIdentity, state: replayer.domain.state, keys: replayer.keys, logBytes: bytes,
            checkpoint: nil)
    }
}
