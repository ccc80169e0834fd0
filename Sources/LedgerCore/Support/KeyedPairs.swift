/// Equality and hashing of arrays of `(key, value)` pairs, which Swift's tuples do not provide: for the types kept as
/// an array sorted by key instead of a dictionary (``JSONObject``, a score's points), compared and hashed member by
/// member in their order.
public enum KeyedPairs {
    /// The same pairs in the same order.
    @inlinable
    public static func equal<Value: Equatable>(
        _ lhs: [(key: String, value: Value)], _ rhs: [(key: String, value: Value)]
    ) -> Bool {
        lhs.count == rhs.count && zip(lhs, rhs).allSatisfy { $0.key == $1.key && $0.value == $1.value }
    }

    /// Feeds the count, then each key and value in order, to `hasher`.
    @inlinable
    public static func hash<Value: Hashable>(_ pairs: [(key: String, value: Value)], into hasher: inout Hasher) {
        hasher.combine(pairs.count)
        for pair in pairs {
            hasher.combine(pair.key)
            hasher.combine(pair.value)
        }
    }
}
