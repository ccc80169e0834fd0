import Foundation
import LedgerCore
import Testing

@Suite("grant-ledger: the demo and the life of a call (end to end)")
struct GrantCommandTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    @Test("the demo regenerates events/ byte for byte, and verifies")
    func demoIsReproducible() throws {
        let cli = CLIRunner()
        let result = try cli.run(["demo", "--out", "demo"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("toutes les décisions suivent les critères publiés"))
        let committed = Self.repository.appendingPathComponent("events")
        #expect(
            try cli.read("demo/ledger.jsonl")
                == (try Data(contentsOf: committed.appendingPathComponent("ledger.jsonl"))),
            "events/ledger.jsonl differs from `grant-ledger demo`: regenerate it with `swift run grant-ledger demo`")
        for file in ["checkpoint.txt", "checkpoints/217.txt", "identifiants-scdl.csv"] {
            #expect(
                try cli.read("demo/\(file)") == (try Data(contentsOf: committed.appendingPathComponent(file))),
                "\(file) differs")
        }
        let keys = try FileManager.default.contentsOfDirectory(
            atPath: committed.appendingPathComponent("demo-keys").path
        ).filter { $0.hasSuffix(".pub.pem") }
        #expect(keys.count >= 8)
        for name in keys {
            #expect(
                try cli.read("demo/demo-keys/\(name)")
                    == (try Data(contentsOf: committed.appendingPathComponent("demo-keys/\(name)"))))
        }
        // Private demo keys are labelled and private.
        let attributes = try FileManager.default.attributesOfItem(atPath: cli.path("demo/demo-keys/autorite.pem"))
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        #expect(String(decoding: try cli.read("demo/demo-keys/autorite.pem"), as: UTF8.self).hasPrefix("DEMO ONLY"))
        // Running it again rebuilds the same demo; it never touches a ledger that is not the demo.
        #expect(try cli.run(["demo", "--out", "demo"]).status == 0)
        #expect(
            try cli.read("demo/ledger.jsonl")
                == (try Data(contentsOf: committed.appendingPathComponent("ledger.jsonl"))))
        // A demo of other parameters replaces it, and is another log: the verifier that remembered the first one
        // verifies it without taking it for a rewritten history.
        #expect(try cli.run(["verify", "--ledger", "demo"]).status == 0)
        #expect(try cli.run(["demo", "--out", "demo", "--applications", "90"]).status == 0)
        let other = try cli.run(["verify", "--ledger", "demo"])
        #expect(other.status == 0, "\(other.stdout)")
        #expect(other.stdout.contains("relance-numerique.demo.grantledger.example%2F2021%2F90.json"))
        try FileManager.default.createDirectory(atPath: cli.path("other"), withIntermediateDirectories: true)
        #expect(try cli.run(["key", "generate", "--out", "k.pem"]).status == 0)
        #expect(
            try cli.run(["init", "--ledger", "other", "--origin", "o.example/x", "--title", "T", "--key", "k.pem"])
                .status == 0)
        expectOneSentence(
            try cli.run(["demo", "--out", "other"]), status: 2, mentioning: ["n'est pas celui de la démonstration"])
    }

    @Test("a prefecture runs a call from the command line; refusals say why")
    func callLifecycle() throws {
        let cli = CLIRunner()
        #expect(try cli.demo("L").status == 0)
        let k = "L/demo-keys/"
        let call = """
            {"call_id":"15-2025-01","title":"Appel 2025","territories":["15"],"opens_at":"2025-01-01","closes_at":"2025-03-31",
             "envelope_cents":1500000,"eligible_actions":["strategy_study","project_support","deployment_support"],
             "eligible_applicants":["commune","communaute_de_communes"],"grid":"national","criteria":"national","threshold":15}
            """
        try call.write(toFile: cli.path("call.json"), atomically: true, encoding: .utf8)
        let published = try cli.run([
            "call", "publish", "--ledger", "L", "--file", "call.json", "--key", k + "prefecture-du-cantal.pem",
            "--time", "2024-12-01T09:00:00Z",
        ])
        #expect(published.status == 0, "\(published.stderr)")
        #expect(published.stdout.contains("grille, ligne 1 : commune de moins de 5 000 habitants → 5 000,00 €"))
        let application = """
            {"application_id":"15-2025-01-0001","call_id":"15-2025-01","action":"strategy_study","title":"Étude","summary":"Schéma directeur numérique",
             "applicant":{"kind":"commune","name":"Vernols","siren":"211502539","insee":"15253","departement":"15","population":59,"population_source":"INSEE"},
             "requested_cents":500000,"provider":{"name":"Conseil","siret":"73282932000074","departement":"15"},"submitted_on":"2025-01-10"}
            """
        try application.write(toFile: cli.path("app.json"), atomically: true, encoding: .utf8)
        #expect(
            try cli.run([
                "application", "submit", "--ledger", "L", "--file", "app.json", "--key",
                k + "prefecture-du-cantal-instruction.pem",
                "--time", "2025-01-10T10:00:00Z",
            ]).status == 0)
        expectOneSentence(
            try cli.run([
                "decide", "--ledger", "L", "15-2025-01-0001", "--grant", "--key", k + "prefecture-du-cantal.pem",
                "--time", "2025-04-01T09:00:00Z",
            ]), status: 1, mentioning: ["SEQ-SCORE-FIRST"])
        #expect(
            try cli.run([
                "score", "--ledger", "L", "15-2025-01-0001", "--criterion", "impact=4", "--criterion", "need=4",
                "--criterion", "local_provider=5",
                "--key", k + "prefecture-du-cantal-instruction.pem", "--time", "2025-04-01T09:00:00Z",
            ]).status == 0)
        expectOneSentence(
            try cli.run([
                "decide", "--ledger", "L", "15-2025-01-0001", "--grant", "--amount", "10 000,00", "--key",
                k + "prefecture-du-cantal.pem",
                "--time", "2025-04-02T09:00:00Z",
            ]), status: 1, mentioning: ["AMT-GRID", "10 000,00 €", "5 000,00 €", "ligne 1"])
        let decided = try cli.run([
            "decide", "--ledger", "L", "15-2025-01-0001", "--grant", "--reference", "Arrêté 2025-15-1",
            "--key", k + "prefecture-du-cantal.pem", "--time", "2025-04-02T09:00:00Z",
        ])
        #expect(decided.status == 0, "\(decided.stderr)")
        #expect(decided.stdout.contains("aide accordée au dossier 15-2025-01-0001 : 5 000,00 €"))
        #expect(decided.stdout.contains("ligne 1"))
        expectOneSentence(
            try cli.run([
                "pay", "--ledger", "L", "15-2025-01-0001", "--amount", "6000", "--reference", "P-1",
                "--key", k + "drfip-paiement.pem", "--time", "2025-05-01T09:00:00Z",
            ]), status: 1, mentioning: ["PAY-CEILING"])
        #expect(
            try cli.run([
                "pay", "--ledger", "L", "15-2025-01-0001", "--amount", "2500.00", "--reference", "P-1",
                "--key", k + "drfip-paiement.pem", "--time", "2025-05-01T09:00:00Z",
            ]).status == 0)
        expectOneSentence(
            try cli.run([
                "pay", "--ledger", "L", "15-2025-01-0001", "--amount", "abc", "--reference", "P-2",
                "--key", k + "drfip-paiement.pem",
            ]), status: 2, mentioning: ["abc"])
        let show = try cli.run(["show", "--ledger", "L", "15-2025-01-0001"])
        #expect(show.stdout.contains("partiellement versée"))
        let status = try cli.run(["status", "--ledger", "L", "--call", "15-2025-01"])
        #expect(
            status.stdout.contains(
                "Enveloppe 15 000,00 € · engagé 5 000,00 € · versé 2 500,00 € · disponible 10 000,00 €"))
        let explain = try cli.run(["explain", "--ledger", "L", "15-2025-01-0001"])
        #expect(explain.stdout.contains("Note pondérée = 3 × 4 + 2 × 4 + 1 × 5 = 25"))
        #expect(explain.stdout.contains("AMT-GRID  conforme"))
        expectOneSentence(
            try cli.run(["show", "--ledger", "L", "nope"]), status: 2, mentioning: ["dossier nope inconnu"])
        let verify = try cli.run(["verify", "--ledger", "L"])
        #expect(verify.status == 0, "\(verify.stdout)")
        #expect(try cli.run(["verify", "--ledger", "L", "--strict"]).status == 1)  // the demo's declared deviation
    }
}
