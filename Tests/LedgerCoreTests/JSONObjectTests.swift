@testable import LedgerCore
import LedgerCrypto
import Testing

@Suite("JSON objects: sorted members, one name once")
struct JSONObjectTests {
    @Test("a missing member is nil, not null; a null member is null")
    func missingIsNil() throws {
        let object = try #require(try JSONParser.parse(#"{"a":null,"b":1}"#).objectValue)
        #expect(object["a"] == .some(.null))
        #expect(object["b"] == .some(.integer(1)))
        #expect(object["c"] == nil)
        #expect(object["c"] != .some(.null))
        var copy = object
        #expect(copy.removeValue(forKey: "c") == nil)
        #expect(copy.removeValue(forKey: "a") == .some(.null))
        #expect(copy.count == 1)
    }

    @Test(
        "a repeated name is refused wherever it is, and named with its offset",
        arguments: [
            (#"{"a":1,"a":2}"#, "a", 7), (#"{"b":1,"a":2,"b":3}"#, "b", 13), (#"{"z":{"y":1,"x":2,"y":3}}"#, "y", 18),
            (#"{"é":1,"é":2}"#, "é", 8),
        ])
    func repeatedNames(text: String, name: String, offset: Int) {
        #expect {
            try JSONParser.parse(text)
        } throws: { error in
            guard let error = error as? JSONError else { return false }
            return error.message.contains("« \(name) » en double") && error.details.offset == offset
        }
    }

    @Test("canonically equivalent names are one name, as in a dictionary")
    func equivalentNames() {
        // "é" precomposed, then "e" + combining acute accent.
        #expect(throws: JSONError.self) { try JSONParser.parse("{\"\u{E9}\":1,\"e\u{301}\":2}") }
        var object = JSONObject()
        object["\u{E9}"] = 1
        object["e\u{301}"] = 2
        #expect(object.count == 1)
        #expect(object["\u{E9}"] == .some(.integer(2)))
    }

    @Test("the same members in any order make equal objects with equal hashes, and the same canonical bytes")
    func orderIndependence() throws {
        let a = try JSONParser.parse(#"{"b":1,"a":[true,{"d":2,"c":3}],"€":4,"😀":5,"ﬀ":6}"#)
        let b = try JSONParser.parse(#"{"ﬀ":6,"😀":5,"€":4,"a":[true,{"c":3,"d":2}],"b":1}"#)
        #expect(a == b)
        #expect(a.hashValue == b.hashValue)
        // RFC 8785 orders names by UTF-16 code units: U+1F600 (a surrogate pair, 0xD83D…) before U+FB00.
        #expect(
            String(decoding: CanonicalJSON.encode(a), as: UTF8.self)
                == #"{"a":[true,{"c":3,"d":2}],"b":1,"€":4,"😀":5,"ﬀ":6}"#)
    }

    @Test("an object behaves as a dictionary of its members (random edits)")
    func agreesWithDictionary() {
        var random = SplitMix64(seed: 7)
        let names = ["a", "b", "c", "aa", "ab", "ba", "é", "z", "application_id", "call_id", "😀", ""]
        for _ in 0..<200 {
            var object = JSONObject()
            var dictionary: [String: JSONValue] = [:]
            for step in 0..<Int(random.next() % 40) {
                let name = names[Int(random.next() % UInt64(names.count))]
                switch random.next() % 3 {
                case 0:
                    #expect(object.removeValue(forKey: name) == dictionary.removeValue(forKey: name))
                case 1:
                    #expect(
                        object.updateValue(.integer(Int64(step)), forKey: name)
                            == dictionary.updateValue(.integer(Int64(step)), forKey: name))
                default:
                    object[name] = .string(name)
                    dictionary[name] = .string(name)
                }
                #expect(object[name] == dictionary[name])
            }
            #expect(object == JSONObject(dictionary))
            #expect(object.dictionary == dictionary)
            #expect(object.keys == dictionary.keys.sorted())
            #expect(Array(object.keys) == object.map(\.key))
        }
    }
}

@Suite("UTF-8 validation")
struct UTF8TextTests {
    @Test("accepts and refuses exactly what the standard library's validation does (random and edge bytes)")
    func agreesWithStandardLibrary() {
        var random = SplitMix64(seed: 11)
        let edges: [[UInt8]] = [
            [], [0x41], [0xC2, 0x80], [0xC1, 0xBF], [0xE0, 0x9F, 0x80], [0xE0, 0xA0, 0x80], [0xED, 0xA0, 0x80],
            [0xED, 0x9F, 0xBF], [0xF0, 0x8F, 0xBF, 0xBF], [0xF0, 0x90, 0x80, 0x80], [0xF4, 0x8F, 0xBF, 0xBF],
            [0xF4, 0x90, 0x80, 0x80], [0xF5, 0x80, 0x80, 0x80], [0xFF], [0x80], [0xE2, 0x82], [0xF0, 0x90, 0x80, 0x41],
            Array("Conseil départemental — 😀".utf8),
        ]
        var samples = edges
        for _ in 0..<20_000 {
            let length = Int(random.next() % 8)
            // Bytes around the boundaries of the UTF-8 lead and continuation ranges.
            samples.append(
                (0..<length).map { _ in
                    let pool: [UInt8] = [
                        0x00, 0x41, 0x7F, 0x80, 0x9F, 0xA0, 0xBF, 0xC0, 0xC2, 0xDF, 0xE0, 0xED, 0xEF, 0xF0, 0xF4, 0xF5,
                        0xFF,
                    ]
                    return pool[Int(random.next() % UInt64(pool.count))]
                })
        }
        for bytes in samples {
            let expected = String(validating: bytes, as: UTF8.self)
            #expect(UTF8Text.string(validating: bytes) == expected, "\(bytes)")
        }
    }
}
