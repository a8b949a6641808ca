import Foundation
import Testing
@testable import ShannonCore
import ShannonTestSupport
import ShannonStats

private func foundationParse(_ bytes: [UInt8]) throws -> Any {
    try JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed])
}

@Suite struct JSONWriterTests {
    @Test func structureAndKeyOrder() {
        var w = JSONWriter()
        w.beginObject()
        w.field("z", 1)
        w.field("a", "x")
        w.key("list")
        w.beginArray()
        w.number(Int64(1))
        w.beginObject()
        w.endObject()
        w.beginArray()
        w.endArray()
        w.null()
        w.bool(true)
        w.endArray()
        w.field("none", Optional<Double>.none)
        w.endObject()
        #expect(w.string == #"{"z":1,"a":"x","list":[1,{},[],null,true],"none":null}"#)
        w.reset()
        w.number(Int64.min)
        #expect(w.string == "-9223372036854775808")
    }

    @Test func stringEscaping() throws {
        let text = "quote \" backslash \\ slash / nl \n cr \r tab \t bs \u{08} ff \u{0C} ctl \u{01}\u{1F} del \u{7F} é 漢 🙂"
        var w = JSONWriter()
        w.string(text)
        #expect(w.string == #""quote \" backslash \\ slash / nl \n cr \r tab \t bs \b ff \f ctl \u0001\u001f del "# + "\u{7F} é 漢 🙂\"")
        #expect(try foundationParse(w.bytes) as? String == text)
        #expect(try JSONParser.parse(w.bytes) == .string(text))
    }

    @Test func doublesRoundTripExactlyAndNonFiniteIsNull() throws {
        var rng = SplitMix64(seed: 31)
        var samples: [Double] = [0, -0.0, 0.1, 1.0 / 3, .pi, 1e-300, .leastNonzeroMagnitude, .greatestFiniteMagnitude, -2.5e17, 100, 1e16, 123456789.125]
        while samples.count < 2000 {
            let d = Double(bitPattern: rng.next())
            if d.isFinite { samples.append(d) }
        }
        for d in samples {
            var w = JSONWriter()
            w.number(d)
            let text = w.string
            #expect(Double(text)?.bitPattern == d.bitPattern, "\(text)")
            // C's strtod is correctly rounded: the text denotes exactly `d`.
            #expect(strtod(text, nil).bitPattern == d.bitPattern, "\(text)")
            // swift-corelibs-foundation's JSONSerialization is not correctly rounded (off by a few
            // ulp on ~20% of random doubles), so it only checks that the text is valid JSON here.
            let parsed = try #require(try foundationParse(w.bytes) as? NSNumber, "\(text)")
            #expect(abs(parsed.doubleValue - d) <= 1e-14 * abs(d), "\(text) → \(parsed.doubleValue)")
            #expect(try JSONParser.parse(w.bytes).doubleValue?.bitPattern == d.bitPattern)
        }
        var w = JSONWriter()
        w.beginArray()
        w.number(Double.nan)
        w.number(Double.infinity)
        w.number(-Double.infinity)
        w.endArray()
        #expect(w.string == "[null,null,null]")
    }

    @Test func jsonValueRoundTripsThroughWriterAndParser() throws {
        let v: JSONValue = .object([
            JSONMember("bins", .array([.number(0.25), .int(-3), .null, .bool(false)])),
            JSONMember("name", .string("a\"b")),
            JSONMember("nested", .object([JSONMember("deep", .array([.array([])]))])),
            JSONMember("big", .int(Int64.max)),
        ])
        let text = v.jsonText
        #expect(try JSONParser.parse(text) == v)
        let f = try #require(try foundationParse(Array(text.utf8)) as? [String: Any])
        #expect((f["big"] as? NSNumber)?.int64Value == Int64.max)
        #expect((f["name"] as? String) == "a\"b")
    }

    @Test func parserRejectsInvalidJSON() throws {
        for bad in ["", "{", "[1,]", "{\"a\":1,}", "01", "1.", ".5", "-", "1e", "\"abc", "\"a\u{01}\"", "tru", "nul",
                    "{\"a\" 1}", "[1 2]", "\"\\x\"", "\"\\ud800\"", "\"\\udc00x\"", "1 2", "+1", "NaN", "{a:1}"] {
            #expect(throws: JSONParseError.self, "\(bad)") { try JSONParser.parse(bad) }
        }
        #expect(try JSONParser.parse(" [ 1 , 2.5e3 , -0 , \"\\u00e9\\ud83d\\ude42\" ] ")
            == .array([.int(1), .number(2500), .int(0), .string("é🙂")]))
        let deep = String(repeating: "[", count: 300) + String(repeating: "]", count: 300)
        #expect(throws: JSONParseError.self) { try JSONParser.parse(deep) }
    }
}
