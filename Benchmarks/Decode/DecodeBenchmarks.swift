import Benchmark
import Foundation
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

    // The decode blocks of the files themselves, so the benchmark follows them.
    let psiSpec = decodeBlock(of: "ops/bench/psi-pipeline.yaml")
    let creditSpec = decodeBlock(of: "pipelines/credit-psi.yaml")
    var allSpec = psiSpec
    var bad = psiSpec.fields[0], group = psiSpec.fields[0]
    (bad.name, bad.path, bad.type, bad.badValues, bad.goodValues) = ("bad", "bad", .label, [.number(1)], [.number(0)])
    (group.name, group.path, group.type) = ("group", "group", .category)
    allSpec.fields += [bad, group]

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

/// The decode block of a pipeline file of this repository (with placeholder environment values
/// and a placeholder reference sample, since the loader checks it: only the decode block is used).
func decodeBlock(of file: String) -> DecodeSpec {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    let reference = FileManager.default.temporaryDirectory.appendingPathComponent("decode-bench-reference.csv")
    let sample = "score\n" + (0..<1000).map { String(500 + $0 % 200) }.joined(separator: "\n") + "\n"
    try? sample.write(to: reference, atomically: true, encoding: .utf8)
    let environment = ["BENCH_TOPIC": "t", "BENCH_GROUP": "g", "KAFKA_BOOTSTRAP": "localhost:9092",
                       "BENCH_REFERENCE": reference.path]
    do {
        return try PipelineLoader.load(path: root.appendingPathComponent(file).path, environment: environment).decode
    } catch {
        fatalError("\(file): \(error)")
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
