public import GrantDomain
public import GrantPublishing
import LedgerCore
import LedgerCrypto

/// What each fuzz target does with one input: the parsers of untrusted input, called as the tool calls them.
///
/// Shared by the libFuzzer targets (Fuzz/) and the regression test that replays the kept corpus
/// (Tests/GrantPublishingTests/FuzzRegressionTests.swift, which links this file): a crash found by the fuzzer is
/// replayed by `swift test` forever after. Thrown errors are the parsers doing their job; a trap is a finding.
public enum FuzzBodies {
    /// The demo ledger's note verifier key (`grant-ledger key note-key events/demo-keys/autorite.pem`; the demo is
    /// deterministic).
    public static let demoTrust =
        "relance-numerique.demo.grantledger.example/2021+9c59a77b+AUENj6yvimPQQtUuwgLl6dfmd8/6l69Btt5sTghVEBNO"

    /// `Entry(line:)`: one line of `ledger.jsonl` (docs/FORMAT.md §2–3). An accepted line is its own canonical form.
    public static func entry(_ bytes: [UInt8]) {
        guard let entry = try? Entry(line: bytes) else { return }
        precondition(entry.line == bytes, "an accepted line is not its own canonical form")
        _ = entry.signedBytes
        _ = entry.hash
    }

    /// Lines replayed through the grant verifier's `Replayer` with `GrantRules`, as `verify` does (signatures
    /// aside: they are OpenSSL's).
    public static func replay(_ bytes: [UInt8], reference: ReferenceData?) {
        var replayer = Replayer(domain: GrantRules(reference: reference))
        var outcomes = RuleOutcomes()
        for line in bytes.split(separator: 0x0A, omittingEmptySubsequences: false) {
            do throws(EntryError) {
                _ = replayer.apply(try Entry(line: Array(line)), outcomes: &outcomes)
            } catch {
                replayer.applyUnparseable(line: Array(line), error: error, outcomes: &outcomes)
            }
        }
        replayer.domain.finish(outcomes: &outcomes)
        _ = outcomes.sortedFindings
    }

    /// JSON input files: the strict parser, canonical re-encoding, and every payload decoder of docs/EVENTS.md,
    /// including the call file's presets (`call publish --file`).
    public static func json(_ bytes: [UInt8], reference: ReferenceData?) {
        guard let value = try? JSONParser.parse(bytes) else { return }
        let canonical = CanonicalJSON.encode(value)
        if let again = try? JSONParser.parse(canonical) {
            precondition(CanonicalJSON.encode(again) == canonical, "canonical JSON is not stable")
        }
        let operations = GrantOperations(
            ledger: Ledger(directory: "/nonexistent-fuzz-ledger", domain: { GrantRules() }), reference: reference)
        _ = try? operations.callPayload(fromFile: value)
        _ = try? operations.application(fromFile: value)
        _ = try? GrantCall(payload: value)
        _ = try? GrantApplication(payload: value)
        _ = try? ApplicationScore(payload: value)
        _ = try? GrantDecision(payload: value)
        _ = try? GrantPayment(payload: value)
        _ = try? Withdrawal(payload: value, requiresReference: true)
        _ = try? Withdrawal(payload: value, requiresReference: false)
    }

    /// `import FILE.csv`: the CSV reader and every column's conversion, before any write.
    public static func csv(_ bytes: [UInt8]) {
        _ = try? GrantOperations.importRows(csv: bytes, callID: "15-2021-01")
    }

    /// The SCDL identifiers file (`export scdl --identifiers`, `publish`), as the commands read it.
    public static func identifiers(_ bytes: [UInt8]) {
        _ = try? SCDLIdentifiers(csv: String(decoding: bytes, as: UTF8.self), source: "fuzz.csv")
    }

    /// Key files and key texts: PEM (SPKI, PKCS#8, encrypted PKCS#8), DER SPKI as in payloads, note and cosigner
    /// verifier keys.
    public static func keys(_ bytes: [UInt8]) {
        let text = String(decoding: bytes, as: UTF8.self)
        _ = try? Ed25519PublicKey(pem: text)
        _ = try? Ed25519PublicKey(spkiDER: bytes)
        // A short passphrase keeps each encrypted-key attempt cheap enough to fuzz.
        _ = try? Ed25519PrivateKey(pem: bytes, passphrase: "fuzz")
        _ = try? Ed25519PrivateKey(pem: bytes, passphrase: nil)
        _ = PublicKeyText.decode(text)
        _ = try? NoteVerifier(verifierKey: text)
        _ = try? CosignatureVerifier(verifierKey: text)
    }

    /// Signed notes, checkpoints and cosignatures (C2SP signed-note, tlog-checkpoint, tlog-cosignature).
    public static func note(_ bytes: [UInt8]) {
        if let note = try? Note(parsing: bytes) {
            _ = note.formatted
            _ = try? Checkpoint(body: note.text)
            for signature in note.signatures { _ = Cosignature(signature) }
        }
        if let log = try? NoteVerifier(verifierKey: demoTrust) {
            _ = try? SignedCheckpoint.open(String(decoding: bytes, as: UTF8.self), log: log)
        }
        _ = try? Checkpoint(body: String(decoding: bytes, as: UTF8.self))
    }

    /// Proof texts (docs/PROOFS.md §4) as `verify-proof` reads them: the input is split at its first line `--` into
    /// the proof and the entry or old checkpoint it is checked with.
    public static func proof(_ bytes: [UInt8]) {
        let separator = Array("\n--\n".utf8)
        var proof = bytes
        var other: [UInt8] = []
        if bytes.count >= separator.count,
            let cut = (0...(bytes.count - separator.count)).first(where: {
                bytes[$0..<($0 + separator.count)].elementsEqual(separator)
            })
        {
            proof = Array(bytes[..<(cut + 1)])
            other = Array(bytes[(cut + separator.count)...])
        }
        _ = try? InclusionProof(parsing: proof)
        _ = try? ConsistencyProof(parsing: proof)
        _ = ProofCheck.header(proof)
        _ = try? ProofCheck.inclusion(proof: proof, entry: other, trust: demoTrust)
        _ = try? ProofCheck.consistency(proof: proof, old: other, trust: demoTrust)
    }

    /// Decision bundles as `verify-bundle` reads them (docs/PROOFS.md, Decision bundles).
    public static func bundle(_ bytes: [UInt8], reference: ReferenceData?) {
        _ = try? DecisionBundle(parsing: bytes)
        if let report = try? BundleVerifier.verify(bytes, trust: demoTrust, reference: reference) {
            _ = report.json
            _ = report.text
        }
    }

    /// `stats --check FILE`: a published statistics file (table, JSON or CSV) recomputed against `snapshot`.
    public static func statsCheck(_ bytes: [UInt8], snapshot: LedgerSnapshot) {
        _ = try? StatsCheck(published: bytes, snapshot: snapshot)
    }

    /// The snapshot `statsCheck` is fuzzed against: the demo with 12 applications (seed 2021), built in `directory`.
    public static func statsSnapshot(directory: String, reference: ReferenceData) throws -> LedgerSnapshot {
        _ = try DemoBuilder(seed: 2021, applications: 12, reference: reference).build(into: directory)
        return try LedgerSnapshot.load(directory: directory)
    }
}
