public import LedgerCrypto

/// Counting witness cosignatures toward a quorum, the same way in `verify`, `verify-proof` and `verify-bundle`
/// (docs/PROOFS.md §6): a cosignature dated beyond the reader's clock plus ``Cosignature/clockTolerance`` is refused
/// and does not count.
public enum WitnessQuorum {
    /// The cosignatures that may count, and those dated too far in the future.
    public static func split(_ cosignatures: [Cosignature], now: Timestamp) -> (
        timely: [Cosignature], future: [Cosignature]
    ) {
        (cosignatures.filter { !$0.isDated(after: now) }, cosignatures.filter { $0.isDated(after: now) })
    }

    /// Why a future-dated cosignature is refused, in one French sentence.
    public static func futureMessage(_ cosignature: Cosignature, now: Timestamp) -> String {
        "la cosignature du témoin \(cosignature.name) est datée du \(cosignature.time), plus de \(Cosignature.clockTolerance / 60) minutes après l'horloge de ce vérificateur (\(now)) : elle est refusée"
    }

    /// How many cosignatures were found against how many were required, in French.
    public static func shortfallMessage(_ count: Int, of witnesses: Int, quorum: Int) -> String {
        "\(count) cosignature\(count > 1 ? "s" : "") valide\(count > 1 ? "s" : "") des \(witnesses) témoin\(witnesses > 1 ? "s" : "") donné\(witnesses > 1 ? "s" : ""), \(quorum) exigée\(quorum > 1 ? "s" : "")"
    }

    /// Checks that `signed` carries at least `quorum` timely cosignatures by `cosigners` (all of them when nil).
    ///
    /// - Throws: ``TransparencyError/Code/outOfRange`` for a future-dated cosignature,
    ///   ``TransparencyError/Code/noKnownSignature`` when too few remain.
    public static func require(
        _ signed: SignedCheckpoint, cosigners: [CosignatureVerifier], quorum: Int?, now: Timestamp
    ) throws(TransparencyError) {
        guard !cosigners.isEmpty else { return }
        let (timely, future) = split(signed.cosignatures, now: now)
        if let first = future.first { throw TransparencyError(.outOfRange, futureMessage(first, now: now)) }
        let needed = quorum ?? cosigners.count
        guard timely.count >= needed else {
            throw TransparencyError(
                .noKnownSignature,
                "le point de contrôle porte " + shortfallMessage(timely.count, of: cosigners.count, quorum: needed))
        }
    }
}
