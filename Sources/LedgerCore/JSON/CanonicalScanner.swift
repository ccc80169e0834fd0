/// Checks, in one pass and without building a tree, that bytes are exactly the RFC 8785 canonical form of
/// a JSON object within the ledger's profile, and records where its top-level members are.
///
/// The profile (`docs/FORMAT.md` §2): no whitespace; members sorted by UTF-16 code units, no duplicates;
/// strings valid UTF-8 with only RFC 8785's escapes; numbers integers only, written without `+`, leading
/// zeros or `-0`, within ±(2^53 − 1). A text passes if and only if re-encoding its parse gives the same
/// bytes, so every event has exactly one encoding; this scanner is that check, about ten times faster.
struct CanonicalScanner {
    /// A top-level member: where its name's bytes (without quotes) and its value lie.
    struct Member {
        var name: Range<Int>
        var value: Range<Int>
    }

    enum Failure: Error {
        case invalid(String, Int)
    }

    private let bytes: UnsafeBufferPointer<UInt8>
    private var index = 0
    private var depth = 0

    init(_ bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    /// Scans a whole top-level object and returns its members in order.
    static func scanObject(_ bytes: UnsafeBufferPointer<UInt8>) throws(Failure) -> [Member] {
        var scanner = CanonicalScanner(bytes)
        guard bytes.count > 0, bytes[0] == UInt8(ascii: "{") else {
            throw .invalid("la ligne n'est pas un objet JSON", 0)
        }
        var members: [Member] = []
        members.reserveCapacity(8)
        try scanner.scanObject(collect: &members)
        guard scanner.index == bytes.count else { throw .invalid("octets inattendus après l'objet", scanner.index) }
        return members
    }

    private func fail(_ message: String) -> Failure { .invalid(message, index) }

    private mutating func scanValue() throws(Failure) {
        guard index < bytes.count else { throw fail("fin de ligne inattendue") }
        switch bytes[index] {
        case UInt8(ascii: "{"):
            var ignored: [Member]? = nil
            try scanObject(collectOptional: &ignored)
        case UInt8(ascii: "["): try scanArray()
        case UInt8(ascii: "\""): _ = try scanString()
        case UInt8(ascii: "t"): try literal("true")
        case UInt8(ascii: "f"): try literal("false")
        case UInt8(ascii: "n"): try literal("null")
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): try scanInteger()
        default: throw fail("caractère inattendu (espace ou JSON invalide)")
        }
    }

    private mutating func literal(_ word: StaticString) throws(Failure) {
        let count = word.utf8CodeUnitCount
        guard index + count <= bytes.count else { throw fail("fin de ligne inattendue") }
        for offset in 0..<count where bytes[index + offset] != word.utf8Start[offset] {
            throw fail("littéral invalide")
        }
        index += count
    }

    private mutating func scanObject(collect members: inout [Member]) throws(Failure) {
        var optional: [Member]? = members
        try scanObject(collectOptional: &optional)
        members = optional ?? []
    }

    private mutating func scanObject(collectOptional members: inout [Member]?) throws(Failure) {
        depth += 1
        defer { depth -= 1 }
        guard depth <= JSONParser.maxDepth else { throw fail("imbrication trop profonde") }
        index += 1
        guard index < bytes.count else { throw fail("fin de ligne inattendue") }
        if bytes[index] == UInt8(ascii: "}") {
            index += 1
            return
        }
        var previous: Range<Int>? = nil
        var previousHasEscapeOrNonASCII = false
        while true {
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw fail("nom de membre attendu") }
            let nameStart = index + 1
            let plain = try scanString()
            let name = nameStart..<(index - 1)
            if let previous {
                let ordered: Bool
                if plain && !previousHasEscapeOrNonASCII {
                    ordered = bytes[previous].lexicographicallyPrecedes(bytes[name])
                } else {
                    ordered = decodedUTF16(previous).lexicographicallyPrecedes(decodedUTF16(name))
                }
                guard ordered else {
                    throw .invalid("les noms de membres ne sont pas dans l'ordre canonique, ou se répètent", nameStart)
                }
            }
            previous = name
            previousHasEscapeOrNonASCII = !plain
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw fail("« : » attendu") }
            index += 1
            let valueStart = index
            try scanValue()
            members?.append(Member(name: name, value: valueStart..<index))
            guard index < bytes.count else { throw fail("fin de ligne inattendue") }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
                continue
            }
            if bytes[index] == UInt8(ascii: "}") {
                index += 1
                return
            }
            throw fail("« , » ou « } » attendu")
        }
    }

    private mutating func scanArray() throws(Failure) {
        depth += 1
        defer { depth -= 1 }
        guard depth <= JSONParser.maxDepth else { throw fail("imbrication trop profonde") }
        index += 1
        guard index < bytes.count else { throw fail("fin de ligne inattendue") }
        if bytes[index] == UInt8(ascii: "]") {
            index += 1
            return
        }
        while true {
            try scanValue()
            guard index < bytes.count else { throw fail("fin de ligne inattendue") }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
                continue
            }
            if bytes[index] == UInt8(ascii: "]") {
                index += 1
                return
            }
            throw fail("« , » ou « ] » attendu")
        }
    }

    /// Scans a canonical string; returns true when it is plain ASCII without escapes.
    private mutating func scanString() throws(Failure) -> Bool {
        let start = index
        index += 1
        var plain = true
        // Set when the string holds a scalar at or above U+0300, the only ones that can break NFC.
        var beyondLatin = false
        while index < bytes.count {
            let c = bytes[index]
            if c == UInt8(ascii: "\"") {
                index += 1
                if beyondLatin, !isNFC(start..<index) {
                    throw .invalid("une chaîne n'est pas en forme de normalisation Unicode C (NFC)", start)
                }
                return plain
            }
            if c == UInt8(ascii: "\\") {
                plain = false
                guard index + 1 < bytes.count else { throw fail("échappement non terminé") }
                switch bytes[index + 1] {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "b"), UInt8(ascii: "f"),
                    UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                    index += 2
                case UInt8(ascii: "u"):
                    // Canonical \u escapes are exactly the controls without a short form, in lowercase hex.
                    guard index + 6 <= bytes.count, bytes[index + 2] == UInt8(ascii: "0"),
                        bytes[index + 3] == UInt8(ascii: "0"),
                        let high = CanonicalScanner.nibbleLower(bytes[index + 4]),
                        let low = CanonicalScanner.nibbleLower(bytes[index + 5])
                    else { throw fail("échappement \\u non canonique") }
                    let code = high << 4 | low
                    guard code < 0x20, ![0x08, 0x09, 0x0A, 0x0C, 0x0D].contains(code) else {
                        throw fail("échappement \\u non canonique")
                    }
                    index += 6
                default: throw fail("échappement non canonique")
                }
                continue
            }
            if c < 0x20 { throw fail("caractère de contrôle brut dans une chaîne") }
            if c < 0x80 {
                index += 1
                continue
            }
            plain = false
            if c >= 0xCC { beyondLatin = true }
            try scanUTF8Sequence()
        }
        throw fail("chaîne non terminée")
    }

    /// Validates one multi-byte UTF-8 sequence: shortest form, no surrogates, at most U+10FFFF.
    private mutating func scanUTF8Sequence() throws(Failure) {
        guard let length = UTF8Text.multiByteLength(bytes, at: index) else { throw fail("UTF-8 invalide") }
        index += length
    }

    private mutating func scanInteger() throws(Failure) {
        let start = index
        var negative = false
        if bytes[index] == UInt8(ascii: "-") {
            negative = true
            index += 1
        }
        guard index < bytes.count, bytes[index] >= UInt8(ascii: "0"), bytes[index] <= UInt8(ascii: "9") else {
            throw fail("nombre invalide")
        }
        var magnitude: Int64 = 0
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
            guard !negative else { throw .invalid("-0 n'est pas canonique", start) }
        } else {
            while index < bytes.count, bytes[index] >= UInt8(ascii: "0"), bytes[index] <= UInt8(ascii: "9") {
                if index - start > 17 { throw .invalid("entier hors de l'intervalle exact ±(2^53 − 1)", start) }
                magnitude = magnitude * 10 + Int64(bytes[index] - UInt8(ascii: "0"))
                index += 1
            }
        }
        if index < bytes.count, [UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E")].contains(bytes[index]) {
            throw .invalid("le format du registre n'admet que des entiers", start)
        }
        guard magnitude <= JSONValue.maxSafeInteger else {
            throw .invalid("entier hors de l'intervalle exact ±(2^53 − 1)", start)
        }
    }

    /// Whether the string token at `range` (quotes included) decodes to NFC text (`docs/FORMAT.md` §2).
    private func isNFC(_ range: Range<Int>) -> Bool {
        guard let text = (try? JSONParser.parse(bytes[range]))?.stringValue else { return false }
        return NFC.isNormalized(text)
    }

    /// The UTF-16 code units of a canonical string's content (escapes decoded).
    private func decodedUTF16(_ range: Range<Int>) -> [UInt16] {
        let value = try? JSONParser.parse(bytes[(range.lowerBound - 1)..<(range.upperBound + 1)])
        return Array((value?.stringValue ?? "").utf16)
    }

    @inline(__always)
    static func nibbleLower(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
        default: return nil
        }
    }
}
