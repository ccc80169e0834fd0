public import LedgerCore
public import LedgerCrypto

/// The body of `POST /v1/logs/{log}/entries`: one entry line, or a JSON array of entry lines chained to each other (a
/// batch). Each element must be exactly an entry's canonical line (docs/FORMAT.md §3), as `ledger.jsonl` holds it:
/// those are the bytes its signature covers and the bytes stored. Whitespace around the elements is allowed.
///
/// The array is split by a scan of its brackets and strings, without building a JSON tree: each element is then
/// checked by ``Entry/init(line:)`` (canonical form, members, types), which is what parsing it would have checked.
public enum EntryBatch {
    /// Parses a request body into entries, in order.
    ///
    /// - Throws: `.badRequest` for a body that is not an entry line or an array of them, `.tooLarge` for more entries
    ///   than `maxEntries` or one longer than ``Entry/maxLineBytes``.
    public static func parse(_ body: [UInt8], maxEntries: Int) throws(ServiceError) -> [Entry] {
        let elements = try split(body[...], maxEntries: maxEntries)
        var entries: [Entry] = []
        entries.reserveCapacity(elements.count)
        for (index, element) in elements.enumerated() {
            do throws(EntryError) {
                entries.append(try Entry(line: Array(element)))
            } catch {
                let which = elements.count == 1 ? "l'entrée" : "l'entrée \(index + 1) du lot"
                throw ServiceError(
                    error.code == .tooLarge ? .tooLarge : .badRequest, "\(which) n'est pas valide : \(error.message)",
                    underlying: error)
            }
        }
        return entries
    }

    static func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 }

    /// The bytes of each top-level object: the body itself, or each element of the array it is.
    static func split(_ body: ArraySlice<UInt8>, maxEntries: Int) throws(ServiceError) -> [ArraySlice<UInt8>] {
        var start = body.startIndex, end = body.endIndex
        while start < end, isSpace(body[start]) { start += 1 }
        while end > start, isSpace(body[end - 1]) { end -= 1 }
        guard start < end else { throw ServiceError(.badRequest, "le corps de la requête est vide") }
        if body[start] == UInt8(ascii: "{") { return [body[start..<end]] }
        guard body[start] == UInt8(ascii: "["), body[end - 1] == UInt8(ascii: "]") else {
            throw ServiceError(.badRequest, "le corps doit être une entrée (objet JSON) ou un tableau d'entrées")
        }
        var elements: [ArraySlice<UInt8>] = []
        var cursor = start + 1
        let close = end - 1
        while true {
            while cursor < close, isSpace(body[cursor]) { cursor += 1 }
            guard cursor < close else { break }
            guard body[cursor] == UInt8(ascii: "{") else {
                throw ServiceError(
                    .badRequest, "l'élément \(elements.count + 1) du lot n'est pas une entrée (objet JSON)")
            }
            let objectEnd = try endOfObject(body, from: cursor, before: close, element: elements.count + 1)
            elements.append(body[cursor..<objectEnd])
            guard elements.count <= maxEntries else {
                throw ServiceError(.tooLarge, "le lot contient plus de \(maxEntries) entrées, le maximum d'un lot")
            }
            cursor = objectEnd
            while cursor < close, isSpace(body[cursor]) { cursor += 1 }
            guard cursor < close else { break }
            guard body[cursor] == UInt8(ascii: ",") else {
                throw ServiceError(.badRequest, "les entrées du lot doivent être séparées par des virgules")
            }
            cursor += 1
        }
        guard !elements.isEmpty else {
            throw ServiceError(.badRequest, "le lot est vide : il doit contenir au moins une entrée")
        }
        return elements
    }

    /// The index just past the object that starts at `start`: braces are counted outside strings.
    static func endOfObject(_ body: ArraySlice<UInt8>, from start: Int, before limit: Int, element: Int)
        throws(ServiceError) -> Int
    {
        var depth = 0
        var inString = false
        var index = start
        while index < limit {
            let byte = body[index]
            if inString {
                if byte == UInt8(ascii: "\\") {
                    index += 1
                } else if byte == UInt8(ascii: "\"") {
                    inString = false
                }
            } else if byte == UInt8(ascii: "\"") {
                inString = true
            } else if byte == UInt8(ascii: "{") || byte == UInt8(ascii: "[") {
                depth += 1
            } else if byte == UInt8(ascii: "}") || byte == UInt8(ascii: "]") {
                depth -= 1
                if depth == 0 { return index + 1 }
            }
            index += 1
        }
        throw ServiceError(.badRequest, "l'élément \(element) du lot n'est pas un objet JSON complet")
    }
}
