import Synchronization

extension Ed25519PublicKey {
    /// Why 32 bytes are refused as an Ed25519 public key (docs/FORMAT.md §4), in the order they are checked.
    ///
    /// RFC 8032 verification accepts signatures under a small-order key that anyone can make without a private
    /// key (with the identity `01 00…00`, R = the identity and S = 0 verify for every message), and OpenSSL does
    /// not check the key. The rule is libsodium's `crypto_core_ed25519_is_valid_point`: a canonical encoding of a
    /// point of the curve in the prime-order subgroup, other than the identity.
    public enum Rejection: String, Sendable, Hashable, CaseIterable {
        /// The 255-bit y coordinate is p = 2^255 − 19 or more (RFC 8032 §5.1.3, step 1).
        case yNotReduced = "y_not_reduced"
        /// No x satisfies the curve equation for this y (RFC 8032 §5.1.3, step 3).
        case notOnCurve = "not_on_curve"
        /// x = 0 with the sign bit set, a second encoding of (0, ±1) (RFC 8032 §5.1.3, step 4).
        case negativeZero = "negative_zero"
        /// The point has order 1, 2, 4 or 8: [8]A is the identity.
        case smallOrder = "small_order"
        /// The point has a small-order component: [ℓ]A is not the identity, so it is outside the prime-order
        /// subgroup every honestly generated key lies in.
        case torsion

        /// One French sentence for the person who gave the key.
        public var message: String {
            switch self {
            case .yNotReduced:
                return
                    "la clé publique Ed25519 n'est pas encodée de façon canonique : sa coordonnée y n'est pas inférieure à 2^255 − 19 (RFC 8032, §5.1.3)"
            case .notOnCurve:
                return "la clé publique Ed25519 n'est pas un point de la courbe edwards25519 (RFC 8032, §5.1.3)"
            case .negativeZero:
                return
                    "la clé publique Ed25519 n'est pas encodée de façon canonique : x est nul mais son bit de signe vaut 1 (RFC 8032, §5.1.3)"
            case .smallOrder:
                return
                    "la clé publique Ed25519 est un point d'ordre faible (1, 2, 4 ou 8) : n'importe qui peut signer à sa place sans clé privée"
            case .torsion:
                return
                    "la clé publique Ed25519 a une composante d'ordre faible (elle n'est pas dans le sous-groupe d'ordre premier) : ses signatures ne se vérifient pas de la même façon partout"
            }
        }
    }

    /// The 14 encodings of the 8 points of order 1, 2, 4 and 8: the 8 canonical ones, then the 6 non-canonical
    /// ones (y ≥ p, or x = −0). All are refused; a blocklist of them alone would miss points with a small-order
    /// component, which ``rejection(ofRaw:)`` refuses too. The list is C2SP CCTV's (`ed25519/README.md`).
    public static let smallOrderEncodings: [[UInt8]] = [
        "0100000000000000000000000000000000000000000000000000000000000000",  // order 1, the identity
        "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",  // order 2
        "0000000000000000000000000000000000000000000000000000000000000000",  // order 4
        "0000000000000000000000000000000000000000000000000000000000000080",  // order 4
        "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",  // order 8
        "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85",  // order 8
        "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",  // order 8
        "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa",  // order 8
        "0100000000000000000000000000000000000000000000000000000000000080",  // the identity, x = −0
        "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",  // the identity, y = p + 1
        "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",  // the identity, y = p + 1, x = −0
        "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",  // order 2, x = −0
        "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",  // order 4, y = p
        "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",  // order 4, y = p
    ].map { Hex.decode($0)! }

    /// The reason the raw 32-byte encoding `raw` is refused, or nil when it is an acceptable public key.
    ///
    /// ```swift
    /// Ed25519PublicKey.rejection(ofRaw: [1] + [UInt8](repeating: 0, count: 31))   // .smallOrder (the identity)
    /// ```
    public static func rejection(ofRaw raw: [UInt8]) -> Rejection? {
        guard raw.count == 32 else { return .notOnCurve }
        if acceptedKeys.withLock({ $0.contains(raw) }) { return nil }
        let rejection = computedRejection(ofRaw: raw)
        if rejection == nil {
            acceptedKeys.withLock { accepted in
                if accepted.count >= acceptedKeysLimit { accepted.removeAll(keepingCapacity: true) }
                accepted.insert(raw)
            }
        }
        return rejection
    }

    /// Raw keys this process already found acceptable. The check below costs a scalar multiplication in
    /// pure Swift, and a replay decodes each registered key more than once (the signer table and the key
    /// registry), as does every command of a long-lived process. The answer is a pure function of the 32
    /// bytes, so remembering it changes nothing but the time; the set is emptied when it reaches
    /// ``acceptedKeysLimit``, so that a log of many keys does not make it grow without bound.
    private static let acceptedKeys = Mutex<Set<[UInt8]>>([])
    private static let acceptedKeysLimit = 4096

    private static func computedRejection(ofRaw raw: [UInt8]) -> Rejection? {
        let point: Edwards25519.Point
        switch Edwards25519.decode(raw) {
        case .success(let decoded): point = decoded
        case .failure(.yNotReduced): return .yNotReduced
        case .failure(.notOnCurve): return .notOnCurve
        case .failure(.negativeZero): return .negativeZero
        }
        let twice = point + point
        let four = twice + twice
        if (four + four).isIdentity { return .smallOrder }
        if !point.times(Edwards25519.groupOrder).isIdentity { return .torsion }
        return nil
    }
}
