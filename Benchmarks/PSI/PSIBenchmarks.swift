import Benchmark
import ShannonStats

/// The drift kernels a PSI, IV or group-divergence stage calls per record (`add`, `remove`) and
/// per window (`result()`), on 10 decile bins of a standard normal reference.
///
/// Per-record kernels run a million updates per measured iteration (`scalingFactor: .mega`), so
/// the clock's overhead vanishes and the reported time per op is the kernel's; `result()` runs a
/// thousand per iteration. The data are 2^20 precomputed normal draws (seed 42), cycled, so the
/// loop measures the accumulator and not the generator. `mallocCountTotal` should read 0 for the
/// per-record kernels: they must not allocate.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal],
        timeUnits: .nanoseconds,
        scalingFactor: .mega,
        maxDuration: .seconds(2)
    )
    let fixture = DriftFixture()
    let pool = fixture.pool, mask = fixture.pool.count - 1

    // Shifted by 0.1 so the window differs from the reference, as on a drifting feature.
    Benchmark("PSI add") { benchmark in
        var psi = fixture.psi
        for i in benchmark.scaledIterations { psi.add(pool[i & mask] + 0.1) }
        blackHole(psi.currentTotal)
    }

    // A sliding window of 65,536 records: each update adds one record and removes the oldest.
    Benchmark("PSI add+remove (sliding, 65,536)") { benchmark in
        var psi = fixture.psi
        let span = 65_536
        for i in 0..<span { psi.add(pool[i]) }
        benchmark.startMeasurement()
        for i in benchmark.scaledIterations {
            psi.add(pool[(i + span) & mask])
            psi.remove(pool[i & mask])
        }
        benchmark.stopMeasurement()
        blackHole(psi.currentTotal)
    }

    Benchmark("PSI result() (10 bins)", configuration: .init(scalingFactor: .kilo)) { benchmark in
        let psi = fixture.filledPSI
        for _ in benchmark.scaledIterations { blackHole(psi.result().psi) }
    }

    // One record in eight is bad, about a credit book's default rate.
    Benchmark("IV add") { benchmark in
        var woe = WoEAccumulator(binning: fixture.binning)
        for i in benchmark.scaledIterations { woe.add(pool[i & mask], isBad: i & 7 == 0) }
        blackHole(woe.badTotal)
    }

    Benchmark("IV result() (10 bins)", configuration: .init(scalingFactor: .kilo)) { benchmark in
        let woe = fixture.filledWoE
        for _ in benchmark.scaledIterations { blackHole(woe.result().iv) }
    }

    // Two groups of an attribute, records alternating between them.
    Benchmark("group divergence add") { benchmark in
        var groups = GroupDivergenceAccumulator(binning: fixture.binning)
        for i in benchmark.scaledIterations { groups.add(pool[i & mask], group: i & 1) }
        blackHole(groups.total0 + groups.total1)
    }

    Benchmark("group divergence result() (10 bins)", configuration: .init(scalingFactor: .kilo)) { benchmark in
        let groups = fixture.filledGroups
        for _ in benchmark.scaledIterations { blackHole(groups.result().divergence) }
    }
}

/// The inputs every drift benchmark shares, built once before any is measured.
struct DriftFixture: Sendable {
    /// 2^20 standard normal draws: a power of two so the loops index with a mask.
    let pool: [Double]
    /// Deciles of the first 100,000 draws.
    let binning: Binning
    /// Reference = those 100,000 draws; empty current window.
    let psi: PSIAccumulator
    /// Accumulators holding a 10,000-record window, what a stage holds when its window closes.
    let filledPSI: PSIAccumulator
    let filledWoE: WoEAccumulator
    let filledGroups: GroupDivergenceAccumulator

    init() {
        var rng = SplitMix64(seed: 42)
        pool = (0..<(1 << 20)).map { _ in rng.normal() }
        let reference = Array(pool.prefix(100_000))
        // Deciles of a normal sample always exist: 9 distinct edges.
        binning = try! Binning(quantilesOf: reference, bins: 10)
        psi = PSIAccumulator(binning: binning, referenceSample: reference)
        var p = psi
        var w = WoEAccumulator(binning: binning)
        var g = GroupDivergenceAccumulator(binning: binning)
        for i in 0..<10_000 {
            let x = pool[100_000 + i]
            p.add(x + 0.1)
            w.add(x, isBad: i & 7 == 0)
            g.add(x + (i & 1 == 0 ? 0 : 0.1), group: i & 1)
        }
        filledPSI = p
        filledWoE = w
        filledGroups = g
    }
}
