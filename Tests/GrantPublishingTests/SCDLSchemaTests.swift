import Foundation
import GrantDomain
import GrantPublishing
import LedgerCore
import Testing
import LedgerCrypto

/// The rules of the SCDL « Subventions » 2.1.1 Table Schema, read from its `schema.json` (test resource).
struct SCDLSchema {
    struct Field {
        let name: String
        let type: String
        let required: Bool
        let pattern: String?
        let enumValues: [String]?
        let maxLength: Int?
        let minimum: Double?
        let maximum: Double?
        let trueValues: [String]
        let falseValues: [String]
    }

    let fields: [Field]
    let siretColumns: [String]
    let oneOfRequired: [(String, String)]

    static let directory = Bundle.module.url(forResource: "Resources/scdl-subventions-2.1.1", withExtension: nil)!

    static func load() throws -> SCDLSchema {
        let data = try Data(contentsOf: directory.appendingPathComponent("schema.json"))
        let root = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let fields = try #require(root["fields"] as? [[String: Any]]).map { f -> Field in
            let c = f["constraints"] as? [String: Any] ?? [:]
            return Field(
                name: f["name"] as! String, type: f["type"] as! String, required: c["required"] as? Bool ?? false,
                pattern: c["pattern"] as? String, enumValues: c["enum"] as? [String], maxLength: c["maxLength"] as? Int,
                minimum: (c["minimum"] as? NSNumber)?.doubleValue, maximum: (c["maximum"] as? NSNumber)?.doubleValue,
                trueValues: f["trueValues"] as? [String] ?? ["true"],
                falseValues: f["falseValues"] as? [String] ?? ["false"])
        }
        var sirets: [String] = []
        var oneOf: [(String, String)] = []
        for check in root["custom_checks"] as? [[String: Any]] ?? [] {
            let params = check["params"] as? [String: String] ?? [:]
            switch check["name"] as? String {
            case "french-siret-value": sirets.append(params["column"]!)
            case "one-of-required": oneOf.append((params["column1"]!, params["column2"]!))
            default: Issue.record("unknown custom check \(check)")
            }
        }
        return SCDLSchema(fields: fields, siretColumns: sirets, oneOfRequired: oneOf)
    }

    /// Every violation of the schema in `rows` (header excluded), as « row N, column: problem ».
    /// `realDates` adds the checks the schema's patterns cannot make (real days, start ≤ end).
    func violations(header: [String], rows: [[String]], realDates: Bool) -> [String] {
        var out: [String] = []
        if header != fields.map(\.name) { out.append("header \(header) is not the schema's columns in order") }
        for (r, row) in rows.enumerated() {
            func fail(_ column: String, _ problem: String) { out.append("row \(r + 1), \(column): \(problem)") }
            guard row.count == fields.count else {
                fail("*", "\(row.count) fields instead of \(fields.count)")
                continue
            }
            var values: [String: String] = [:]
            for (field, value) in zip(fields, row) {
                values[field.name] = value
                if value.isEmpty {
                    if field.required { fail(field.name, "required and empty") }
                    continue
                }
                if let pattern = field.pattern, value.range(of: pattern, options: .regularExpression) == nil {
                    fail(field.name, "\(value) does not match \(pattern)")
                }
                if let allowed = field.enumValues, !allowed.contains(value) {
                    fail(field.name, "\(value) is not one of \(allowed)")
                }
                if let max = field.maxLength, value.unicodeScalars.count > max {
                    fail(field.name, "longer than \(max)")
                }
                switch field.type {
                case "date":
                    if value.range(of: #"^\d{4}-\d{2}-\d{2}$"#, options: .regularExpression) == nil {
                        fail(field.name, "\(value) is not a date")
                    }
                    if realDates && !CalendarDate.isValidISO(value) { fail(field.name, "\(value) is not a real day") }
                case "number":
                    if value.range(of: #"^-?\d+(\.\d+)?$"#, options: .regularExpression) == nil {
                        fail(field.name, "\(value) is not a number with a decimal point")
                    } else if let number = Double(value) {
                        if let min = field.minimum, number < min { fail(field.name, "\(value) < \(min)") }
                        if let max = field.maximum, number > max { fail(field.name, "\(value) > \(max)") }
                    }
                case "boolean":
                    if !(field.trueValues + field.falseValues).contains(value) {
                        fail(field.name, "\(value) is not a boolean of the schema")
                    }
                default: break
                }
            }
            for column in siretColumns {
                if let value = values[column], !value.isEmpty, !SIRET.isValid(value) {
                    fail(column, "\(value) is not a valid SIRET")
                }
            }
            for (a, b) in oneOfRequired where (values[a] ?? "").isEmpty && (values[b] ?? "").isEmpty {
                fail("\(a)/\(b)", "one of them is required")
            }
            if realDates, let period = values["datesPeriodeVersement"], !period.isEmpty {
                let parts = period.split(separator: "/").map(String.init)
                if !parts.allSatisfy(CalendarDate.isValidISO) {
                    fail("datesPeriodeVersement", "\(period) holds an impossible day")
                }
                if parts.count == 2, parts[0] > parts[1] {
                    fail("datesPeriodeVersement", "\(period) ends before it starts")
                }
            }
        }
        return out
    }
}

@Suite("SCDL « Subventions » 2.1.1 export")
struct SCDLSchemaTests {
    @Test("the validator accepts the schema's own valid example (shape rules only)")
    func validatorAcceptsExample() throws {
        let schema = try SCDLSchema.load()
        let text = try String(
            contentsOf: SCDLSchema.directory.appendingPathComponent("exemple_valide.csv"), encoding: .utf8)
        let records = try #require(CSV.parse(text))
        #expect(schema.violations(header: records[0], rows: Array(records.dropFirst()), realDates: false) == [])
        // …and its impossible dates are caught by the real-date checks the exporter must make itself.
        #expect(!schema.violations(header: records[0], rows: Array(records.dropFirst()), realDates: true).isEmpty)
    }

    @Test("every column of every exported row follows the schema")
    func exportFollowsSchema() throws {
        let schema = try SCDLSchema.load()
        let export = try SCDLExport(snapshot: DemoFixture.snapshot, identifiers: DemoFixture.identifiers)
        let records = try #require(CSV.parse(export.csv))
        #expect(records[0] == SCDLExport.columns)
        #expect(SCDLExport.columns.count == 16)
        #expect(schema.violations(header: records[0], rows: Array(records.dropFirst()), realDates: true) == [])
        #expect(records.count - 1 == export.rows.count)
        for row in records.dropFirst() {
            #expect(row[9] == "aide en numéraire" && row[13] == "non" && row[14] == "1")
            #expect(["unique", "échelonné"].contains(row[10]) || row[10].hasPrefix("autre"))
        }
    }

    @Test("the export agrees with the statistics: a row per grant not withdrawn unpaid, montant sums to « engagé »")
    func agreesWithStats() throws {
        let export = try SCDLExport(snapshot: DemoFixture.snapshot, identifiers: DemoFixture.identifiers)
        let stats = try FundingStatistics(snapshot: DemoFixture.snapshot, scope: StatsScope())
        let state = DemoFixture.snapshot.state
        let unpaidWithdrawn = state.applications.values.filter {
            $0.decision?.outcome == .granted && $0.withdrawal != nil && $0.paidCents == 0
        }
        #expect(Int64(export.rows.count) == stats.total.granted - Int64(unpaidWithdrawn.count))
        let total = export.rows.reduce(Int64(0)) { $0 + (try! Money.parse($1[8])) }
        #expect(total == stats.total.committedCents)
        #expect(total != stats.total.grantedCents, "the demo withdraws a grant: the two totals differ")
        // Payments: the period's dates are the first and last paid_on of the grant.
        for (row, id) in zip(export.rows, export.applicationIDs) {
            let app = DemoFixture.snapshot.state.applications[id]!
            let dates = app.payments.map(\.paidOn.iso).sorted()
            let withdrawn = app.withdrawal != nil
            if dates.count == 1 { #expect(row[11] == dates[0] && (withdrawn || row[10] == "unique")) }
            if dates.count > 1 {
                #expect(row[11] == "\(dates.first!)/\(dates.last!)" && (withdrawn || row[10] == "échelonné"))
            }
            #expect(row[5].hasPrefix(app.application.applicant.siren))
        }
    }

    @Test("a withdrawn grant keeps a row only for what was paid, and says it was withdrawn")
    func withdrawnGrants() throws {
        let export = try SCDLExport(snapshot: DemoFixture.snapshot, identifiers: DemoFixture.identifiers)
        let state = DemoFixture.snapshot.state
        let withdrawn = state.applications.values.filter { $0.decision?.outcome == .granted && $0.withdrawal != nil }
        try #require(!withdrawn.isEmpty, "the demo has a withdrawn grant")
        for app in withdrawn {
            let index = export.applicationIDs.firstIndex(of: app.id)
            guard app.paidCents > 0 else {
                #expect(index == nil, "\(app.id): withdrawn before any payment, no row")
                continue
            }
            let row = export.rows[try #require(index)]
            #expect(row[8] == Money.formatDecimal(cents: app.paidCents))
            #expect(row[10].hasPrefix("autre : subvention retirée le \(app.withdrawal!.withdrawnOn.iso)"))
        }
        // A grant paid in part and withdrawn has a row of what was paid.
        let partial = try #require(
            withdrawn.first { $0.paidCents > 0 }, "the demo has a grant withdrawn after a payment")
        #expect(partial.paidCents < partial.decision!.amountCents)
    }

    @Test("dispositifAide is the scheme the call names: its identifier, else its name")
    func dispositifAide() throws {
        let export = try SCDLExport(snapshot: DemoFixture.snapshot, identifiers: DemoFixture.identifiers)
        #expect(!export.rows.isEmpty)
        #expect(export.rows.allSatisfy { $0[15] == DemoBuilder.dispositif.name })
        #expect(AidScheme(name: "France Relance", id: "65d5b6c7").scdlValue == "65d5b6c7")
        #expect(AidScheme(name: "France Relance").scdlValue == "France Relance")
    }

    @Test("no personal data: providers are not published")
    func noProvider() throws {
        let csv = try SCDLExport(snapshot: DemoFixture.snapshot, identifiers: DemoFixture.identifiers).csv
        for app in DemoFixture.snapshot.state.applications.values {
            #expect(!csv.contains(app.application.provider.name))
            #expect(!csv.contains(app.application.provider.siret))
        }
    }

    @Test("missing SIRETs refuse the export in one sentence")
    func missingIdentifiers() throws {
        do {
            _ = try SCDLExport(snapshot: DemoFixture.snapshot, identifiers: SCDLIdentifiers())
            Issue.record("the export should refuse")
        } catch {
            #expect(error.code == .missingIdentifier)
            #expect(error.message.contains("SIREN"))
            // What to give next (--identifiers) is the CLI's part of the sentence: AdviceTests.
            #expect(!error.message.contains("--identifiers"))
            #expect(!error.message.contains("\n"))
        }
    }

    @Test(
        "bad identifier files are refused",
        arguments: [
            "type,cle,nom,siret\nattribuant,15-2021-01,X,12345678901234\n",
            "type,cle,nom,siret\nbeneficiaire,211500491,X,73282932000074\n",
            "type,cle,nom,siret\nautre,1,X,73282932000074\n",
            "nope\n",
        ])
    func badIdentifiers(text: String) {
        #expect(throws: PublishingError.self) { try SCDLIdentifiers(csv: text, source: "f") }
    }

    @Test func objetIsCutTo256() throws {
        let export = try SCDLExport(snapshot: DemoFixture.snapshot, identifiers: DemoFixture.identifiers)
        #expect(export.rows.allSatisfy { $0[7].unicodeScalars.count <= 256 })
    }

    @Test func csvRoundTrip() {
        let fields = ["a,b", "say \"hi\"", "plain", "", "line\nbreak"]
        #expect(CSV.parse(CSV.row(fields)) == [fields])
    }
}
