public import LedgerCrypto

/// The head of a log: its size and the hash of its last entry (`Digest.zero` for an empty log), with that entry's
/// time. The next entry has seq `size`, prev `hash`, and a time not before `time` (`INT-TIME`).
///
/// What a writer that is not the log's own process signs against: a service answers it (`GET …/head`, and in every
/// write's answer), and a client builds its entries on it (docs/SERVICE.md §2).
public struct LogHead: Sendable, Hashable {
    public let size: UInt64
    public let hash: Digest
    public let time: Timestamp?

    public init(size: UInt64, hash: Digest, time: Timestamp?) {
        self.size = size
        self.hash = hash
        self.time = time
    }

    /// The head once `entries`, built on this head, are appended (this head when there are none).
    public func appending(_ entries: [Entry]) -> LogHead {
        guard let last = entries.last else { return self }
        return LogHead(size: size + UInt64(entries.count), hash: last.hash, time: last.time)
    }

    /// The entity tag of the head: the hash, quoted (RFC 9110 §8.8.3).
    public var etag: String { "\"\(hash.hex)\"" }

    /// `size`, `head` (hex; 64 zeros for an empty log) and `time` (null for an empty log): the members every
    /// answer that carries a head has.
    public var json: [String: JSONValue] {
        [
            "size": .integer(Int64(size)), "head": .string(hash.hex),
            "time": time.map { .string($0.description) } ?? .null,
        ]
    }

    /// Reads the members of ``json`` back.
    public init?(json: JSONValue) {
        guard let size = json["size"]?.integerValue, size >= 0, let hex = json["head"]?.stringValue,
            let hash = Digest(hex: hex)
        else { return nil }
        self.size = UInt64(size)
        self.hash = hash
        self.time = json["time"]?.stringValue.flatMap { Timestamp(rfc3339: $0) }
    }

    /// The time an entry appended now gets by default: now, or the last entry's time if the clock is behind it.
    public func entryTime(_ given: Timestamp?) -> Timestamp {
        given ?? max(Timestamp.now(), time ?? Timestamp.now())
    }

    /// Builds and signs the entries of a batch on this head: seq `size`, `size + 1`…, each chained to the one
    /// before, all at the time ``entryTime(_:)`` gives.
    public func sign(
        _ events: [(type: String, payload: JSONValue)], signer: Ed25519PrivateKey, time: Timestamp?
    ) throws(LedgerError) -> [Entry] {
        var entries: [Entry] = []
        var prev = hash
        let when = entryTime(time)
        for (offset, event) in events.enumerated() {
            do throws(EntryError) {
                let entry = try Entry.make(
                    seq: Int64(size) + Int64(offset), prev: prev, time: when, type: event.type,
                    payload: event.payload, signer: signer)
                entries.append(entry)
                prev = entry.hash
            } catch {
                throw LedgerError(.badInput, error.message, underlying: error)
            }
        }
        return entries
    }
}
