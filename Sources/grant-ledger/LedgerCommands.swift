import ArgumentParser
import Foundation
import GrantDomain
import LedgerCore
import LedgerCrypto

struct Init: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Créer un registre : l'entrée 0, ledger.created, auto-signée par la clé d'autorité.")

    @OptionGroup var options: LedgerOptions
    @Option(help: "Le nom du registre, en forme d'URL sans schéma, par exemple relance-numerique.example.gouv.fr/3a.")
    var origin: String
    @Option(help: "Le titre du programme.") var title: String
    @Option(help: "La clé privée de l'autorité.") var key: String
    @Option(help: "Heure de l'entrée (RFC 3339, UTC) ; par défaut maintenant.") var time: String?

    func run() throws {
        try runReporting {
            let authority = try loadSigningKey(key)
            let entry = try makeLedger(options).create(
                origin: origin, title: title, authority: authority, time: try parseTime(time) ?? .now())
            emit(
                "registre \(options.directory)/\(LedgerStore.logFileName) créé : origine \(origin), autorité \(authority.publicKey.keyID), hash de l'entrée \(entry.hash.hex)"
            )
        }
    }
}

struct Append: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "append",
        abstract:
            "Ajouter un événement d'un type connu, son contenu lu dans un fichier JSON ou sur l'entrée standard (-).")

    @OptionGroup var options: LedgerOptions
    @Option(help: "Le type d'événement, par exemple key.registered.") var type: String
    @Option(help: "Un fichier JSON contenant l'objet payload, ou - pour l'entrée standard.") var payload: String
    @Option(help: "La clé privée du signataire.") var key: String
    @Option(help: "Heure de l'entrée (RFC 3339, UTC) ; par défaut maintenant.") var time: String?

    func run() throws {
        try runReporting {
            let value = try readJSONInput(payload)
            let signer = try loadSigningKey(key)
            let entry = try makeLedger(options).append(
                type: type, payload: value, signer: signer, time: try parseTime(time))
            emit("entrée ajoutée : seq \(entry.seq) \(entry.type), hash \(entry.hash.hex)")
        }
    }
}

struct Log: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "log",
        abstract: "Lister les entrées du registre, avec le dossier ou l'appel de chacune.")

    @OptionGroup var options: LedgerOptions
    @Option(help: "Première seq à lister.") var from: Int64 = 0
    @Flag(help: "Écrire les lignes canoniques brutes (JSON Lines).") var json = false

    /// JSON Lines keep their exact bytes (unless shown on a terminal); the listing quotes the log's holders and
    /// types, so its controls are shown escaped.
    private func write(_ text: String) {
        if json {
            emitMachine(Array(text.utf8))
        } else {
            FileHandle.standardOutput.write(Data(Terminal.printable(text).utf8))
        }
    }

    func run() throws {
        try runReporting {
            let store = makeLedger(options).store
            let reader = try store.lines()
            var position: Int64 = 0
            var holders: [String: String] = [:]
            var out = ""
            while let line = reader.next() {
                defer { position += 1 }
                if json {
                    if position >= from { out += String(decoding: line, as: UTF8.self) + "\n" }
                } else {
                    guard let entry = try? Entry(line: line) else {
                        if position >= from { out += "#\(position)  (entrée invalide : lancez grant-ledger verify)\n" }
                        continue
                    }
                    if entry.type == EventCatalog.keyRegistered {
                        let payload = entry.payload
                        if let id = payload["key_id"]?.stringValue { holders[id] = payload["holder"]?.stringValue }
                    }
                    if entry.seq == 0 { holders[entry.actor] = Role.authority.label }
                    if position >= from {
                        let who = holders[entry.actor].map { " (\($0))" } ?? ""
                        out +=
                            "#\(entry.seq)  \(entry.time)  \(entry.type)\(LogText.subject(entry))  par \(entry.actor.prefix(12))…\(who)  hash \(entry.hash.hex.prefix(16))…\n"
                    }
                }
                if out.utf8.count > 1 << 16 {
                    write(out)
                    out = ""
                }
            }
            write(out)
            if let mismatch = reader.commitMismatch {
                printError(mismatch.message + " ; lancez grant-ledger verify")
            } else if reader.uncommittedBytes > 0 {
                printError(
                    "les \(reader.uncommittedBytes) derniers octets du registre sont après son point de validation (une écriture interrompue) ; lancez grant-ledger repair"
                )
            }
        }
    }
}

struct Repair: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "repair",
        abstract:
            "Mettre de côté ce qu'une écriture interrompue a laissé après la dernière entrée validée, et couper le registre à cet endroit."
    )

    @OptionGroup var options: LedgerOptions

    func run() throws {
        try runReporting {
            let result = try makeLedger(options).store.repair()
            if let side = result.sideFile {
                emit(
                    "\(FrenchFormat.quantity(result.removedBytes, "octet non validé mis", "octets non validés mis")) de côté dans \(side) ; le registre finit maintenant à sa dernière entrée validée (\(FrenchFormat.quantity(result.length, "octet", "octets")))"
                )
            } else {
                emit("rien à réparer : le registre finit par une ligne complète")
            }
        }
    }
}

/// What an entry of `log` concerns, for people: the dossier or the call its payload names.
enum LogText {
    static func subject(_ entry: Entry) -> String {
        let payload = entry.payload
        if let id = payload["application_id"]?.stringValue { return "  dossier \(id)" }
        if let id = payload["call_id"]?.stringValue { return "  appel \(id)" }
        return ""
    }
}
