/// An identifier held as the text it was validated from: ``SIREN``, ``SIRET``, ``INSEECommuneCode``,
/// ``DepartementCode``.
///
/// A conforming type gives its text and its one validating initialiser; this protocol derives the rest the same
/// way for all of them, so no identifier can be built from text, or decoded from a log, without its check:
/// `init?(_:)` is nil where validation throws, decoding validates the JSON string (a log holding an invalid
/// identifier is refused, not repaired), encoding writes the text, `description` is the text, and identifiers
/// sort by their text unless the type says otherwise (``DepartementCode`` sorts in INSEE order).
///
/// ```swift
/// let paris = try SIREN(validating: "217500016")
/// SIREN("217500017") // nil: wrong check digit
/// String(describing: paris) // "217500016"
/// ```
public protocol ValidatedIdentifier: Hashable, Comparable, Sendable, Codable, LosslessStringConvertible {
    /// The identifier's text, exactly as validated.
    var rawValue: String { get }

    /// Validates `text`, or throws one French sentence naming it.
    init(validating text: some StringProtocol) throws(InputError)
}

extension ValidatedIdentifier {
    /// Nil unless `description` is valid.
    public init?(_ description: String) {
        guard let value = try? Self(validating: description) else { return nil }
        self = value
    }

    public var description: String { rawValue }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }

    /// Decodes a JSON string and validates it.
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        try self.init(validating: text)
    }

    /// Encodes the text as a JSON string.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}
