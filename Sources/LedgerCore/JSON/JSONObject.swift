/// The members of a JSON object: each name once, kept in one array sorted by name.
///
/// A payload has a dozen members and is read a few members at a time, once: an array sorted by name costs one
/// allocation and no hashing, where a dictionary hashed every name when it was built, again when it grew, and at
/// every lookup (a measurable part of replaying a log). Names compare as Swift strings do (canonically
/// equivalent names are the same name, as in a `Dictionary`); canonical JSON orders members by UTF-16 code units
/// when it writes them (``CanonicalJSON``), whatever the order here.
public struct JSONObject: Sendable, Hashable, Sequence, ExpressibleByDictionaryLiteral {
    public typealias Element = (key: String, value: JSONValue)

    /// Sorted by `key`, no key twice.
    private var members: [Element]

    public init() {
        members = []
    }

    public init(_ dictionary: [String: JSONValue]) {
        members = dictionary.map { (key: $0.key, value: $0.value) }
        members.sort { $0.key < $1.key }
    }

    /// A later value of a repeated name replaces the earlier one.
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        members = []
        members.reserveCapacity(elements.count)
        for (key, value) in elements { self[key] = value }
    }

    /// The object of `pairs`, in any order; or the position in `pairs` of the second occurrence of a repeated name
    /// (in the order of `pairs`).
    static func make(_ pairs: [Element]) -> Made {
        var object = JSONObject()
        var sorted = true
        for index in pairs.indices.dropFirst() where !(pairs[index - 1].key < pairs[index].key) {
            sorted = false
            break
        }
        if sorted {
            // Canonical input (names in UTF-16 order, ASCII names in particular) is already in order and unique.
            object.members = pairs
            return .object(object)
        }
        // Stable, so that of two equal names the first in the input comes first.
        let order = pairs.indices.sorted {
            pairs[$0].key < pairs[$1].key || (pairs[$0].key == pairs[$1].key && $0 < $1)
        }
        object.members.reserveCapacity(pairs.count)
        var repeated: Int? = nil
        for (position, index) in order.enumerated() {
            if position > 0, pairs[order[position - 1]].key == pairs[index].key {
                repeated = Swift.min(repeated ?? index, index)
                continue
            }
            object.members.append(pairs[index])
        }
        if let repeated { return .repeated(repeated) }
        return .object(object)
    }

    /// What ``make(_:)`` gives.
    enum Made {
        case object(JSONObject)
        /// The position of a name met a second time.
        case repeated(Int)
    }

    public var count: Int { members.count }
    public var isEmpty: Bool { members.isEmpty }

    /// The names, sorted.
    public var keys: [String] { members.map(\.key) }
    /// The values, in the order of their names.
    public var values: [JSONValue] { members.map(\.value) }

    /// The same members in a dictionary.
    public var dictionary: [String: JSONValue] {
        var dictionary = [String: JSONValue](minimumCapacity: members.count)
        for member in members { dictionary[member.key] = member.value }
        return dictionary
    }

    /// Where `key` is, or where it would go.
    private func position(of key: String) -> (index: Int, found: Bool) {
        var low = 0
        var high = members.count
        while low < high {
            let middle = (low + high) / 2
            if members[middle].key < key {
                low = middle + 1
            } else {
                high = middle
            }
        }
        return (low, low < members.count && members[low].key == key)
    }

    /// The value of member `key`; setting nil removes the member.
    public subscript(key: String) -> JSONValue? {
        get {
            let (index, found) = position(of: key)
            // Not `found ? value : nil`: JSONValue is ExpressibleByNilLiteral, and that `nil` would be `.null`.
            guard found else { return Optional.none }
            return members[index].value
        }
        set {
            if let newValue {
                updateValue(newValue, forKey: key)
            } else {
                removeValue(forKey: key)
            }
        }
    }

    /// Sets member `key`; returns its former value.
    @discardableResult
    public mutating func updateValue(_ value: JSONValue, forKey key: String) -> JSONValue? {
        let (index, found) = position(of: key)
        guard found else {
            members.insert((key: key, value: value), at: index)
            return nil
        }
        defer { members[index].value = value }
        return members[index].value
    }

    /// Removes member `key`; returns its value.
    @discardableResult
    public mutating func removeValue(forKey key: String) -> JSONValue? {
        let (index, found) = position(of: key)
        guard found else { return Optional.none }
        return members.remove(at: index).value
    }

    public func mapValues(_ transform: (JSONValue) throws -> JSONValue) rethrows -> JSONObject {
        var object = self
        for index in object.members.indices { object.members[index].value = try transform(members[index].value) }
        return object
    }

    public func makeIterator() -> IndexingIterator<[Element]> { members.makeIterator() }

    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool { KeyedPairs.equal(lhs.members, rhs.members) }

    public func hash(into hasher: inout Hasher) { KeyedPairs.hash(members, into: &hasher) }
}
