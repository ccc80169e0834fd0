import Foundation
@testable import GrantDomain
import Testing

/// The bundled communes decoded a row at a time (``CommuneStore``) give exactly what reading the files whole, with
/// every check, gives.
@Suite("Reference data read as asked for")
struct ReferenceLazyTests {
    static let directory = Result { try ReferenceData.bundledDirectory() }

    @Test("the checked dataset ID is that of the bundled files, which pass every check when read whole")
    func checkedIDIsTheBundledFiles() throws {
        let whole = try ReferenceData(directory: try Self.directory.get())
        #expect(whole.datasetID == ReferenceData.checkedDatasetID)
        #expect(ReferenceData.bundledDatasetID == ReferenceData.checkedDatasetID)
    }

    @Test("every commune, by INSEE code and by SIREN, decoded alone equals the one read whole")
    func everyRowDecodedAloneEqualsTheWholeRead() throws {
        let directory = try Self.directory.get()
        let whole = try ReferenceData(directory: directory)
        let communes = whole.communes.values.sorted { $0.insee.rawValue < $1.insee.rawValue }
        #expect(communes.count == 34_875)
        // Every row decoded alone, none read whole.
        let lazy = try ReferenceData(directory: directory, lazyIfChecked: true, wholeAfter: communes.count + 1)
        for commune in communes {
            #expect(lazy.commune(commune.insee) == commune)
            if let siren = commune.siren {
                #expect(lazy.commune(siren: siren) == commune)
                #expect(lazy.applicantKind(of: siren) == .commune)
            }
        }
    }

    @Test("unknown codes, the switch to the whole file, and the tables that need every commune")
    func unknownCodesAndTheWholeFile() throws {
        let directory = try Self.directory.get()
        let whole = try ReferenceData(directory: directory)
        let lazy = try ReferenceData(directory: directory, lazyIfChecked: true)
        #expect(lazy.commune(try INSEECommuneCode(validating: "99999")) == nil)
        // An EPCI's SIREN is no commune's.
        #expect(lazy.commune(siren: try SIREN(validating: "200069193")) == nil)
        #expect(lazy.applicantKind(of: try SIREN(validating: "200069193")) == .communauteDeCommunes)
        // Past the rows decoded alone, the store reads the file whole and goes on answering the same.
        let communes = Array(whole.communes.values.prefix(CommuneStore.defaultWholeAfter + 10))
        for commune in communes { #expect(lazy.commune(commune.insee) == commune) }
        #expect(lazy.communes == whole.communes)
        #expect(lazy.collectivites == whole.collectivites)
        let departement = try #require(whole.collectivites.values.first?.first)
        #expect(lazy.collectivite(departement.siren, level: departement.level) == departement)
        // A store asked for a table of every commune first.
        let other = try ReferenceData(directory: directory, lazyIfChecked: true)
        #expect(other.collectivites == whole.collectivites)
        #expect(other.commune(communes[0].insee) == communes[0])
    }

    @Test("files that are not the checked ones are read whole")
    func otherFilesAreReadWhole() throws {
        let copy = FileManager.default.temporaryDirectory.appendingPathComponent("reference-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: copy) }
        try FileManager.default.copyItem(at: try Self.directory.get(), to: copy)
        let url = copy.appendingPathComponent("communes.csv")
        var text = try String(contentsOf: url, encoding: .utf8)
        // A commune listed in a département that does not hold its code: only a whole read sees it.
        text = text.replacingOccurrences(of: "L'Abergement-Clémenciat,01,", with: "L'Abergement-Clémenciat,02,")
        try text.write(to: url, atomically: true, encoding: .utf8)
        #expect(throws: ReferenceDataError.self) {
            try ReferenceData(directory: copy, lazyIfChecked: true)
        }
    }

    @Test("row keys differ for different texts: leading zeros, letters, lengths")
    func rowKeys() {
        let key = { (text: String) in CommuneStore.RowIndex.key(text.utf8) }
        let texts = [
            "01001", "1001", "001001", "2A004", "2B004", "97411", "210100012", "021010001", "", "0", "00", "A",
        ]
        let keys = texts.map(key)
        #expect(keys.allSatisfy { $0 != nil })
        #expect(Set(keys.compactMap { $0 }).count == texts.count)
        #expect(key("1234567890123456") == nil)
        #expect(key("ABCDEFGH") == nil)
        #expect(key("123456789012345") != nil)
    }
}
