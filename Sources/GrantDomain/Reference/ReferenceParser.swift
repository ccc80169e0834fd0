import LedgerCrypto

/// Turns the four reference CSV files into typed tables, refusing anything unexpected.
///
/// Separate from ``ReferenceData`` so that the public type reads as a catalogue of lookups; every check
/// here names the file and line so a bad data update is fixed at its source.
struct ReferenceParser {
    private var file = ""

    init(file: String = "") {
        self.file = file
    }

    private func malformed(_ line: Int, _ reason: String) -> ReferenceDataError {
        ReferenceDataError(.malformedFile, "\(file), ligne \(line) : \(reason).")
    }

    private func inconsistent(_ line: Int, _ reason: String) -> ReferenceDataError {
        ReferenceDataError(.inconsistent, "\(file), ligne \(line) : \(reason).")
    }

    /// Parses `bytes` as `name`, requiring exactly the `columns` header.
    private mutating func table(_ name: String, _ bytes: [UInt8], columns: [String]) throws(ReferenceDataError)
        -> CSVTable
    {
        file = name
        let table: CSVTable
        do {
            table = try CSVTable(bytes: bytes, strictness: .quotedLineBreaks)
        } catch {
            throw malformed(error.line, error.reason)
        }
        guard table.header == columns else {
            throw malformed(
                1,
                "l'en-tête est \(table.header.joined(separator: ",")) au lieu de \(columns.joined(separator: ","))"
            )
        }
        return table
    }

    private func count(_ text: String, _ column: String, line: Int) throws(ReferenceDataError) -> Int {
        guard !text.isEmpty, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let value = Int(text) else {
            throw malformed(line, "\(column) « \(text) » n'est pas un entier positif ou nul")
        }
        return value
    }

    private func nonEmpty(_ text: String, _ column: String, line: Int) throws(ReferenceDataError) -> String {
        guard !text.isEmpty else { throw malformed(line, "\(column) est vide") }
        return text
    }

    private func wrap<T>(line: Int, _ body: () throws(InputError) -> T) throws(ReferenceDataError) -> T {
        do {
            return try body()
        } catch {
            throw malformed(line, error.message.hasSuffix(".") ? String(error.message.dropLast()) : error.message)
        }
    }

    mutating func regions(_ bytes: [UInt8]) throws(ReferenceDataError) -> [String: Region] {
        let table = try table("regions.csv", bytes, columns: ["code", "name", "chef_lieu_insee"])
        var regions: [String: Region] = [:]
        for (index, line) in table.lines.enumerated() {
            let row = table.row(index)
            let code = row[0]
            guard code.utf8.count == 2, code.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else {
                throw malformed(line, "région code \"\(code)\" is not two digits")
            }
            let chefLieu = try wrap(line: line) { () throws(InputError) in try INSEECommuneCode(validating: row[2]) }
            let region = Region(code: code, name: try nonEmpty(row[1], "name", line: line), chefLieu: chefLieu)
            guard regions.updateValue(region, forKey: code) == nil else {
                throw inconsistent(line, "région \(code) appears twice")
            }
        }
        return regions
    }

    /// `collectivites.csv`: départements and régions as applicants; populations are summed from `communes`.
    mutating func collectivites(
        _ bytes: [UInt8],
        departements: [DepartementCode: Departement],
        regions: [String: Region],
        epcis: [SIREN: EPCI],
        communes: [INSEECommuneCode: Commune]
    ) throws(ReferenceDataError) -> [SIREN: [Collectivite]] {
        let table = try table(
            "collectivites.csv", bytes, columns: ["siren", "level", "code", "name", "departements", "excluded_epci"])
        var populations: [DepartementCode: [(epci: SIREN?, population: Int)]] = [:]
        for commune in communes.values {
            populations[commune.departement, default: []].append((commune.epciSIREN, commune.population))
        }
        var result: [SIREN: [Collectivite]] = [:]
        var seen: Set<String> = []
        for (index, line) in table.lines.enumerated() {
            let row = table.row(index)
            let siren = try wrap(line: line) { () throws(InputError) in try SIREN(validating: row[0]) }
            guard let level = Collectivite.Level(rawValue: row[1]) else {
                throw malformed(line, "le niveau « \(row[1]) » n'est ni departement ni region")
            }
            var covered: [DepartementCode] = []
            for code in row[4].split(separator: ";") {
                let departement = try wrap(line: line) { () throws(InputError) in
                    try DepartementCode(validating: String(code))
                }
                guard departements[departement] != nil else {
                    throw inconsistent(line, "département \(departement) is not in departements.csv")
                }
                covered.append(departement)
            }
            guard !covered.isEmpty else { throw malformed(line, "departements est vide") }
            if level == .region {
                guard let region = regions[row[2]] else {
                    throw inconsistent(line, "région \(row[2]) is not in regions.csv")
                }
                let expected = Set(departements.values.filter { $0.region == region.code }.map(\.code))
                guard Set(covered) == expected else {
                    throw inconsistent(line, "région \(row[2]) does not cover exactly its départements")
                }
            }
            var excluded: SIREN? = nil
            if !row[5].isEmpty {
                let epci = try wrap(line: line) { () throws(InputError) in try SIREN(validating: row[5]) }
                guard epcis[epci] != nil else { throw inconsistent(line, "l'EPCI \(epci) n'est pas dans epci.csv") }
                excluded = epci
            }
            guard seen.insert("\(level.rawValue) \(row[2])").inserted else {
                throw inconsistent(line, "\(level.rawValue) \(row[2]) appears twice")
            }
            let population = covered.reduce(0) { total, code in
                total
                    + (populations[code] ?? []).filter { excluded == nil || $0.epci != excluded }.reduce(0) {
                        $0 + $1.population
                    }
            }
            result[siren, default: []].append(
                Collectivite(
                    siren: siren, level: level, code: row[2], name: try nonEmpty(row[3], "name", line: line),
                    departements: covered, excludedEPCI: excluded, population: population))
        }
        return result
    }

    mutating func departements(
        _ bytes: [UInt8],
        regions: [String: Region]
    ) throws(ReferenceDataError) -> [DepartementCode: Departement] {
        let table = try table("departements.csv", bytes, columns: ["code", "name", "region", "chef_lieu_insee"])
        var departements: [DepartementCode: Departement] = [:]
        for (index, line) in table.lines.enumerated() {
            let row = table.row(index)
            let code = try wrap(line: line) { () throws(InputError) in try DepartementCode(validating: row[0]) }
            let chefLieu = try wrap(line: line) { () throws(InputError) in try INSEECommuneCode(validating: row[3]) }
            guard regions[row[2]] != nil else { throw inconsistent(line, "région \"\(row[2])\" is not in regions.csv") }
            let departement = Departement(
                code: code,
                name: try nonEmpty(row[1], "name", line: line),
                region: row[2],
                chefLieu: chefLieu
            )
            guard departements.updateValue(departement, forKey: code) == nil else {
                throw inconsistent(line, "département \(code) appears twice")
            }
        }
        return departements
    }

    mutating func epcis(
        _ bytes: [UInt8],
        departements: [DepartementCode: Departement]
    ) throws(ReferenceDataError) -> [SIREN: EPCI] {
        let table = try table(
            "epci.csv",
            bytes,
            columns: ["siren", "name", "nature", "departement", "members", "population"]
        )
        var epcis: [SIREN: EPCI] = [:]
        epcis.reserveCapacity(table.lines.count)
        for (index, line) in table.lines.enumerated() {
            let row = table.row(index)
            let siren = try wrap(line: line) { () throws(InputError) in try SIREN(validating: row[0]) }
            guard let nature = EPCINature(rawValue: row[2]) else {
                throw malformed(line, "la nature « \(row[2]) » n'est pas l'une de CC, CA, CU, METRO, MET69")
            }
            let departement = try wrap(line: line) { () throws(InputError) in
                try DepartementCode(validating: row[3])
            }
            guard departements[departement] != nil else {
                throw inconsistent(line, "département \(departement) is not in departements.csv")
            }
            let epci = EPCI(
                siren: siren,
                name: try nonEmpty(row[1], "name", line: line),
                nature: nature,
                departement: departement,
                memberCount: try count(row[4], "members", line: line),
                population: try count(row[5], "population", line: line)
            )
            guard epcis.updateValue(epci, forKey: siren) == nil else {
                throw inconsistent(line, "EPCI \(siren) appears twice")
            }
        }
        return epcis
    }

    mutating func communes(
        _ bytes: [UInt8],
        departements: [DepartementCode: Departement],
        regions: [String: Region],
        epcis: [SIREN: EPCI]
    ) throws(ReferenceDataError) -> ([INSEECommuneCode: Commune], [SIREN: INSEECommuneCode]) {
        let table = try table(
            "communes.csv",
            bytes,
            columns: ReferenceParser.communeColumns
        )
        var communes: [INSEECommuneCode: Commune] = [:]
        var bySIREN: [SIREN: INSEECommuneCode] = [:]
        communes.reserveCapacity(table.lines.count)
        bySIREN.reserveCapacity(table.lines.count)
        for (index, line) in table.lines.enumerated() {
            let commune = try commune(
                table.row(index), line: line, departements: departements, regions: regions, epcis: epcis)
            let insee = commune.insee
            guard communes.updateValue(commune, forKey: insee) == nil else {
                throw inconsistent(line, "commune \(insee) appears twice")
            }
            if let siren = commune.siren, bySIREN.updateValue(insee, forKey: siren) != nil {
                throw inconsistent(line, "SIREN \(siren) belongs to two communes")
            }
        }
        return (communes, bySIREN)
    }

    static let communeColumns = ["insee", "name", "departement", "region", "siren", "epci_siren", "population"]

    /// One row of `communes.csv` (file line `line`), checked on its own and against the files read before it.
    func commune(
        _ row: CSVTable.Row, line: Int, departements: [DepartementCode: Departement], regions: [String: Region],
        epcis: [SIREN: EPCI]
    ) throws(ReferenceDataError) -> Commune {
        let insee = try wrap(line: line) { () throws(InputError) in try INSEECommuneCode(validating: row[0]) }
        let departement = try wrap(line: line) { () throws(InputError) in
            try DepartementCode(validating: row[2])
        }
        guard insee.belongs(to: departement) else {
            throw inconsistent(line, "commune \(insee) is listed in département \(departement)")
        }
        guard let region = departements[departement]?.region else {
            throw inconsistent(line, "département \(departement) is not in departements.csv")
        }
        guard row[3] == region, regions[region] != nil else {
            throw inconsistent(
                line, "commune \(insee) is listed in région \"\(row[3])\", its département in \(region)")
        }
        let siren: SIREN? =
            row[4].isEmpty
            ? nil : try wrap(line: line) { () throws(InputError) in try SIREN(validating: row[4]) }
        let epciSIREN: SIREN? =
            row[5].isEmpty
            ? nil : try wrap(line: line) { () throws(InputError) in try SIREN(validating: row[5]) }
        if let epciSIREN, epcis[epciSIREN] == nil {
            throw inconsistent(line, "l'EPCI \(epciSIREN) de la commune \(insee) n'est pas dans epci.csv")
        }
        return Commune(
            insee: insee,
            name: try nonEmpty(row[1], "name", line: line),
            departement: departement,
            region: region,
            siren: siren,
            epciSIREN: epciSIREN,
            population: try count(row[6], "population", line: line)
        )
    }

    /// Every préfecture must be a commune of the dataset.
    func checkChefsLieux(
        departements: [DepartementCode: Departement],
        regions: [String: Region],
        communes: [INSEECommuneCode: Commune]
    ) throws(ReferenceDataError) {
        for departement in departements.values where communes[departement.chefLieu] == nil {
            throw ReferenceDataError(
                .inconsistent,
                "departements.csv : le chef-lieu \(departement.chefLieu) de \(departement.code) n'est pas dans communes.csv."
            )
        }
        for region in regions.values where communes[region.chefLieu] == nil {
            throw ReferenceDataError(
                .inconsistent,
                "regions.csv: the chef-lieu \(region.chefLieu) of région \(region.code) is not in communes.csv."
            )
        }
    }
}
