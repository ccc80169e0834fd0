import ArgumentParser
import Foundation
import LedgerCore
import LedgerCrypto

/// Like `runReporting`, and also turns transparency errors into one sentence: malformed input exits 2, a proof or
/// signature that does not hold exits 1.
func runTransparency(_ body: () throws -> Void) throws {
    try runReporting {
        do {
            try body()
        } catch let error as TransparencyError {
            printError(error.message)
            switch error.code {
            case .malformedNote, .malformedKey, .malformedCheckpoint, .malformedProof, .storage, .signingFailed:
                throw ExitCode(2)
            default:
                throw ExitCode(1)
            }
        }
    }
}

struct CheckpointCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "checkpoint",
        abstract: "Sign a C2SP checkpoint of the log; write checkpoints/<size>.txt and checkpoint.txt.",
        discussion: """
            The key must be a registered, non-revoked authority key; the note key name is the ledger's origin. \
            Refused (exit 1) when the log no longer extends the latest checkpoint. Formats: docs/PROOFS.md.
            """)

    @OptionGroup var options: LedgerOptions
    @Option(help: "An authority's private key.") var key: String

    func run() throws {
        try runTransparency {
            let signer = try loadSigningKey(key)
            let (signed, path) = try LedgerCheckpoints.sign(makeLedger(options), key: signer)
            emit(
                "checkpoint of size \(signed.checkpoint.size), root \(Base64.encode(signed.checkpoint.rootHash.bytes)): \(path) and \(LedgerCheckpoints.latestPath(makeLedger(options).store))"
            )
        }
    }
}

struct Prove: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print an inclusion or consistency proof against a signed checkpoint (docs/PROOFS.md).",
        subcommands: [Inclusion.self, Consistency.self])

    struct Inclusion: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Prove that entry N is in the tree of a checkpoint: C2SP tlog-proof text, or --json.")

        @OptionGroup var options: LedgerOptions
        @Option(help: "The entry's seq.") var seq: UInt64
        @Option(help: "The signed checkpoint to prove against (default: the ledger's checkpoint.txt).")
        var checkpoint: String?
        @Flag(help: "Print the documented JSON form, the entry line included.") var json = false

        func run() throws {
            try runTransparency {
                let store = makeLedger(options).store
                let path = checkpoint ?? LedgerCheckpoints.latestPath(store)
                let (proof, line) = try LedgerProofs.inclusion(
                    store: store, seq: seq, checkpoint: try KeyFiles.read(path), label: path)
                if json {
                    emitMachine(Array((LedgerProofs.json(proof, line: line) + "\n").utf8))
                } else {
                    emitMachine(Array(proof.text.utf8))
                }
            }
        }
    }

    struct Consistency: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Prove that a checkpoint extends an older one (grantledger/tlog-consistency@v1 text, or --json).")

        @OptionGroup var options: LedgerOptions
        @Option(help: "The older signed checkpoint.") var from: String
        @Option(help: "The newer signed checkpoint (default: the ledger's checkpoint.txt).") var to: String?
        @Flag(help: "Print the documented JSON form.") var json = false

        func run() throws {
            try runTransparency {
                let store = makeLedger(options).store
                let newPath = to ?? LedgerCheckpoints.latestPath(store)
                let proof = try LedgerProofs.consistency(
                    store: store, old: try KeyFiles.read(from), oldLabel: from, new: try KeyFiles.read(newPath),
                    newLabel: newPath)
                if json {
                    emitMachine(Array((LedgerProofs.json(proof) + "\n").utf8))
                } else {
                    emitMachine(Array(proof.text.utf8))
                }
            }
        }
    }
}

struct VerifyProof: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify-proof",
        abstract: "Check an inclusion or consistency proof offline, with no log, from a trusted note key.",
        discussion: """
            Inclusion proofs need --entry (the entry's JSONL line); consistency proofs need --old (the older \
            checkpoint you kept). Exit 0 verified, 1 the proof does not hold, 2 unusable input.
            """)

    @Option(help: "The proof text (prove inclusion / prove consistency output).") var proof: String
    @Option(help: "The log's note verifier key, name+hex+base64 (grant-ledger key note-key).") var trust: String
    @Option(help: "The entry's line, for an inclusion proof.") var entry: String?
    @Option(help: "The older checkpoint, for a consistency proof.") var old: String?
    @Option(
        name: .customLong("witness"), parsing: .upToNextOption,
        help: "Cosigner verifier keys whose cosignatures to require.")
    var witnesses: [String] = []
    @Option(help: "How many of the --witness keys must have cosigned (default: all).") var quorum: Int?

    func run() throws {
        try runTransparency {
            let proofBytes = try readInput(proof)
            switch ProofCheck.header(proofBytes) {
            case InclusionProof.header:
                guard let entry, old == nil else {
                    throw LedgerError(.badInput, "an inclusion proof is checked with --entry FILE (and no --old)")
                }
                let result = try ProofCheck.inclusion(
                    proof: proofBytes, entry: try readInput(entry), trust: trust, witnesses: witnesses, quorum: quorum)
                let checkpoint = result.checkpoint.checkpoint
                emit(
                    "verified: entry \(result.index) is in \(checkpoint.origin) at size \(checkpoint.size), root \(Base64.encode(checkpoint.rootHash.bytes))\(cosigned(result.checkpoint))"
                )
            case ConsistencyProof.header:
                guard let old, entry == nil else {
                    throw LedgerError(
                        .badInput, "a consistency proof is checked with --old CHECKPOINT (and no --entry)")
                }
                let signed = try ProofCheck.consistency(
                    proof: proofBytes, old: try readInput(old), trust: trust, witnesses: witnesses, quorum: quorum)
                emit(
                    "verified: \(signed.checkpoint.origin) at size \(signed.checkpoint.size) extends the old checkpoint, root \(Base64.encode(signed.checkpoint.rootHash.bytes))\(cosigned(signed))"
                )
            default:
                throw LedgerError(
                    .badInput,
                    "\(proof) is neither a \(InclusionProof.header) nor a \(ConsistencyProof.header) proof")
            }
        }
    }

    private func cosigned(_ signed: SignedCheckpoint) -> String {
        witnesses.isEmpty ? "" : ", \(signed.cosignatures.count) witness cosignature(s)"
    }
}

struct Witness: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Act as a witness: cosign checkpoints shown consistent with the last one you cosigned.",
        subcommands: [Cosign.self])

    struct Cosign: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check a consistency proof from OLD to NEW, then append a C2SP tlog-cosignature line to NEW.",
            discussion: """
                NEW is rewritten atomically. Keep NEW as your OLD for next time: a witness only ever cosigns \
                checkpoints consistent with what it saw before.
                """)

        @Option(help: "The new signed checkpoint to cosign (rewritten in place).") var checkpoint: String
        @Option(help: "The last checkpoint this witness accepted.") var old: String
        @Option(help: "The consistency proof from OLD to NEW (grant-ledger prove consistency).") var proof: String
        @Option(help: "The log's note verifier key, name+hex+base64.") var trust: String
        @Option(help: "The witness's Ed25519 private key (PKCS#8 PEM).") var key: String
        @Option(help: "The witness's key name (default: witness- and 16 hex digits of its key id).") var name: String?
        @Option(help: "Cosignature time (RFC 3339 UTC); default now.") var time: String?

        func run() throws {
            try runTransparency {
                let privateKey = try loadSigningKey(key)
                let cosigner = try CosignatureSigner(
                    name: name ?? ProofCheck.defaultWitnessName(privateKey.publicKey), privateKey: privateKey)
                let now = Timestamp.now()
                let when = try parseTime(time) ?? now
                guard when.secondsSinceEpoch >= 0 else { throw LedgerError(.badInput, "--time is before 1970") }
                guard when <= now.adding(seconds: Int64(Cosignature.clockTolerance)) else {
                    throw LedgerError(
                        .badInput,
                        "--time \(when) dépasse de plus de \(Cosignature.clockTolerance / 60) minutes l'horloge de ce témoin (\(now)) : un témoin ne cosigne pas l'avenir, et les lecteurs refuseraient cette cosignature"
                    )
                }
                let text = try ProofCheck.cosign(
                    new: try KeyFiles.read(checkpoint), old: try KeyFiles.read(old), proof: try readInput(proof),
                    trust: trust, cosigner: cosigner, timestamp: UInt64(when.secondsSinceEpoch), now: now)
                try DurableFile.write(checkpoint, Array(text.utf8))
                emit("cosigned \(checkpoint) as \(cosigner.verifier.verifierKey)")
            }
        }
    }
}

extension KeyCommand {
    struct NoteKey: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "note-key",
            abstract: "Print the C2SP note verifier key name+hex+base64(0x01 ‖ pub) of a key (0x04 with --cosigner).",
            discussion: """
                The name defaults to the ledger's origin (the checkpoint key name), or for --cosigner to \
                witness- and 16 hex digits of the key id; --name overrides it.
                """)

        @OptionGroup var options: LedgerOptions
        @Argument(help: "A private key (PKCS#8 PEM) or public key (SPKI PEM) file.") var file: String
        @Option(help: "The key name.") var name: String?
        @Flag(help: "Print a witness (cosigner, type 0x04) verifier key instead of a log key.") var cosigner = false

        func run() throws {
            try runTransparency {
                let text = String(decoding: try KeyFiles.read(file), as: UTF8.self)
                let key =
                    text.contains("PRIVATE KEY-----")
                    ? try loadSigningKey(file).publicKey : try KeyFiles.loadPublicKey(file)
                if cosigner {
                    emit(
                        try CosignatureVerifier(name: name ?? ProofCheck.defaultWitnessName(key), publicKey: key)
                            .verifierKey)
                } else {
                    let keyName = try name ?? LedgerProofs.origin(of: makeLedger(options).store)
                    emit(try NoteVerifier(name: keyName, publicKey: key).verifierKey)
                }
            }
        }
    }
}
