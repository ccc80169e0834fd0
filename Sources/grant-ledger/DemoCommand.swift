import ArgumentParser
import Foundation
import GrantDomain
import GrantPublishing
import LedgerCore
import LedgerCrypto

struct Demo: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Construire le registre de démonstration déterministe, le vérifier et en afficher le résumé.",
        discussion: """
            La démonstration a une autorité, trois préfectures (dont une avec sa propre grille), un payeur et un \
            auditeur ; de vraies communes et de vrais EPCI ; des notes, des aides et des rejets de chaque motif, des \
            versements, des retraits, une clé révoquée et un écart déclaré. Ses clés (DÉMONSTRATION SEULEMENT) sont \
            écrites sous <out>/demo-keys/ pour que vous puissiez continuer à enregistrer des événements. Un registre \
            de démonstration déjà présent dans <out> est reconstruit ; tout autre registre est laissé intact.
            """)

    @Option(help: "Où écrire le registre de démonstration.") var out = "events"
    @Option(help: "Nombre de dossiers.") var applications = 60
    @Option(help: "Graine du générateur déterministe.") var seed: UInt64 = 2021

    @OptionGroup var progress: ProgressOptions

    func run() throws {
        try progress.showing("démonstration") { try execute() }
    }

    private func execute() throws {
        try runReporting {
            guard applications >= 3 && applications <= 1_000_000 else {
                throw LedgerError(.badInput, "--applications doit être entre 3 et 1 000 000, pas \(applications)")
            }
            let reference: ReferenceData
            do { reference = try ReferenceData.shared() } catch {
                throw LedgerError(
                    .io, "les données de référence embarquées ne peuvent pas être lues : \(error)", underlying: error)
            }
            let summary: DemoBuilder.Summary
            do {
                summary = try DemoDirectory.write(
                    DemoBuilder(seed: seed, applications: applications, reference: reference), into: out)
            } catch let error as LedgerError where error.code == .alreadyExists {
                throw LedgerError(error.code, error.message + " ; choisissez un autre --out", underlying: error)
            }
            let ledger = Ledger(directory: out, domain: { GrantRules(reference: reference) })
            let (report, replayer) = try LedgerVerifier.verify(
                store: ledger.store, domain: GrantRules(reference: reference))
            let state = replayer.domain.state
            emit(
                "Registre de démonstration écrit dans \(out)/\(LedgerStore.logFileName) : \(FrenchFormat.quantity(summary.entries, "entrée", "entrées")), \(FrenchFormat.quantity(summary.applications, "dossier", "dossiers")), \(FrenchFormat.quantity(state.calls.count, "appel", "appels"))."
            )
            emit(
                "Clés de démonstration (DÉMONSTRATION SEULEMENT) dans \(out)/demo-keys/ : "
                    + summary.keys.map(\.file).joined(separator: ", ") + ".")
            emit("")
            emit(LedgerStatus(state: state).text)
            emit("")
            let failures = report.outcomes.failures.count
            let deviations = report.outcomes.findings.filter { $0.kind == .deviation }.count
            emit(
                "Vérification : \(failures == 0 ? "registre intègre, toutes les décisions suivent les critères publiés" : FrenchFormat.quantity(failures, "anomalie", "anomalies"))"
                    + (deviations > 0
                        ? " ; \(FrenchFormat.quantity(deviations, "écart déclaré", "écarts déclarés"))" : "") + ".")
            emit(
                "Ensuite : \(invocation) verify --ledger \(out)   ·   \(invocation) status --ledger \(out)"
            )
            if failures > 0 { throw ExitCode(1) }
        }
    }

    private var invocation: String { Demo.invocation(CommandLine.arguments.first ?? "grant-ledger") }

    /// How to run this binary again, for the next-step hints: `swift run NAME` when it is a SwiftPM build product
    /// (in a `.build` directory), else the command as it was typed (`grant-ledger` found on the PATH, or a path).
    static func invocation(_ argument0: String) -> String {
        let name = argument0.split(separator: "/").last.map(String.init) ?? "grant-ledger"
        if argument0.contains("/.build/") { return "swift run \(name)" }
        // Quoted for the shell unless made of letters, digits and `/._+-` only.
        let plain =
            !argument0.isEmpty
            && argument0.unicodeScalars.allSatisfy {
                "/._+-".unicodeScalars.contains($0) || ($0.isASCII && $0.properties.isAlphabetic)
                    || ("0"..."9").contains($0)
            }
        return plain ? argument0 : "'" + argument0.replacing("'", with: "'\\''") + "'"
    }
}
