/// Just enough edwards25519 arithmetic to judge a public key: RFC 8032 §5.1.3 decoding, point addition
/// (§5.1.4) and multiplication by a public scalar.
///
/// OpenSSL stores an Ed25519 public key as 32 opaque bytes and never checks them, and its verification accepts
/// signatures under small-order keys, which anyone can forge (docs/FORMAT.md §4). This code exists only to refuse
/// such keys. It handles public data only, so it is not constant time; it favours being obviously right (field
/// elements in five 51-bit limbs, the RFC's formulas as written) over speed: judging a key costs about 0.1 ms.
enum Edwards25519 {
    /// A point in extended coordinates (X : Y : Z : T), x = X/Z, y = Y/Z, x·y = T/Z (RFC 8032 §5.1.4).
    struct Point {
        var x: FieldElement
        var y: FieldElement
        var z: FieldElement
        var t: FieldElement

        static let identity = Point(x: .zero, y: .one, z: .one, t: .zero)

        var isIdentity: Bool { x.isZero && y == z }

        /// The RFC 8032 §5.1.4 addition for a = −1; complete on edwards25519, so it also doubles.
        static func + (p: Point, q: Point) -> Point {
            let a = (p.y - p.x) * (q.y - q.x)
            let b = (p.y + p.x) * (q.y + q.x)
            let c = p.t * FieldElement.twoD * q.t
            let d = (p.z + p.z) * q.z
            let e = b - a
            let f = d - c
            let g = d + c
            let h = b + a
            return Point(x: e * f, y: g * h, z: f * g, t: e * h)
        }

        /// [k]P for a scalar given as little-endian 64-bit words (double and add, most significant bit first).
        func times(_ scalar: [UInt64]) -> Point {
            var result = Point.identity
            for word in scalar.reversed() {
                for bit in (0..<64).reversed() {
                    result = result + result
                    if (word >> UInt64(bit)) & 1 == 1 { result = result + self }
                }
            }
            return result
        }
    }

    /// ℓ = 2^252 + 27742317777372353535851937790883648493, the order of the base point (RFC 8032 §5.1).
    static let groupOrder: [UInt64] = [0x5812_631A_5CF5_D3ED, 0x14DE_F9DE_A2F7_9CD6, 0, 0x1000_0000_0000_0000]

    /// Why a 32-byte string fails RFC 8032 §5.1.3 decoding.
    enum DecodingFailure: Error {
        /// The 255-bit y is p or more.
        case yNotReduced
        /// x² = (y² − 1)/(d·y² + 1) has no square root: not a point of the curve.
        case notOnCurve
        /// x = 0 with the sign bit set ("−0").
        case negativeZero
    }

    /// Decodes a 32-byte point encoding exactly as RFC 8032 §5.1.3 does, refusing every non-canonical form.
    static func decode(_ bytes: [UInt8]) -> Result<Point, DecodingFailure> {
        precondition(bytes.count == 32)
        let sign = bytes[31] >> 7
        var yBytes = bytes
        yBytes[31] &= 0x7F
        // y ≥ p = 2^255 − 19 exactly when bytes 1…30 are FF, byte 31 is 7F and byte 0 is at least ED.
        if yBytes[0] >= 0xED && yBytes[1...30].allSatisfy({ $0 == 0xFF }) && yBytes[31] == 0x7F {
            return .failure(.yNotReduced)
        }
        let y = FieldElement(littleEndian: yBytes)
        let y2 = y * y
        let u = y2 - .one
        let v = FieldElement.d * y2 + .one
        let x2 = u * v.inverse
        guard !x2.isZero else {
            return sign == 1 ? .failure(.negativeZero) : .success(Point(x: .zero, y: y, z: .one, t: .zero))
        }
        var x = x2.power(FieldElement.exponentSquareRoot)
        if x * x != x2 { x = x * FieldElement.sqrtMinusOne }
        guard x * x == x2 else { return .failure(.notOnCurve) }
        if x.isOdd != (sign == 1) { x = .zero - x }
        return .success(Point(x: x, y: y, z: .one, t: x * y))
    }
}

/// An element of GF(p), p = 2^255 − 19, as five 51-bit limbs (value = Σ limb·2^(51·i)).
///
/// Every operation returns limbs below 2^52, so products fit in 128 bits; ``canonical`` gives the unique
/// representative in [0, p).
struct FieldElement: Equatable {
    private var limbs: (UInt64, UInt64, UInt64, UInt64, UInt64)

    private static let mask: UInt64 = (1 << 51) - 1

    private init(_ l0: UInt64, _ l1: UInt64, _ l2: UInt64, _ l3: UInt64, _ l4: UInt64) {
        limbs = (l0, l1, l2, l3, l4)
    }

    static let zero = FieldElement(0, 0, 0, 0, 0)
    static let one = FieldElement(1, 0, 0, 0, 0)

    /// Reads 32 little-endian bytes whose top bit is clear.
    init(littleEndian bytes: [UInt8]) {
        func word(_ index: Int) -> UInt64 {
            (0..<8).reduce(UInt64(0)) { $0 | UInt64(bytes[index * 8 + $1]) << UInt64(8 * $1) }
        }
        let w0 = word(0)
        let w1 = word(1)
        let w2 = word(2)
        let w3 = word(3)
        self.init(
            w0 & Self.mask, (w0 >> 51 | w1 << 13) & Self.mask, (w1 >> 38 | w2 << 26) & Self.mask,
            (w2 >> 25 | w3 << 39) & Self.mask, w3 >> 12 & Self.mask)
    }

    /// The unique representative in [0, p), as 32 little-endian bytes.
    var bytes: [UInt8] {
        let c = canonical
        let words: [UInt64] = [
            c[0] | c[1] << 51, c[1] >> 13 | c[2] << 38, c[2] >> 26 | c[3] << 25, c[3] >> 39 | c[4] << 12,
        ]
        return words.flatMap { word in (0..<8).map { UInt8(truncatingIfNeeded: word >> UInt64(8 * $0)) } }
    }

    var isZero: Bool { canonical == [0, 0, 0, 0, 0] }
    var isOdd: Bool { canonical[0] & 1 == 1 }

    static func == (a: FieldElement, b: FieldElement) -> Bool { a.canonical == b.canonical }

    /// The limbs of the representative in [0, p), each below 2^51.
    private var canonical: [UInt64] {
        // Carry until every limb is below 2^51 (the value is then below 2^255), then subtract p if needed. The
        // first pass leaves carries of at most 1, so this takes three passes at most.
        var e = self
        let m = Self.mask
        while e.limbs.0 > m || e.limbs.1 > m || e.limbs.2 > m || e.limbs.3 > m || e.limbs.4 > m {
            e = Self.carried(
                Wide(e.limbs.0), Wide(e.limbs.1), Wide(e.limbs.2), Wide(e.limbs.3), Wide(e.limbs.4))
        }
        let l = e.limbs
        if l.4 == m && l.3 == m && l.2 == m && l.1 == m && l.0 >= m - 18 { return [l.0 - (m - 18), 0, 0, 0, 0] }
        return [l.0, l.1, l.2, l.3, l.4]
    }

    /// Propagates carries from limb to limb; the carry out of the top limb re-enters at the bottom times 19
    /// (2^255 ≡ 19), then the bottom limb's carry goes one step up.
    private static func carried(_ r0: Wide, _ r1: Wide, _ r2: Wide, _ r3: Wide, _ r4: Wide) -> FieldElement {
        let m = mask
        var (r1, r2, r3, r4) = (r1, r2, r3, r4)
        r1.add(r0.carry)
        r2.add(r1.carry)
        r3.add(r2.carry)
        r4.add(r3.carry)
        var l0 = (r0.low & m) + 19 * r4.carry
        let l1 = (r1.low & m) + (l0 >> 51)
        l0 &= m
        return FieldElement(l0, l1, r2.low & m, r3.low & m, r4.low & m)
    }

    static func + (a: FieldElement, b: FieldElement) -> FieldElement {
        carried(
            Wide(a.limbs.0 + b.limbs.0), Wide(a.limbs.1 + b.limbs.1), Wide(a.limbs.2 + b.limbs.2),
            Wide(a.limbs.3 + b.limbs.3), Wide(a.limbs.4 + b.limbs.4))
    }

    /// a + 2p − b, limb by limb: every limb of 2p exceeds every limb of a reduced b, so nothing underflows.
    static func - (a: FieldElement, b: FieldElement) -> FieldElement {
        let low: UInt64 = (1 << 52) - 38
        let high: UInt64 = (1 << 52) - 2
        return carried(
            Wide(a.limbs.0 + low - b.limbs.0), Wide(a.limbs.1 + high - b.limbs.1),
            Wide(a.limbs.2 + high - b.limbs.2), Wide(a.limbs.3 + high - b.limbs.3),
            Wide(a.limbs.4 + high - b.limbs.4))
    }

    static func * (a: FieldElement, b: FieldElement) -> FieldElement {
        let (f0, f1, f2, f3, f4) = a.limbs
        let (g0, g1, g2, g3, g4) = b.limbs
        // Limb products at 2^(51·k) for k ≥ 5 wrap to k − 5 times 19. Limbs are below 2^52, so each sum stays
        // below 2^112.
        let r0 = Wide(f0, g0) + (Wide(f1, g4) + Wide(f2, g3) + Wide(f3, g2) + Wide(f4, g1)).times19
        let r1 = Wide(f0, g1) + Wide(f1, g0) + (Wide(f2, g4) + Wide(f3, g3) + Wide(f4, g2)).times19
        let r2 = Wide(f0, g2) + Wide(f1, g1) + Wide(f2, g0) + (Wide(f3, g4) + Wide(f4, g3)).times19
        let r3 = Wide(f0, g3) + Wide(f1, g2) + Wide(f2, g1) + Wide(f3, g0) + Wide(f4, g4).times19
        let r4 = Wide(f0, g4) + Wide(f1, g3) + Wide(f2, g2) + Wide(f3, g1) + Wide(f4, g0)
        return carried(r0, r1, r2, r3, r4)
    }

    /// An unsigned value below 2^115 as two words: a sum of limb products. Written with `UInt64`'s own
    /// full-width operations rather than the standard library's `UInt128`, whose generic conversions are not
    /// specialised in a debug build and made every key validation of the test suite slow.
    private struct Wide {
        var high: UInt64
        var low: UInt64

        init(_ value: UInt64) {
            high = 0
            low = value
        }

        /// a × b.
        init(_ a: UInt64, _ b: UInt64) {
            (high, low) = a.multipliedFullWidth(by: b)
        }

        private init(high: UInt64, low: UInt64) {
            self.high = high
            self.low = low
        }

        static func + (a: Wide, b: Wide) -> Wide {
            let (low, overflow) = a.low.addingReportingOverflow(b.low)
            return Wide(high: a.high &+ b.high &+ (overflow ? 1 : 0), low: low)
        }

        mutating func add(_ value: UInt64) {
            self = self + Wide(value)
        }

        var times19: Wide {
            let (carry, low) = low.multipliedFullWidth(by: 19)
            return Wide(high: high &* 19 &+ carry, low: low)
        }

        /// The value shifted right by 51 bits (below 2^64 for a value below 2^115).
        var carry: UInt64 { (high << 13) | (low >> 51) }
    }

    /// self^e for an exponent given as little-endian 64-bit words.
    func power(_ exponent: [UInt64]) -> FieldElement {
        var result = FieldElement.one
        for word in exponent.reversed() {
            for bit in (0..<64).reversed() {
                result = result * result
                if (word >> UInt64(bit)) & 1 == 1 { result = result * self }
            }
        }
        return result
    }

    /// self^(p − 2), the inverse (0 for 0).
    var inverse: FieldElement { power(Self.exponentInverse) }

    /// p − 2.
    static let exponentInverse: [UInt64] = [
        0xFFFF_FFFF_FFFF_FFEB, 0xFFFF_FFFF_FFFF_FFFF, 0xFFFF_FFFF_FFFF_FFFF, 0x7FFF_FFFF_FFFF_FFFF,
    ]
    /// (p + 3) / 8 = 2^252 − 2: a candidate square root is a^((p+3)/8) (RFC 8032 §5.1.3).
    static let exponentSquareRoot: [UInt64] = [
        0xFFFF_FFFF_FFFF_FFFE, 0xFFFF_FFFF_FFFF_FFFF, 0xFFFF_FFFF_FFFF_FFFF, 0x0FFF_FFFF_FFFF_FFFF,
    ]
    /// (p − 1) / 4 = 2^253 − 5.
    static let exponentQuarter: [UInt64] = [
        0xFFFF_FFFF_FFFF_FFFB, 0xFFFF_FFFF_FFFF_FFFF, 0xFFFF_FFFF_FFFF_FFFF, 0x1FFF_FFFF_FFFF_FFFF,
    ]

    private static func small(_ value: UInt64) -> FieldElement { FieldElement(value, 0, 0, 0, 0) }

    /// d = −121665 / 121666 (RFC 8032 §5.1), computed rather than transcribed.
    static let d = FieldElement.zero - small(121_665) * small(121_666).inverse
    static let twoD = d + d
    /// 2^((p−1)/4), a square root of −1.
    static let sqrtMinusOne = small(2).power(exponentQuarter)
}
