import Testing
import ShannonStats
@testable import ShannonCore

@Suite("Record decoder")
struct RecordDecoderTests {
    static func decoder(_ fields: [FieldSpec], key: String? = nil, time: String? = nil,
                        max: Int = 4096) throws -> RecordDecoder {
        try #require(RecordDecoder(spec: DecodeSpec(keyPath: key, eventTimePath: time, maxRecordBytes: max,
                                                    fields: fields)))
    }

    static let credit: [FieldSpec] = [
        FieldSpec(name: "score", path: "score", type: .number),
        FieldSpec(name: "bad", path: "default_flag", type: .label, badValues: [.number(1), .bool(true), .string("bad")]),
        FieldSpec(name: "age", path: "applicant.age_band", type: .category),
    ]

    @Test func numbersLabelsCategoriesKeyAndTime() throws {
        let d = try Self.decoder(Self.credit, key: "applicant_id", time: "ts")
        let r = d.decode(#"{"applicant_id":"A-1","ts":1764400000123,"score":0.7134,"default_flag":1,"applicant":{"age_band":"35-44"}}"#)
        #expect(r == .ok)
        #expect(d.number(0) == 0.7134)
        #expect(d.isBad(1))
        #expect(d.categoryText(2) == "35-44")
        #expect(d.categoryID(2) == TokenHash.fnv1a64("35-44"))
        #expect(d.keyID == TokenHash.fnv1a64("A-1"))
        #expect(d.eventTimeMs == 1_764_400_000_123)

        #expect(d.decode(#"{"applicant_id":7,"ts":1,"score":-3,"default_flag":"good","applicant":{"age_band":44}}"#) == .ok)
        #expect(d.number(0) == -3)
        #expect(!d.isBad(1), "values outside bad_values are good when good_values is not given")
        #expect(d.categoryText(2) == "44", "integer categories are their decimal text")
        #expect(d.keyBytes.map { Array($0) } == Array("7".utf8))
        #expect(d.decode(#"{"applicant_id":"x","ts":1,"score":1,"default_flag":"bad","applicant":{"age_band":"a"}}"#) == .ok)
        #expect(d.isBad(1))
        #expect(d.okCount == 3)
    }

    /// Published FNV-1a 64 test vectors (Fowler/Noll/Vo reference code), on both the Swift side and
    /// the C side (array tokens are hashed in C).
    @Test func tokenIdsAreFNV1a64() throws {
        #expect(TokenHash.fnv1a64("") == 0xcbf2_9ce4_8422_2325)
        #expect(TokenHash.fnv1a64("a") == 0xaf63_dc4c_8601_ec8c)
        #expect(TokenHash.fnv1a64("foobar") == 0x8594_4171_f739_67e8)
        let d = try Self.decoder([FieldSpec(name: "t", path: "t", type: .tokens)])
        #expect(d.decode(#"{"t":["a","foobar"]}"#) == .ok)
        #expect(Array(d.tokens(0)) == [0xaf63_dc4c_8601_ec8c, 0x8594_4171_f739_67e8])
        #expect(d.badCounts.values.reduce(0, +) == 0)
    }

    @Test func strictDefaultLabelRejectsOtherValues() throws {
        let d = try Self.decoder([FieldSpec(name: "y", path: "y", type: .label, badValues: [.number(1), .bool(true)],
                                            goodValues: [.number(0), .bool(false)])])
        #expect(d.decode(#"{"y":true}"#) == .ok && d.isBad(0))
        #expect(d.decode(#"{"y":0}"#) == .ok && !d.isBad(0))
        #expect(d.decode(#"{"y":2}"#).reason == .badLabel)
        #expect(d.decode(#"{"y":"yes"}"#).reason == .badLabel)
        #expect(d.decode(#"{"y":[1]}"#).reason == .wrongType)
        #expect(d.badCount(.badLabel) == 2)
    }

    @Test func vectorsNeedTheExactDimension() throws {
        let d = try Self.decoder([FieldSpec(name: "v", path: "features", type: .vector, dim: 3)])
        #expect(d.decode(#"{"features":[1, -2.5, 3e2]}"#) == .ok)
        #expect(Array(d.vector(0)) == [1, -2.5, 300])
        #expect(d.decode(#"{"features":[1, 2]}"#).reason == .wrongDimension)
        #expect(d.decode(#"{"features":[1, 2, 3, 4]}"#).reason == .wrongDimension)
        #expect(d.decode(#"{"features":[1, "2", 3]}"#).reason == .wrongType)
        #expect(d.decode(#"{"features":"1,2,3"}"#).reason == .wrongType)
        #expect(d.decode(#"{"features":[1, 1e300, 3]}"#).reason == .notFinite, "beyond Float range")
        #expect(d.decode(#"{"features":null}"#).reason == .missingField)
    }

    @Test func tokenizers() throws {
        let fields = [
            FieldSpec(name: "ws", path: "t", type: .tokens, tokenizer: .whitespace),
            FieldSpec(name: "words", path: "t", type: .tokens, tokenizer: .words),
            FieldSpec(name: "chars", path: "u", type: .tokens, tokenizer: .chars),
        ]
        let d = try Self.decoder(fields)
        #expect(d.decode(#"{"t":"  The cat,\tthe  CAT!\n", "u":"é漢🙂a"}"#) == .ok)
        #expect(Array(d.tokens(0)) == ["The", "cat,", "the", "CAT!"].map(TokenHash.fnv1a64))
        #expect(Array(d.tokens(1)) == ["the", "cat", "the", "cat"].map(TokenHash.fnv1a64))
        #expect(Array(d.tokens(2)) == ["é", "漢", "🙂", "a"].map(TokenHash.fnv1a64))
        #expect(d.decode(#"{"t":"", "u":""}"#) == .ok)
        #expect(d.tokens(0).isEmpty && d.tokens(2).isEmpty)
    }

    @Test func tokenArraysOfStringsAndIntegers() throws {
        let d = try Self.decoder([FieldSpec(name: "t", path: "t", type: .tokens)], max: 1 << 16)
        #expect(d.decode(#"{"t":["ab", 42, "42", -7, "Zürich"]}"#) == .ok)
        #expect(Array(d.tokens(0)) == ["ab", "42", "42", "-7", "Zürich"].map(TokenHash.fnv1a64),
                "C-side ids equal Swift-side ids; 42 and \"42\" are one token")
        // Longer than the initial buffer: grows, then stays.
        let many = "[" + (0..<1000).map { "\"w\($0 % 10)\"" }.joined(separator: ",") + "]"
        #expect(d.decode("{\"t\":\(many)}") == .ok)
        try #require(d.tokens(0).count == 1000)
        #expect(d.tokens(0)[13] == TokenHash.fnv1a64("w3"))
        #expect(d.decode(#"{"t":["a", 1.5]}"#).reason == .wrongType)
        #expect(d.decode(#"{"t":{"a":1}}"#).reason == .wrongType)
    }

    @Test func numberArrays() throws {
        let d = try Self.decoder([FieldSpec(name: "lp", path: "logprobs", type: .numbers, optional: true)])
        #expect(d.decode(#"{"logprobs":[-0.5, -1, -2.25]}"#) == .ok)
        #expect(Array(d.numbers(0)) == [-0.5, -1, -2.25])
        let long = "[" + (0..<500).map { "\(-Double($0) / 8)" }.joined(separator: ",") + "]"
        #expect(d.decode("{\"logprobs\":\(long)}") == .ok)
        try #require(d.numbers(0).count == 500)
        #expect(d.numbers(0)[499] == -499.0 / 8)
        #expect(d.decode(#"{}"#) == .ok)
        #expect(!d.isPresent(0) && d.numbers(0).isEmpty)
    }

    @Test func nestedPathsAndArrayIndices() throws {
        let d = try Self.decoder([
            FieldSpec(name: "deep", path: "a.b.c", type: .number),
            FieldSpec(name: "second", path: "xs.1", type: .number),
            FieldSpec(name: "inner", path: "rows.0.name", type: .category),
            FieldSpec(name: "digitKey", path: "m.0", type: .number),
        ])
        #expect(d.decode(#"{"a":{"b":{"c":5}},"xs":[10,20,30],"rows":[{"name":"r0"}],"m":{"0":9}}"#) == .ok)
        #expect(d.number(0) == 5 && d.number(1) == 20 && d.categoryText(2) == "r0" && d.number(3) == 9)
        let r = d.decode(#"{"a":{"b":{}},"xs":[10,20,30],"rows":[{"name":"r0"}],"m":{"0":9}}"#)
        #expect(r.reason == .missingField)
        if case .bad(_, let detail) = r { #expect(detail.contains("a.b.c")) }
        #expect(d.decode(#"{"a":{"b":{"c":5}},"xs":[10],"rows":[{"name":"r0"}],"m":{"0":9}}"#).reason == .missingField)
    }

    @Test func optionalFieldsMayBeAbsentOrNull() throws {
        let d = try Self.decoder([FieldSpec(name: "x", path: "x", type: .number, optional: true),
                                  FieldSpec(name: "c", path: "c", type: .category, optional: true)])
        #expect(d.decode(#"{"x":null}"#) == .ok)
        #expect(!d.isPresent(0) && d.number(0).isNaN && !d.isPresent(1))
        #expect(d.decode(#"{"x":2,"c":"kept"}"#) == .ok && d.categoryText(1) == "kept")
        #expect(d.decode(#"{"x":3}"#) == .ok)
        #expect(!d.isPresent(1) && d.categoryBytes(1).isEmpty && d.categoryID(1) == 0, "no stale text from the last record")
        #expect(d.decode(#"{"x":"1"}"#).reason == .wrongType)
    }

    @Test func everyBadRecordKind() throws {
        let d = try Self.decoder(Self.credit, max: 200)
        let cases: [(String, DeadLetterReason)] = [
            ("{", .malformedJSON),
            (#"{"score":01}"#, .malformedJSON),
            ("", .malformedJSON),
            ("[1,2]", .notAnObject),
            ("42", .notAnObject),
            (#""str""#, .notAnObject),
            (#"{"default_flag":0,"applicant":{"age_band":"a"}}"#, .missingField),
            (#"{"score":null,"default_flag":0,"applicant":{"age_band":"a"}}"#, .missingField),
            (#"{"score":"0.5","default_flag":0,"applicant":{"age_band":"a"}}"#, .wrongType),
            (#"{"score":true,"default_flag":0,"applicant":{"age_band":"a"}}"#, .wrongType),
            (#"{"score":0.5,"default_flag":0,"applicant":{"age_band":["a"]}}"#, .wrongType),
            (#"{"score":0.5,"default_flag":0,"applicant":"a"}"#, .missingField),
            (#"{"score":1e400,"default_flag":0,"applicant":{"age_band":"a"}}"#, .notFinite),
            (#"{"score":-1e999,"default_flag":0,"applicant":{"age_band":"a"}}"#, .notFinite),
            (#"{"score":123456789012345678901234567890,"default_flag":0,"applicant":{"age_band":"a"}}"#, .notFinite),
            (#"{"score":0.5,"default_flag":{},"applicant":{"age_band":"a"}}"#, .wrongType),
            ("{\"pad\":\"" + String(repeating: "x", count: 300) + "\"}", .oversized),
        ]
        for (record, reason) in cases {
            #expect(d.decode(record).reason == reason, "\(record)")
        }
        #expect(d.badCount(.malformedJSON) == 3)
        #expect(d.badCount(.notFinite) == 3)
        #expect(d.badCount(.oversized) == 1)
        #expect(d.okCount == 0)
        // Still decodes good records afterwards.
        #expect(d.decode(#"{"score":0.25,"default_flag":0,"applicant":{"age_band":"a"}}"#) == .ok)
        #expect(d.number(0) == 0.25)
    }

    @Test func largeAndUnicodeValues() throws {
        let d = try Self.decoder([FieldSpec(name: "n", path: "n", type: .number),
                                  FieldSpec(name: "c", path: "ключ", type: .category)])
        #expect(d.decode(#"{"n":18446744073709551615,"ключ":"Zürich \u00e9 \ud83d\ude42"}"#) == .ok)
        #expect(d.number(0) == 18446744073709551615.0)
        #expect(d.categoryText(1) == "Zürich é 🙂")
        #expect(d.decode(#"{"n":-9223372036854775808,"ключ":"x"}"#) == .ok)
        #expect(d.number(0) == -9223372036854775808.0)
        #expect(d.decode(#"{"n":1.7976931348623157e308,"ключ":"x"}"#) == .ok)
        #expect(d.number(0) == .greatestFiniteMagnitude)
        #expect(d.decode(#"{"n":5e-324,"ключ":"x"}"#) == .ok)
        #expect(d.decode(Array("{\"n\":1,\"ключ\":\"\u{FF}\"}".utf8) + [0xff]).reason == .malformedJSON)
        #expect(d.decode([0xff, 0xfe, 0x00]).reason == .malformedJSON)
    }

    /// Random byte mutations of valid records: the decoder never crashes, and every outcome is ok
    /// or one of the documented reasons (never `late`, which only the runtime assigns).
    @Test func fuzzedRecordsNeverCrash() throws {
        let d = try Self.decoder(Self.credit + [
            FieldSpec(name: "v", path: "v", type: .vector, optional: true, dim: 4),
            FieldSpec(name: "t", path: "t", type: .tokens, optional: true, tokenizer: .words),
            FieldSpec(name: "lp", path: "lp", type: .numbers, optional: true),
        ], key: "id", time: "ts", max: 256)
        let seeds = [
            #"{"id":"A-1","ts":1764400000000,"score":0.71,"default_flag":0,"applicant":{"age_band":"35-44"}}"#,
            #"{"id":9,"ts":1,"score":1e-3,"default_flag":true,"applicant":{"age_band":"x"},"v":[1,2,3,4],"t":"a b C","lp":[-1,-2]}"#,
            #"{"id":"é","ts":2,"score":-0,"default_flag":"bad","applicant":{"age_band":"🙂"},"t":["x",1]}"#,
        ].map { Array($0.utf8) }
        var rng = SplitMix64(seed: 0x5eed)
        var outcomes: [DeadLetterReason?: Int] = [:]
        let interesting: [UInt8] = Array("{}[]\",:0123456789.eE-+ntfu\\ ".utf8) + [0x00, 0x80, 0xc3, 0xff]
        for i in 0..<10_000 {
            var bytes = seeds[i % seeds.count]
            for _ in 0...(rng.next() % 4) {
                let pos = Int(rng.next() % UInt64(bytes.count + 1))
                switch rng.next() % 4 {
                case 0 where pos < bytes.count: bytes[pos] = interesting[Int(rng.next() % UInt64(interesting.count))]
                case 1 where pos < bytes.count: bytes.remove(at: pos)
                case 2: bytes.insert(interesting[Int(rng.next() % UInt64(interesting.count))], at: pos)
                default: bytes = Array(bytes.prefix(pos))
                }
            }
            let result = d.decode(bytes)
            #expect(result.reason != .late)
            outcomes[result.reason, default: 0] += 1
        }
        let total = outcomes.values.reduce(0, +)
        #expect(total == 10_000)
        #expect(d.okCount + DeadLetterReason.allCases.map(d.badCount).reduce(0, +) == 10_000)
        #expect((outcomes[nil] ?? 0) > 100, "some mutations stay valid: \(outcomes)")
        #expect((outcomes[.malformedJSON] ?? 0) > 1000, "\(outcomes)")
    }
}
