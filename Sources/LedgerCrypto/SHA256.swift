import COpenSSL

/// SHA-256 through OpenSSL's one-shot `SHA256()`.
public enum SHA256 {
    /// Digest length in bytes.
    public static let byteCount = 32

    /// The SHA-256 digest of `bytes`.
    public static func hash(_ bytes: UnsafeRawBufferPointer) -> Digest {
        var out = Digest.zero
        withUnsafeMutableBytes(of: &out.storage) { outPtr in
            _ = COpenSSL.SHA256(
                bytes.baseAddress?.assumingMemoryBound(to: UInt8.self),
                bytes.count,
                outPtr.baseAddress!.assumingMemoryBound(to: UInt8.self)
            )
        }
        return out
    }

    /// The SHA-256 digest of `bytes` (non-generic: called on every line of the log).
    public static func hash(_ bytes: [UInt8]) -> Digest {
        bytes.withUnsafeBytes { hash($0) }
    }

    /// The SHA-256 digest of `bytes`.
    public static func hash(_ bytes: some Sequence<UInt8>) -> Digest {
        if let digest = bytes.withContiguousStorageIfAvailable({ hash(UnsafeRawBufferPointer($0)) }) {
            return digest
        }
        let array = Array(bytes)
        return array.withUnsafeBytes { hash($0) }
    }

    /// The SHA-256 digest of a single prefix byte followed by `bytes` (RFC 6962 leaf and node hashing).
    public static func hash(prefix: UInt8, _ parts: [UInt8]...) -> Digest {
        var buffer: [UInt8] = [prefix]
        buffer.reserveCapacity(1 + parts.reduce(0) { $0 + $1.count })
        for part in parts { buffer.append(contentsOf: part) }
        return buffer.withUnsafeBytes { hash($0) }
    }
}

/// A 32-byte SHA-256 digest, stored inline (no heap allocation).
public struct Digest: Hashable, Sendable, Comparable, CustomStringConvertible {
    // Four 64-bit words hold the 32 bytes in order.
    var storage: (UInt64, UInt64, UInt64, UInt64)

    /// The all-zero digest (the `prev` of entry 0).
    public static let zero = Digest(storage: (0, 0, 0, 0))

    init(storage: (UInt64, UInt64, UInt64, UInt64)) {
        self.storage = storage
    }

    /// Creates a digest from exactly 32 bytes; nil otherwise.
    public init?(bytes: some Collection<UInt8>) {
        guard bytes.count == 32 else { return nil }
        self = .zero
        withUnsafeMutableBytes(of: &storage) { raw in
            // Arrays and slices (every hash read from a store): one copy, not a generic loop.
            let copied: Bool? = bytes.withContiguousStorageIfAvailable {
                raw.copyMemory(from: UnsafeRawBufferPointer($0))
                return true
            }
            if copied == nil {
                for (index, byte) in bytes.enumerated() { raw[index] = byte }
            }
        }
    }

    /// Parses 64 lowercase hexadecimal ASCII bytes; nil for anything else (uppercase included).
    public init?(hexBytes: ArraySlice<UInt8>) {
        guard hexBytes.count == 64 else { return nil }
        self = .zero
        var ok = true
        withUnsafeMutableBytes(of: &storage) { raw in
            hexBytes.withUnsafeBufferPointer { hex in
                let table = Hex.lowerNibbles
                for offset in 0..<32 {
                    let high = table[Int(hex[2 * offset])], low = table[Int(hex[2 * offset + 1])]
                    guard high | low < 0x10 else {
                        ok = false
                        return
                    }
                    raw[offset] = high << 4 | low
                }
            }
        }
        if !ok { return nil }
    }

    /// Parses 64 lowercase hexadecimal characters; nil for anything else (uppercase included).
    public init?(hex: some StringProtocol) {
        guard let bytes = Hex.decode(hex), bytes.count == 32 else { return nil }
        self.init(bytes: bytes)
    }

    /// The 32 bytes.
    public var bytes: [UInt8] {
        withUnsafeBytes(of: storage) { Array($0) }
    }

    /// Lowercase hexadecimal, 64 characters.
    public var hex: String { Hex.encode(bytes) }

    public var description: String { hex }

    public static func == (lhs: Digest, rhs: Digest) -> Bool {
        lhs.storage == rhs.storage
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(storage.0)
        hasher.combine(storage.1)
        hasher.combine(storage.2)
        hasher.combine(storage.3)
    }

    public static func < (lhs: Digest, rhs: Digest) -> Bool {
        lhs.bytes.lexicographicallyPrecedes(rhs.bytes)
    }
}

/// Lowercase hexadecimal encoding.
public enum Hex {
    private static let digits = Array("0123456789abcdef".utf8)

    public static func encode(_ bytes: some Sequence<UInt8>) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.underestimatedCount * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Decodes lowercase hexadecimal; nil on odd length, uppercase or any other character.
    public static func decode(_ text: some StringProtocol) -> [UInt8]? {
        let utf8 = Array(text.utf8)
        guard utf8.count % 2 == 0 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(utf8.count / 2)
        var index = 0
        while index < utf8.count {
            guard let high = nibble(utf8[index]), let low = nibble(utf8[index + 1]) else { return nil }
            out.append(high << 4 | low)
            index += 2
        }
        return out
    }

    /// Value of each lowercase hex digit; 0xFF for every other byte.
    static let lowerNibbles: [UInt8] = (0...255).map { nibble(UInt8($0)) ?? 0xFF }

    @inline(__always)
    static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
        default: return nil
        }
    }
}

extension SHA256 {
    /// SHA-256 of bytes given in pieces (a file streamed in chunks), through OpenSSL's `EVP_Digest*`.
    ///
    /// ```swift
    /// var hasher = SHA256.Hasher()
    /// hasher.update(chunk)
    /// let digest = hasher.finalize()
    /// ```
    public final class Hasher {
        private let context: OpaquePointer

        public init() {
            // Allocation failure is the only way these fail, and nothing could go on after it.
            guard let context = EVP_MD_CTX_new(), EVP_DigestInit_ex(context, EVP_sha256(), nil) == 1 else {
                fatalError("OpenSSL cannot start a SHA-256 digest")
            }
            self.context = context
        }

        deinit {
            EVP_MD_CTX_free(context)
        }

        public func update(_ bytes: UnsafeRawBufferPointer) {
            guard bytes.count > 0 else { return }
            _ = EVP_DigestUpdate(context, bytes.baseAddress, bytes.count)
        }

        public func update(_ bytes: [UInt8]) {
            bytes.withUnsafeBytes { update($0) }
        }

        /// The digest of everything given so far; the hasher must not be used after.
        public func finalize() -> Digest {
            var out = Digest.zero
            withUnsafeMutableBytes(of: &out.storage) { outPtr in
                _ = EVP_DigestFinal_ex(context, outPtr.baseAddress!.assumingMemoryBound(to: UInt8.self), nil)
            }
            return out
        }
    }
}
