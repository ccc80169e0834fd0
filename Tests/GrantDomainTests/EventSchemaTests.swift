import Foundation
import Testing

/// Validates the demo ledger (`events/ledger.jsonl`) against the JSON Schemas of `events/schema/`, with the
/// Python `jsonschema` package (Debian: `python3-jsonschema`) run once for every line, and checks that the
/// schemas refuse what the decoders refuse (an unknown member, a fractional amount, …).
@Suite("EventSchema")
struct EventSchemaTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let schemaDirectory = root.appendingPathComponent("events/schema")
    static let ledger = root.appendingPathComponent("events/ledger.jsonl")

    static let eventTypes = [
        "ledger.created", "key.registered", "key.revoked", "call.published", "call.amended", "application.submitted",
        "application.scored", "decision.recorded", "decision.withdrawn", "application.withdrawn", "payment.recorded",
    ]

    /// Reads `name<TAB>json` lines from the input file: `name` is a schema (`decision.recorded`, `entry`) or
    /// `ledger`, meaning a ledger line whose envelope is checked against `entry` and whose payload against its
    /// type's schema. Writes one line per input line: `ok` or `fail<TAB>messages`. Numbers with a fraction or
    /// an exponent are parsed as `Decimal`, which is never a JSON Schema integer (Python would otherwise count
    /// `5000.0` as one); the ledger format has no such numbers at all.
    static let validator = #"""
        import decimal, json, os, sys
        import jsonschema
        schema_dir, input_path, output_path = sys.argv[1:4]
        cls = jsonschema.Draft202012Validator
        validators = {}
        for name in sorted(os.listdir(schema_dir)):
            if name.endswith(".schema.json"):
                with open(os.path.join(schema_dir, name), encoding="utf-8") as f:
                    schema = json.load(f)
                cls.check_schema(schema)
                validators[name[:-len(".schema.json")]] = cls(schema, format_checker=jsonschema.FormatChecker())
        def problems(name, instance):
            if name not in validators:
                return ["no schema " + name]
            return ["%s: %s" % ("/".join(str(p) for p in e.absolute_path) or "(root)", e.message)
                    for e in validators[name].iter_errors(instance)]
        out = []
        with open(input_path, encoding="utf-8") as f:
            for line in f.read().split("\n"):
                if not line:
                    continue
                name, text = line.split("\t", 1)
                try:
                    instance = json.loads(text, parse_float=decimal.Decimal)
                except ValueError as error:
                    out.append("fail\tnot JSON: %s" % error)
                    continue
                if name == "ledger":
                    found = problems("entry", instance)
                    if isinstance(instance, dict) and isinstance(instance.get("type"), str):
                        found += ["payload: " + p for p in problems(instance["type"], instance.get("payload"))]
                else:
                    found = problems(name, instance)
                out.append("fail\t" + " | ".join(found) if found else "ok")
        with open(output_path, "w", encoding="utf-8") as f:
            f.write("\n".join(out) + "\n")
        """#

    static let installHint =
        "install python3-jsonschema (Debian: apt-get install python3-jsonschema) to run the JSON Schema tests"

    /// A `python3` that can import jsonschema: the one on PATH, else Debian's.
    static func python() throws -> String {
        let directory = FileManager.default.temporaryDirectory.path
        for candidate in ["/usr/bin/env python3", "/usr/bin/python3", "/usr/local/bin/python3"] {
            let parts = candidate.split(separator: " ").map(String.init)
            guard FileManager.default.isExecutableFile(atPath: parts[0]) else { continue }
            let result = try? run(parts + ["-c", "import jsonschema; jsonschema.Draft202012Validator"], in: directory)
            if result?.status == 0 { return candidate }
        }
        throw SchemaTestError(message: "no python3 with the jsonschema package (≥ 4.0) was found: \(installHint)")
    }

    struct SchemaTestError: Error, CustomStringConvertible {
        let message: String
        var description: String { message }
    }

    /// Runs `arguments` with its output in files, so no pipe can fill up and block.
    static func run(_ arguments: [String], in directory: String) throws -> (
        status: Int32, stdout: String, stderr: String
    ) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: arguments[0])
        process.arguments = Array(arguments.dropFirst())
        let id = UUID().uuidString
        let outPath = directory + "/.schema-out-\(id)", errPath = directory + "/.schema-err-\(id)"
        _ = FileManager.default.createFile(atPath: outPath, contents: nil)
        _ = FileManager.default.createFile(atPath: errPath, contents: nil)
        defer {
            try? FileManager.default.removeItem(atPath: outPath)
            try? FileManager.default.removeItem(atPath: errPath)
        }
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: outPath))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
        try process.run()
        process.waitUntilExit()
        return (
            process.terminationStatus,
            String(decoding: try Data(contentsOf: URL(fileURLWithPath: outPath)), as: UTF8.self),
            String(decoding: try Data(contentsOf: URL(fileURLWithPath: errPath)), as: UTF8.self)
        )
    }

    /// Validates every `(schema, json)` case in one Python process; returns nil for a valid case, else the
    /// problems.
    static func validate(_ cases: [(schema: String, json: String)]) throws -> [String?] {
        let python = try python()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "grantledger-schema-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let input = directory.appendingPathComponent("input.txt"),
            output = directory.appendingPathComponent("output.txt")
        for item in cases { precondition(!item.json.contains("\n") && !item.schema.contains("\t")) }
        try Data(cases.map { "\($0.schema)\t\($0.json)\n" }.joined().utf8).write(to: input)
        let result = try run(
            python.split(separator: " ").map(String.init)
                + ["-c", validator, schemaDirectory.path, input.path, output.path], in: directory.path)
        guard result.status == 0 else {
            throw SchemaTestError(message: "the schema validator failed (status \(result.status)): \(result.stderr)")
        }
        let lines = String(decoding: try Data(contentsOf: output), as: UTF8.self).split(separator: "\n").map(
            String.init)
        guard lines.count == cases.count else {
            throw SchemaTestError(
                message: "the schema validator answered \(lines.count) lines for \(cases.count) cases")
        }
        return lines.map { $0 == "ok" ? nil : String($0.dropFirst("fail\t".count)) }
    }

    @Test func everySchemaExists() {
        for name in Self.eventTypes + ["entry"] {
            let path = Self.schemaDirectory.appendingPathComponent("\(name).schema.json").path
            #expect(FileManager.default.fileExists(atPath: path), "missing \(path)")
        }
    }

    @Test func demoLedgerMatchesTheSchemas() throws {
        let text = String(decoding: try Data(contentsOf: Self.ledger), as: UTF8.self)
        let lines = text.split(separator: "\n").map(String.init)
        #expect(lines.count > 100)
        let results = try Self.validate(lines.map { ("ledger", $0) })
        for (index, problem) in results.enumerated() {
            #expect(problem == nil, "ledger.jsonl line \(index + 1): \(problem ?? "")")
        }
        // Every event type occurs in the demo ledger, so every schema was exercised.
        for type in Self.eventTypes {
            #expect(lines.contains { $0.contains("\"type\":\"\(type)\"") }, "the demo ledger has no \(type)")
        }
    }

    static let payment =
        #"{"amount_cents":250000,"application_id":"15-2021-01-0003","paid_on":"2021-09-15","reference":"DRFIP-2021-000001"}"#
    static let commune =
        #"{"departement":"15","insee":"15251","kind":"commune","name":"Védrines-Saint-Loup","population":120,"population_source":"INSEE","siren":"211502513"}"#
    static let provider = #"{"departement":"15","name":"DEMO Conseil","siret":"96795943800052"}"#
    static func application(applicant: String = commune) -> String {
        #"{"action":"project_support","applicant":"# + applicant
            + #","application_id":"A-1","call_id":"15-2021-01","provider":"# + provider
            + #","requested_cents":500000,"submitted_on":"2021-03-04","summary":"Résumé.","title":"Titre"}"#
    }
    static let version = String(repeating: "ab", count: 32)
    static func decision(outcome: String, amount: String, motive: String) -> String {
        #"{"amount_cents":"# + amount + #","application_id":"A-1","call_version":""# + version
            + #"","decided_on":"2021-07-06","motive":""#
            + motive + #"","motive_text":"Texte.","outcome":""# + outcome + #"","reference":"Arrêté 1"}"#
    }

    /// Controls that must pass, so that the refusals below are refusals of the one thing changed.
    static let accepted: [(String, String)] = [
        ("payment.recorded", payment),
        ("application.submitted", application()),
        (
            "application.submitted",
            application(
                applicant:
                    #"{"departement":"15","kind":"communaute_de_communes","name":"CC de Saint-Flour","population":23264,"population_source":"INSEE","siren":"200066660"}"#
            )
        ),
        ("decision.recorded", decision(outcome: "granted", amount: "500000", motive: "criteria_met")),
        ("decision.recorded", decision(outcome: "rejected", amount: "0", motive: "below_threshold")),
        ("application.withdrawn", #"{"application_id":"A-1","reason":"Renonce.","withdrawn_on":"2021-06-02"}"#),
    ]

    static let refused: [(String, String, String)] = [
        (
            "payment.recorded",
            #"{"amount_cents":250000,"application_id":"A-1","extra":1,"paid_on":"2021-09-15","reference":"R"}"#,
            "an unknown member"
        ),
        (
            "payment.recorded",
            #"{"amount_cents":2500.5,"application_id":"A-1","paid_on":"2021-09-15","reference":"R"}"#,
            "a fractional amount"
        ),
        (
            "payment.recorded",
            #"{"amount_cents":2500.0,"application_id":"A-1","paid_on":"2021-09-15","reference":"R"}"#,
            "an amount written as a float"
        ),
        (
            "payment.recorded",
            #"{"amount_cents":2.5e5,"application_id":"A-1","paid_on":"2021-09-15","reference":"R"}"#,
            "an amount with an exponent"
        ),
        (
            "payment.recorded",
            #"{"amount_cents":"2500","application_id":"A-1","paid_on":"2021-09-15","reference":"R"}"#,
            "an amount as a string"
        ),
        (
            "payment.recorded", #"{"amount_cents":0,"application_id":"A-1","paid_on":"2021-09-15","reference":"R"}"#,
            "a zero payment"
        ),
        (
            "payment.recorded",
            #"{"amount_cents":9007199254740992,"application_id":"A-1","paid_on":"2021-09-15","reference":"R"}"#,
            "an amount beyond 2^53 − 1"
        ),
        (
            "payment.recorded", #"{"amount_cents":1,"application_id":"A-1","paid_on":"15/09/2021","reference":"R"}"#,
            "a date not YYYY-MM-DD"
        ),
        (
            "payment.recorded", #"{"amount_cents":1,"application_id":"A-1","paid_on":"2021-09-15","reference":"   "}"#,
            "a blank string"
        ),
        ("payment.recorded", #"{"amount_cents":1,"application_id":"A-1","paid_on":"2021-09-15"}"#, "a missing member"),
        (
            "application.submitted",
            application(applicant: commune.replacingOccurrences(of: #""insee":"15251","#, with: "")),
            "a commune without INSEE code"
        ),
        (
            "application.submitted",
            application(
                applicant: commune.replacingOccurrences(
                    of: #""kind":"commune""#, with: #""kind":"communaute_de_communes""#)),
            "an INSEE code for a non-commune"
        ),
        (
            "application.submitted",
            application(
                applicant: commune.replacingOccurrences(of: #""departement":"15""#, with: #""departement":"20""#)),
            "département 20"
        ),
        (
            "application.submitted",
            application(applicant: commune.replacingOccurrences(of: "211502513", with: "21150251")),
            "a SIREN of 8 digits"
        ),
        (
            "application.submitted",
            application(applicant: commune.replacingOccurrences(of: #""kind":"commune""#, with: #""kind":"village""#)),
            "an unknown applicant kind"
        ),
        ("decision.recorded", decision(outcome: "granted", amount: "0", motive: "criteria_met"), "a grant of 0"),
        (
            "decision.recorded", decision(outcome: "rejected", amount: "500000", motive: "below_threshold"),
            "a rejection with an amount"
        ),
        (
            "decision.recorded", decision(outcome: "rejected", amount: "0", motive: "criteria_met"),
            "a rejection for criteria_met"
        ),
        (
            "decision.recorded",
            decision(outcome: "granted", amount: "500000", motive: "criteria_met").replacingOccurrences(
                of: version, with: version.uppercased()), "an uppercase call version"
        ),
        (
            "application.withdrawn",
            #"{"application_id":"A-1","reason":"Renonce.","reference":"R","withdrawn_on":"2021-06-02"}"#,
            "a reference on application.withdrawn"
        ),
        (
            "decision.withdrawn", #"{"application_id":"A-1","reason":"Conditions.","withdrawn_on":"2021-06-02"}"#,
            "a grant withdrawal without reference"
        ),
    ]

    @Test func refusesWhatTheDecodersRefuse() throws {
        let cases = Self.accepted.map { ($0.0, $0.1) } + Self.refused.map { ($0.0, $0.1) }
        let results = try Self.validate(cases)
        for (index, item) in Self.accepted.enumerated() {
            #expect(results[index] == nil, "control \(item.0) refused: \(results[index] ?? "")")
        }
        for (index, item) in Self.refused.enumerated() {
            #expect(results[Self.accepted.count + index] != nil, "\(item.0) accepted \(item.2)")
        }
    }

    /// `docs/examples/application.json` is a payload as it is (the call files use presets, so they are not).
    @Test func exampleApplicationMatchesItsSchema() throws {
        let file = Self.root.appendingPathComponent("docs/examples/application.json")
        let json = String(decoding: try Data(contentsOf: file), as: UTF8.self).replacingOccurrences(of: "\n", with: " ")
        let results = try Self.validate([("application.submitted", json)])
        #expect(results[0] == nil, "\(results[0] ?? "")")
    }

    @Test func refusesAForgedEnvelope() throws {
        let first = try #require(
            String(decoding: try Data(contentsOf: Self.ledger), as: UTF8.self).split(separator: "\n").first.map(
                String.init))
        let results = try Self.validate([
            ("entry", first),
            ("entry", first.replacingOccurrences(of: #""v":1"#, with: #""v":2"#)),
            ("entry", first.replacingOccurrences(of: #""seq":0"#, with: #""seq":0,"extra":true"#)),
            ("entry", first.replacingOccurrences(of: #""type":"ledger.created""#, with: #""type":"ledger.unknown""#)),
            (
                "entry",
                first.replacingOccurrences(
                    of: #""time":"2021-01-04T09:00:00Z""#, with: #""time":"2021-01-04 09:00:00""#)
            ),
        ])
        #expect(results[0] == nil, "\(results[0] ?? "")")
        for (index, result) in results.enumerated().dropFirst() {
            #expect(result != nil, "forged envelope \(index) accepted")
        }
    }
}
