import ArgumentParser
import Foundation
import GrantDomain
import LedgerCore
import LedgerCrypto

struct KeyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "key",
        abstract: "Créer, afficher, enregistrer et révoquer des clés Ed25519.",
        subcommands: [Generate.self, Show.self, Register.self, Revoke.self, NoteKey.self]
    )

    struct Generate: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "generate",
            abstract:
                "Créer une clé Ed25519 : FICHIER (PKCS#8 PEM, mode 0600) et sa clé publique .pub.pem ; affiche l'identifiant de la clé."
        )

        @Option(help: "Où écrire la clé privée.") var out: String
        @Flag(
            help:
                "Chiffrer la clé privée en AES-256 (phrase secrète demandée au terminal ou lue dans GRANT_LEDGER_PASSPHRASE)."
        )
        var encrypt = false

        func run() throws {
            try runReporting {
                let secret = encrypt ? try passphrase(prompt: "Phrase secrète pour \(out) : ", confirm: true) : nil
                let key = try Ed25519PrivateKey.generate()
                try KeyFiles.writeKeyPair(key, to: out, passphrase: secret)
                emit(key.publicKey.keyID)
            }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "show",
            abstract: "Afficher l'identifiant et la clé publique d'un fichier de clé.")

        @Argument(help: "Un fichier de clé privée (PKCS#8 PEM) ou publique (SPKI PEM).") var file: String

        func run() throws {
            try runReporting {
                let key = try loadPublicKey(ofKeyFile: file)
                emit("identifiant de la clé : \(key.keyID)")
                emit("clé publique (DER SPKI en base64) : \(PublicKeyText.encode(key))")
                emit(key.pem.trimmingCharacters(in: .newlines))
            }
        }
    }

    struct Register: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "register",
            abstract: "Enregistrer une clé avec un rôle et des territoires (signé par une clé d'autorité).")

        @OptionGroup var options: LedgerOptions
        @Option(name: .customLong("public-key"), help: "La clé publique SPKI PEM à enregistrer.") var publicKey: String
        @Option(help: "authority (autorité de gestion), prefecture (préfecture), payer (payeur) ou auditor (auditeur).")
        var role: String
        @Option(
            name: .customLong("territory"), help: "Un code de département (à répéter pour plusieurs), ou * pour tous.")
        var territories: [String] = []
        @Option(help: "Le détenteur de la clé, par exemple « Préfecture du Cantal ».") var holder: String
        @Option(help: "La clé privée de l'autorité.") var key: String
        @Option(help: "Heure de l'entrée (RFC 3339, UTC) ; par défaut maintenant.") var time: String?
        @OptionGroup var remote: RemoteOptions

        func run() throws {
            try runReporting {
                let role: Role
                do throws(InputError) { role = try Role.grantRole(named: self.role) } catch {
                    throw LedgerError(.badInput, error.message, underlying: error)
                }
                guard !territories.isEmpty else {
                    throw LedgerError(
                        .badInput, "donnez au moins un --territory (un code de département, ou * pour tous)")
                }
                let publicKey = try KeyFiles.loadPublicKey(self.publicKey)
                let signer = try loadSigningKey(key)
                let payload = KeyRegistry.registrationPayload(
                    publicKey, role: role, territories: territories, holder: holder)
                let entry = try appendEvent(
                    EventCatalog.keyRegistered, payload, remote: remote, ledger: options, signer: signer,
                    time: try parseTime(time))
                emit(
                    "clé \(publicKey.keyID) enregistrée, rôle \(role.label), territoires \(territories.joined(separator: ", ")) (\(holder)), à la seq \(entry.seq)"
                )
            }
        }
    }

    struct Revoke: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "revoke",
            abstract: "Révoquer une clé : elle ne signe plus rien de valide après cette entrée.")

        @OptionGroup var options: LedgerOptions
        @Argument(help: "L'identifiant de la clé à révoquer.") var keyID: String
        @Option(help: "Le motif de la révocation.") var reason: String
        @Option(help: "La clé privée de l'autorité.") var key: String
        @Option(help: "Heure de l'entrée (RFC 3339, UTC) ; par défaut maintenant.") var time: String?
        @OptionGroup var remote: RemoteOptions

        func run() throws {
            try runReporting {
                let signer = try loadSigningKey(key)
                let payload: JSONValue = ["key_id": .string(keyID), "reason": .string(reason)]
                let entry = try appendEvent(
                    EventCatalog.keyRevoked, payload, remote: remote, ledger: options, signer: signer,
                    time: try parseTime(time))
                emit("clé \(keyID) révoquée à la seq \(entry.seq)")
            }
        }
    }
}
