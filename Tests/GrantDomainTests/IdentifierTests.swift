import Foundation
import GrantDomain
import Testing
import LedgerCrypto

@Suite("SIREN")
struct SIRENTests {
    @Test(arguments: ["217500016", "356000000", "200046977", "732829320", "233500016", "000000000"])
    func acceptsValid(_ text: String) throws {
        let siren = try SIREN(validating: text)
        #expect(siren.rawValue == text)
        #expect(SIREN.isValid(text))
        #expect(SIREN(text) == siren)
    }

    @Test(arguments: [
        "217500017", "217500061", "21750001", "2175000160", "", "21750001a", " 217500016", "217 500 016",
        "２１７５００016", "-17500016",
    ])
    func refusesInvalid(_ text: String) {
        #expect(!SIREN.isValid(text))
        #expect(SIREN(text) == nil)
        #expect(throws: InputError.self) { try SIREN(validating: text) }
    }

    @Test func everySingleDigitChangeIsDetected() {
        let valid = Array("217500016")
        for position in valid.indices {
            for digit in "0123456789" where digit != valid[position] {
                var changed = valid
                changed[position] = digit
                #expect(!SIREN.isValid(String(changed)), "\(String(changed))")
            }
        }
    }

    @Test func messageNamesTheValue() throws {
        let error = try #require(throws: InputError.self) { try SIREN(validating: "217500017") }
        #expect(error.code == .invalidSIREN)
        #expect(error.message.contains("217500017"))
        #expect(error.message.hasSuffix("."))
    }

    @Test func codableRoundTripAndValidation() throws {
        let encoded = try JSONEncoder().encode([try SIREN(validating: "217500016")])
        #expect(String(decoding: encoded, as: UTF8.self) == #"["217500016"]"#)
        #expect(try JSONDecoder().decode([SIREN].self, from: encoded) == [try SIREN(validating: "217500016")])
        #expect(throws: (any Error).self) { try JSONDecoder().decode([SIREN].self, from: Data(#"["217500017"]"#.utf8)) }
    }
}

@Suite("SIRET")
struct SIRETTests {
    @Test(arguments: ["73282932000074", "23350001600040", "35600000049837", "35600000000048", "21750001600019"])
    func acceptsValid(_ text: String) throws {
        let siret = try SIRET(validating: text)
        #expect(siret.rawValue == text)
        #expect(siret.siren.rawValue == String(text.prefix(9)))
        #expect(siret.nic == String(text.suffix(5)))
        #expect(SIRET.isValid(text))
    }

    @Test(arguments: [
        "35600000049838", "73282932000075", "7328293200007", "732829320000740", "7328293200007A", "",
        "732 829 320 00074",
    ])
    func refusesInvalid(_ text: String) {
        #expect(!SIRET.isValid(text))
        #expect(SIRET(text) == nil)
    }

    @Test func laPosteUsesDigitSumModuloFive() {
        // 35600000049837 fails Luhn but its digit sum (45) is divisible by 5.
        #expect(SIRET.isValid("35600000049837"))
        // The head office is checked with Luhn: valid although its digit sum (26) is not divisible by 5.
        #expect(SIRET.isValid("35600000000048"))
        #expect(!SIRET.isValid("35600000000049"))
        // Another La Poste NIC whose digit sum is divisible by 5 but which fails Luhn.
        #expect(SIRET.isValid("35600000000001"))
        // Same NIC under another SIREN: Luhn applies.
        #expect(!SIRET.isValid("21750001649837"))
        let error = try? #require(throws: InputError.self) { try SIRET(validating: "35600000049838") }
        #expect(error?.message.contains("La Poste") == true)
    }

    @Test func luhnValidSIRETWithInvalidSIRENIsRefused() {
        // The 14-digit Luhn sum holds, but 100000000 is not a valid SIREN.
        #expect(!SIREN.isValid("100000000"))
        #expect(!SIRET.isValid("10000000000008"))
    }
}

@Suite("INSEE commune code")
struct INSEECommuneCodeTests {
    @Test(arguments: [
        ("75056", "75"), ("01001", "01"), ("2A004", "2A"), ("2B033", "2B"), ("97411", "974"), ("97611", "976"),
        ("97105", "971"),
    ])
    func departementOfCommune(_ code: String, _ departement: String) throws {
        let commune = try INSEECommuneCode(validating: code)
        #expect(commune.departement?.rawValue == departement)
    }

    @Test(arguments: ["97501", "97701", "20001", "00001", "96001", "99001"])
    func validShapeWithoutDepartement(_ code: String) throws {
        let commune = try INSEECommuneCode(validating: code)
        #expect(commune.departement == nil)
    }

    @Test(arguments: ["7505", "750560", "2C004", "2a004", "3A004", "A2004", "75 56", "", "7505A", "75056 "])
    func refusesBadShapes(_ code: String) {
        #expect(!INSEECommuneCode.hasValidShape(code))
        #expect(INSEECommuneCode(code) == nil)
        #expect(throws: InputError.self) { try INSEECommuneCode(validating: code) }
    }
}

@Suite("Département code")
struct DepartementCodeTests {
    @Test func exactlyOneHundredAndOne() {
        #expect(DepartementCode.all.count == 101)
        #expect(Set(DepartementCode.all).count == 101)
        #expect(DepartementCode.all.first?.rawValue == "01")
        #expect(DepartementCode.all.last?.rawValue == "976")
        #expect(DepartementCode.all.filter(\.isOverseas).map(\.rawValue) == ["971", "972", "973", "974", "976"])
    }

    @Test func officialOrder() {
        #expect(DepartementCode.all.sorted() == DepartementCode.all)
        #expect(DepartementCode("19")! < DepartementCode("2A")!)
        #expect(DepartementCode("2B")! < DepartementCode("21")!)
        #expect(DepartementCode("95")! < DepartementCode("971")!)
    }

    @Test(arguments: ["01", "09", "19", "2A", "2B", "21", "95", "971", "972", "973", "974", "976"])
    func accepts(_ code: String) {
        #expect(DepartementCode(code)?.rawValue == code)
    }

    @Test(arguments: ["00", "1", "20", "2a", "2C", "96", "970", "975", "977", "978", "99", "", "01 "])
    func refuses(_ code: String) throws {
        #expect(DepartementCode(code) == nil)
        let error = try #require(throws: InputError.self) { try DepartementCode(validating: code) }
        #expect(error.code == .invalidDepartement)
        #expect(error.message.contains("« \(code) »"))
    }
}
