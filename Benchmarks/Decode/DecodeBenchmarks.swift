import Benchmark
import ShannonCore

/// `RecordDecoder.decode` on the records the end-to-end benchmark streams (ops/bench/produce.py):
/// the issue's `{"id":…,"score":612.5,"bad":0,"group":"A","ts":…}` under the decode block of
/// ops/bench/psi-pipeline.yaml (key, event time, one number), the same record with all five
/// fields declared, and pipelines/credit-psi.yaml's nested record under that file's decode block.
///
/// A thousand records per measured iteration (`scalingFactor: .kilo`), cycled from 4,096 built
/// before the clock starts with produce.py's shapes (varying ids, scores and timestamps), so the
/// figure is per record. `mallocCountTotal` must read 0: decoding a record must not allocate.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal],
        timeUnits: .nanoseconds,
        scalingFactor: .kilo,
        maxDuration: .seconds(2)
    )

    let score = RecordPool(count: 4096) { i in
        let group = i % 5 < 3 ? "A" : "B"
        return #"{"id":\#(i),"score":\#(Double(1100 + i % 300) / 2),"bad":\#(i % 7 == 0 ? 1 : 0),"group":"\#(group)","ts":\#(1_767_225_600_000 + 5 * i)}"#
    }
    let bands = ["18-24", "25-34", "35-44", "45-54", "55-64", "65+"]
    let segments = ["retail", "sme", "card"]
    let credit = RecordPool(count: 4096) { i in
        let id = String(repeating: "0", count: 6 - String(i).count) + String(i)
        return #"{"applicant_id":"A-\#(id)","ts":\#(1_767_225_600_000 + 50 * i),"score":\#(Double(i % 997) / 997),"#
            + #""default_flag":\#(i % 9 == 0 ? 1 : 0),"applicant":{"age_band":"\#(bands[i % 6])"},"segment":"\#(segments[i % 3])"}"#
    }

    let psiSpec = DecodeSpec(keyPath: "id", eventTimePath: "ts", fields: [
        FieldSpec(name: "score", path: "score", type: .number),
    ])
    let allSpec = DecodeSpec(keyPath: "id", eventTimePath: "ts", fields: [
        FieldSpec(name: "score", path: "score", type: .number),
        FieldSpec(name: "bad", path: "bad", type: .label, badValues: [.number(1)], goodValues: [.number(0)]),
        FieldSpec(name: "group", path: "group", type: .category),
    ])
    let creditSpec = DecodeSpec(keyPath: "applicant_id", eventTimePath: "ts", maxRecordBytes: 65536, fields: [
        FieldSpec(name: "score", path: "score", type: .number),
        FieldSpec(name: "bad", path: "default_flag", type: .label,
                  badValues: [.number(1), .bool(true), .string("bad")], goodValues: [.number(0), .bool(false), .string("good")]),
        FieldSpec(name: "age", path: "applicant.age_band", type: .category),
        FieldSpec(name: "segment", path: "segment", type: .category, optional: true),
    ])

    for (name, spec, pool) in [
        ("decode bench record (psi-pipeline.yaml: id, ts, score)", psiSpec, score),
        ("decode bench record (all 5 fields)", allSpec, score),
        ("decode credit record (credit-psi.yaml: 6 paths, 1 nested)", creditSpec, credit),
    ] {
        Benchmark(name) { benchmark in
            guard let decoder = RecordDecoder(spec: spec) else { fatalError("no decoder") }
            var ok = 0
            benchmark.startMeasurement()
            for i in benchmark.scaledIterations {
                if pool.decode(i, with: decoder) { ok += 1 }
            }
            benchmark.stopMeasurement()
            precondition(ok == benchmark.scaledIterations.count, "every benchmark record decodes")
            blackHole(decoder.number(0))
        }
    }
}

/// Records laid end to end in one buffer, so the loop reads bytes and not Swift arrays of arrays.
final class RecordPool: @unchecked Sendable {
    private let bytes: [UInt8]
    private let offsets: [Int]
    private let mask: Int

    init(count: Int, _ make: (Int) -> String) {
        precondition(count & (count - 1) == 0, "a power of two, so the loop indexes with a mask")
        var bytes: [UInt8] = []
        var offsets = [0]
        for i in 0..<count {
            bytes += Array(make(i).utf8)
            offsets.append(bytes.count)
        }
        self.bytes = bytes
        self.offsets = offsets
        mask = count - 1
    }

    @inline(__always)
    func decode(_ i: Int, with decoder: RecordDecoder) -> Bool {
        let k = i & mask
        return bytes.withUnsafeBytes { all in
            decoder.decode(UnsafeRawBufferPointer(rebasing: all[offsets[k]..<offsets[k + 1]])) == .ok
        }
    }
}
