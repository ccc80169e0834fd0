import ArgumentParser
import Foundation
import LedgerCore
import LedgerCrypto

struct Init: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Create a ledger: entry 0, ledger.created, self-signed by the authority key.")

    @OptionGroup var options: LedgerOptions
    @Option(help: "The log's name, schema-less and URL-like, e.g. relance-numerique.example.gouv.fr/3a.") var origin:
        String
    @Option(help: "The programme's title.") var title: String
    @Option(help: "The authority's private key.") var key: String
    @Option(help: "Entry time (RFC 3339 UTC); default now.") var time: String?

    func run() throws {
        try runReporting {
            let authority = try loadSigningKey(key)
            let entry = try makeLedger(options).create(
                origin: origin, title: title, authority: authority, time: try parseTime(time) ?? .now())
            emit(
                "created \(options.directory)/\(LedgerStore.logFileName): origin \(origin), authority \(authority.publicKey.keyID), entry hash \(entry.hash.hex)"
            )
        }
    }
}

struct Append: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Append an event of a known type, its payload read from a JSON file or - for stdin.")

    @OptionGroup var options: LedgerOptions
    @Option(help: "The event type, e.g. key.registered.") var type: String
    @Option(help: "A JSON file holding the payload object, or - for standard input.") var payload: String
    @Option(help: "The signer's private key.") var key: String
    @Option(help: "Entry time (RFC 3339 UTC); default now.") var time: String?

    func run() throws {
        try runReporting {
            let value = try readJSONInput(payload)
            let signer = try loadSigningKey(key)
            let entry = try makeLedger(options).append(
                type: type, payload: value, signer: signer, time: try parseTime(time))
            emit("appended seq \(entry.seq) \(entry.type), hash \(entry.hash.hex)")
        }
    }
}

struct Log: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List the entries of the log.")

    @OptionGroup var options: LedgerOptions
    @Option(help: "First seq to list.") var from: Int64 = 0
    @Flag(help: "Print the raw canonical lines (JSON Lines).") var json = false

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
                        if position >= from { out += "#\(position)  (not a valid entry: run grant-ledger verify)\n" }
                        continue
                    }
                    if entry.type == EventCatalog.keyRegistered, let id = entry.payload["key_id"]?.stringValue {
                        holders[id] = entry.payload["holder"]?.stringValue
                    }
                    if entry.seq == 0 { holders[entry.actor] = "authority" }
                    if position >= from {
                        let who = holders[entry.actor].map { " (\($0))" } ?? ""
                        out +=
                            "#\(entry.seq)  \(entry.time)  \(entry.type)  by \(entry.actor.prefix(12))…\(who)  hash \(entry.hash.hex.prefix(16))…\n"
                    }
                }
                if out.utf8.count > 1 << 16 {
                    write(out)
                    out = ""
                }
            }
            write(out)
            if let mismatch = reader.commitMismatch {
                printError(mismatch.message + "; run grant-ledger verify")
            } else if reader.uncommittedBytes > 0 {
                printError(
                    "the last \(reader.uncommittedBytes) bytes of the log are past its commit point (an interrupted write); run grant-ledger repair"
                )
            }
        }
    }
}

struct Repair: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract:
            "Move what an interrupted write left after the last committed entry to a side file, and cut the log there.")

    @OptionGroup var options: LedgerOptions

    func run() throws {
        try runReporting {
            let result = try makeLedger(options).store.repair()
            if let side = result.sideFile {
                emit(
                    "moved \(result.removedBytes) uncommitted bytes to \(side); the log now ends at its last committed entry (\(result.length) bytes)"
                )
            } else {
                emit("nothing to repair: the log ends with a complete line")
            }
        }
    }
}
