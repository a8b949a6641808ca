import Benchmark
import ShannonStats

/// `EventBoundaryDetector.update` with default parameters at D = 1 (a scalar metric), 128 and
/// 512 (embedding vectors, as pipelines/video-boundaries.yaml feeds it), and at D = 128 and 512
/// with the cosine error that file uses (sigma floor 0.001).
///
/// The input is piecewise constant with noise, a new level every 500 records, so the detector
/// does its real work: boundaries are found and its error memory fills and resets. 4096 rows are
/// built before measuring and cycled; a thousand updates per measured iteration.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal],
        timeUnits: .nanoseconds,
        scalingFactor: .kilo,
        maxDuration: .seconds(2)
    )
    var cosine = BoundaryParameters.default
    cosine.error = .cosine
    cosine.sigmaFloor = 1e-3
    let cases: [(dimension: Int, parameters: BoundaryParameters, label: String)] = [
        (1, .default, ""), (128, .default, ""), (512, .default, ""),
        (128, cosine, ", cosine"), (512, cosine, ", cosine"),
    ]
    for (dimension, parameters, label) in cases {
        let rows = SegmentedRows(dimension: dimension, rows: 4096, segmentLength: 500, seed: 42)
        Benchmark("boundary update D=\(dimension)\(label)") { benchmark in
            var detector = EventBoundaryDetector(dimension: dimension, parameters: parameters)
            var found = 0
            rows.values.withUnsafeBufferPointer { buffer in
                // Warm up over one pass so the measured updates see a detector in steady state.
                for t in 0..<rows.count where detector.update(rows.row(t, of: buffer)) != nil { found += 1 }
                benchmark.startMeasurement()
                for t in benchmark.scaledIterations where detector.update(rows.row(t % rows.count, of: buffer)) != nil {
                    found += 1
                }
                benchmark.stopMeasurement()
            }
            blackHole(found)
        }
    }
}

/// Rows of `dimension` floats, back to back: a level drawn uniformly in [-5, 5) per dimension,
/// changed every `segmentLength` rows, plus uniform noise in [-0.5, 0.5).
struct SegmentedRows: Sendable {
    let dimension: Int
    let count: Int
    let values: [Float]

    init(dimension: Int, rows: Int, segmentLength: Int, seed: UInt64) {
        var rng = SplitMix64(seed: seed)
        var level = [Float](repeating: 0, count: dimension)
        var values = [Float](repeating: 0, count: rows * dimension)
        for i in 0..<rows {
            if i % segmentLength == 0 {
                for j in 0..<dimension { level[j] = Float(rng.uniform() * 10 - 5) }
            }
            for j in 0..<dimension { values[i * dimension + j] = level[j] + Float(rng.uniform() - 0.5) }
        }
        self.dimension = dimension
        self.count = rows
        self.values = values
    }

    func row(_ t: Int, of buffer: UnsafeBufferPointer<Float>) -> UnsafeBufferPointer<Float> {
        UnsafeBufferPointer(rebasing: buffer[t * dimension ..< (t + 1) * dimension])
    }
}
