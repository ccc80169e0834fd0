import ArgumentParser
import Foundation
import GrantDomain
import LedgerCore
import LedgerCrypto

struct KeyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "key",
        abstract: "Generate, show, register and revoke Ed25519 keys.",
        subcommands: [Generate.self, Show.self, Register.self, Revoke.self, NoteKey.self]
    )

    struct Generate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Generate an Ed25519 key: FILE (PKCS#8 PEM, mode 0600) and FILE's .pub.pem; prints the key id.")

        @Option(help: "Where to write the private key.") var out: String
        @Flag(help: "Encrypt the private key with AES-256 (passphrase from a prompt or GRANT_LEDGER_PASSPHRASE).")
        var encrypt = false

        func run() throws {
            try runReporting {
                let secret = encrypt ? try passphrase(prompt: "Passphrase for \(out): ", confirm: true) : nil
                let key = try Ed25519PrivateKey.generate()
                try KeyFiles.writeKeyPair(key, to: out, passphrase: secret)
                emit(key.publicKey.keyID)
            }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print a key file's key id and public key.")

        @Argument(help: "A private key (PKCS#8 PEM) or public key (SPKI PEM) file.") var file: String

        func run() throws {
            try runReporting {
                let text = String(decoding: try KeyFiles.read(file), as: UTF8.self)
                let key =
                    text.contains("PRIVATE KEY-----")
                    ? try loadSigningKey(file).publicKey : try KeyFiles.loadPublicKey(file)
                emit("key id: \(key.keyID)")
                emit("public key (base64 DER SPKI): \(PublicKeyText.encode(key))")
                emit(key.pem.trimmingCharacters(in: .newlines))
            }
        }
    }

    struct Register: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Register a key with a role and territories (signed by an authority key).")

        @OptionGroup var options: LedgerOptions
        @Option(name: .customLong("public-key"), help: "The SPKI PEM public key to register.") var publicKey: String
        @Option(help: "authority, prefecture, payer or auditor.") var role: String
        @Option(name: .customLong("territory"), help: "A département code (repeat for several), or * for all.")
        var territories: [String] = []
        @Option(help: "Who holds the key, e.g. \"Préfecture du Cantal\".") var holder: String
        @Option(help: "The authority's private key.") var key: String
        @Option(help: "Entry time (RFC 3339 UTC); default now.") var time: String?
        @OptionGroup var remote: RemoteOptions

        func run() throws {
            try runReporting {
                let role: Role
                do throws(InputError) { role = try Role.grantRole(named: self.role) } catch {
                    throw LedgerError(.badInput, error.message)
                }
                guard !territories.isEmpty else {
                    throw LedgerError(.badInput, "give at least one --territory (a département code, or * for all)")
                }
                let publicKey = try KeyFiles.loadPublicKey(self.publicKey)
                let signer = try loadSigningKey(key)
                let payload = KeyRegistry.registrationPayload(
                    publicKey, role: role, territories: territories, holder: holder)
                let entry = try appendEvent(
                    EventCatalog.keyRegistered, payload, remote: remote, ledger: options, signer: signer,
                    time: try parseTime(time))
                emit(
                    "registered \(publicKey.keyID) as \(role.rawValue) for \(territories.joined(separator: ", ")) (\(holder)) at seq \(entry.seq)"
                )
            }
        }
    }

    struct Revoke: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Revoke a key: it signs nothing valid after this entry.")

        @OptionGroup var options: LedgerOptions
        @Argument(help: "The key id to revoke.") var keyID: String
        @Option(help: "Why the key is revoked.") var reason: String
        @Option(help: "The authority's private key.") var key: String
        @Option(help: "Entry time (RFC 3339 UTC); default now.") var time: String?
        @OptionGroup var remote: RemoteOptions

        func run() throws {
            try runReporting {
                let signer = try loadSigningKey(key)
                let payload: JSONValue = ["key_id": .string(keyID), "reason": .string(reason)]
                let entry = try appendEvent(
                    EventCatalog.keyRevoked, payload, remote: remote, ledger: options, signer: signer,
                    time: try parseTime(time))
                emit("revoked \(keyID) at seq \(entry.seq)")
            }
        }
    }
}
