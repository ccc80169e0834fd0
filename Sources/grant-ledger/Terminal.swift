import LedgerCore
import LedgerCrypto

/// The terminal: reading a secret with echo off, and never letting untrusted text drive it.
///
/// Titles, names and references come from the log, from input files and from arguments: an escape sequence in any
/// of them could clear the screen, rewrite earlier lines or hide text from whoever runs `show` or `log`. Everything
/// a person reads goes through ``printable(_:keepNewlines:)``; machine output (JSON, proofs, CSV) keeps its exact
/// bytes, except when it is written straight to a terminal.
enum Terminal {
    /// Whether `fd` is a terminal.
    static func isTerminal(_ fd: Int32) -> Bool {
        Platform.isTerminal(fd)
    }

    /// Whether a scalar may act on a terminal or hide text: C0 controls (but tab, and line feed where lines are
    /// kept), DEL, C1 controls, and the bidirectional overrides and isolates that reorder what is shown.
    static func isUnsafe(_ scalar: Unicode.Scalar, keepNewlines: Bool) -> Bool {
        switch scalar.value {
        case 0x09: return false
        case 0x0A: return !keepNewlines
        case 0x00...0x1F, 0x7F...0x9F: return true
        case 0x061C, 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069: return true
        default: return false
        }
    }

    /// `text` with every unsafe scalar shown as `\u{1B}`, so a person sees it instead of the terminal obeying it.
    static func printable(_ text: String, keepNewlines: Bool = true) -> String {
        guard text.unicodeScalars.contains(where: { isUnsafe($0, keepNewlines: keepNewlines) }) else { return text }
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if isUnsafe(scalar, keepNewlines: keepNewlines) {
                out.append(contentsOf: "\\u{\(String(scalar.value, radix: 16, uppercase: true))}".unicodeScalars)
            } else {
                out.append(scalar)
            }
        }
        return String(out)
    }

    /// Machine output (JSON, CSV, proofs) bound for a terminal: unsafe scalars become JSON escapes `\u009b`, which
    /// JSON readers decode back to the same text. Unchanged when `fd` is not a terminal.
    static func machineOutput(_ bytes: [UInt8], to fd: Int32) -> [UInt8] {
        guard isTerminal(fd) else { return bytes }
        let text = String(decoding: bytes, as: UTF8.self)
        guard text.unicodeScalars.contains(where: { isUnsafe($0, keepNewlines: true) }) else { return bytes }
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if isUnsafe(scalar, keepNewlines: true) {
                let hex = String(scalar.value, radix: 16)
                out.append(contentsOf: ("\\u" + String(repeating: "0", count: 4 - hex.count) + hex).unicodeScalars)
            } else {
                out.append(scalar)
            }
        }
        return Array(String(out).utf8)
    }

    static func readSecret(prompt: String) -> String? {
        let fd = Platform.open("/dev/tty", Platform.readWrite | Platform.closeOnExec)
        guard fd >= 0 else { return nil }
        defer { Platform.close(fd) }
        let secret = Platform.withEchoOff(fd) { () -> [UInt8] in
            let promptBytes = Array(printable(prompt, keepNewlines: false).utf8)
            _ = promptBytes.withUnsafeBytes { Platform.write(fd, $0.baseAddress!, $0.count) }
            var bytes: [UInt8] = []
            var byte: UInt8 = 0
            while Platform.read(fd, &byte, 1) == 1, byte != 0x0A { bytes.append(byte) }
            return bytes
        }
        guard var bytes = secret else { return nil }
        _ = [UInt8(0x0A)].withUnsafeBytes { Platform.write(fd, $0.baseAddress!, 1) }
        let text = String(decoding: bytes, as: UTF8.self)
        Secure.cleanse(&bytes)
        return text
    }
}
