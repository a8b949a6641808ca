import Foundation
import Testing
@testable import ShannonStats

/// The uncertainty figures against simulation: the SD of PSI over repeated draws from fixed
/// populations, and the false-alarm rate of the chi-square test under P = Q.
@Suite struct DriftSimulationTests {
    static let bins = 10
    static let n = 2000
    static let m = 2000

    struct Draws {
        var psi: [Double] = []
        var se: [Double] = []
        var seDelta: [Double] = []
        var pValues: [Double] = []
    }

    /// `reps` windows of n records from `current` against references of m records from
    /// `reference`, through the real accumulator.
    static func simulate(reference: [Double], current: [Double], n: Int, m: Int, reps: Int, seed: UInt64,
                         fixedReference: Bool = false) throws -> Draws {
        var rng = SplitMix64(seed: seed)
        let binning = try Binning(edges: (1..<reference.count).map(Double.init))
        let cdfRef = cumulative(reference), cdfCur = cumulative(current)
        var out = Draws()
        var refCounts = [Double](repeating: 0, count: reference.count)
        for _ in 0..<reps {
            if fixedReference {
                refCounts = reference.map { $0 * Double(m) }
            } else {
                for i in refCounts.indices { refCounts[i] = 0 }
                for _ in 0..<m { refCounts[rng.category(cdfRef)] += 1 }
            }
            var acc = try PSIAccumulator(binning: binning, referenceCounts: refCounts)
            for _ in 0..<n { acc.add(bin: rng.category(cdfCur)) }
            let r = acc.result(fixedReference: fixedReference)
            out.psi.append(r.psi)
            out.se.append(r.se)
            out.seDelta.append(r.seDelta)
            out.pValues.append(r.pValue)
        }
        return out
    }

    static func sd(_ x: [Double]) -> Double {
        let mean = x.reduce(0, +) / Double(x.count)
        return (x.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(x.count - 1)).squareRoot()
    }

    static func mean(_ x: [Double]) -> Double { x.reduce(0, +) / Double(x.count) }

    @Test func seMatchesMonteCarloSDWhenDrifted() throws {
        let p = bellProbabilities(bins: Self.bins, tilt: 0)
        let q = bellProbabilities(bins: Self.bins, tilt: 0.8)
        let population = JeffreysTest(counts: q, reference: p, smoothing: 0).divergence
        #expect(population > 0.15 && population < 0.25, "population PSI \(population) should sit near 0.2")
        let d = try Self.simulate(reference: p, current: q, n: Self.n, m: Self.m, reps: 1500, seed: 11)
        let ratio = Self.mean(d.se) / Self.sd(d.psi)
        #expect(abs(ratio - 1) < 0.10, "mean SE / MC SD = \(ratio)")
    }

    /// At P = Q the null-law term is the whole variance: evaluated at the population
    /// proportions the SE is √(2(B-1))/n_eff, the SD of PSI under the χ² law.
    @Test func seAtPopulationMatchesMonteCarloSDWhenStable() throws {
        let p = bellProbabilities(bins: Self.bins, tilt: 0)
        let d = try Self.simulate(reference: p, current: p, n: Self.n, m: Self.m, reps: 1500, seed: 12)
        let atPopulation = JeffreysTest(counts: p.map { $0 * Double(Self.n) }, reference: p.map { $0 * Double(Self.m) },
                                        smoothing: 0).se
        let ratio = atPopulation / Self.sd(d.psi)
        #expect(abs(ratio - 1) < 0.10, "population SE / MC SD = \(ratio)")
    }

    /// The reported SE is calibrated against the **bootstrap** SD, as statistics.md §1 and the
    /// issue ask: for one observed pair of samples, resample each from its own empirical
    /// distribution and take the SD of PSI. Near P = Q the bootstrap distribution is centred on
    /// the observed PSI > 0 (a non-central χ² with λ ≈ n_eff·PSI), so its spread carries the
    /// delta term evaluated at the sample proportions *plus* the null-law term — exactly the
    /// two terms of the reported SE. (Against the Monte Carlo SD of fresh draws from the
    /// population the reported SE is ≈ √3 too wide at P = Q: the test above checks the
    /// population-evaluated SE for that case instead.)
    @Test(arguments: [0.0, 0.8])
    func reportedSEMatchesBootstrapSD(tilt: Double) throws {
        let p = bellProbabilities(bins: Self.bins, tilt: 0)
        let q = bellProbabilities(bins: Self.bins, tilt: tilt)
        let binning = try Binning(edges: (1..<Self.bins).map(Double.init))
        var rng = SplitMix64(seed: 31 + UInt64(tilt * 10))
        var ratios: [Double] = []
        for _ in 0..<12 {
            // One observed pair of samples.
            let refCounts = draw(cdf: cumulative(p), count: Self.m, rng: &rng)
            let curCounts = draw(cdf: cumulative(q), count: Self.n, rng: &rng)
            var acc = try PSIAccumulator(binning: binning, referenceCounts: refCounts)
            for (bin, c) in curCounts.enumerated() { for _ in 0..<Int(c) { acc.add(bin: bin) } }
            let reported = acc.result().se
            // Bootstrap both samples from their empirical distributions.
            let refCDF = cumulative(refCounts.map { $0 / Double(Self.m) })
            let curCDF = cumulative(curCounts.map { $0 / Double(Self.n) })
            var boot: [Double] = []
            for _ in 0..<300 {
                var b = try PSIAccumulator(binning: binning, referenceCounts: draw(cdf: refCDF, count: Self.m, rng: &rng))
                for _ in 0..<Self.n { b.add(bin: rng.category(curCDF)) }
                boot.append(b.result().psi)
            }
            ratios.append(reported / Self.sd(boot))
        }
        let ratio = Self.mean(ratios)
        #expect(abs(ratio - 1) < 0.10, "tilt \(tilt): mean reported SE / bootstrap SD = \(ratio) (per pair: \(ratios))")
    }

    private func draw(cdf: [Double], count: Int, rng: inout SplitMix64) -> [Double] {
        var counts = [Double](repeating: 0, count: cdf.count)
        for _ in 0..<count { counts[rng.category(cdf)] += 1 }
        return counts
    }

    @Test(arguments: [false, true])
    func falseAlarmRateAtOnePercent(fixedReference: Bool) throws {
        let p = bellProbabilities(bins: Self.bins, tilt: 0)
        let d = try Self.simulate(reference: p, current: p, n: 500, m: 500, reps: 10_000,
                                  seed: fixedReference ? 21 : 22, fixedReference: fixedReference)
        let rate = Double(d.pValues.filter { $0 < 0.01 }.count) / Double(d.pValues.count)
        #expect(rate >= 0.005 && rate <= 0.015, "false-alarm rate \(rate)")
    }
}
