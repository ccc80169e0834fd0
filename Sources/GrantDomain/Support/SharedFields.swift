/// The fields of a value held once, by reference: copying the value is one reference count however many texts
/// and lists its fields hold. The box never changes: changing a field puts the fields in a new box, so copies
/// never see each other's changes.
///
/// For values that the rules copy out of the state for nearly every event and that almost never change once
/// made (a call, an application as submitted).
struct SharedFields<Fields: Sendable & Hashable>: Sendable, Hashable {
    private final class Box: Sendable {
        let fields: Fields

        init(_ fields: Fields) { self.fields = fields }
    }

    private var box: Box

    init(_ fields: Fields) { box = Box(fields) }

    var fields: Fields { box.fields }

    mutating func update(_ change: (inout Fields) -> Void) {
        var fields = box.fields
        change(&fields)
        box = Box(fields)
    }

    static func == (lhs: Self, rhs: Self) -> Bool { lhs.box === rhs.box || lhs.box.fields == rhs.box.fields }

    func hash(into hasher: inout Hasher) { hasher.combine(box.fields) }
}
