public import LedgerCrypto

/// Offline checks of proofs and cosigning by a witness: nothing here reads a log, only texts and trusted keys
/// (docs/PROOFS.md §4.3 and §6).
///
/// ```swift
/// let result = try ProofCheck.inclusion(proof: proofBytes, entry: line, trust: noteKeyText)
/// print(result.checkpoint.checkpoint.size)
/// ```
public enum ProofCheck {
    /// What a verified inclusion proof established.
    public struct Inclusion: Sendable {
        /// The entry's position in the log.
        public let index: UInt64
        /// The verified checkpoint, with the cosignatures of the witnesses given.
        public let checkpoint: SignedCheckpoint
    }

    /// The leading line of a proof text, to tell an inclusion proof from a consistency proof.
    public static func header(_ proof: [UInt8]) -> String {
        String(decoding: proof.prefix { $0 != 0x0A }, as: UTF8.self)
    }

    /// Checks that `entry` (one log line, a single final `\n` allowed) is entry `index` of the tree signed by
    /// the log key `trust`, with at least `quorum` cosignatures from `witnesses`.
    ///
    /// Beyond the Merkle path, the entry's own `seq` must equal the proof's index: leaf `i` of a valid log is the
    /// entry of seq `i`.
    public static func inclusion(
        proof: [UInt8], entry: [UInt8], trust: String, witnesses: [String] = [], quorum: Int? = nil,
        now: Timestamp = .now()
    ) throws(TransparencyError) -> Inclusion {
        let log = try NoteVerifier(verifierKey: trust)
        let cosigners = try parseWitnesses(witnesses, quorum: quorum)
        let parsed = try InclusionProof(parsing: proof)
        let line = entry.last == 0x0A ? Array(entry.dropLast()) : entry
        let seq: Int64
        do { seq = try Entry(line: line).seq } catch {
            throw TransparencyError(
                .malformedProof, "l'entrée n'est pas une ligne de registre : \(error.message)", underlying: error)
        }
        guard seq >= 0, UInt64(seq) == parsed.index else {
            throw TransparencyError(
                .inclusionProofInvalid, "l'entrée a la seq \(seq) mais la preuve porte sur l'index \(parsed.index)")
        }
        let signed = try parsed.verify(leafHash: RFC6962.leafHash(line), log: log, cosigners: cosigners)
        try WitnessQuorum.require(signed, cosigners: cosigners, quorum: quorum, now: now)
        return Inclusion(index: parsed.index, checkpoint: signed)
    }

    /// Checks that the checkpoint in `proof` extends `old` (a checkpoint signed by `trust`, which the reader kept),
    /// with at least `quorum` cosignatures from `witnesses` on the new one (none dated beyond `now` and the
    /// tolerance); returns the new checkpoint.
    public static func consistency(
        proof: [UInt8], old: [UInt8], trust: String, witnesses: [String] = [], quorum: Int? = nil,
        now: Timestamp = .now()
    ) throws(TransparencyError) -> SignedCheckpoint {
        let log = try NoteVerifier(verifierKey: trust)
        let cosigners = try parseWitnesses(witnesses, quorum: quorum)
        let oldSigned = try SignedCheckpoint.open(old, log: log)
        let signed = try ConsistencyProof(parsing: proof).verify(
            from: oldSigned.checkpoint, log: log, cosigners: cosigners)
        try WitnessQuorum.require(signed, cosigners: cosigners, quorum: quorum, now: now)
        return signed
    }

    /// The default cosigner name of a witness key: `witness-` and the first 16 hex digits of its key id.
    public static func defaultWitnessName(_ publicKey: Ed25519PublicKey) -> String {
        "witness-" + publicKey.keyID.prefix(16)
    }

    /// A witness's cosigning step: checks that `new` is signed by the log key `trust` and that `proof` shows it
    /// extends `old` (the last checkpoint the witness accepted, itself signed by `trust`), then returns `new` with
    /// a cosignature by `cosigner` as of `timestamp` appended (replacing an earlier one by the same key).
    ///
    /// The new checkpoint must be the one the proof carries, byte for byte in its body; other witnesses'
    /// cosignatures on `new` are kept as they are. A witness never signs for a time beyond `now` and
    /// ``Cosignature/clockTolerance``: readers would refuse it.
    public static func cosign(
        new: [UInt8], old: [UInt8], proof: [UInt8], trust: String, cosigner: CosignatureSigner, timestamp: UInt64,
        now: Timestamp = .now()
    ) throws(TransparencyError) -> String {
        guard timestamp <= UInt64(max(0, now.secondsSinceEpoch)) + Cosignature.clockTolerance else {
            throw TransparencyError(
                .outOfRange,
                "l'heure de cosignature \(Timestamp(secondsSinceEpoch: Int64(clamping: timestamp))) dépasse de plus de \(Cosignature.clockTolerance / 60) minutes l'horloge du témoin (\(now)) : un témoin ne signe pas l'avenir"
            )
        }
        let log = try NoteVerifier(verifierKey: trust)
        let newSigned = try SignedCheckpoint.open(new, log: log)
        let proven = try consistency(proof: proof, old: old, trust: trust)
        guard proven.checkpoint == newSigned.checkpoint else {
            throw TransparencyError(
                .consistencyProofInvalid,
                "la preuve de cohérence porte sur le point de contrôle de taille \(proven.checkpoint.size), pas sur celui donné (taille \(newSigned.checkpoint.size))"
            )
        }
        let cosignature = try cosigner.cosign(newSigned.checkpoint, timestamp: timestamp)
        var note = newSigned.note
        note.signatures.removeAll { $0.name == cosigner.name && $0.keyID == cosigner.keyID }
        note.signatures.append(cosignature.noteSignature)
        return note.formatted
    }

    private static func parseWitnesses(_ texts: [String], quorum: Int?) throws(TransparencyError)
        -> [CosignatureVerifier]
    {
        var witnesses: [CosignatureVerifier] = []
        for text in texts { witnesses.append(try CosignatureVerifier(verifierKey: text)) }
        if let quorum, quorum < 1 || quorum > witnesses.count {
            throw TransparencyError(
                .outOfRange, "le quorum doit être compris entre 1 et le nombre de clés de témoins (\(witnesses.count))")
        }
        return witnesses
    }
}
