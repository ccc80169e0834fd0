import Foundation
import GrantDomain
import GrantPublishing
import LedgerCore
import GrantLedgerTestSupport

/// The deterministic demo ledger, built once per test process in a temporary directory, with DEMO identifiers.
enum DemoFixture {
    static let directory: String = {
        let path = TestDirectory.path("grantledger-publishing")
        let reference = try! ReferenceData.shared()
        _ = try! DemoBuilder(reference: reference).build(into: path)
        return path
    }()

    static let snapshot: LedgerSnapshot = try! LedgerSnapshot.verified(directory: directory)

    /// Fictitious SIRETs that pass the Luhn check: SIREN + NIC 0001x; prefectures get invented SIRENs.
    static let identifiersCSV: String = identifiersCSV(for: snapshot)

    /// The identifiers file of `snapshot`'s SCDL template, filled with fictitious SIRETs as ``identifiersCSV``.
    static func identifiersCSV(for snapshot: LedgerSnapshot) -> String {
        let template = SCDLExport.template(snapshot: snapshot)
        var out = ""
        var n = 0
        for line in template.split(separator: "\n", omittingEmptySubsequences: false) {
            let record = CSV.parse(String(line) + "\n")?.first ?? []
            guard record.count == 4, record[0] == "attribuant" || record[0] == "beneficiaire" else {
                out += line + (line.isEmpty ? "" : "\n")
                continue
            }
            var siren = record[1]
            if record[0] == "attribuant" {
                n += 1
                siren = complete("17" + String(900_000 + n))
            }
            out += CSV.row([record[0], record[1], record[2], complete(siren + "0001")])
        }
        return out
    }

    static let identifiers: SCDLIdentifiers = try! SCDLIdentifiers(csv: identifiersCSV, source: "demo")

    /// Appends the digit that makes `prefix` pass the Luhn check (SIREN or SIRET).
    static func complete(_ prefix: String) -> String {
        for digit in 0...9 {
            let candidate = prefix + String(digit)
            if candidate.count == 14 ? SIRET.isValid(candidate) : SIREN.isValid(candidate) { return candidate }
        }
        fatalError("no check digit for \(prefix)")
    }

    /// A copy of the demo ledger whose log has `transform` applied.
    static func tamperedCopy(_ transform: (inout [UInt8]) -> Void) throws -> String {
        let path = TestDirectory.path("grantledger-tampered")
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: directory + "/ledger.jsonl")))
        transform(&bytes)
        try Data(bytes).write(to: URL(fileURLWithPath: path + "/ledger.jsonl"))
        return path
    }
}
