import Foundation
import LedgerCore
import LedgerCrypto

/// The demo's applicants and the files written beside its log (keys, SCDL identifiers).
extension DemoBuilder {
    /// Real communes and EPCIs of a département, as applicants.
    func applicantPool(_ departement: String) -> [Applicant] {
        let source = "INSEE, populations légales (COG 2026, jeu \(reference.datasetID.prefix(12)))"
        var pool: [Applicant] = []
        for commune in reference.communes.values where commune.departement.rawValue == departement {
            guard let siren = commune.siren else { continue }
            pool.append(
                Applicant(
                    kind: .commune, name: commune.name, siren: siren.rawValue, insee: commune.insee.rawValue,
                    departement: departement, population: Int64(commune.population), populationSource: source))
        }
        for epci in reference.epcis.values where epci.departement.rawValue == departement {
            pool.append(
                Applicant(
                    kind: epci.applicantKind, name: epci.name, siren: epci.siren.rawValue, insee: nil,
                    departement: departement, population: Int64(epci.population),
                    populationSource: "DGCL 2025, population des EPCI"))
        }
        // Larger authorities apply more often: weight by a rough size class, deterministically.
        pool.sort { $0.siren < $1.siren }
        return pool + pool.filter { $0.population >= 5_000 } + pool.filter { $0.population >= 5_000 }
    }

    func makeSIRET(_ random: inout SplitMix64) -> String {
        var digits = (0..<8).map { _ in random.next(10) }
        digits.append(Luhn.checkDigit(digits))
        digits += [0, 0, 0, 1 + random.next(9)]
        digits.append(Luhn.checkDigit(digits))
        return digits.map(String.init).joined()
    }

    /// The SCDL identifiers file of the demo (`docs/PUBLISHING.md` §4): FICTITIOUS SIRETs that pass the Luhn
    /// check — a beneficiary's real SIREN followed by an invented establishment number. (The granting bodies'
    /// SIRETs are in the calls.) A real ledger's file holds the real SIRETs.
    func writeIdentifiers(applicants: [Applicant], into path: String) throws(LedgerError) {
        var text =
            "# DEMO : SIRET FICTIFS (SIREN réels suivis d'un numéro d'établissement inventé), pour la démonstration uniquement.\n"
            + CSV.row(["type", "cle", "nom", "siret"])
        var seen: Set<String> = []
        for applicant in applicants.sorted(by: { $0.siren < $1.siren }) where seen.insert(applicant.siren).inserted {
            text += CSV.row(
                ["beneficiaire", applicant.siren, applicant.name, DemoBuilder.complete(applicant.siren + "0001")])
        }
        try KeyFiles.writeNew(path, Array(text.utf8), mode: 0o644)
    }

    /// The FICTITIOUS SIRET of the demo's `index`-th granting body: an invented SIREN 179000xx, NIC 0001x.
    static func fictitiousSIRET(_ index: Int) -> String {
        complete(complete("17" + String(format: "%06d", 900_001 + index)) + "0001")
    }

    /// `prefix` followed by the digit that makes it pass the Luhn check.
    static func complete(_ prefix: String) -> String {
        prefix + String(Luhn.checkDigit(prefix.compactMap { $0.wholeNumberValue }))
    }

    func writeKeys(_ keys: [DemoKey], into directory: String) throws(LedgerError) {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw LedgerError(
                .io, "impossible de créer \(directory) : \(error.localizedDescription)", underlying: error)
        }
        for key in keys {
            let privatePath = "\(directory)/\(key.file).pem"
            let publicPath = "\(directory)/\(key.file).pub.pem"
            var pem: [UInt8]
            do throws(KeyError) { pem = try key.key.pkcs8PEM(passphrase: nil) } catch {
                throw LedgerError(.key, error.message, underlying: error)
            }
            let label = Array(
                "DEMO ONLY: derived from the public demo seed \(seed); never use it for real decisions.\n\(key.holder), \(key.role.rawValue), territories \(key.territories.joined(separator: " "))\n"
                    .utf8)
            try KeyFiles.writeNew(privatePath, label + pem, mode: 0o600)
            Secure.cleanse(&pem)
            try KeyFiles.writeNew(publicPath, Array(key.key.publicKey.pem.utf8), mode: 0o644)
        }
    }
}
