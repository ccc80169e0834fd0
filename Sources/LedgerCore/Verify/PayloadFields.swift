public import LedgerCrypto

/// The errors of reading an event's payload.
public enum PayloadFailure: ErrorDomain {
    public struct Details: ErrorDetails, Hashable {
        /// Every problem found, one phrase each.
        public var problems: [String] = []
        public init() {}
    }
}

/// Why a payload does not have the documented shape: every problem, one French clause each.
public typealias PayloadError = CodedError<PayloadFailure>

extension ErrorCode where Domain == PayloadFailure {
    /// A member missing, of the wrong type, or out of range.
    public static let invalid = Self("invalid")
}

extension CodedError where Domain == PayloadFailure {
    /// The error listing `problems`.
    public init(_ problems: [String]) {
        self.init(.invalid, problems.joined(separator: " ; "))
        details.problems = problems
    }
}

/// Reads the members of a payload object with their documented types, collecting problems instead of
/// stopping at the first, and refusing unknown members: nothing is silently ignored.
///
/// The one payload reader of the project: the format's key events and every domain event decode through it,
/// so text rules (``TextRules``), identifier rules and messages are the same everywhere.
///
/// ```swift
/// var f = PayloadFields(entry.payload)
/// let id = f.identifier("application_id")
/// let reason = f.string("reason", kind: .multiline, maxLength: 4096)
/// f.rejectUnknown()
/// guard f.problems.isEmpty, let id, let reason else { throw PayloadError(f.problems) }
/// ```
public struct PayloadFields {
    /// What a string member holds, which decides the rules its text must follow.
    public enum Kind: Sendable {
        /// One line a person reads (a name, a title, a reference): ``TextRules``.
        case text
        /// Several lines a person reads (a summary, a motive, a justification): ``TextRules``, line feeds allowed.
        case multiline
        /// An identifier (`application_id`, `call_id`, a criterion): ASCII letters and digits, `.`, `_`, `-`,
        /// starting with a letter or a digit; one spelling, no look-alike.
        case identifier
        /// A code checked by the caller (SIREN, dates, hex): printable ASCII without spaces.
        case code
    }

    public let object: JSONObject
    public let path: String
    public var problems: [String] = []
    /// Members asked for (a payload has a handful: a short list is cheaper than a set).
    private var seen: [String] = []
    /// How many of them the object has: when every member was asked for, none is unknown.
    private var present = 0

    public init(_ value: JSONValue, path: String = "") {
        self.object = value.objectValue ?? JSONObject()
        self.path = path
        if value.objectValue == nil {
            problems.append("\(path.isEmpty ? "la charge utile" : path) doit être un objet JSON")
        }
    }

    /// The member's name as shown in messages, with its path (`applicant.name`).
    public func name(_ member: String) -> String { path.isEmpty ? member : "\(path).\(member)" }

    private mutating func value(_ member: String, optional: Bool) -> JSONValue? {
        let firstAsked = !seen.contains(member)
        if firstAsked { seen.append(member) }
        guard let value = object[member] else {
            if !optional { problems.append("\(name(member)) manque") }
            return nil
        }
        if firstAsked { present += 1 }
        if value == .null {
            problems.append("\(name(member)) ne peut pas valoir null\(optional ? " : omettez ce membre" : "")")
            return nil
        }
        return value
    }

    /// A string member, checked according to `kind`.
    ///
    /// - Parameter minimumVisible: for text, the least number of letters and digits (a justification needs a
    ///   sentence, not a word).
    public mutating func string(
        _ member: String, optional: Bool = false, kind: Kind = .text, maxLength: Int = 256, minimumVisible: Int = 1
    ) -> String? {
        guard let value = value(member, optional: optional) else { return nil }
        guard let text = value.stringValue else {
            problems.append("\(name(member)) doit être une chaîne")
            return nil
        }
        if let problem = PayloadFields.problem(text, kind: kind, minimumVisible: minimumVisible) {
            problems.append("\(name(member)) \(problem)")
            return nil
        }
        // A character is at least one byte: only a long text needs its characters counted.
        if text.utf8.count > maxLength, text.count > maxLength {
            problems.append("\(name(member)) dépasse \(maxLength) caractères")
            return nil
        }
        return text
    }

    /// An identifier member (at most 64 characters).
    public mutating func identifier(_ member: String, optional: Bool = false) -> String? {
        string(member, optional: optional, kind: .identifier, maxLength: 64)
    }

    /// Why `text` is not acceptable as `kind`, as a French clause; nil when it is.
    public static func problem(_ text: String, kind: Kind, minimumVisible: Int = 1) -> String? {
        switch kind {
        case .text, .multiline:
            return TextRules.problem(in: text, multiline: kind == .multiline, minimumVisible: minimumVisible)?
                .description
        case .identifier:
            let bytes = Array(text.utf8)
            func allowed(_ b: UInt8, first: Bool) -> Bool {
                let alnum = (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A)
                return alnum || (!first && (b == 0x2E || b == 0x5F || b == 0x2D))
            }
            guard let first = bytes.first, allowed(first, first: true),
                bytes.dropFirst().allSatisfy({ allowed($0, first: false) })
            else {
                return
                    "« \(TextRules.printable(text)) » n'est pas un identifiant : lettres et chiffres ASCII, « . », « _ » et « - », en commençant par une lettre ou un chiffre"
            }
            return nil
        case .code:
            guard !text.isEmpty else { return "ne doit pas être vide" }
            guard text.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
                return
                    "« \(TextRules.printable(text)) » ne doit contenir que des caractères ASCII visibles, sans espace"
            }
            return nil
        }
    }

    public mutating func integer(
        _ member: String, optional: Bool = false, min: Int64 = 0, max: Int64 = JSONValue.maxSafeInteger
    ) -> Int64? {
        guard let value = value(member, optional: optional) else { return nil }
        guard let number = value.integerValue else {
            problems.append("\(name(member)) doit être un entier")
            return nil
        }
        guard number >= min && number <= max else {
            problems.append("\(name(member)) vaut \(number), hors de l'intervalle \(min)…\(max)")
            return nil
        }
        return number
    }

    public mutating func bool(_ member: String) -> Bool? {
        guard let value = value(member, optional: false) else { return nil }
        guard let flag = value.boolValue else {
            problems.append("\(name(member)) doit être true ou false")
            return nil
        }
        return flag
    }

    /// A list of strings, each checked according to `kind`; distinct, and not empty unless allowed.
    public mutating func strings(
        _ member: String, kind: Kind = .code, nonEmpty: Bool = true, maxCount: Int = 256
    ) -> [String]? {
        guard let value = value(member, optional: false) else { return nil }
        guard let items = value.arrayValue, items.allSatisfy({ $0.stringValue != nil }) else {
            problems.append("\(name(member)) doit être une liste de chaînes")
            return nil
        }
        let texts = items.compactMap(\.stringValue)
        if nonEmpty && texts.isEmpty { problems.append("\(name(member)) ne doit pas être vide") }
        if texts.count > maxCount { problems.append("\(name(member)) compte plus de \(maxCount) éléments") }
        if Set(texts).count != texts.count { problems.append("\(name(member)) contient des doublons") }
        for text in texts {
            if let problem = PayloadFields.problem(text, kind: kind) {
                problems.append("\(name(member)) : un élément \(problem)")
                return nil
            }
        }
        return texts
    }

    public mutating func enumValues<E: RawRepresentable>(_ member: String, _ type: E.Type) -> [E]?
    where E.RawValue == String {
        guard let texts = strings(member) else { return nil }
        var out: [E] = []
        for text in texts {
            guard let value = E(rawValue: text) else {
                problems.append("\(name(member)) : valeur inconnue « \(TextRules.printable(text)) »")
                return nil
            }
            out.append(value)
        }
        return out
    }

    public mutating func enumValue<E: RawRepresentable>(_ member: String, _ type: E.Type) -> E?
    where E.RawValue == String {
        guard let text = string(member, kind: .code, maxLength: 64) else { return nil }
        guard let value = E(rawValue: text) else {
            problems.append("\(name(member)) : valeur inconnue « \(TextRules.printable(text)) »")
            return nil
        }
        return value
    }

    public mutating func array(_ member: String, maxCount: Int = 256) -> [JSONValue]? {
        guard let value = value(member, optional: false) else { return nil }
        guard let items = value.arrayValue else {
            problems.append("\(name(member)) doit être une liste")
            return nil
        }
        guard items.count <= maxCount else {
            problems.append("\(name(member)) compte plus de \(maxCount) éléments")
            return nil
        }
        return items
    }

    public mutating func nested(_ member: String, optional: Bool = false) -> PayloadFields? {
        guard let value = value(member, optional: optional) else { return nil }
        return PayloadFields(value, path: name(member))
    }

    /// Reports members that are not documented.
    public mutating func rejectUnknown() {
        guard present < object.count else { return }
        for member in object.keys.sorted() where !seen.contains(member) {
            problems.append("membre inconnu \(name(TextRules.printable(member)))")
        }
    }

    /// Takes a nested reader's problems (after rejecting its unknown members).
    public mutating func absorb(_ other: PayloadFields) {
        var other = other
        other.rejectUnknown()
        problems.append(contentsOf: other.problems)
    }
}
