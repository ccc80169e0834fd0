/// What text a person reads from the log may contain (`docs/FORMAT.md` §2.1).
///
/// A motive, a justification or a holder's name is evidence: a reader must see all of it, and see the
/// same thing as the verifier. So text holds visible content (at least one letter or digit), and no
/// character that prints nothing or changes what the rest prints: C0 and C1 controls (a terminal escape
/// sequence in a title clears the screen of whoever runs `show`), format characters (zero-width spaces,
/// bidirectional overrides that reorder a sentence on screen), default-ignorable code points (the Hangul
/// fillers U+3164 and U+FFA0 that render as nothing yet count as letters), the blank Braille pattern
/// U+2800, private-use and unassigned code points, surrogates, line and paragraph separators, and the
/// replacement character U+FFFD (text that was decoded from the wrong encoding). Multi-line text may
/// contain U+000A, and nothing else below U+0020.
public enum TextRules {
    /// Why a text is refused.
    public enum Problem: Sendable, Equatable, CustomStringConvertible {
        /// A character that prints nothing or controls the display.
        case forbidden(Unicode.Scalar)
        /// No letter or digit at all.
        case noVisibleContent
        /// Fewer letters and digits than required.
        case tooShort(minimum: Int, found: Int)

        /// One French clause, e.g. « contient le caractère invisible U+200B ».
        public var description: String {
            switch self {
            case .forbidden(let scalar):
                let kind = scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) ? "de contrôle" : "invisible"
                return "contient le caractère \(kind) \(TextRules.codePoint(scalar))"
            case .noVisibleContent:
                return "ne contient aucune lettre ni aucun chiffre"
            case .tooShort(let minimum, let found):
                return "doit compter au moins \(minimum) lettres ou chiffres (\(found) ici)"
            }
        }
    }

    /// The first problem of `text`, or nil when it is acceptable.
    ///
    /// - Parameters:
    ///   - multiline: allow U+000A (line feed).
    ///   - minimumVisible: the least number of letters and digits required (1: not blank).
    public static func problem(in text: String, multiline: Bool = false, minimumVisible: Int = 1) -> Problem? {
        var visible = 0
        for scalar in text.unicodeScalars {
            if scalar.value < 0x80 {
                // ASCII fast path: controls are the only forbidden ASCII characters.
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    if multiline && scalar.value == 0x0A { continue }
                    return .forbidden(scalar)
                }
                if isASCIILetterOrDigit(scalar.value) { visible += 1 }
                continue
            }
            let kind = classify(scalar)
            if kind == .forbidden { return .forbidden(scalar) }
            if kind == .visible { visible += 1 }
        }
        if visible == 0 { return .noVisibleContent }
        if visible < minimumVisible { return .tooShort(minimum: minimumVisible, found: visible) }
        return nil
    }

    /// The number of letters and digits in `text`.
    public static func visibleCount(_ text: String) -> Int {
        text.unicodeScalars.reduce(0) { $0 + (isVisible($1) ? 1 : 0) }
    }

    /// What a non-ASCII scalar is in text.
    enum ScalarKind: UInt8 {
        case forbidden, visible, other
    }

    /// The kinds of U+0080…U+07FF (the two-byte UTF-8 scalars: Latin with its accents, Greek, Cyrillic…),
    /// worked out once: French text is mostly ASCII and these.
    private static let twoByteKinds: [ScalarKind] = (0x80..<0x800).map { value in
        let scalar = Unicode.Scalar(UInt32(value))!
        return isForbidden(scalar) ? .forbidden : isVisible(scalar) ? .visible : .other
    }

    @inline(__always)
    static func classify(_ scalar: Unicode.Scalar) -> ScalarKind {
        if scalar.value < 0x800 { return twoByteKinds[Int(scalar.value) - 0x80] }
        return isForbidden(scalar) ? .forbidden : isVisible(scalar) ? .visible : .other
    }

    /// Whether a non-ASCII scalar is refused in text.
    static func isForbidden(_ scalar: Unicode.Scalar) -> Bool {
        let value = scalar.value
        if (0x80...0x9F).contains(value) || value == 0x2800 || value == 0xFFFD { return true }
        let properties = scalar.properties
        if properties.isDefaultIgnorableCodePoint || properties.isNoncharacterCodePoint { return true }
        switch properties.generalCategory {
        case .control, .format, .privateUse, .surrogate, .unassigned, .lineSeparator, .paragraphSeparator:
            return true
        default:
            return false
        }
    }

    /// Letters and digits that show: general categories L* and N*, not default-ignorable.
    static func isVisible(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.value < 0x80 { return isASCIILetterOrDigit(scalar.value) }
        let properties = scalar.properties
        guard !properties.isDefaultIgnorableCodePoint else { return false }
        switch properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
            .decimalNumber, .letterNumber, .otherNumber:
            return true
        default:
            return false
        }
    }

    @inline(__always)
    private static func isASCIILetterOrDigit(_ value: UInt32) -> Bool {
        (0x30...0x39).contains(value) || (0x41...0x5A).contains(value) || (0x61...0x7A).contains(value)
    }

    /// `U+200B`.
    public static func codePoint(_ scalar: Unicode.Scalar) -> String {
        let hex = String(scalar.value, radix: 16, uppercase: true)
        return "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
    }

    /// Text safe to print on a terminal: controls and invisible characters are shown as `\u{…}`.
    public static func printable(_ text: String) -> String {
        var out = ""
        out.unicodeScalars.reserveCapacity(text.unicodeScalars.count)
        for scalar in text.unicodeScalars {
            let forbidden =
                scalar.value < 0x80 ? (scalar.value < 0x20 || scalar.value == 0x7F) : isForbidden(scalar)
            if forbidden {
                out += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}

/// Unicode Normalization Form C (`docs/FORMAT.md` §2): every string of the log is NFC, so that one text has
/// one byte sequence. Swift compares strings by canonical equivalence (« é » precomposed equals « e » +
/// U+0301), while a byte-level verifier sees two different strings; refusing non-NFC text removes the
/// difference.
public enum NFC {
    /// Whether the UTF-8 bytes of `text` are already in NFC.
    ///
    /// Scalars below U+0300 are NFC whatever follows them (no combining mark lies below U+0300, and no
    /// character there decomposes to something that recomposes differently), so text of Latin letters is
    /// checked without any table lookup. Other text is compared with the standard library's NFC
    /// transform: it has no public normalization API without Foundation, which LedgerCore does not load,
    /// and `_withNFCCodeUnits` is the documented-by-use entry point that Foundation itself relies on.
    public static func isNormalized(_ text: String) -> Bool {
        if text.utf8.allSatisfy({ $0 < 0xCC }) { return true }
        return isNormalizedSlow(text)
    }

    private static func isNormalizedSlow(_ text: String) -> Bool {
        var original = text.utf8.makeIterator()
        var same = true
        text._withNFCCodeUnits { unit in
            if same, original.next() != unit { same = false }
        }
        return same && original.next() == nil
    }

    /// `text` in NFC (for input that a person typed or a file provided; the log only ever holds NFC).
    public static func normalize(_ text: String) -> String {
        isNormalized(text) ? text : String(decoding: text._nfcCodeUnits, as: UTF8.self)
    }
}
