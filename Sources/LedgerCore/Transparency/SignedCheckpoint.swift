public import LedgerCrypto

/// A checkpoint signed by its log, as a signed note, with the cosignatures a reader verified or a witness added.
///
/// The log's key name must equal the checkpoint origin: that is how a reader knows which log a checkpoint speaks
/// for, and why ``open(_:log:cosigners:)`` refuses a verifier of another name instead of merely
/// finding no signature. Signatures by keys the reader does not know stay in ``note`` (so the text is republished
/// byte for byte) but count for nothing.
///
/// ```swift
/// let signed = try SignedCheckpoint(Checkpoint(origin: signer.name, size: tree.size, rootHash: tree.root),
///                                   signer: signer)
/// try signed.text.write(...)
/// let checked = try SignedCheckpoint.open(text, log: signer.verifier, cosigners: witnesses)
/// ```
public struct SignedCheckpoint: Sendable, Hashable {
    /// The checkpoint body.
    public let checkpoint: Checkpoint
    /// The signed note as read or written, every signature line included.
    public let note: Note
    /// The cosignatures: the verified ones after ``open(_:log:cosigners:)``, the added ones after
    /// ``cosigned(by:timestamp:)``.
    public let cosignatures: [Cosignature]

    /// Signs `checkpoint` with the log key `signer`, whose name must be the checkpoint's origin.
    public init(_ checkpoint: Checkpoint, signer: NoteSigner) throws(TransparencyError) {
        guard signer.name == checkpoint.origin else {
            throw TransparencyError(
                .originMismatch,
                "la clé du registre \(signer.name) ne peut pas signer un point de contrôle d'origine \(checkpoint.origin)"
            )
        }
        self.checkpoint = checkpoint
        self.note = try Note(text: checkpoint.body).signed(by: signer)
        self.cosignatures = []
    }

    private init(checkpoint: Checkpoint, note: Note, cosignatures: [Cosignature]) {
        self.checkpoint = checkpoint
        self.note = note
        self.cosignatures = cosignatures
    }

    /// Returns this checkpoint with a cosignature by `cosigner` appended.
    public func cosigned(by cosigner: CosignatureSigner, timestamp: UInt64) throws(TransparencyError)
        -> SignedCheckpoint
    {
        let cosignature = try cosigner.cosign(checkpoint, timestamp: timestamp)
        var note = self.note
        note.signatures.append(cosignature.noteSignature)
        return SignedCheckpoint(checkpoint: checkpoint, note: note, cosignatures: cosignatures + [cosignature])
    }

    /// The signed checkpoint text: body, empty line, signature lines.
    public var text: String { note.formatted }

    /// Parses a signed checkpoint and checks the log's signature and any cosignatures by `cosigners`.
    ///
    /// - Throws: ``TransparencyError/Code/originMismatch`` if `log`'s name is not the origin;
    ///   ``TransparencyError/Code/noKnownSignature`` if the log did not sign;
    ///   ``TransparencyError/Code/signatureInvalid`` if the log's or a known cosigner's signature fails;
    ///   ``TransparencyError/Code/malformedNote`` or ``TransparencyError/Code/malformedCheckpoint``.
    public static func open(
        _ text: [UInt8], log: NoteVerifier, cosigners: [CosignatureVerifier] = []
    ) throws(TransparencyError) -> SignedCheckpoint {
        let note = try Note(parsing: text)
        let checkpoint = try Checkpoint(body: note.text)
        guard log.name == checkpoint.origin else {
            throw TransparencyError(
                .originMismatch, "le point de contrôle est d'origine \(checkpoint.origin), pas du registre \(log.name)")
        }
        let verifiers: [any NoteSignatureVerifier] = [log] + cosigners.map { $0 as any NoteSignatureVerifier }
        let verified = try note.verifiedSignatures(verifiers)
        guard verified.contains(where: { $0.name == log.name && $0.keyID == log.keyID }) else {
            throw TransparencyError(
                .noKnownSignature, "le point de contrôle n'est pas signé par le registre \(log.name)")
        }
        let cosignatures = verified.compactMap { signature -> Cosignature? in
            guard cosigners.contains(where: { $0.name == signature.name && $0.keyID == signature.keyID }) else {
                return nil
            }
            return Cosignature(signature)
        }
        return SignedCheckpoint(checkpoint: checkpoint, note: note, cosignatures: cosignatures)
    }

    /// Parses a signed checkpoint text (see ``open(_:log:cosigners:)``).
    public static func open(
        _ text: String, log: NoteVerifier, cosigners: [CosignatureVerifier] = []
    ) throws(TransparencyError) -> SignedCheckpoint {
        try open(Array(text.utf8), log: log, cosigners: cosigners)
    }
}
