import GrantDomain
import LedgerCore
public import LedgerCrypto

/// The SIRETs the SCDL « Subventions » export needs and the log does not carry yet (`docs/PUBLISHING.md` §4).
///
/// The schema identifies the granting body (`idAttribuant`) and the beneficiary (`idBeneficiaire`) by SIRET,
/// an establishment number; the log records a prefecture only by its key's holder name and an applicant only
/// by its SIREN. A SIRET cannot be derived from a SIREN (the 5-digit NIC is assigned by INSEE), so it is
/// given in a small CSV file, one row per body:
///
/// ```
/// type,cle,nom,siret
/// attribuant,15-2021-01,Préfecture du Cantal,<SIRET>
/// beneficiaire,211500010,Aurillac,<SIRET starting with the SIREN>
/// ```
///
/// `cle` is the call id for an attribuant (its `nom`, when not empty, replaces the decision signer's key
/// holder) and the SIREN for a beneficiary (`nom` is only a reminder). Lines starting with `#` are comments.
/// Every SIRET must pass the Luhn check (La Poste rule included), and a beneficiary's must start with its SIREN.
public struct SCDLIdentifiers: Sendable, Hashable {
    public struct Attribuant: Sendable, Hashable {
        public let name: String
        public let siret: String
    }

    /// Call id → granting body.
    public var attribuants: [String: Attribuant] = [:]
    /// SIREN → SIRET of the beneficiary.
    public var beneficiaries: [String: String] = [:]

    public init() {}

    public static let header = ["type", "cle", "nom", "siret"]

    /// The file `export scdl` and `publish` read from the ledger directory when `--identifiers` is not given.
    public static let defaultFileName = "identifiants-scdl.csv"

    /// Parses the file; every problem is reported in one sentence.
    public init(csv text: String, source: String) throws(PublishingError) {
        let content = text.split(separator: "\n", omittingEmptySubsequences: false)
            .filter { !$0.hasPrefix("#") }.joined(separator: "\n")
        guard let records = CSV.parse(content), let header = records.first,
            header.map({ $0.trimmingSpaces }) == SCDLIdentifiers.header
        else {
            throw PublishingError(
                .badInput, "\(source) n'est pas un CSV d'identifiants avec l'en-tête type,cle,nom,siret")
        }
        for (index, record) in records.dropFirst().enumerated() where !(record.count == 1 && record[0].isEmpty) {
            let line = "\(source), enregistrement \(index + 2)"
            guard record.count == 4 else {
                throw PublishingError(.badInput, "\(line) a \(record.count) champs au lieu de 4")
            }
            let key = record[1].trimmingSpaces, name = record[2].trimmingSpaces, siret = record[3].trimmingSpaces
            guard !siret.isEmpty else { continue }  // a template row not filled in yet
            guard SIRET.isValid(siret) else {
                throw PublishingError(
                    .badInput, "\(line) : \(siret) n'est pas un SIRET valide (14 chiffres, clé de Luhn)")
            }
            switch record[0].trimmingSpaces {
            case "attribuant":
                guard attribuants[key] == nil else {
                    throw PublishingError(.badInput, "\(line) : l'appel \(key) est donné deux fois")
                }
                attribuants[key] = Attribuant(name: name, siret: siret)
            case "beneficiaire":
                guard SIREN.isValid(key), siret.hasPrefix(key) else {
                    throw PublishingError(.badInput, "\(line) : le SIRET \(siret) ne commence pas par le SIREN \(key)")
                }
                guard beneficiaries[key] == nil else {
                    throw PublishingError(.badInput, "\(line) : le SIREN \(key) est donné deux fois")
                }
                beneficiaries[key] = siret
            default:
                throw PublishingError(
                    .badInput, "\(line) : type doit être attribuant ou beneficiaire, pas \(record[0])")
            }
        }
    }
}
