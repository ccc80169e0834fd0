public import LedgerCrypto

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
public struct DepartementCode: ValidatedIdentifier {
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

    /// The position of `code` in ``all``, or nil if it is not a département code.
    ///
    /// Arithmetic rather than a dictionary lookup: it runs for every commune at load time.
    private static func ordinal(_ code: some StringProtocol) -> Int? {
        var bytes: (UInt8, UInt8, UInt8) = (0, 0, 0)
        var count = 0
        for byte in code.utf8 {
            guard count < 3 else { return nil }
            switch count {
            case 0: bytes.0 = byte
            case 1: bytes.1 = byte
            default: bytes.2 = byte
            }
            count += 1
        }
        func digit(_ byte: UInt8) -> Int? {
            byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") ? Int(byte - UInt8(ascii: "0")) : nil
        }
        if count == 2 {
            if bytes.0 == UInt8(ascii: "2") && bytes.1 == UInt8(ascii: "A") { return 19 }
            if bytes.0 == UInt8(ascii: "2") && bytes.1 == UInt8(ascii: "B") { return 20 }
            guard let tens = digit(bytes.0), let units = digit(bytes.1) else { return nil }
            let number = tens * 10 + units
            switch number {
            case 1...19: return number - 1  // 01 → 0 … 19 → 18
            case 21...95: return number + 0  // 21 → 21 … 95 → 95 (2A, 2B take 19 and 20)
            default: return nil
            }
        }
        if count == 3, bytes.0 == UInt8(ascii: "9"), bytes.1 == UInt8(ascii: "7") {
            switch bytes.2 {
            case UInt8(ascii: "1")...UInt8(ascii: "4"): return 96 + Int(bytes.2 - UInt8(ascii: "1"))
            case UInt8(ascii: "6"): return 100
            default: return nil
            }
        }
        return nil
    }

    /// Validates `text` against the closed list of 101 codes (case-sensitive: `2a` is refused).
    public init(validating text: some StringProtocol) throws(InputError) {
        guard DepartementCode.ordinal(text) != nil else {
            throw InputError(
                .invalidDepartement,
                "« \(text) » n'est pas un code de département : 01 à 19, 2A, 2B, 21 à 95, 971 à 974 ou 976 attendu."
            )
        }
        rawValue = String(text)
    }

    init(unchecked rawValue: String) {
        self.rawValue = rawValue
    }

    /// True for the five overseas départements (DROM: `971`–`974`, `976`).
    public var isOverseas: Bool { rawValue.utf8.count == 3 }

    public static func < (lhs: DepartementCode, rhs: DepartementCode) -> Bool {
        (ordinal(lhs.rawValue) ?? .max) < (ordinal(rhs.rawValue) ?? .max)
    }
}
