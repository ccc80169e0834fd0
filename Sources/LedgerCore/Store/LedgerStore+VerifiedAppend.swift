public import LedgerCrypto

/// Appending entries that someone else built, signed and validated: the write path of a service, which keeps the
/// log's state in memory and validates client-signed entries against it.
extension LedgerStore {
    /// What ``appendVerified(_:expecting:)`` did.
    public enum VerifiedAppend: Sendable {
        /// The entries are durable; the log is now `length` bytes long.
        case appended(length: Int)
        /// The log's head was not the one expected (another writer appended meanwhile): nothing was written.
        case stale(Tail)
    }

    /// Appends `entries` — already parsed, chained and checked by the caller against the state after the log's
    /// current last entry — if that last entry's hash is still `expectedHead` (`Digest.zero` for an empty log).
    ///
    /// Under the writer lock: reads the tail, compares, then writes every line with one `write` and one `fsync`
    /// (all of them or none, as any append of the store) and records their leaves in the Merkle cache. The entries
    /// are acknowledged when it returns `.appended`. Bytes past the commit point, which a writer killed mid-write
    /// leaves, are first set aside into a `ledger.jsonl.torn-…` file, as ``repair(now:)`` does.
    public func appendVerified(_ entries: [Entry], expecting expectedHead: Digest) throws(LedgerError) -> VerifiedAppend
    {
        try withExclusiveLock { () throws(LedgerError) -> VerifiedAppend in
            let tail: Tail
            do throws(LedgerError) {
                tail = try readTail()
            } catch  where error.code == .tornTail {
                // Another writer (a `grant-ledger` command) was killed between writing a batch and recording its
                // commit point: nobody was told those bytes are written. Set them aside as `repair` does, and go on.
                _ = try repairLocked(now: .now())
                tail = try readTail()
            }
            guard (tail.last?.hash ?? .zero) == expectedHead else { return .stale(tail) }
            guard !entries.isEmpty else { return .appended(length: tail.length) }
            let commit = try writeLocked(entries, after: tail.commit)
            LedgerTree.recordAppend(entries, store: self, fromLength: tail.length, toLength: commit.length)
            return .appended(length: commit.length)
        }
    }
}
