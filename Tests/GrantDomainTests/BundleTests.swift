import Foundation
@testable import GrantDomain
import LedgerCore
import LedgerCrypto
import Testing
import GrantLedgerTestSupport

/// The demo ledger (with its signed checkpoint.txt), built once per test process, and its log's note key.
enum BundleDemo {
    static let built: (directory: String, summary: DemoBuilder.Summary) = {
        let path = TestDirectory.path("grantledger-bundle")
        return (path, try! DemoBuilder(reference: try! ReferenceData.shared()).build(into: path))
    }()

    static var directory: String { built.directory }

    static let reference: ReferenceData? = try? ReferenceData.shared()
    static var summary: DemoBuilder.Summary { built.summary }

    static var authority: Ed25519PrivateKey { summary.keys.first { $0.role == .authority }!.key }

    static let noteKey: String = try! NoteVerifier(name: DemoBuilder.origin, publicKey: authority.publicKey).verifierKey

    static var store: LedgerStore { LedgerStore(directory: directory) }

    static var checkpoint: [UInt8] { try! KeyFiles.read(directory + "/checkpoint.txt") }

    /// Every decided application, with its decision's motive.
    static let decided: [(id: String, motive: DecisionMotive)] = {
        let state = try! Ledger<GrantRules>(directory: directory, domain: { GrantRules() }).replay()
            .domain.state
        return state.applications.values.compactMap { app in app.decision.map { (app.id, $0.motive) } }.sorted {
            $0.id < $1.id
        }
    }()

    static func bundle(_ id: String) throws -> DecisionBundle {
        try DecisionBundle.build(store: store, applicationID: id, checkpoint: checkpoint, label: "checkpoint.txt")
    }
}

@Suite("Decision bundles")
struct BundleTests {
    @Test("every demo decision's bundle verifies offline; what needs the whole log is never passed")
    func everyDecisionVerifies() throws {
        #expect(BundleDemo.decided.count > 40)
        var sizes: [Int] = []
        for (id, motive) in BundleDemo.decided {
            let bytes = try BundleDemo.bundle(id).bytes
            sizes.append(bytes.count)
            let report = try BundleVerifier.verify(
                bytes, trust: BundleDemo.noteKey, reference: try? ReferenceData.shared())
            #expect(report.isValid, "\(id): \(report.checks.filter { $0.result == .failed })")
            let results = Dictionary(grouping: report.checks, by: \.rule).mapValues { Set($0.map(\.result)) }
            for rule in [
                "TLOG-CHECKPOINT", "TLOG-INCLUSION", "INT-SIGNATURE", "AUT-ROLE", "AUT-TERRITORY",
                "BUNDLE-CALL-VERSION",
            ] {
                #expect(results[rule] == [.passed], "\(id) \(rule): \(results[rule] ?? [])")
            }
            for rule in [
                "BUD-ENVELOPE", "PAY-REFERENCE", "BUD-MERIT", "BUD-ONE-AWARD", "AUT-REVOKED", "SEQ-DECISION-ONCE",
            ] {
                #expect(!(results[rule] ?? []).contains(.passed), "\(id) \(rule) reported passed")
            }
            if motive == .envelopeExhausted || motive == .duplicateAward {
                #expect(results["DEC-MOTIVE"] == [.notChecked], "\(id) \(motive)")
            }
            // Round trip: parsing gives back the same bundle.
            #expect(try DecisionBundle(parsing: bytes).bytes == bytes)
        }
        let sorted = sizes.sorted()
        print("bundle sizes (bytes): min \(sorted.first!), median \(sorted[sorted.count / 2]), max \(sorted.last!)")
    }

    @Test("a granted decision's criteria are checked: threshold, grid amount, separation, signer's role and territory")
    func grantedCriteriaChecked() throws {
        let id = try #require(BundleDemo.decided.first { $0.motive == .criteriaMet }?.id)
        let report = try BundleVerifier.verify(
            try BundleDemo.bundle(id).bytes, trust: BundleDemo.noteKey, reference: try ReferenceData.shared())
        for rule in ["SCO-THRESHOLD", "AMT-GRID", "AUT-SEPARATION", "SCO-COMPLETE", "DEC-MOTIVE"] {
            #expect(
                report.checks.contains { $0.rule == rule && ($0.result == .passed || $0.result == .deviation) },
                "\(rule)")
        }
        #expect(report.text.contains("Résultat : bundle vérifié"))
        #expect(report.json.hasPrefix("{"))
    }

    /// The smallest bundle among the first demo decisions, for the every-byte property.
    static let smallest: [UInt8] = {
        let bundles = BundleDemo.decided.prefix(12).map { try! BundleDemo.bundle($0.id).bytes }
        return bundles.min { $0.count < $1.count }!
    }()

    @Test(
        "changing any single byte of a bundle makes verification fail (every position, in 4 interleaved slices)",
        arguments: 0..<4)
    func everyByteMatters(slice: Int) throws {
        let bytes = Self.smallest
        let trust = BundleDemo.noteKey
        #expect(try BundleVerifier.verify(bytes, trust: trust, reference: try ReferenceData.shared()).isValid)
        let start = ContinuousClock.now
        var undetected: [Int] = []
        for position in stride(from: slice, to: bytes.count, by: 4) {
            var changed = bytes
            changed[position] ^= 0x01
            // Stops once the checkpoint or a proof fails (the verdict is then known); otherwise the full replay.
            if let report = try? BundleVerifier.verify(
                changed, trust: trust, reference: BundleDemo.reference, stopAtFirstFailure: true),
                report.isValid
            {
                undetected.append(position)
            }
        }
        #expect(undetected.isEmpty, "undetected changes at \(undetected.prefix(20))")
        print("every-byte property, slice \(slice) of \(bytes.count) bytes: \(ContinuousClock.now - start)")
    }

    @Test("a bundle carries the cosignatures; with the witnesses' keys given, every byte of them matters")
    func cosignatureBytesMatter() throws {
        let witness = try CosignatureSigner(name: "temoin.example/w", privateKey: .generate())
        let log = try NoteVerifier(verifierKey: BundleDemo.noteKey)
        let cosigned = try SignedCheckpoint.open(BundleDemo.checkpoint, log: log).cosigned(
            by: witness, timestamp: 1_700_000_000)
        let id = try #require(BundleDemo.decided.first?.id)
        let bundle = try DecisionBundle.build(
            store: BundleDemo.store, applicationID: id, checkpoint: Array(cosigned.text.utf8), label: "cosigned")
        #expect(bundle.checkpoint == cosigned.text)
        let bytes = bundle.bytes
        let witnesses = [witness.verifier.verifierKey]
        let report = try BundleVerifier.verify(
            bytes, trust: BundleDemo.noteKey, reference: BundleDemo.reference, witnesses: witnesses)
        #expect(report.isValid, "\(report.checks.filter { $0.result == .failed })")
        #expect(report.checks.contains { $0.rule == "TLOG-WITNESS" && $0.result == .passed })
        #expect(report.cannotProve.count == 2)
        let unchecked = try BundleVerifier.verify(bytes, trust: BundleDemo.noteKey, reference: BundleDemo.reference)
        #expect(unchecked.isValid)
        #expect(unchecked.checks.contains { $0.rule == "TLOG-WITNESS" && $0.result == .notChecked })
        #expect(unchecked.cannotProve.count == 3)

        let line = Array(cosigned.note.signatures.last!.line.utf8.dropLast())
        let start = try #require(
            (0...(bytes.count - line.count)).first { bytes[$0..<($0 + line.count)].elementsEqual(line) })
        var undetected: [Int] = []
        for position in start..<(start + line.count) {
            var changed = bytes
            changed[position] ^= 0x01
            if let report = try? BundleVerifier.verify(
                changed, trust: BundleDemo.noteKey, reference: BundleDemo.reference, witnesses: witnesses,
                stopAtFirstFailure: true),
                report.isValid
            {
                undetected.append(position - start)
            }
        }
        #expect(undetected.isEmpty, "undetected changes at offsets \(undetected) of the cosignature line")
    }

    @Test("a bundle's bytes are the canonical JSON of its tree, for every demo decision and for awkward lines")
    func bytesAreCanonicalJSON() throws {
        func tree(_ bundle: DecisionBundle) -> [UInt8] { CanonicalJSON.encode(bundle.json) + [0x0A] }
        for (id, _) in BundleDemo.decided {
            let bundle = try BundleDemo.bundle(id)
            #expect(bundle.bytes == tree(bundle), "\(id)")
        }
        let awkward: [[UInt8]] = [
            [], Array(#"{"a":"\"quoted\" and \\ back"}"#.utf8), Array("tab\there, line\nfeed, nul\u{0}, é, 😀".utf8),
            [0x01, 0x1F, 0x7F, 0x22, 0x5C], [0xC3, 0x28, 0xFF, 0x41],  // the last one is not UTF-8
        ]
        let digest = SHA256.hash(Array("x".utf8))
        let bundle = DecisionBundle(
            origin: "exemple.fr/é", applicationID: "A-1", checkpoint: "corps\n\n— signature\n",
            items: awkward.enumerated().map {
                DecisionBundle.Item(
                    index: UInt64($0.offset), hashes: Array(repeating: digest, count: $0.offset), line: $0.element)
            })
        #expect(bundle.bytes == tree(bundle))
        #expect(
            DecisionBundle(origin: "o", applicationID: "a", checkpoint: "c", items: []).bytes
                == tree(DecisionBundle(origin: "o", applicationID: "a", checkpoint: "c", items: [])))
    }

    @Test("a file larger than a bundle can be is refused before parsing, in one French sentence with its size")
    func oversized() {
        let bytes = [UInt8](repeating: 0x20, count: DecisionBundle.maximumBytes + 1) + [0x0A]
        #expect {
            try DecisionBundle(parsing: bytes)
        } throws: { error in
            guard let error = error as? LedgerError else { return false }
            return error.code == .badInput && error.message.contains("8 388 610 octets, plus que les 8 388 608")
        }
    }

    @Test("another key, or the right key under another name, does not verify the bundle")
    func wrongTrustKey() throws {
        let id = try #require(BundleDemo.decided.first?.id)
        let bytes = try BundleDemo.bundle(id).bytes
        let other = try Ed25519PrivateKey.generate()
        let wrong = try NoteVerifier(name: DemoBuilder.origin, publicKey: other.publicKey).verifierKey
        let report = try BundleVerifier.verify(bytes, trust: wrong, reference: try ReferenceData.shared())
        #expect(!report.isValid)
        #expect(report.checks.contains { $0.rule == "TLOG-CHECKPOINT" && $0.result == .failed })
        let renamed = try NoteVerifier(name: "another.example/log", publicKey: BundleDemo.authority.publicKey)
            .verifierKey
        #expect(try !BundleVerifier.verify(bytes, trust: renamed, reference: try ReferenceData.shared()).isValid)
        #expect(throws: LedgerError.self) {
            try BundleVerifier.verify(bytes, trust: "not a key", reference: BundleDemo.reference)
        }
    }

    @Test("a checkpoint that does not cover the application's events is refused at creation")
    func checkpointMustCover() throws {
        let store = BundleDemo.store
        let root = try LedgerTree.withCurrent(store) { (tree) throws(LedgerError) -> Digest in try tree.root(size: 100)
        }
        let signer = try NoteSigner(name: DemoBuilder.origin, privateKey: BundleDemo.authority)
        let old = try SignedCheckpoint(
            Checkpoint(origin: DemoBuilder.origin, size: 100, rootHash: root), signer: signer)
        let id = try #require(BundleDemo.decided.first?.id)
        let error = #expect(throws: LedgerError.self) {
            try DecisionBundle.build(
                store: store, applicationID: id, checkpoint: Array(old.text.utf8), label: "old.txt")
        }
        #expect(error?.message.contains("couvre les entrées 0 à 99") == true, "\(error?.message ?? "")")
        #expect(throws: LedgerError.self) {
            try DecisionBundle.build(
                store: store, applicationID: "no-such-application", checkpoint: BundleDemo.checkpoint,
                label: "checkpoint.txt")
        }
    }
}
