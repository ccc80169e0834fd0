import Foundation
@testable import LedgerCore
import LedgerCrypto
import Testing

@Suite("Entry format version 1")
struct EntryTests {
    @Test("an entry round-trips, and the signature covers the object without sig")
    func roundTrip() throws {
        let key = TestLedgers.key(7)
        let entry = try Entry.make(
            seq: 3, prev: SHA256.hash([1]), time: TestLedgers.start, type: "key.revoked",
            payload: ["key_id": "abc", "reason": "perdue"], signer: key)
        let parsed = try Entry(line: entry.line)
        #expect(parsed.seq == 3)
        #expect(parsed.type == "key.revoked")
        #expect(parsed.actor == key.publicKey.keyID)
        #expect(parsed.payload == ["key_id": "abc", "reason": "perdue"])
        var object = try #require(try JSONParser.parse(entry.line).objectValue)
        object["sig"] = nil
        #expect(parsed.signedBytes == CanonicalJSON.encode(.object(object)))
        #expect(key.publicKey.isValidSignature(parsed.signature, for: parsed.signedBytes))
        #expect(CanonicalJSON.encode(try JSONParser.parse(entry.line)) == entry.line)
        #expect(
            String(decoding: entry.line, as: UTF8.self).hasPrefix("{\"actor\":\"\(key.publicKey.keyID)\",\"payload\":{")
        )
    }

    @Test("the signer read at its place is the parsed entry's; a line that does not begin as an entry has none")
    func actorAtItsPlace() throws {
        for index in 0..<8 {
            let key = TestLedgers.key(UInt8(index + 1))
            let entry = try Entry.make(
                seq: Int64(index), prev: SHA256.hash([UInt8(index)]), time: TestLedgers.start, type: "key.revoked",
                payload: ["key_id": "abc"], signer: key)
            #expect(Entry.actor(ofLine: entry.line) == (try Entry(line: entry.line)).actor)
        }
        let hex = String(repeating: "ab", count: 32)
        for line in [
            "", "{}", "{\"actor\":\"\(hex)", "{\"actor\":\"\(hex.uppercased())\",\"payload\":{}}",
            "{\"actor\":\"\(hex)0\",\"payload\":{}}", "{\"actor\":\"\(hex.dropLast())\",\"payload\":{}}",
            " {\"actor\":\"\(hex)\",\"payload\":{}}", "{\"actor\":\"\(hex.dropLast())g\",\"payload\":{}}",
        ] {
            #expect(Entry.actor(ofLine: Array(line.utf8)) == nil, "\(line)")
        }
        #expect(Entry.actor(ofLine: Array("{\"actor\":\"\(hex)\",".utf8)) == hex)
    }

    @Test("a payload decoder runs on the parsed type and payload; an entry parsed without one has nothing decoded")
    func decodedPayload() throws {
        let entry = try Entry.make(
            seq: 1, prev: SHA256.hash([1]), time: TestLedgers.start, type: "key.revoked",
            payload: ["key_id": "abc"], signer: TestLedgers.key(3))
        var texts = Entry.RepeatedTexts(decoder: { type, payload in "\(type) \(payload["key_id"]?.stringValue ?? "")" })
        #expect(try Entry(line: entry.line, texts: &texts).decoded as? String == "key.revoked abc")
        #expect(try Entry(line: entry.line).decoded == nil)
    }

    @Test("an entry whose payload was decoded still gives its payload tree, parsed again from the line")
    func payloadAfterDecoding() throws {
        let payload: JSONValue = ["key_id": "abc", "reason": "perdue", "n": 3, "nested": ["list": [1, 2]]]
        let entry = try Entry.make(
            seq: 1, prev: SHA256.hash([1]), time: TestLedgers.start, type: "key.revoked", payload: payload,
            signer: TestLedgers.key(3))
        var decoding = Entry.RepeatedTexts(decoder: { type, _ in type })
        var ignoring = Entry.RepeatedTexts(decoder: { _, _ in nil })
        for parsed in [
            try Entry(line: entry.line, texts: &decoding), try Entry(line: entry.line, texts: &ignoring),
            try Entry(line: entry.line),
        ] {
            #expect(parsed.payload == payload)
            #expect(CanonicalJSON.encode(parsed.payload) == Array(parsed.payloadBytes))
        }
    }

    @Test("floats and unsafe integers are refused in payloads")
    func noFloats() {
        let key = TestLedgers.key(7)
        #expect(throws: EntryError.self) {
            try Entry.make(
                seq: 0, prev: .zero, time: TestLedgers.start, type: "a.b", payload: ["amount": .double(1.5)],
                signer: key)
        }
        #expect(throws: EntryError.self) {
            try Entry.make(
                seq: 0, prev: .zero, time: TestLedgers.start, type: "a.b", payload: ["n": .integer(1 << 60)],
                signer: key)
        }
        #expect(throws: EntryError.self) {
            try Entry.make(seq: 0, prev: .zero, time: TestLedgers.start, type: "Bad", payload: [:], signer: key)
        }
    }

    @Test(
        "lines that are not exactly an entry are refused",
        arguments: [
            #"{"actor":"x"}"#,
            #"{"a":1}"#,
            "[]",
            "",
        ])
    func badLines(text: String) {
        #expect(throws: EntryError.self) { try Entry(line: Array(text.utf8)) }
    }

    @Test("member values are checked: time, sig, prev, seq")
    func memberChecks() throws {
        let key = TestLedgers.key(7)
        let entry = try Entry.make(seq: 1, prev: .zero, time: TestLedgers.start, type: "a.b", payload: [:], signer: key)
        let text = String(decoding: entry.line, as: UTF8.self)
        for (from, to) in [
            ("2021-03-01T09:30:00Z", "2021-03-01T09:30:00+00:00"), ("2021-03-01T09:30:00Z", "2021-02-30T09:30:00Z"),
            ("\"seq\":1", "\"seq\":-1"), ("\"v\":1", "\"v\":\"1\""), ("=\"", "\""), ("\"prev\":\"0", "\"prev\":\"A"),
        ] {
            let changed = text.replacingOccurrences(of: from, with: to)
            #expect(throws: EntryError.self, "\(to)") { try Entry(line: Array(changed.utf8)) }
        }
    }

    @Test("timestamps: one spelling, real dates")
    func timestamps() {
        #expect(Timestamp(rfc3339: "2021-03-01T09:30:00Z")?.secondsSinceEpoch == 1_614_591_000)
        #expect(Timestamp(rfc3339: "2024-02-29T00:00:00Z") != nil)
        #expect(Timestamp(rfc3339: "2023-02-29T00:00:00Z") == nil)
        #expect(Timestamp(rfc3339: "2021-03-01t09:30:00Z") == nil)
        #expect(Timestamp(rfc3339: "2021-03-01T09:30:00.5Z") == nil)
        #expect(Timestamp(secondsSinceEpoch: 1_614_591_000).description == "2021-03-01T09:30:00Z")
        #expect(Timestamp(secondsSinceEpoch: 0).description == "1970-01-01T00:00:00Z")
    }

    @Test("base64 is standard, padded and canonical")
    func base64() {
        #expect(Base64.encode(Array("Ma".utf8)) == "TWE=")
        #expect(Base64.decodeCanonical("TWE=") == Array("Ma".utf8))
        #expect(Base64.decodeCanonical("TWF=") == nil)
        #expect(Base64.decodeCanonical("TWE") == nil)
        #expect(Base64.decodeCanonical("TW-=") == nil)
        let random = (0..<100).map { UInt8(truncatingIfNeeded: $0 * 37) }
        #expect(Base64.decodeCanonical(Base64.encode(random)) == random)
        #expect(Base64.encode(random) == Data(random).base64EncodedString())
    }
}

/// An entry must fit a tlog-tiles entry bundle: at most 65 535 bytes (FORMAT §3), on every path.
@Suite("Entry size cap: 65 535 bytes")
struct EntrySizeCapTests {
    static let key = TestLedgers.key(7)

    static func revocation(filler: Int) -> JSONValue {
        ["key_id": "abc", "reason": .string(String(repeating: "a", count: filler))]
    }

    static func make(filler: Int) throws(EntryError) -> Entry {
        try Entry.make(
            seq: 3, prev: .zero, time: TestLedgers.start, type: EventCatalog.keyRevoked,
            payload: revocation(filler: filler), signer: key)
    }

    /// The filler that makes a line exactly the cap.
    static func fillerAtCap() throws -> Int {
        Entry.maxLineBytes - (try make(filler: 0).line.count)
    }

    /// A signed, canonical entry line as `Entry.make` would build it, whatever its length.
    static func signedLine(seq: Int64, prev: Digest, payload: JSONValue, signer: Ed25519PrivateKey) throws -> [UInt8] {
        var object: [String: JSONValue] = [
            "v": 1, "seq": .integer(seq), "prev": .string(prev.hex), "time": .string(TestLedgers.start.description),
            "type": .string(EventCatalog.keyRevoked), "actor": .string(signer.publicKey.keyID), "payload": payload,
        ]
        object["sig"] = .string(Base64.encode(try signer.signature(for: CanonicalJSON.encode(.object(object)))))
        return CanonicalJSON.encode(.object(object))
    }

    @Test("Entry.make builds an entry of exactly 65 535 bytes and refuses one byte more")
    func make() throws {
        let filler = try Self.fillerAtCap()
        let largest = try Self.make(filler: filler)
        #expect(largest.line.count == 65_535)
        #expect(try Entry(line: largest.line).line == largest.line)
        do {
            _ = try Self.make(filler: filler + 1)
            Issue.record("a 65 536-byte entry was built")
        } catch {
            #expect(error.code == .tooLarge)
            #expect(error.message.contains("65536 octets ; une entrée fait au plus 65535 octets"), "\(error.message)")
        }
    }

    @Test("Entry(line:) refuses a signed, canonical line of 65 536 bytes")
    func parse() throws {
        let line = try Self.signedLine(
            seq: 3, prev: .zero, payload: Self.revocation(filler: try Self.fillerAtCap() + 1), signer: Self.key)
        #expect(line.count == 65_536)
        do {
            _ = try Entry(line: line)
            Issue.record("a 65 536-byte line was parsed")
        } catch {
            #expect(error.code == .tooLarge)
        }
        let atCap = try Self.signedLine(
            seq: 3, prev: .zero, payload: Self.revocation(filler: try Self.fillerAtCap()), signer: Self.key)
        #expect(try Entry(line: atCap).line.count == 65_535)
    }

    @Test("verify reports an oversized line as INT-CANONICAL, with the cap in its message")
    func verify() throws {
        let root = TestLedgers.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let ledger = try TestLedgers.make(count: 3, in: root)
        var lines = try TestLedgers.lines(ledger)
        let payload: JSONValue = [
            "key_id": .string(TestLedgers.key(11).publicKey.keyID),
            "reason": .string(String(repeating: "x", count: 70_000)),
        ]
        lines.append(
            try Self.signedLine(seq: 3, prev: SHA256.hash(lines[2]), payload: payload, signer: TestLedgers.key(1)))
        try TestLedgers.write(lines, to: ledger)
        let report = try TestLedgers.verify(ledger)
        #expect(!report.isValid)
        let failure = try #require(report.outcomes.failures.first)
        #expect(failure.rule == "INT-CANONICAL")
        #expect(failure.seq == 3)
        #expect(failure.message.contains("une entrée fait au plus 65535 octets"), "\(failure.message)")
        #expect(report.outcomes.failures.allSatisfy { $0.seq == 3 })
    }

    @Test("an append of an oversized entry is refused and the ledger is left as it was")
    func append() throws {
        let root = TestLedgers.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let ledger = try TestLedgers.make(count: 3, in: root)
        let before = try TestLedgers.lines(ledger)
        do {
            try ledger.append(
                type: EventCatalog.keyRevoked,
                payload: [
                    "key_id": .string(TestLedgers.key(11).publicKey.keyID),
                    "reason": .string(String(repeating: "x", count: 70_000)),
                ], signer: TestLedgers.key(1))
            Issue.record("an oversized entry was appended")
        } catch {
            #expect(error.code == .badInput)
            #expect(error.message.contains("une entrée fait au plus 65535 octets"), "\(error.message)")
        }
        #expect(try TestLedgers.lines(ledger) == before)
        #expect(try TestLedgers.verify(ledger).isValid)
    }
}
