extension String {
    /// The string without leading and trailing whitespace (for user input: CSV fields, names, reasons).
    public var trimmingSpaces: String {
        var text = Substring(self)
        while let first = text.first, first.isWhitespace { text.removeFirst() }
        while let last = text.last, last.isWhitespace { text.removeLast() }
        return String(text)
    }
}
