/// The code of one of the 101 French départements: `01`–`19`, `2A`, `2B`, `21`–`95`, `971`–`974`, `976`.
///
/// Several grant rules depend on the département (regional envelopes, overseas rates), and a département
/// code is easy to get subtly wrong: `20` no longer exists since Corsica was split in 1976, Corsican codes
/// contain letters, overseas codes have three digits, and `975` (Saint-Pierre-et-Miquelon) is not a
/// département. So the closed list is spelled out here and every code is checked against it.
///
/// Codes sort in the official INSEE order (`19` < `2A` < `2B` < `21`), not in string order.
///
/// ```swift
/// let corseDuSud = try DepartementCode(validating: "2A")
/// DepartementCode("20") // nil
/// DepartementCode.all.count // 101
/// ```
public struct DepartementCode: Hashable, Comparable, Sendable, Codable, LosslessStringConvertible {
    /// `01`…`95`, `2A`, `2B`, `971`…`976`.
    public let rawValue: String

    /// All 101 codes, in the official order.
    public static let all: [DepartementCode] = {
        var codes: [String] = (1...19).map { $0 < 10 ? "0\($0)" : "\($0)" }
        codes += ["2A", "2B"]
        codes += (21...95).map { "\($0)" }
        codes += ["971", "972", "973", "974", "976"]
        return codes.map(DepartementCode.init(unchecked:))
    }()

    private static let orderIndex: [String: Int] = Dictionary(
        uniqueKeysWithValues: all.enumerated().map { ($0.element.rawValue, $0.offset) }
    )

    /// Validates `text` against the closed list of 101 codes (case-sensitive: `2a` is refused).
    public init(validating text: some StringProtocol) throws(InputError) {
        let code = String(text)
        guard DepartementCode.orderIndex[code] != nil else {
            throw InputError(
                .invalidDepartementCode,
                "\"\(text)\" is not a département code: expected 01 to 19, 2A, 2B, 21 to 95, 971 to 974 or 976."
            )
        }
        rawValue = code
    }

    /// Nil unless `description` is one of the 101 codes.
    public init?(_ description: String) {
        guard let value = try? DepartementCode(validating: description) else { return nil }
        self = value
    }

    init(unchecked rawValue: String) {
        self.rawValue = rawValue
    }

    /// True for the five overseas départements (DROM: `971`–`974`, `976`).
    public var isOverseas: Bool { rawValue.utf8.count == 3 }

    public var description: String { rawValue }

    public static func < (lhs: DepartementCode, rhs: DepartementCode) -> Bool {
        orderIndex[lhs.rawValue, default: .max] < orderIndex[rhs.rawValue, default: .max]
    }

    /// Decodes a JSON string and validates it.
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        try self.init(validating: text)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}
