/// A timestamped cosignature (c2sp.org/tlog-cosignature, Ed25519, type 0x04) on a checkpoint.
///
/// A cosigner (witness) states: "as of `timestamp`, this is the largest tree consistent with everything I have
/// seen from this log". Readers who require cosignatures from several independent witnesses are protected from a
/// log that shows different trees to different people (a split view), which a log signature alone cannot rule
/// out. The signed message commits to the time, so a stale cosignature cannot be replayed as fresh:
/// `cosignature/v1\ntime <seconds>\n` followed by the whole checkpoint body.
public struct Cosignature: Sendable, Hashable {
    /// The cosigner's key name.
    public let name: String
    /// The cosigner's key ID (type 0x04).
    public let keyID: UInt32
    /// When the cosigner signed, in POSIX seconds (at most 2^63 − 1).
    public let timestamp: UInt64
    /// The 64-byte Ed25519 signature over ``message(timestamp:body:)``.
    public let signature: [UInt8]

    public init(name: String, keyID: UInt32, timestamp: UInt64, signature: [UInt8]) {
        self.name = name
        self.keyID = keyID
        self.timestamp = timestamp
        self.signature = signature
    }

    /// How far beyond the reader's clock a cosignature may be dated, in seconds (10 minutes): clocks drift a
    /// little, but a witness that vouches for a time that has not come is broken or lying, and a far-future
    /// cosignature would look fresh for ever (docs/PROOFS.md §6).
    public static let clockTolerance: UInt64 = 600

    /// Whether this cosignature is dated after `now` (POSIX seconds) plus ``clockTolerance``.
    public func isDated(after now: Timestamp) -> Bool {
        timestamp > UInt64(max(0, now.secondsSinceEpoch)) + Self.clockTolerance
    }

    /// The cosignature's time, as RFC 3339 UTC.
    public var time: Timestamp { Timestamp(secondsSinceEpoch: Int64(clamping: timestamp)) }

    /// Reads the cosignature carried by a note signature line; nil unless it is 8 + 64 bytes after the key ID.
    public init?(_ noteSignature: NoteSignature) {
        guard noteSignature.signature.count == 72 else { return nil }
        let timestamp = TextField.bigEndianUInt64(noteSignature.signature[...])
        guard timestamp <= UInt64(Int64.max) else { return nil }
        self.init(
            name: noteSignature.name, keyID: noteSignature.keyID, timestamp: timestamp,
            signature: Array(noteSignature.signature.dropFirst(8))
        )
    }

    /// The note signature line form: key ID ‖ u64 big-endian timestamp ‖ signature.
    public var noteSignature: NoteSignature {
        NoteSignature(name: name, keyID: keyID, signature: TextField.bytes(bigEndian: timestamp) + signature)
    }

    /// The bytes a cosigner signs: `cosignature/v1\ntime <timestamp>\n` ‖ the checkpoint body.
    public static func message(timestamp: UInt64, body: String) -> [UInt8] {
        message(timestamp: timestamp, body: Array(body.utf8))
    }

    /// The bytes a cosigner signs, for a body already in bytes.
    static func message(timestamp: UInt64, body: [UInt8]) -> [UInt8] {
        Array("cosignature/v1\ntime \(timestamp)\n".utf8) + body
    }
}
