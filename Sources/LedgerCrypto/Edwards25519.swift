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
                UInt128(e.limbs.0), UInt128(e.limbs.1), UInt128(e.limbs.2), UInt128(e.limbs.3), UInt128(e.limbs.4))
        }
        let l = e.limbs
        if l.4 == m && l.3 == m && l.2 == m && l.1 == m && l.0 >= m - 18 { return [l.0 - (m - 18), 0, 0, 0, 0] }
        return [l.0, l.1, l.2, l.3, l.4]
    }

    /// Propagates carries from limb to limb; the carry out of the top limb re-enters at the bottom times 19
    /// (2^255 ≡ 19), then the bottom limb's carry goes one step up.
    private static func carried(_ r0: UInt128, _ r1: UInt128, _ r2: UInt128, _ r3: UInt128, _ r4: UInt128)
        -> FieldElement
    {
        let m = UInt128(mask)
        var (r0, r1, r2, r3, r4) = (r0, r1, r2, r3, r4)
        r1 += r0 >> 51
        r0 &= m
        r2 += r1 >> 51
        r1 &= m
        r3 += r2 >> 51
        r2 &= m
        r4 += r3 >> 51
        r3 &= m
        r0 += 19 * (r4 >> 51)
        r4 &= m
        r1 += r0 >> 51
        r0 &= m
        return FieldElement(
            UInt64(r0), UInt64(truncatingIfNeeded: r1), UInt64(r2), UInt64(r3), UInt64(r4))
    }

    static func + (a: FieldElement, b: FieldElement) -> FieldElement {
        carried(
            UInt128(a.limbs.0 + b.limbs.0), UInt128(a.limbs.1 + b.limbs.1), UInt128(a.limbs.2 + b.limbs.2),
            UInt128(a.limbs.3 + b.limbs.3), UInt128(a.limbs.4 + b.limbs.4))
    }

    /// a + 2p − b, limb by limb: every limb of 2p exceeds every limb of a reduced b, so nothing underflows.
    static func - (a: FieldElement, b: FieldElement) -> FieldElement {
        let low: UInt64 = (1 << 52) - 38
        let high: UInt64 = (1 << 52) - 2
        return carried(
            UInt128(a.limbs.0 + low - b.limbs.0), UInt128(a.limbs.1 + high - b.limbs.1),
            UInt128(a.limbs.2 + high - b.limbs.2), UInt128(a.limbs.3 + high - b.limbs.3),
            UInt128(a.limbs.4 + high - b.limbs.4))
    }

    static func * (a: FieldElement, b: FieldElement) -> FieldElement {
        let (f0, f1, f2, f3, f4) = (
            UInt128(a.limbs.0), UInt128(a.limbs.1), UInt128(a.limbs.2), UInt128(a.limbs.3), UInt128(a.limbs.4)
        )
        let (g0, g1, g2, g3, g4) = (
            UInt128(b.limbs.0), UInt128(b.limbs.1), UInt128(b.limbs.2), UInt128(b.limbs.3), UInt128(b.limbs.4)
        )
        // Limb products at 2^(51·k) for k ≥ 5 wrap to k − 5 times 19.
        let r0 = f0 * g0 + 19 * (f1 * g4 + f2 * g3 + f3 * g2 + f4 * g1)
        let r1 = f0 * g1 + f1 * g0 + 19 * (f2 * g4 + f3 * g3 + f4 * g2)
        let r2 = f0 * g2 + f1 * g1 + f2 * g0 + 19 * (f3 * g4 + f4 * g3)
        let r3 = f0 * g3 + f1 * g2 + f2 * g1 + f3 * g0 + 19 * (f4 * g4)
        let r4 = f0 * g4 + f1 * g3 + f2 * g2 + f3 * g1 + f4 * g0
        return carried(r0, r1, r2, r3, r4)
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
