/// A value read strictly from the bytes of a text (a signed note, a proof): the `String` form of the parse is
/// written once, here.
public protocol TextParsable {
    /// Parses `bytes` strictly; checks no signature.
    init(parsing bytes: [UInt8]) throws(TransparencyError)
}

extension TextParsable {
    /// Parses the UTF-8 bytes of `text` (see ``init(parsing:)``).
    public init(parsing text: String) throws(TransparencyError) {
        try self.init(parsing: Array(text.utf8))
    }
}
