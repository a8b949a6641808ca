import Testing
import ShannonStats
@testable import ShannonCore

/// The one-walk decoder (Sources/CSimdJSON/path_plan.hpp) keeps the semantics of looking each
/// path up from the root: these are the cases where a single walk could differ from per-path
/// lookups — field order, absent paths, skipped subtrees, duplicate keys, shared prefixes.
@Suite("Record decoder, one walk")
struct OnePassDecodeTests {
    static func decoder(_ fields: [FieldSpec], key: String? = nil, time: String? = nil) throws -> RecordDecoder {
        try #require(RecordDecoder(spec: DecodeSpec(keyPath: key, eventTimePath: time, maxRecordBytes: 4096,
                                                    fields: fields)))
    }

    static let bench: [FieldSpec] = [
        FieldSpec(name: "score", path: "score", type: .number),
        FieldSpec(name: "bad", path: "bad", type: .label, badValues: [.number(1)], goodValues: [.number(0)]),
        FieldSpec(name: "group", path: "group", type: .category),
    ]

    /// All 120 orders of the bench record's five fields decode to the same values.
    @Test func fieldsInAnyOrder() throws {
        let d = try Self.decoder(Self.bench, key: "id", time: "ts")
        let members = [#""id":17"#, #""score":612.5"#, #""bad":1"#, #""group":"A""#, #""ts":1767225600085"#]
        func permutations(_ xs: [String]) -> [[String]] {
            xs.count <= 1 ? [xs] : xs.indices.flatMap { i in
                permutations(Array(xs[..<i] + xs[(i + 1)...])).map { [xs[i]] + $0 }
            }
        }
        let orders = permutations(members)
        #expect(orders.count == 120)
        for order in orders {
            let record = "{" + order.joined(separator: ",") + "}"
            #expect(d.decode(record) == .ok, "\(record)")
            #expect(d.number(0) == 612.5 && d.isBad(1) && d.categoryText(2) == "A", "\(record)")
            #expect(d.keyBytes.map { Array($0) } == Array("17".utf8) && d.eventTimeMs == 1_767_225_600_085, "\(record)")
        }
        #expect(d.okCount == 120)
    }

    @Test func declaredPathsAbsent() throws {
        let d = try Self.decoder([
            FieldSpec(name: "score", path: "score", type: .number),
            FieldSpec(name: "deep", path: "a.b.c", type: .number, optional: true),
            FieldSpec(name: "third", path: "xs.2", type: .number, optional: true),
        ])
        #expect(d.decode(#"{"score":1}"#) == .ok)
        #expect(!d.isPresent(1) && !d.isPresent(2))
        #expect(d.decode(#"{"score":1,"a":{"b":{"c":7}},"xs":[1,2,3]}"#) == .ok)
        #expect(d.number(1) == 7 && d.number(2) == 3)
        // Each level absent in turn, then the path running into a scalar, an array or a short array.
        for record in [#"{"score":2,"a":{}}"#, #"{"score":2,"a":{"b":{}}}"#, #"{"score":2,"a":5,"xs":"s"}"#,
                       #"{"score":2,"a":{"b":[7]},"xs":[1,2]}"#, #"{"score":2,"a":null,"xs":{"1":3}}"#] {
            #expect(d.decode(record) == .ok, "\(record)")
            #expect(d.number(0) == 2 && !d.isPresent(1) && !d.isPresent(2), "no value left from the last record: \(record)")
        }
        let r = d.decode(#"{"a":{"b":{"c":7}},"xs":[1,2,3]}"#)
        #expect(r.reason == .missingField)
        if case .bad(_, let detail) = r { #expect(detail.contains("`score`")) }
        #expect(d.decode(#"{}"#).reason == .missingField)
    }

    /// Objects and arrays that hold no declared path are passed over, even when their own keys
    /// repeat a declared name: only the root's `score` is the field `score`.
    @Test func nestedValuesWithoutDeclaredPathsAreSkipped() throws {
        let d = try Self.decoder(Self.bench)
        let noise = #"{"score":"no","group":{"score":[1,{"bad":2}]},"x":[[[{"score":null}]]]}"#
        #expect(d.decode(#"{"meta":\#(noise),"score":5,"junk":[\#(noise),\#(noise)],"bad":0,"group":"B"}"#) == .ok)
        #expect(d.number(0) == 5 && !d.isBad(1) && d.categoryText(2) == "B")
        // Skipped does not mean unchecked: the whole record is still validated.
        #expect(d.decode(#"{"score":5,"bad":0,"group":"B","meta":{"x":[1,,2]}}"#).reason == .malformedJSON)
        #expect(d.decode(#"{"score":5,"bad":0,"group":"B","meta":{"x":01}}"#).reason == .malformedJSON)
        #expect(d.decode(#"{"score":5,"bad":0,"group":"B","meta":{"x":1e400}}"#).reason == .notFinite)
    }

    /// As with a lookup from the root, the first of duplicate keys counts, and paths under a
    /// later duplicate are not found.
    @Test func duplicateKeysFirstOneCounts() throws {
        let d = try Self.decoder([
            FieldSpec(name: "score", path: "score", type: .number),
            FieldSpec(name: "x", path: "a.x", type: .number, optional: true),
            FieldSpec(name: "y", path: "a.y", type: .number, optional: true),
        ])
        #expect(d.decode(#"{"score":1,"score":"two","a":{"x":1,"x":2},"a":{"y":3}}"#) == .ok)
        #expect(d.number(0) == 1 && d.number(1) == 1)
        #expect(!d.isPresent(2), "a.y is under the second `a`, which a lookup of `a` never reaches")
        #expect(d.decode(#"{"score":"one","score":1}"#).reason == .wrongType)
    }

    /// Several fields on one path, a path that is a prefix of another, two spellings of one index.
    @Test func sharedPathsAndPrefixes() throws {
        let d = try Self.decoder([
            FieldSpec(name: "xs", path: "xs", type: .numbers),
            FieldSpec(name: "second", path: "xs.1", type: .number),
            FieldSpec(name: "alsoSecond", path: "xs.01", type: .number),
            FieldSpec(name: "again", path: "xs", type: .numbers),
            FieldSpec(name: "rowName", path: "rows.1.name", type: .category),
            FieldSpec(name: "rowId", path: "rows.1.id", type: .number),
        ])
        #expect(d.decode(#"{"rows":[{"name":"r0"},{"id":11,"name":"r1"}],"xs":[10,20,30]}"#) == .ok)
        #expect(Array(d.numbers(0)) == [10, 20, 30] && Array(d.numbers(3)) == [10, 20, 30])
        #expect(d.number(1) == 20 && d.number(2) == 20)
        #expect(d.categoryText(4) == "r1" && d.number(5) == 11)
        #expect(d.decode(#"{"rows":[{"name":"r0"},{"id":11,"name":"r1"}],"xs":{"1":5}}"#).reason == .wrongType,
                "xs is not an array")
        // On an object, digit segments are keys, so "1" and "01" are different fields.
        let keys = try Self.decoder([FieldSpec(name: "one", path: "m.1", type: .number),
                                     FieldSpec(name: "zeroOne", path: "m.01", type: .number)])
        #expect(keys.decode(#"{"m":{"01":6,"1":5}}"#) == .ok)
        #expect(keys.number(0) == 5 && keys.number(1) == 6)
    }

    @Test func escapedKeysAndStrings() throws {
        let d = try Self.decoder([FieldSpec(name: "t", path: "été", type: .category),
                                  FieldSpec(name: "q", path: "a\"b", type: .number)])
        #expect(d.decode(#"{"\u00e9t\u00e9":"caf\u00e9 \ud83d\ude42","a\"b":4}"#) == .ok)
        #expect(d.categoryText(0) == "café 🙂" && d.number(1) == 4)
        #expect(d.categoryID(0) == TokenHash.fnv1a64("café 🙂"))
    }

    /// A record that fails to parse leaves nothing behind for array readers of the next one.
    @Test func nothingSurvivesABadRecord() throws {
        let d = try Self.decoder([FieldSpec(name: "v", path: "v", type: .vector, optional: true, dim: 2),
                                  FieldSpec(name: "n", path: "n", type: .number)])
        #expect(d.decode(#"{"v":[1,2],"n":1}"#) == .ok && Array(d.vector(0)) == [1, 2])
        #expect(d.decode(#"{"v":[1,2],"n":"#).reason == .malformedJSON)
        #expect(d.decode(#"[1]"#).reason == .notAnObject)
        #expect(d.decode(#"{"n":2}"#) == .ok)
        #expect(!d.isPresent(0) && d.vector(0).isEmpty && d.number(1) == 2)
    }
}
