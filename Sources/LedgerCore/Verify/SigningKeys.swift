public import LedgerCrypto

/// Whether an entry's signature was checked, and how it went.
public enum SignatureCheck: Sendable {
    case valid, invalid, unchecked
}

/// The public key behind every key id a log names, learnt from the `public_key` of its `ledger.created` and
/// `key.registered` payloads, so that signatures can be checked ahead of the replay (in parallel, while the
/// rules run on the entries before).
///
/// A key id is the SHA-256 of the key's DER: the only bytes an id can stand for are those that hash to it.
/// Whether an entry's signature verifies therefore does not depend on whether the key was validly
/// registered, revoked or allowed to sign; those are the replay's rules (`AUT-KEY`, `AUT-REVOKED`,
/// `AUT-ROLE`), judged in log order. Memory grows with the number of keys, not of entries.
public struct SigningKeys: Sendable {
    private var keys: [String: Ed25519PublicKey] = [:]

    public init() {}

    /// Learns the key an entry introduces, if it introduces one.
    public mutating func learn(from entry: Entry) {
        guard entry.type == EventCatalog.ledgerCreated || entry.type == EventCatalog.keyRegistered,
            let text = entry.payload["public_key"]?.stringValue, let key = PublicKeyText.decode(text),
            keys[key.keyID] == nil
        else { return }
        keys[key.keyID] = key
    }

    /// The key whose id is `actor`, if the log has introduced it.
    public func key(for actor: String) -> Ed25519PublicKey? { keys[actor] }

    /// Checks `entry`'s signature now, on this thread (`unchecked` when its signer's key is unknown).
    public func check(_ entry: Entry) -> SignatureCheck {
        guard let key = keys[entry.actor] else { return .unchecked }
        return key.isValidSignature(entry.signature, for: entry.signedBytes) ? .valid : .invalid
    }
}

/// Defects of a whole file rather than of one line: a byte-order mark before the first line, Windows line
/// endings. Each is one fault, reported once (`INT-CANONICAL`), and the lines are judged without it, so a log
/// saved by an editor as CRLF gives one finding, not one per line.
public struct LineDefects: Sendable {
    private var lineNumber: Int64 = 0
    private var byteOrderMark = false
    private var crlfLines: Int64 = 0
    private var firstCRLF: Int64? = nil

    public init() {}

    /// The line without the defects above.
    public mutating func clean(_ line: [UInt8]) -> [UInt8] {
        var line = line
        if lineNumber == 0, line.count >= 3, line[0] == 0xEF, line[1] == 0xBB, line[2] == 0xBF {
            byteOrderMark = true
            line.removeFirst(3)
        }
        if line.last == 0x0D {
            line.removeLast()
            crlfLines += 1
            firstCRLF = firstCRLF ?? lineNumber
        }
        lineNumber += 1
        return line
    }

    /// Reports what was found, once each.
    public func report(into outcomes: inout RuleOutcomes) {
        if byteOrderMark {
            outcomes.check(
                .canonical, seq: 0, passed: false,
                "le fichier commence par une marque d'ordre des octets (BOM UTF-8), que le format exclut")
        }
        if let firstCRLF {
            outcomes.check(
                .canonical, seq: firstCRLF, passed: false,
                "\(crlfLines) ligne\(crlfLines > 1 ? "s se terminent" : " se termine") par CR LF (fin de ligne Windows) au lieu de LF, à partir de la seq \(firstCRLF)"
            )
        }
    }
}
