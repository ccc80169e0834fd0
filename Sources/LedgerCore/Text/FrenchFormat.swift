/// French formatting of figures for messages, reports and pages: the one digit grouping and the one agreement of
/// a noun with its count. The grant domain adds amounts in euros (`FrenchFormat.euros`).
public enum FrenchFormat {
    /// `12 345` (digits grouped by three with a space).
    public static func integer(_ value: Int64) -> String {
        value < 0 ? "-" + grouped(value.magnitude) : grouped(value.magnitude)
    }

    /// `12 345` for an unsigned magnitude: every grouping of digits in messages and pages comes through here.
    public static func grouped(_ magnitude: UInt64) -> String {
        let digits = String(magnitude)
        var out = ""
        out.reserveCapacity(digits.utf8.count + digits.utf8.count / 3)
        for (index, c) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { out.append(" ") }
            out.append(c)
        }
        return out
    }

    /// `1 écart déclaré`, `2 écarts déclarés`, `6 667 entrées`: a count, digits grouped, the noun agreeing (0 and 1
    /// take the singular, as in French).
    public static func quantity(_ count: some BinaryInteger, _ singular: String, _ plural: String) -> String {
        "\(integer(Int64(clamping: count))) \(count > 1 ? plural : singular)"
    }

    /// `text` padded with spaces on the right to `width` characters (table columns).
    public static func padded(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
    }

    /// `text` padded with spaces on the left to `width` characters (figures in table columns).
    public static func paddedLeft(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : String(repeating: " ", count: width - text.count) + text
    }
}
