public import LedgerCore

/// The body of `POST /v1/logs/{log}/entries`: one entry, or a JSON array of entries chained to each other (a
/// batch), each the JSON object of an entry line (docs/FORMAT.md §3). Each is re-encoded canonically (RFC 8785)
/// and parsed as a line: what is stored is the canonical line, and its signature covers exactly those bytes.
public enum EntryBatch {
    /// Parses a request body into entries, in order.
    ///
    /// - Throws: `.badRequest` for a body that is not an entry or an array of entries, `.tooLarge` for more entries
    ///   than `maxEntries` or one longer than ``Entry/maxLineBytes``.
    public static func parse(_ body: [UInt8], maxEntries: Int) throws(ServiceError) -> [Entry] {
        let value: JSONValue
        do { value = try JSONParser.parse(body) } catch {
            throw ServiceError(.badRequest, "le corps de la requête n'est pas du JSON valide : \(error.description)")
        }
        let objects: [JSONValue]
        switch value {
        case .object: objects = [value]
        case .array(let items):
            guard !items.isEmpty else {
                throw ServiceError(.badRequest, "le lot est vide : il doit contenir au moins une entrée")
            }
            guard items.count <= maxEntries else {
                throw ServiceError(
                    .tooLarge, "le lot contient \(items.count) entrées ; un lot en contient au plus \(maxEntries)")
            }
            objects = items
        default:
            throw ServiceError(.badRequest, "le corps doit être une entrée (objet JSON) ou un tableau d'entrées")
        }
        var entries: [Entry] = []
        entries.reserveCapacity(objects.count)
        for (index, object) in objects.enumerated() {
            let line = CanonicalJSON.encode(object)
            do throws(EntryError) {
                entries.append(try Entry(line: line))
            } catch {
                let which = objects.count == 1 ? "l'entrée" : "l'entrée \(index + 1) du lot"
                throw ServiceError(
                    error.code == .tooLarge ? .tooLarge : .badRequest, "\(which) n'est pas valide : \(error.message)",
                    underlying: error)
            }
        }
        return entries
    }
}
