import ArgumentParser
import Foundation
import LedgerCore
import LedgerCrypto

struct CheckpointCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "checkpoint",
        abstract: "Signer un point de contrôle C2SP du registre ; écrit checkpoints/<taille>.txt et checkpoint.txt.",
        discussion: """
            La clé doit être une clé d'autorité enregistrée et non révoquée ; le nom de la clé de note est \
            l'origine du registre. Refusé (code 1) quand le registre ne prolonge plus le dernier point de \
            contrôle. Formats : docs/PROOFS.md.
            """)

    @OptionGroup var options: LedgerOptions
    @Option(help: "La clé privée d'une autorité.") var key: String

    func run() throws {
        try runReporting {
            let signer = try loadSigningKey(key)
            let (signed, path) = try LedgerCheckpoints.sign(makeLedger(options), key: signer)
            emit(
                "point de contrôle de taille \(signed.checkpoint.size), racine \(Base64.encode(signed.checkpoint.rootHash.bytes)) : \(path) et \(LedgerCheckpoints.latestPath(makeLedger(options).store))"
            )
        }
    }
}

struct Prove: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prove",
        abstract:
            "Écrire une preuve d'inclusion ou de cohérence par rapport à un point de contrôle signé (docs/PROOFS.md).",
        subcommands: [Inclusion.self, Consistency.self])

    struct Inclusion: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "inclusion",
            abstract:
                "Prouver que l'entrée N est dans l'arbre d'un point de contrôle : texte C2SP tlog-proof, ou --json.")

        @OptionGroup var options: LedgerOptions
        @Option(help: "La seq de l'entrée.") var seq: UInt64
        @Option(help: "Le point de contrôle signé de référence (par défaut : le checkpoint.txt du registre).")
        var checkpoint: String?
        @Flag(help: "Écrire la forme JSON documentée, ligne de l'entrée comprise.") var json = false

        func run() throws {
            try runReporting {
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
            commandName: "consistency",
            abstract:
                "Prouver qu'un point de contrôle prolonge un plus ancien (texte grantledger/tlog-consistency@v1, ou --json)."
        )

        @OptionGroup var options: LedgerOptions
        @Option(help: "Le point de contrôle signé le plus ancien.") var from: String
        @Option(help: "Le point de contrôle signé le plus récent (par défaut : le checkpoint.txt du registre).") var to:
            String?
        @Flag(help: "Écrire la forme JSON documentée.") var json = false

        func run() throws {
            try runReporting {
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
        abstract:
            "Vérifier hors ligne, sans le registre, une preuve d'inclusion ou de cohérence, à partir d'une clé de note de confiance.",
        discussion: """
            Une preuve d'inclusion demande --entry (la ligne JSONL de l'entrée) ; une preuve de cohérence demande \
            --old (l'ancien point de contrôle que vous avez gardé). Code 0 vérifiée, 1 la preuve ne tient pas, \
            2 entrée inutilisable.
            """)

    @Option(help: "Le texte de la preuve (sortie de prove inclusion / prove consistency).") var proof: String
    @Option(help: "La clé de note du registre, nom+hex+base64 (grant-ledger key note-key).") var trust: String
    @Option(help: "La ligne de l'entrée, pour une preuve d'inclusion.") var entry: String?
    @Option(help: "L'ancien point de contrôle, pour une preuve de cohérence.") var old: String?
    @Option(
        name: .customLong("witness"), parsing: .upToNextOption,
        help: "Les clés des témoins (cosignataires) dont la cosignature est exigée.")
    var witnesses: [String] = []
    @Option(help: "Combien des clés --witness doivent avoir cosigné (par défaut : toutes).") var quorum: Int?

    func run() throws {
        try runReporting {
            let proofBytes = try readInput(proof)
            switch ProofCheck.header(proofBytes) {
            case InclusionProof.header:
                guard let entry, old == nil else {
                    throw LedgerError(
                        .badInput, "une preuve d'inclusion se vérifie avec --entry FICHIER (et sans --old)")
                }
                let result = try ProofCheck.inclusion(
                    proof: proofBytes, entry: try readInput(entry), trust: trust, witnesses: witnesses, quorum: quorum)
                let checkpoint = result.checkpoint.checkpoint
                emit(
                    "vérifiée : l'entrée \(result.index) est dans \(checkpoint.origin) à la taille \(checkpoint.size), racine \(Base64.encode(checkpoint.rootHash.bytes))\(cosigned(result.checkpoint))"
                )
            case ConsistencyProof.header:
                guard let old, entry == nil else {
                    throw LedgerError(
                        .badInput, "une preuve de cohérence se vérifie avec --old POINT_DE_CONTRÔLE (et sans --entry)")
                }
                let signed = try ProofCheck.consistency(
                    proof: proofBytes, old: try readInput(old), trust: trust, witnesses: witnesses, quorum: quorum)
                emit(
                    "vérifiée : \(signed.checkpoint.origin) à la taille \(signed.checkpoint.size) prolonge l'ancien point de contrôle, racine \(Base64.encode(signed.checkpoint.rootHash.bytes))\(cosigned(signed))"
                )
            default:
                throw LedgerError(
                    .badInput,
                    "\(proof) n'est ni une preuve \(InclusionProof.header) ni une preuve \(ConsistencyProof.header)")
            }
        }
    }

    private func cosigned(_ signed: SignedCheckpoint) -> String {
        witnesses.isEmpty
            ? ""
            : ", \(FrenchFormat.quantity(signed.cosignatures.count, "cosignature de témoin", "cosignatures de témoins"))"
    }
}

struct Witness: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "witness",
        abstract:
            "Agir en témoin : cosigner les points de contrôle prouvés cohérents avec le dernier que vous avez cosigné.",
        subcommands: [Cosign.self])

    struct Cosign: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "cosign",
            abstract:
                "Vérifier une preuve de cohérence de ANCIEN à NOUVEAU, puis ajouter une ligne de cosignature C2SP à NOUVEAU.",
            discussion: """
                NOUVEAU est réécrit de façon atomique. Gardez NOUVEAU comme ANCIEN pour la fois suivante : un \
                témoin ne cosigne que des points de contrôle cohérents avec ce qu'il a vu avant.
                """)

        @Option(help: "Le nouveau point de contrôle signé à cosigner (réécrit sur place).") var checkpoint: String
        @Option(help: "Le dernier point de contrôle accepté par ce témoin.") var old: String
        @Option(help: "La preuve de cohérence de ANCIEN à NOUVEAU (grant-ledger prove consistency).") var proof: String
        @Option(help: "La clé de note du registre, nom+hex+base64.") var trust: String
        @Option(help: "La clé privée Ed25519 du témoin (PKCS#8 PEM).") var key: String
        @Option(
            help: "Le nom de la clé du témoin (par défaut : witness- et 16 chiffres hexadécimaux de son identifiant).")
        var name: String?
        @Option(help: "Heure de la cosignature (RFC 3339, UTC) ; par défaut maintenant.") var time: String?

        func run() throws {
            try runReporting {
                let privateKey = try loadSigningKey(key)
                let cosigner = try CosignatureSigner(
                    name: name ?? ProofCheck.defaultWitnessName(privateKey.publicKey), privateKey: privateKey)
                let now = Timestamp.now()
                let when = try parseTime(time) ?? now
                guard when.secondsSinceEpoch >= 0 else { throw LedgerError(.badInput, "--time est antérieur à 1970") }
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
                emit("\(checkpoint) cosigné par \(cosigner.verifier.verifierKey)")
            }
        }
    }
}

extension KeyCommand {
    struct NoteKey: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "note-key",
            abstract: "Écrire la clé de note C2SP nom+hex+base64(0x01 ‖ pub) d'une clé (0x04 avec --cosigner).",
            discussion: """
                Le nom est par défaut l'origine du registre (le nom de la clé des points de contrôle), ou avec \
                --cosigner witness- et 16 chiffres hexadécimaux de l'identifiant de la clé ; --name le remplace.
                """)

        @OptionGroup var options: LedgerOptions
        @Argument(help: "Un fichier de clé privée (PKCS#8 PEM) ou publique (SPKI PEM).") var file: String
        @Option(help: "Le nom de la clé.") var name: String?
        @Flag(help: "Écrire une clé de témoin (cosignataire, type 0x04) au lieu d'une clé de registre.") var cosigner =
            false

        func run() throws {
            try runReporting {
                let key = try loadPublicKey(ofKeyFile: file)
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
