import Foundation
import LedgerCore
import LedgerCrypto

/// Writing the demo into a directory without ever touching a ledger that is not a demo, and without leaving a half
/// demo behind: the demo is built in a hidden directory beside the target, then moved in item by item.
public enum DemoDirectory {
    /// What a demo writes into its directory: the ledger's files, the demo keys and the SCDL identifiers file.
    /// Anything else there (`events/schema/`) is left alone.
    public static var items: [String] {
        LedgerStore.fileNames + [DemoBuilder.keysDirectoryName, DemoBuilder.identifiersFileName]
    }

    /// Builds the demo of `builder` into `path`, replacing a demo already there.
    ///
    /// - Throws: `.alreadyExists` when `path` holds a ledger that is not the demo (nothing is changed), `.io` when
    ///   a directory cannot be created or an item moved.
    public static func write(_ builder: DemoBuilder, into path: String) throws -> DemoBuilder.Summary {
        try check(path)
        let staging = try staging(for: path)
        defer { try? FileManager.default.removeItem(atPath: staging) }
        let summary = try builder.build(into: staging)
        try install(staging, into: path)
        return summary
    }

    /// Refuses a directory that holds a ledger other than the demo.
    static func check(_ path: String) throws(LedgerError) {
        let store = LedgerStore(directory: path)
        guard store.exists else { return }
        let reader = try store.lines()
        let first = reader.next().flatMap { try? Entry(line: $0) }
        guard let first, first.type == EventCatalog.ledgerCreated,
            DemoBuilder.isDemoOrigin(first.payload["origin"]?.stringValue ?? "")
        else {
            throw LedgerError(
                .alreadyExists,
                "\(path) contient un registre qui n'est pas celui de la démonstration ; rien n'a été modifié")
        }
    }

    /// A new hidden directory beside `path` to build the demo in.
    static func staging(for path: String) throws(LedgerError) -> String {
        let trimmed = path.count > 1 && path.hasSuffix("/") ? String(path.dropLast()) : path
        let slash = trimmed.lastIndex(of: "/")
        let parent = slash.map { $0 == trimmed.startIndex ? "/" : String(trimmed[..<$0]) } ?? "."
        let name = slash.map { String(trimmed[trimmed.index(after: $0)...]) } ?? trimmed
        do { try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true) } catch {
            throw LedgerError(.io, "impossible de créer \(parent) : \(error.localizedDescription)", underlying: error)
        }
        var generator = SystemRandomNumberGenerator()
        while true {
            let candidate = parent + "/." + name + ".demo-" + String(generator.next() as UInt64, radix: 16)
            if Platform.makeDirectory(candidate, 0o755) == 0 { return candidate }
            let code = Platform.lastError
            guard code == Platform.Errno.exists else {
                throw LedgerError(.io, "impossible de créer \(candidate) : \(Platform.errorText(code))")
            }
        }
    }

    /// Moves the demo built in `staging` into `path`, item by item: each previous item is renamed aside into
    /// `staging` (removed with it), then the new one renamed in.
    static func install(_ staging: String, into path: String) throws(LedgerError) {
        do { try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) } catch {
            throw LedgerError(.io, "impossible de créer \(path) : \(error.localizedDescription)", underlying: error)
        }
        for name in items {
            let target = path + "/" + name
            if Platform.linkStatus(target) != nil, Platform.rename(target, staging + "/.previous-" + name) != 0 {
                throw LedgerError(
                    .io,
                    "impossible de remplacer \(target) de la démonstration précédente : \(Platform.errorText(Platform.lastError))"
                )
            }
            if Platform.linkStatus(staging + "/" + name) != nil, Platform.rename(staging + "/" + name, target) != 0 {
                throw LedgerError(
                    .io,
                    "impossible de placer \(name) de la démonstration dans \(path) : \(Platform.errorText(Platform.lastError))"
                )
            }
        }
    }
}
