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
