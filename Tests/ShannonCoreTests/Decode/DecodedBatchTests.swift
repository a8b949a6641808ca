import ShannonStats
import Testing
@testable import ShannonCore

@Suite("Decoded batch")
struct DecodedBatchTests {
    @Test func columnsAlignWithGoodRecords() throws {
        let spec = DecodeSpec(keyPath: "id", eventTimePath: "ts", fields: [
            FieldSpec(name: "x", path: "x", type: .number),
            FieldSpec(name: "c", path: "c", type: .category),
            FieldSpec(name: "v", path: "v", type: .vector, dim: 2),
            FieldSpec(name: "t", path: "t", type: .tokens),
            FieldSpec(name: "lp", path: "lp", type: .numbers, optional: true),
        ])
        let d = try #require(RecordDecoder(spec: spec))
        let records = [
            #"{"id":"a","ts":10,"x":1.5,"c":"red","v":[1,2],"t":"p q","lp":[-1]}"#,
            #"{"id":"b","ts":11,"x":"bad","c":"red","v":[1,2],"t":"p"}"#,
            #"{"id":"c","ts":12,"x":-2,"c":"blue","v":[3,4],"t":"r s t"}"#,
        ]
        let all = Array(records.joined().utf8)
        var ranges: [Range<Int>] = []
        for r in records { ranges.append((ranges.last?.upperBound ?? 0)..<((ranges.last?.upperBound ?? 0) + r.utf8.count)) }
        var batch = DecodedBatch(spec: spec)
        for _ in 0..<2 { // twice: the second run reuses the cleared batch
            all.withUnsafeBytes { buffer in
                d.decodeBatch(count: records.count, into: &batch) { i in
                    UnsafeRawBufferPointer(rebasing: buffer[ranges[i]])
                }
            }
            #expect(batch.count == 2)
            #expect(batch.recordIndex == [0, 2])
            #expect(batch.rejects.map(\.index) == [1] && batch.rejects.first?.reason == .wrongType)
            #expect(batch.keyIDs == ["a", "c"].map(TokenHash.fnv1a64))
            #expect(batch.eventTimesMs == [10, 12])
            #expect(batch.columns[0].scalars == [1.5, -2])
            #expect(batch.columns[1].ids == ["red", "blue"].map(TokenHash.fnv1a64))
            #expect(batch.columns[1].categoryText(1) == "blue")
            #expect(Array(batch.columns[2].vector(1)) == [3, 4])
            #expect(batch.columns[3].offsets == [0, 2, 5])
            #expect(Array(batch.columns[3].tokens[batch.columns[3].elements(1)]) == ["r", "s", "t"].map(TokenHash.fnv1a64))
            #expect(batch.columns[4].present == [true, false])
            #expect(batch.columns[4].offsets == [0, 1, 1])
        }
    }
}
