import Foundation
@testable import LedgerCore
import Testing

@Suite("RFC 8785 canonical JSON")
struct CanonicalJSONTests {
    static let vectorNames = ["arrays", "french", "structures", "unicode", "values", "weird"]

    static func resource(_ path: String) throws -> Data {
        let url = try #require(Bundle.module.url(forResource: "Resources/jcs/" + path, withExtension: nil))
        return try Data(contentsOf: url)
    }

    @Test("every published JCS vector canonicalizes to its expected bytes", arguments: vectorNames)
    func publishedVectors(name: String) throws {
        let input = try Self.resource("input/\(name).json")
        let expected = try Self.resource("output/\(name).json")
        let value = try JSONParser.parse(Array(input))
        #expect(CanonicalJSON.encode(value) == Array(expected))
    }

    @Test(
        "ECMAScript number formatting",
        arguments: [
            (0.0, "0"), (-0.0, "0"), (1.0, "1"), (-1.5, "-1.5"), (0.1, "0.1"), (1e21, "1e+21"),
            (1e20, "100000000000000000000"),
            (123456789012345680000.0, "123456789012345680000"), (0.000001, "0.000001"), (1e-7, "1e-7"),
            (9.999999999999997e-7, "9.999999999999997e-7"), (4.5, "4.5"), (2e-3, "0.002"), (1e30, "1e+30"),
            (Double.leastNonzeroMagnitude, "5e-324"), (1.7976931348623157e308, "1.7976931348623157e+308"),
            (333333333.33333329, "333333333.3333333"),
            (9007199254740994.0, "9007199254740994"), (1e16, "10000000000000000"),
            (295147905179352830000.0, "295147905179352830000"),
        ])
    func numbers(value: Double, expected: String) {
        #expect(ECMAScriptNumber.format(value) == expected)
    }

    @Test(
        "the parser refuses what I-JSON refuses",
        arguments: [
            #"{"a":1,"a":2}"#, #"["\ud800"]"#, #"["\udc00x"]"#, "[1,]", "{\"a\" 1}", "01", "[1] x", "\"\u{01}\"", "nul",
            "-", "1.", "[1e]",
        ])
    func parserRejects(text: String) {
        #expect(throws: JSONError.self) { try JSONParser.parse(text) }
    }

    @Test("integers stay exact; fractions and exponents become doubles")
    func integersExact() throws {
        #expect(try JSONParser.parse("9007199254740993") == .integer(9_007_199_254_740_993))
        #expect(try JSONParser.parse("-0") == .integer(0))
        #expect(try JSONParser.parse("1.0") == .double(1))
        #expect(try JSONParser.parse("1e2") == .double(100))
        #expect(try JSONParser.parse("99999999999999999999") == .double(1e20))
    }

    @Test("the scanner accepts exactly the canonical encodings (random values)")
    func scannerAgreesWithEncoder() throws {
        var random = SplitMix64(seed: 42)
        for _ in 0..<2000 {
            let value = JSONValue.object(random.object(depth: 0))
            let canonical = CanonicalJSON.encode(value)
            #expect(try scan(canonical), "canonical bytes refused: \(String(decoding: canonical, as: UTF8.self))")
            #expect(try JSONParser.parse(canonical) == value)
            // Any reformatting that changes the bytes while keeping the value must be refused.
            let spaced = Array(
                String(decoding: canonical, as: UTF8.self).replacingOccurrences(of: ":", with: ": ").utf8)
            if spaced != canonical, (try? JSONParser.parse(spaced)) == value {
                #expect(try !scan(spaced))
            }
        }
    }

    @Test(
        "the scanner refuses non-canonical spellings",
        arguments: [
            #"{"b":1,"a":2}"#, #"{"a":1,"a":1}"#, #"{"a":1.0}"#, #"{"a":1e3}"#, #"{"a":-0}"#, #"{"a":01}"#,
            #"{ "a":1}"#,
            #"{"a":"\u0041"}"#, #"{"a":"\/"}"#, #"{"a":"\u000A"}"#, #"{"a":"\u001F"}"#, #"{"a":"\u00e9"}"#,
            #"{"a":9007199254740992}"#,
            #"{"a":true }"#, #"{"a":[1, 2]}"#,
        ])
    func scannerRejects(text: String) throws {
        #expect(try !scan(Array(text.utf8)))
    }

    @Test("the scanner orders names by UTF-16 code units, not by UTF-8 bytes")
    func utf16Order() throws {
        // U+E000 (UTF-16 0xE000) sorts after U+1F602 (UTF-16 0xD83D…), though its UTF-8 sorts before.
        let value: JSONValue = ["\u{E000}": 1, "😂": 2]
        let canonical = CanonicalJSON.encode(value)
        #expect(String(decoding: canonical, as: UTF8.self) == "{\"😂\":2,\"\u{E000}\":1}")
        #expect(try scan(canonical))
        #expect(try !scan(Array("{\"\u{E000}\":1,\"😂\":2}".utf8)))
    }

    func scan(_ bytes: [UInt8]) throws -> Bool {
        bytes.withUnsafeBufferPointer { buffer in
            (try? CanonicalScanner.scanObject(buffer)) != nil
        }
    }
}

/// Random JSON values for the scanner's property test.
extension SplitMix64 {
    static let alphabet: [String] = [
        "a", "b", "Z", "é", "ü", "€", "😂", "\u{E000}", "\n", "\"", "\\", "\u{1}", "\u{7F}", " ", "1", "/",
    ]

    mutating func string() -> String {
        (0..<Int.random(in: 0...6, using: &self)).map { _ in Self.alphabet.randomElement(using: &self)! }.joined()
    }

    mutating func value(depth: Int) -> JSONValue {
        switch Int.random(in: 0..<(depth > 2 ? 4 : 6), using: &self) {
        case 0: return .null
        case 1: return .bool(Bool.random(using: &self))
        case 2:
            return .integer(
                Int64.random(in: -JSONValue.maxSafeInteger...JSONValue.maxSafeInteger, using: &self)
                    >> Int64.random(in: 0...52, using: &self))
        case 3: return .string(string())
        case 4: return .array((0..<Int.random(in: 0...3, using: &self)).map { _ in value(depth: depth + 1) })
        default: return .object(object(depth: depth + 1))
        }
    }

    mutating func object(depth: Int) -> [String: JSONValue] {
        var members: [String: JSONValue] = [:]
        for _ in 0..<Int.random(in: 0...4, using: &self) { members[string()] = value(depth: depth) }
        return members
    }
}
