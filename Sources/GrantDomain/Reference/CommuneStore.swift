import Synchronization

/// The communes of a dataset, and what needs all of them (the collectivités, whose populations are sums of
/// communes).
///
/// Read whole, every row is checked when the dataset is loaded. For the bundled files that the test suite checks
/// whole (``ReferenceData/checkedDatasetID``), byte for byte the same, `communes.csv` is only indexed at load
/// (each row's INSEE code and SIREN, without decoding it): a write session that replays a few submissions asks for
/// a few communes, and decoding 34 875 of them cost it more than everything else it did. A row is decoded, with the
/// same checks, the first time it is asked for; past ``defaultWholeAfter`` rows, or when a caller wants every
/// commune, the file is read whole once, as a full replay would have it.
final class CommuneStore: Sendable {
    /// Rows decoded one at a time before the whole file is read instead: more than a write session's tail holds
    /// (``StateSnapshot/defaultInterval`` entries at most), few enough that a full replay hardly notices them.
    static let defaultWholeAfter = 256
    let wholeAfter: Int

    struct Whole: Sendable {
        var communes: [INSEECommuneCode: Commune] = [:]
        var bySIREN: [SIREN: INSEECommuneCode] = [:]
        var collectivites: [SIREN: [Collectivite]] = [:]
    }

    /// What reading lazily needs: the two files' bytes, the other tables, and the rows' index.
    private struct Source: Sendable {
        let communesBytes: [UInt8]
        let collectivitesBytes: [UInt8]
        let departements: [DepartementCode: Departement]
        let regions: [String: Region]
        let epcis: [SIREN: EPCI]
        let index: RowIndex
    }

    private struct State {
        var whole: Whole?
        var decoded: [String: Commune] = [:]
        /// Until the whole file is read: then the bytes and the index are let go.
        var source: Source?
    }

    private let state: Mutex<State>

    /// A store read whole (and checked) already.
    init(whole: Whole) {
        wholeAfter = 0
        state = Mutex(State(whole: whole))
    }

    /// A store of checked files read as they are asked for; nil when `communes.csv` does not have the shape the
    /// index expects (it then has to be read whole).
    init?(
        communes: [UInt8], collectivites: [UInt8], departements: [DepartementCode: Departement],
        regions: [String: Region], epcis: [SIREN: EPCI], wholeAfter: Int = CommuneStore.defaultWholeAfter
    ) {
        guard let index = RowIndex(communes) else { return nil }
        self.wholeAfter = wholeAfter
        let source = Source(
            communesBytes: communes, collectivitesBytes: collectivites, departements: departements, regions: regions,
            epcis: epcis, index: index)
        state = Mutex(State(source: source))
    }

    var communes: [INSEECommuneCode: Commune] { whole.communes }
    var collectivites: [SIREN: [Collectivite]] { whole.collectivites }

    /// The commune with this INSEE code, or nil.
    func commune(_ code: INSEECommuneCode) -> Commune? {
        state.withLock { state in
            if let whole = state.whole { return whole.communes[code] }
            if let commune = state.decoded[code.rawValue] { return commune }
            guard let source = state.source, let row = source.index.row(insee: code) else { return nil }
            if state.decoded.count >= wholeAfter { return readWhole(source, into: &state).communes[code] }
            return decode(row, source: source, into: &state)
        }
    }

    /// The commune whose own SIREN this is, or nil.
    func commune(siren: SIREN) -> Commune? {
        state.withLock { state in
            if let whole = state.whole { return whole.bySIREN[siren].flatMap { whole.communes[$0] } }
            guard let source = state.source, let row = source.index.row(siren: siren) else { return nil }
            if state.decoded.count >= wholeAfter {
                let whole = readWhole(source, into: &state)
                return whole.bySIREN[siren].flatMap { whole.communes[$0] }
            }
            return decode(row, source: source, into: &state)
        }
    }

    /// Whether a commune has this SIREN.
    func hasCommune(siren: SIREN) -> Bool {
        state.withLock { state in
            if let whole = state.whole { return whole.bySIREN[siren] != nil }
            return state.source?.index.row(siren: siren) != nil
        }
    }

    /// Row `row` of the file, decoded and checked (nil if it somehow fails the checks).
    private func decode(_ row: Int, source: Source, into state: inout State) -> Commune? {
        // The header and the row make a file of one row, read by the same reader and checks as the whole file.
        let bytes =
            Array(source.communesBytes[source.index.header]) + [0x0A]
            + source.communesBytes[source.index.rows[row]]
        let parser = ReferenceParser(file: "communes.csv")
        guard let table = try? CSVTable(bytes: bytes, strictness: .quotedLineBreaks), table.lines.count == 1,
            let commune = try? parser.commune(
                table.row(0), line: row + 2, departements: source.departements, regions: source.regions,
                epcis: source.epcis)
        else { return nil }
        state.decoded[commune.insee.rawValue] = commune
        return commune
    }

    private var whole: Whole {
        state.withLock { state in
            if let whole = state.whole { return whole }
            guard let source = state.source else { return Whole() }
            return readWhole(source, into: &state)
        }
    }

    private func readWhole(_ source: Source, into state: inout State) -> Whole {
        let whole = CommuneStore.readWhole(source)
        state.whole = whole
        state.decoded = [:]
        state.source = nil
        return whole
    }

    /// The files read whole: they are the checked ones, so this cannot fail (an empty table if it somehow did).
    private static func readWhole(_ source: Source) -> Whole {
        var parser = ReferenceParser()
        guard
            let (communes, bySIREN) = try? parser.communes(
                source.communesBytes, departements: source.departements, regions: source.regions,
                epcis: source.epcis),
            let collectivites = try? parser.collectivites(
                source.collectivitesBytes, departements: source.departements, regions: source.regions,
                epcis: source.epcis, communes: communes)
        else { return Whole() }
        return Whole(communes: communes, bySIREN: bySIREN, collectivites: collectivites)
    }
}

extension CommuneStore {
    /// Where each row of `communes.csv` is, by its INSEE code (first field) and SIREN (fifth), found without
    /// decoding the rows: one pass over the bytes, keys packed in integers.
    struct RowIndex: Sendable {
        /// The header line, without its line break.
        let header: Range<Int>
        /// Each row after the header, without its line break.
        let rows: [Range<Int>]
        private let byINSEE: [UInt64: Int32]
        private let bySIREN: [UInt64: Int32]

        func row(insee: INSEECommuneCode) -> Int? {
            RowIndex.key(insee.rawValue.utf8).flatMap { byINSEE[$0] }.map(Int.init)
        }
        func row(siren: SIREN) -> Int? { RowIndex.key(siren.rawValue.utf8).flatMap { bySIREN[$0] }.map(Int.init) }

        /// A short text as one integer, the same for the same bytes only: digits (every SIREN, most INSEE codes)
        /// by their value and count, anything else (`2A004`) by its bytes and count, a bit telling the two apart;
        /// nil for more than 15 digits or 7 other bytes.
        static func key(_ bytes: some Collection<UInt8>) -> UInt64? {
            let count = UInt64(bytes.count)
            if bytes.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) {
                guard count <= 15 else { return nil }
                return bytes.reduce(0) { $0 * 10 + UInt64($1 - 0x30) } | count << 56
            }
            guard count <= 7 else { return nil }
            var packed: UInt64 = 0
            for (offset, byte) in bytes.enumerated() { packed |= UInt64(byte) << (8 * UInt64(offset)) }
            return packed | count << 56 | 1 << 63
        }

        /// Indexes `bytes`; nil unless every row has seven fields, LF or CRLF endings, an unquoted INSEE code and
        /// SIREN, and no two rows the same code or SIREN (the shape of the checked file).
        init?(_ bytes: [UInt8]) {
            let quote = UInt8(ascii: "\""), comma = UInt8(ascii: ","), cr = UInt8(ascii: "\r")
            let lf = UInt8(ascii: "\n")
            guard let headerEnd = bytes.firstIndex(of: lf) else { return nil }
            header = 0..<(headerEnd > 0 && bytes[headerEnd - 1] == cr ? headerEnd - 1 : headerEnd)
            var rows: [Range<Int>] = []
            var byINSEE: [UInt64: Int32] = [:]
            var bySIREN: [UInt64: Int32] = [:]
            rows.reserveCapacity(bytes.count / 48)
            byINSEE.reserveCapacity(bytes.count / 48)
            bySIREN.reserveCapacity(bytes.count / 48)
            var index = headerEnd + 1
            while index < bytes.count {
                let start = index
                var field = 0
                var insee = index..<index
                var siren = index..<index
                while true {
                    let fieldStart = index
                    if index < bytes.count, bytes[index] == quote {
                        // A quoted field: "" is an escaped quote; it ends at a quote not followed by another.
                        guard field != 0, field != 4 else { return nil }
                        index += 1
                        while index < bytes.count {
                            if bytes[index] == quote {
                                if index + 1 < bytes.count, bytes[index + 1] == quote {
                                    index += 2
                                    continue
                                }
                                break
                            }
                            index += 1
                        }
                        guard index < bytes.count else { return nil }
                        index += 1
                    } else {
                        while index < bytes.count, bytes[index] != comma, bytes[index] != lf, bytes[index] != cr,
                            bytes[index] != quote
                        {
                            index += 1
                        }
                    }
                    if field == 0 { insee = fieldStart..<index }
                    if field == 4 { siren = fieldStart..<index }
                    field += 1
                    guard index < bytes.count, bytes[index] == comma else { break }
                    index += 1
                }
                let end = index
                if index < bytes.count, bytes[index] == cr { index += 1 }
                if index < bytes.count {
                    guard bytes[index] == lf else { return nil }
                    index += 1
                }
                guard field == 7, let inseeKey = RowIndex.key(bytes[insee]) else { return nil }
                let row = Int32(rows.count)
                rows.append(start..<end)
                guard byINSEE.updateValue(row, forKey: inseeKey) == nil else { return nil }
                if !siren.isEmpty {
                    guard let sirenKey = RowIndex.key(bytes[siren]), bySIREN.updateValue(row, forKey: sirenKey) == nil
                    else { return nil }
                }
            }
            self.rows = rows
            self.byINSEE = byINSEE
            self.bySIREN = bySIREN
        }
    }
}
