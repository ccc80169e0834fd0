public import LedgerCrypto

/// Reading the `by` and `format` a person asked for (`grant-ledger stats --by --format`, the service's
/// `?by=&format=`), with one sentence naming the choices when the value is not one of them.
extension StatsFormat {
    /// The format named `text`; `option` is how the person gave it (`--format`, `format`).
    public static func named(_ text: String, option: String) throws(PublishingError) -> StatsFormat {
        guard let format = StatsFormat(rawValue: text) else {
            throw PublishingError(.badInput, "\(option) doit être \(choices(allCases)), pas « \(text) »")
        }
        return format
    }
}

extension StatsGrouping {
    /// The grouping named `text`, nil when none was asked for; `option` is how the person gave it (`--by`, `by`).
    public static func named(_ text: String?, option: String) throws(PublishingError) -> StatsGrouping? {
        guard let text else { return nil }
        guard let grouping = StatsGrouping(rawValue: text) else {
            throw PublishingError(.badInput, "\(option) doit être \(choices(allCases)), pas « \(text) »")
        }
        return grouping
    }
}

/// « a, b ou c ».
private func choices<Value: RawRepresentable>(_ values: [Value]) -> String where Value.RawValue == String {
    let names = values.map(\.rawValue)
    return names.dropLast().joined(separator: ", ") + " ou " + names.last!
}
