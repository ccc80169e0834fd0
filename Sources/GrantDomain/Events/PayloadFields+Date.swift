import LedgerCore

extension PayloadFields {
    /// A calendar date member, `YYYY-MM-DD`, naming a real day.
    mutating func date(_ member: String) -> CalendarDate? {
        guard let text = string(member, kind: .code, maxLength: 10) else { return nil }
        guard let date = try? CalendarDate(iso: text) else {
            problems.append("\(name(member)) « \(text) » n'est pas une date AAAA-MM-JJ réelle")
            return nil
        }
        return date
    }
}
