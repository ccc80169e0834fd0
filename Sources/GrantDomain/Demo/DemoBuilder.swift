import Foundation
public import LedgerCore
public import LedgerCrypto

/// Builds the realistic, deterministic demo ledger (`grant-ledger demo`).
///
/// Everything derives from the seed: keys (labelled DEMO ONLY), applicants picked among real communes and
/// EPCIs of the reference data, scores, decisions and payments. The same options always give the same bytes.
/// Three prefectures instruct one call each (two on the national grid, one on its own grid published then
/// amended), decisions follow the merit order within each envelope and use every motive, one decision
/// declares a deviation, some grants are paid in two instalments and some only in part, one grant is
/// withdrawn, one application is withdrawn by its applicant, and the Cantal prefect's first key is revoked.
///
/// The build runs in phases: the cast of keys (``DemoBuilder/cast()``), the calls
/// (``DemoBuilder/callPlans(pin:)``), the applications (``DemoBuilder/applicationPlans(_:random:)``), the
/// envelopes fixed from the merit order (``DemoBuilder/fixEnvelopes(_:applications:)``), then the log: keys and
/// calls, instruction, decisions, payments (`DemoBuilder+Log.swift`).
public struct DemoBuilder: Sendable {
    /// The origin of the default demo (60 applications, seed 2021), the one in `events/`.
    public static let origin = "relance-numerique.demo.grantledger.example/2021"
    public static let title = "Relance numérique des collectivités — démonstration (DEMO)"
    /// The aid scheme of the demo's calls (named, without an identifier of the national register).
    public static let dispositif = AidScheme(
        name: "France Relance — Transformation numérique des collectivités territoriales")

    public let seed: UInt64
    public let applications: Int
    let reference: ReferenceData

    public init(seed: UInt64 = 2021, applications: Int = 60, reference: ReferenceData) {
        self.seed = seed
        self.applications = applications
        self.reference = reference
    }

    /// This demo's origin: ``origin`` for the default demo, else ``origin`` followed by `/N` (the number of
    /// applications) and `-SEED` when the seed is not 2021. Demos of other parameters are other logs: with one
    /// origin, a verifier that remembers one (docs/PROOFS.md §10) would take the other for a rewritten history.
    public var origin: String {
        guard applications != 60 || seed != 2021 else { return Self.origin }
        return Self.origin + "/\(applications)" + (seed == 2021 ? "" : "-\(seed)")
    }

    /// Whether `origin` is the origin of a demo, of any parameters.
    public static func isDemoOrigin(_ origin: String) -> Bool {
        origin == Self.origin || origin.hasPrefix(Self.origin + "/")
    }

    /// A demo key: its file name, holder, role and territories.
    public struct DemoKey: Sendable {
        public let file: String
        public let holder: String
        public let role: Role
        public let territories: [String]
        public let key: Ed25519PrivateKey
    }

    /// The directory of the demo's keys, beside its log.
    public static let keysDirectoryName = "demo-keys"
    /// The SCDL identifiers file of the demo (fictitious SIRETs), under the name `export scdl` looks for.
    public static let identifiersFileName = "identifiants-scdl.csv"

    /// What was built.
    public struct Summary: Sendable {
        public let entries: Int64
        public let applications: Int
        public let keys: [DemoKey]
    }

    /// Writes the demo ledger into `directory` (which must not hold a ledger) and its keys into
    /// `directory/demo-keys/`.
    public func build(into directory: String) throws(LedgerError) -> Summary {
        var random = SplitMix64(seed: seed)
        let pin = ReferencePin(name: "collectivites-cog-2026", sha256: reference.datasetID)
        let keys = cast()
        var calls = callPlans(pin: pin)
        let apps = applicationPlans(calls, random: &random)
        let deviating = fixEnvelopes(&calls, applications: apps)
        // Each call names its granting body for open data, with a FICTITIOUS SIRET (an invented SIREN), and the
        // aid scheme it belongs to.
        for index in calls.indices {
            let attribuant = Attribuant(
                name: keys[calls[index].decider]!.holder, siret: DemoBuilder.fictitiousSIRET(index))
            calls[index].call.attribuant = attribuant
            calls[index].amendment?.attribuant = attribuant
            calls[index].call.dispositif = DemoBuilder.dispositif
            calls[index].amendment?.dispositif = DemoBuilder.dispositif
        }

        let reference = self.reference
        let ledger = Ledger(directory: directory, domain: { GrantRules(reference: reference) })
        var log = DemoLog(ledger: ledger, keys: keys, applications: applications, origin: origin)
        try log.create()
        let decisions = try log.instruct(calls: calls, applications: apps, deviating: deviating)
        try log.pay(calls: calls, applications: apps, decisions: decisions)

        // A checkpoint of the finished log, signed by the authority (C2SP tlog-checkpoint, docs/PROOFS.md).
        _ = try LedgerCheckpoints.sign(ledger, key: keys[DemoBuilder.authority]!.key)
        let sortedKeys = keys.values.sorted { $0.file < $1.file }
        try writeKeys(sortedKeys, into: directory + "/" + DemoBuilder.keysDirectoryName)
        try writeIdentifiers(
            applicants: apps.map(\.application.applicant), into: directory + "/" + DemoBuilder.identifiersFileName)
        let entries = (try ledger.store.readTail().last?.seq ?? -1) + 1
        return Summary(entries: entries, applications: apps.count, keys: sortedKeys)
    }

    /// The key derived from the seed for `name`: SHA-256("grantledger demo v1|seed|name") as Ed25519 seed.
    func demoKey(_ name: String) -> Ed25519PrivateKey {
        var bytes = SHA256.hash(Array("grantledger demo v1|\(seed)|\(name)".utf8)).bytes
        defer { Secure.cleanse(&bytes) }
        return try! Ed25519PrivateKey(seed: bytes)
    }
}
