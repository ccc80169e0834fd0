/// A JSON value as GrantLedger handles it: integers are kept exact, apart from binary floating point.
///
/// The ledger format allows integers only (`docs/FORMAT.md` §2); `.double` exists so that the RFC 8785
/// encoder can be checked against the published vectors, which contain fractions.
public enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    /// An integer written without fraction or exponent that fits in 64 bits.
    case integer(Int64)
    /// Any other number (IEEE 754 double).
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)

    /// The object of `members`.
    public static func object(_ members: [String: JSONValue]) -> JSONValue { .object(JSONObject(members)) }

    /// The member `key` of an object, or nil.
    public subscript(key: String) -> JSONValue? {
        if case .object(let members) = self { return members[key] }
        return nil
    }

    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    public var integerValue: Int64? {
        if case .integer(let value) = self { return value }
        return nil
    }

    public var boolValue: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    public var arrayValue: [JSONValue]? {
        if case .array(let value) = self { return value }
        return nil
    }

    public var objectValue: JSONObject? {
        if case .object(let value) = self { return value }
        return nil
    }

    /// The largest integer magnitude every RFC 8785 implementation represents exactly (2^53 − 1, I-JSON).
    public static let maxSafeInteger: Int64 = 9_007_199_254_740_991

    /// The JSON path of the first value the ledger format forbids (a non-integer number, or an integer
    /// outside ±(2^53 − 1)), or nil when the value is allowed.
    public func firstForbiddenNumber(path: String = "$") -> String? {
        switch self {
        case .double: return path
        case .integer(let value): return abs(value) > JSONValue.maxSafeInteger ? path : nil
        case .array(let items):
            for (index, item) in items.enumerated() {
                if let bad = item.firstForbiddenNumber(path: "\(path)[\(index)]") { return bad }
            }
            return nil
        case .object(let members):
            for (key, value) in members {
                if let bad = value.firstForbiddenNumber(path: "\(path).\(key)") { return bad }
            }
            return nil
        default: return nil
        }
    }

    /// The same value with every string and member name in Unicode NFC (`docs/FORMAT.md` §2): input typed
    /// or pasted in another normalization form is written to the log in the one form it accepts.
    public var normalizedToNFC: JSONValue {
        switch self {
        case .string(let text): return .string(NFC.normalize(text))
        case .array(let items): return .array(items.map(\.normalizedToNFC))
        case .object(let members):
            var out = JSONObject()
            for (key, value) in members { out[NFC.normalize(key)] = value.normalizedToNFC }
            return .object(out)
        default: return self
        }
    }
}

extension JSONValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByNilLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int64) { self = .integer(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        var object = JSONObject()
        for (key, value) in elements { object[key] = value }
        self = .object(object)
    }
    public init(nilLiteral: ()) { self = .null }
}
