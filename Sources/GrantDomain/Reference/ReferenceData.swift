public import Foundation
public import LedgerCrypto

/// The French local authorities GrantDomain knows: communes, EPCI, départements and régions, with a hash
/// that identifies the exact files they came from.
///
/// Grant rules ask « is this applicant a commune of fewer than 5 000 inhabitants in Bretagne? »; the answer
/// must be the same at append time and when a verifier replays the log years later, after INSEE has
/// published new populations. So the data ships inside the package (`Resources/collectivites`, see its
/// `PROVENANCE.md`), and ``datasetID`` names it: a grant call records the ID, and a verifier loads the
/// same files with ``init(directory:)`` and compares.
///
/// ``init(directory:)`` parses and checks about 1.8 MB of CSV; use ``shared()`` for the bundled data, which is
/// loaded on first use and then kept for the life of the process, its communes decoded as they are asked for
/// (the files are those the test suite checks whole, ``checkedDatasetID``).
///
/// ```swift
/// let data = try ReferenceData.shared()
/// let paris = data.commune(try INSEECommuneCode(validating: "75056"))
/// paris?.siren?.rawValue // "217500016"
/// data.datasetID         // 64 hex characters, pinned by grant calls
/// ```
public struct ReferenceData: Sendable {
    /// The files that make up the dataset, in the order of ``files``.
    public static let fileNames = ["collectivites.csv", "communes.csv", "departements.csv", "epci.csv", "regions.csv"]

    /// Each loaded file's name, SHA-256 and size, sorted by name.
    public let files: [DatasetFile]
    /// Lowercase hexadecimal SHA-256 of the lines `"<name> <sha256>\n"` of ``files``, sorted by name.
    ///
    /// The same construction as a `sha256sum` manifest (with one space), so anyone can recompute it with
    /// standard tools: `sha256sum *.csv | awk '{print $2" "$1}' | LC_ALL=C sort | sha256sum`.
    public let datasetID: String

    /// Every commune, by INSEE code.
    public var communes: [INSEECommuneCode: Commune] { communeStore.communes }
    /// Every EPCI à fiscalité propre, by SIREN.
    public let epcis: [SIREN: EPCI]
    /// The 101 départements, by code.
    public let departements: [DepartementCode: Departement]
    /// The 18 régions, by two-digit code.
    public let regions: [String: Region]
    /// Départements and régions as applicants, by SIREN (Mayotte's appears at both levels).
    public var collectivites: [SIREN: [Collectivite]] { communeStore.collectivites }
    /// The communes, read whole at load or, for the checked bundled files, a row at a time (``CommuneStore``).
    private let communeStore: CommuneStore

    /// The commune with this INSEE code, or nil if it does not exist (any more) in this dataset.
    public func commune(_ code: INSEECommuneCode) -> Commune? { communeStore.commune(code) }

    /// The commune whose own SIREN this is, or nil.
    public func commune(siren: SIREN) -> Commune? { communeStore.commune(siren: siren) }

    /// The EPCI with this SIREN, or nil.
    public func epci(_ siren: SIREN) -> EPCI? { epcis[siren] }

    /// The département with this code (present for all 101 codes in the bundled data).
    public func departement(_ code: DepartementCode) -> Departement? { departements[code] }

    /// The région with this two-digit code, or nil.
    public func region(_ code: String) -> Region? { regions[code] }

    /// The member communes of an EPCI, sorted by INSEE code (a linear scan: not for hot loops).
    public func communes(inEPCI siren: SIREN) -> [Commune] {
        communes.values.filter { $0.epciSIREN == siren }.sorted { $0.insee < $1.insee }
    }

    /// The département-level or région-level collectivité with this SIREN, or nil.
    public func collectivite(_ siren: SIREN, level: Collectivite.Level) -> Collectivite? {
        collectivites[siren]?.first { $0.level == level }
    }

    /// The applicant kind of a SIREN in this dataset (a commune, an EPCI, a département, a région), else nil.
    public func applicantKind(of siren: SIREN) -> ApplicantKind? {
        if communeStore.hasCommune(siren: siren) { return .commune }
        return epcis[siren]?.applicantKind ?? collectivites[siren]?.first?.applicantKind
    }

    // MARK: Loading

    /// The bundled data, loaded once on first use and shared; later calls return the same value at no cost.
    ///
    /// Throws only if the package was installed without its resource bundle, or with altered files.
    public static func shared() throws(ReferenceDataError) -> ReferenceData {
        try sharedResult.get()
    }

    // A `static let` is initialised lazily and exactly once, thread-safely (swift_once), which is the
    // whole synchronisation needed: the value is immutable afterwards.
    private static let sharedResult: Result<ReferenceData, ReferenceDataError> = Result {
        () throws(ReferenceDataError) -> ReferenceData in
        try ReferenceData(directory: bundledDirectory(), lazyIfChecked: true)
    }

    /// The ``datasetID`` of the bundled files as the test suite reads and checks them whole
    /// (`ReferenceDataTests`): files with exactly this ID are known to pass every check of
    /// ``init(directory:)``, so ``shared()`` decodes their communes only as they are asked for.
    public static let checkedDatasetID = "cec63879d0eda38f77958bd6159ec23bb46f6317bd5b90cce17c96ef3eda5a66"

    /// The ``datasetID`` of the bundled files, from their bytes alone (nil if they cannot be read): what
    /// ``shared()``'s would be, without parsing them.
    public static let bundledDatasetID: String? = {
        guard let directory = try? bundledDirectory(), let files = try? datasetFiles(in: directory) else {
            return nil
        }
        return datasetID(of: files.map(\.file))
    }()

    /// The directory of the bundled CSV files (`Resources/collectivites` of this module).
    ///
    /// Where that lands differs by platform: Darwin bundles put the copied `Resources` folder under the
    /// bundle's resource directory, while swift-corelibs-foundation takes a top-level `Resources` folder *as*
    /// the resource directory. So the candidates are probed for `communes.csv`.
    public static func bundledDirectory() throws(ReferenceDataError) -> URL {
        let bundle = Bundle.module
        let roots = [bundle.resourceURL, bundle.bundleURL].compactMap { $0 }
        for root in roots {
            for relative in ["Resources/collectivites", "collectivites"] {
                let directory = root.appendingPathComponent(relative, isDirectory: true)
                if FileManager.default.fileExists(atPath: directory.appendingPathComponent("communes.csv").path) {
                    return directory
                }
            }
        }
        throw ReferenceDataError(
            .missingFile,
            "les données de référence fournies (collectivites/communes.csv) manquent dans \(bundle.bundleURL.path)"
        )
    }

    /// Loads `collectivites.csv`, `communes.csv`, `departements.csv`, `epci.csv` and `regions.csv` from
    /// `directory`, checking
    /// every identifier and every cross-reference between the files.
    ///
    /// Other files in the directory (README, PROVENANCE) are ignored and not part of ``datasetID``.
    public init(directory: URL) throws(ReferenceDataError) {
        try self.init(directory: directory, lazyIfChecked: false)
    }

    /// With `lazyIfChecked`, files whose ``datasetID`` is ``checkedDatasetID`` have their communes decoded as
    /// they are asked for (``CommuneStore``); any other files are read and checked whole.
    init(
        directory: URL, lazyIfChecked: Bool, wholeAfter: Int = CommuneStore.defaultWholeAfter
    ) throws(ReferenceDataError) {
        var contents: [String: [UInt8]] = [:]
        var files: [DatasetFile] = []
        for (file, bytes) in try ReferenceData.datasetFiles(in: directory) {
            contents[file.name] = [UInt8](bytes)
            files.append(file)
        }
        files.sort { $0.name < $1.name }
        self.files = files
        self.datasetID = ReferenceData.datasetID(of: files)

        var parser = ReferenceParser()
        regions = try parser.regions(contents["regions.csv"]!)
        departements = try parser.departements(contents["departements.csv"]!, regions: regions)
        epcis = try parser.epcis(contents["epci.csv"]!, departements: departements)
        if lazyIfChecked, datasetID == ReferenceData.checkedDatasetID,
            let store = CommuneStore(
                communes: contents["communes.csv"]!, collectivites: contents["collectivites.csv"]!,
                departements: departements, regions: regions, epcis: epcis, wholeAfter: wholeAfter)
        {
            communeStore = store
            return
        }
        let (communes, bySIREN) = try parser.communes(
            contents["communes.csv"]!,
            departements: departements,
            regions: regions,
            epcis: epcis
        )
        try parser.checkChefsLieux(departements: departements, regions: regions, communes: communes)
        let collectivites = try parser.collectivites(
            contents["collectivites.csv"]!, departements: departements, regions: regions, epcis: epcis,
            communes: communes)
        communeStore = CommuneStore(
            whole: CommuneStore.Whole(communes: communes, bySIREN: bySIREN, collectivites: collectivites))
    }

    /// Reads the files of ``fileNames`` in `directory`, each with its name, SHA-256 and size. Mapped, not copied:
    /// ``bundledDatasetID`` only hashes them, at the start of every write session that reads a state snapshot.
    private static func datasetFiles(in directory: URL) throws(ReferenceDataError) -> [(
        file: DatasetFile, bytes: Data
    )] {
        var files: [(file: DatasetFile, bytes: Data)] = []
        for name in fileNames {
            let url = directory.appendingPathComponent(name, isDirectory: false)
            guard FileManager.default.fileExists(atPath: url.path) else {
                throw ReferenceDataError(.missingFile, "le fichier de référence \(url.path) n'existe pas")
            }
            let bytes: Data
            do {
                bytes = try Data(contentsOf: url, options: .alwaysMapped)
            } catch {
                throw ReferenceDataError(
                    .unreadableFile, "le fichier de référence \(url.path) n'a pas pu être lu : \(error)",
                    underlying: error)
            }
            let digest = bytes.withUnsafeBytes { LedgerCrypto.SHA256.hash($0) }
            let file = DatasetFile(name: name, sha256: digest.hex, byteCount: bytes.count)
            files.append((file, bytes))
        }
        return files
    }

    /// The dataset ID of a list of files: SHA-256 of the sorted `"<name> <sha256>\n"` lines, lowercase hex.
    public static func datasetID(of files: [DatasetFile]) -> String {
        let manifest = files.map { "\($0.name) \($0.sha256)\n" }.sorted().joined()
        return LedgerCrypto.SHA256.hash(Array(manifest.utf8)).hex
    }
}
