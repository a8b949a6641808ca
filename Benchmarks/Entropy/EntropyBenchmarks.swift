import Benchmark
import ShannonStats

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The token-entropy kernel of the `entropy` stage: a sliding window of W = 4096 tokens with a
/// result due every 1024, over a Zipf(1.1) stream of 50,000 distinct ids (the shape of LLM token
/// streams; pipelines/llm-token-entropy.yaml).
///
/// A million tokens per measured iteration; the ids are 2^20 precomputed draws (FNV-1a hashes of
/// `tok<k>`, as the stage hashes token text), cycled. `add` includes the ring-buffer removal of the
/// token leaving the window; `result()` is the per-hop work (plug-in, Miller–Madow, Chao–Shen, SE).
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal],
        timeUnits: .nanoseconds,
        scalingFactor: .mega,
        maxDuration: .seconds(2)
    )
    let ids = zipfTokenIDs(count: 1 << 20, vocabulary: 50_000, exponent: 1.1, seed: 0x5EED)
    let mask = ids.count - 1

    Benchmark("sliding entropy add (W=4096, hop=1024, V=50,000)") { benchmark in
        var window = TokenWindow(size: 4096, kind: .sliding(hop: 1024))
        // Warm the window so the counter's table has grown to the window's vocabulary.
        for i in 0..<8192 { window.add(ids[i]) }
        var due = 0
        benchmark.startMeasurement()
        for i in benchmark.scaledIterations where window.add(ids[i & mask]) { due += 1 }
        benchmark.stopMeasurement()
        blackHole(due)
    }

    Benchmark("sliding entropy result() (W=4096)", configuration: .init(scalingFactor: .kilo)) { benchmark in
        var window = TokenWindow(size: 4096, kind: .sliding(hop: 1024))
        for i in 0..<8192 { window.add(ids[i]) }
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations { blackHole(window.result().plugInBits) }
    }
}

/// `count` token ids drawn from Zipf(`exponent`) over `vocabulary` ranks by inverse CDF.
func zipfTokenIDs(count: Int, vocabulary: Int, exponent: Double, seed: UInt64) -> [UInt64] {
    var cdf = [Double](repeating: 0, count: vocabulary)
    var total = 0.0
    for k in 0..<vocabulary {
        total += 1 / pow(Double(k + 1), exponent)
        cdf[k] = total
    }
    for k in 0..<vocabulary { cdf[k] /= total }
    cdf[vocabulary - 1] = 1
    let hashes = (0..<vocabulary).map { TokenHash.fnv1a64("tok\($0)") }
    var rng = SplitMix64(seed: seed)
    return (0..<count).map { _ in hashes[rng.category(cdf)] }
}
