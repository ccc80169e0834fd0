public import LedgerCore
public import LedgerCrypto

/// A log's head as a server reports it: the size, the last entry's hash and time. The next entry has seq `size`,
/// prev `hash`, and a time not before `time`.
public struct RemoteHead: Sendable, Hashable {
    public let size: UInt64
    public let hash: Digest
    public let time: Timestamp?

    public init(size: UInt64, hash: Digest, time: Timestamp?) {
        self.size = size
        self.hash = hash
        self.time = time
    }

    /// Reads `size`, `head` and `time` from a JSON answer of the server.
    init?(json: JSONValue) {
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

    /// Builds and signs the entries of a batch against this head: seq `size`, `size + 1`…, each chained to the one
    /// before.
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
                throw LedgerError(.badInput, error.message)
            }
        }
        return entries
    }
}
