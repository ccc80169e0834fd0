import LedgerCore

/// Why a payload does not have the documented shape (`docs/EVENTS.md`): every problem, in French.
public struct PayloadError: Error, Sendable, CustomStringConvertible {
    public let problems: [String]

    public init(_ problems: [String]) {
        self.problems = problems
    }

    public var description: String { problems.joined(separator: " ; ") }
}

/// Reads the members of a payload object with their documented types, collecting problems instead of
/// stopping at the first, and refusing unknown members: nothing is silently ignored.
struct Fields {
    let object: [String: JSONValue]
    let path: String
    var problems: [String] = []
    private var seen: Set<String> = []

    init(_ value: JSONValue, path: String = "") {
        self.object = value.objectValue ?? [:]
        self.path = path
        if value.objectValue == nil {
            problems.append("\(path.isEmpty ? "la charge utile" : path) doit être un objet JSON")
        }
    }

    private func name(_ member: String) -> String { path.isEmpty ? member : "\(path).\(member)" }

    private mutating func value(_ member: String, optional: Bool) -> JSONValue? {
        seen.insert(member)
        guard let value = object[member] else {
            if !optional { problems.append("\(name(member)) manque") }
            return nil
        }
        if value == .null {
            problems.append("\(name(member)) ne peut pas valoir null\(optional ? " : omettez ce membre" : "")")
            return nil
        }
        return value
    }

    mutating func string(_ member: String, optional: Bool = false, maxLength: Int = 4096) -> String? {
        guard let value = value(member, optional: optional) else { return nil }
        guard let text = value.stringValue else {
            problems.append("\(name(member)) doit être une chaîne")
            return nil
        }
        if text.unicodeScalars.allSatisfy(\.properties.isWhitespace) {
            problems.append("\(name(member)) ne doit pas être vide")
            return nil
        }
        if text.count > maxLength {
            problems.append("\(name(member)) dépasse \(maxLength) caractères")
            return nil
        }
        return text
    }

    mutating func integer(
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

    mutating func bool(_ member: String) -> Bool? {
        guard let value = value(member, optional: false) else { return nil }
        guard let flag = value.boolValue else {
            problems.append("\(name(member)) doit être true ou false")
            return nil
        }
        return flag
    }

    mutating func strings(_ member: String, nonEmpty: Bool = true) -> [String]? {
        guard let value = value(member, optional: false) else { return nil }
        guard let items = value.arrayValue, items.allSatisfy({ $0.stringValue != nil }) else {
            problems.append("\(name(member)) doit être une liste de chaînes")
            return nil
        }
        let texts = items.compactMap(\.stringValue)
        if nonEmpty && texts.isEmpty { problems.append("\(name(member)) ne doit pas être vide") }
        if Set(texts).count != texts.count { problems.append("\(name(member)) contient des doublons") }
        return texts
    }

    mutating func enumValues<E: RawRepresentable>(_ member: String, _ type: E.Type) -> [E]? where E.RawValue == String {
        guard let texts = strings(member) else { return nil }
        var out: [E] = []
        for text in texts {
            guard let value = E(rawValue: text) else {
                problems.append("\(name(member)) : valeur inconnue « \(text) »")
                return nil
            }
            out.append(value)
        }
        return out
    }

    mutating func enumValue<E: RawRepresentable>(_ member: String, _ type: E.Type) -> E? where E.RawValue == String {
        guard let text = string(member) else { return nil }
        guard let value = E(rawValue: text) else {
            problems.append("\(name(member)) : valeur inconnue « \(text) »")
            return nil
        }
        return value
    }

    mutating func date(_ member: String) -> CalendarDate? {
        guard let text = string(member) else { return nil }
        guard let date = try? CalendarDate(iso: text) else {
            problems.append("\(name(member)) « \(text) » n'est pas une date AAAA-MM-JJ réelle")
            return nil
        }
        return date
    }

    mutating func array(_ member: String) -> [JSONValue]? {
        guard let value = value(member, optional: false) else { return nil }
        guard let items = value.arrayValue else {
            problems.append("\(name(member)) doit être une liste")
            return nil
        }
        return items
    }

    mutating func nested(_ member: String, optional: Bool = false) -> Fields? {
        guard let value = value(member, optional: optional) else { return nil }
        return Fields(value, path: name(member))
    }

    /// Reports members that are not documented.
    mutating func rejectUnknown() {
        for member in object.keys.sorted() where !seen.contains(member) {
            problems.append("membre inconnu \(name(member))")
        }
    }

    mutating func absorb(_ other: Fields) {
        var other = other
        other.rejectUnknown()
        problems.append(contentsOf: other.problems)
    }
}
