import GrantDomain
import LedgerCore
public import LedgerCrypto

/// Re-checks a published SCDL file against the log (`grant-ledger export scdl --check FILE`,
/// `docs/PUBLISHING.md` §4.1).
///
/// With its descriptor (``SCDLResource``), the file is recomputed from the log as it was when the file was made:
/// the log must still hold the entries the descriptor names, with the same RFC 6962 root (else its history was cut or
/// rewritten, and that is the difference reported); the export of that prefix, with the identifiers file given, must
/// then be the file, byte for byte. Without a descriptor, the file is compared with the export of the whole log.
/// A difference names the first row that differs, column by column.
public struct SCDLCheck: Sendable {
    /// What the file was compared with: the log's identity at the size recomputed.
    public let identity: LogIdentity
    /// Empty when the file is exactly what the log gives.
    public let differences: [String]

    public var matches: Bool { differences.isEmpty }

    public init(
        published: [UInt8], resource: SCDLResource?, snapshot: LedgerSnapshot, identifiers: SCDLIdentifiers,
        identifiersFile: [UInt8]?
    ) throws(PublishingError) {
        var differences: [String] = []
        if let failure = snapshot.verificationFailure { differences.append(failure) }
        var target = snapshot
        if let resource {
            if let problem = Self.logProblem(resource, snapshot: snapshot) {
                self.identity = snapshot.identity
                self.differences = differences + [problem]
                return
            }
            target = try snapshot.prefix(size: resource.size)
            if target.identity.rootHash != resource.rootHash || target.identity.headHash != resource.headHash {
                self.identity = target.identity
                self.differences =
                    differences + [
                        "la racine du journal à \(resource.size) entrées est \(target.identity.rootHash), le descripteur dit \(resource.rootHash) : le journal a été réécrit depuis l'export"
                    ]
                return
            }
        }
        self.identity = target.identity
        let export = try SCDLExport(snapshot: target, identifiers: identifiers)
        let recomputed = Array(export.csv.utf8)
        if recomputed != published {
            differences.append(Self.firstDifference(published, recomputed, rowIDs: export.applicationIDs))
            if let resource, resource.identifiersSHA256 != identifiersFile.map({ SHA256.hash($0).hex }) {
                differences.append(
                    "le fichier d'identifiants donné n'est pas celui de l'export (SHA-256 \(resource.identifiersSHA256 ?? "aucun fichier"))"
                )
            }
        }
        if let resource, resource.byteCount != published.count || resource.sha256 != SHA256.hash(published).hex {
            differences.append(
                "le fichier (\(published.count) octets, SHA-256 \(SHA256.hash(published).hex)) n'est pas celui que décrit le descripteur (\(resource.byteCount) octets, SHA-256 \(resource.sha256))"
            )
        }
        self.differences = differences
    }

    /// Why the log cannot be the one the descriptor names, before any recomputation.
    static func logProblem(_ resource: SCDLResource, snapshot: LedgerSnapshot) -> String? {
        let identity = snapshot.identity
        if resource.origin != identity.origin {
            return "le descripteur nomme le journal \(resource.origin), celui-ci est \(identity.origin)"
        }
        if resource.size > identity.size {
            return
                "le descripteur nomme \(resource.size) entrées, le journal n'en a que \(identity.size) : son historique a été coupé"
        }
        return nil
    }

    /// The first differing row, named by its line number and application id, with every differing column.
    static func firstDifference(_ published: [UInt8], _ recomputed: [UInt8], rowIDs: [String]) -> String {
        let old = CSV.parse(String(decoding: published, as: UTF8.self))
        let new = CSV.parse(String(decoding: recomputed, as: UTF8.self)) ?? []
        guard let old else { return "le fichier n'est pas un CSV lisible" }
        let header = new.first ?? SCDLExport.columns
        for index in 0..<max(old.count, new.count) {
            let line = index + 1
            let id = index >= 1 && index - 1 < rowIDs.count ? " (dossier \(rowIDs[index - 1]))" : ""
            guard index < old.count else { return "ligne \(line)\(id) : absente du fichier publié" }
            guard index < new.count else { return "ligne \(line) : en trop dans le fichier publié" }
            guard old[index] != new[index] else { continue }
            var columns: [String] = []
            for column in 0..<max(old[index].count, new[index].count) {
                let a = column < old[index].count ? old[index][column] : "(rien)"
                let b = column < new[index].count ? new[index][column] : "(rien)"
                if a != b {
                    let name = column < header.count ? header[column] : "colonne \(column + 1)"
                    columns.append("\(name) publié « \(a) », recalculé « \(b) »")
                }
            }
            return "ligne \(line)\(id) : " + columns.joined(separator: " ; ")
        }
        return "les octets diffèrent (guillemets, fins de ligne ou encodage) bien que chaque valeur soit la même"
    }
}
