import Testing
@testable import ShannonStats

/// Behaviour of the accumulators beyond the numbers: bins, NaN, sliding and tumbling windows.
@Suite struct DriftAccumulatorTests {
    @Test func binsAreHalfOpenAndEndsOpen() throws {
        let b = try Binning(edges: [0, 1, 2])
        #expect(b.binCount == 4)
        #expect(b.index(of: -.infinity) == 0)
        #expect(b.index(of: -0.5) == 0)
        #expect(b.index(of: 0) == 1)          // [0, 1)
        #expect(b.index(of: -0.0) == 1)
        #expect(b.index(of: 0.999) == 1)
        #expect(b.index(of: 1) == 2)
        #expect(b.index(of: 2) == 3)
        #expect(b.index(of: .infinity) == 3)
        #expect(b.index(of: .nan) == nil)    // a bad record without a missing bin
        #expect(b.lowerEdge(ofBin: 0) == -.infinity && b.upperEdge(ofBin: 3) == .infinity)
        let m = try Binning(edges: [0, 1, 2], missingBin: true)
        #expect(m.binCount == 5 && m.index(of: .nan) == 4 && m.missingBinIndex == 4)
    }

    /// The branch-free search against the definition (number of edges ≤ x), on every edge,
    /// its neighbours and random values, for every bin count from 1 to 40.
    @Test func lookupMatchesLinearCount() throws {
        var rng = SplitMix64(seed: 8)
        for count in 0..<40 {
            var edges = (0..<count).map { _ in rng.uniform() * 10 - 5 }.sorted()
            edges = edges.enumerated().filter { $0.offset == 0 || edges[$0.offset - 1] < $0.element }.map(\.element)
            let b = try Binning(edges: edges)
            var probes = edges + edges.map(\.nextUp) + edges.map(\.nextDown) + [-.infinity, .infinity, -0.0, 0]
            probes += (0..<200).map { _ in rng.uniform() * 12 - 6 }
            for x in probes {
                #expect(b.index(of: x) == edges.filter { $0 <= x }.count, "x = \(x), \(edges.count) edges")
            }
        }
    }

    @Test func invalidEdgesAreRejected() {
        #expect(throws: DriftError.self) { try Binning(edges: [0, 0]) }
        #expect(throws: DriftError.self) { try Binning(edges: [1, 0]) }
        #expect(throws: DriftError.self) { try Binning(edges: [0, .nan]) }
        #expect(throws: DriftError.self) { try Binning(edges: [.infinity]) }
        #expect(throws: DriftError.self) { try Binning(quantilesOf: [], bins: 10) }
        #expect(throws: DriftError.self) { try Binning(quantilesOf: [.nan], bins: 10) }
        #expect(throws: DriftError.self) { try Binning(quantilesOf: [1, 2], bins: 0) }
    }

    @Test func quantileEdgesDropTiesAndTheMinimum() throws {
        // 60% of the sample is 0: the deciles 0.1…0.6 are all 0 = the minimum and must go.
        let sample = [Double](repeating: 0, count: 6) + [1, 2, 3, 4]
        let b = try Binning(quantilesOf: sample, bins: 10)
        #expect(b.edges.allSatisfy { $0 > 0 })
        #expect(zip(b.edges, b.edges.dropFirst()).allSatisfy { $0 < $1 })
        var acc = PSIAccumulator(binning: b, referenceSample: sample)
        #expect(acc.referenceCounts.allSatisfy { $0 > 0 }, "no reference bin starts empty")
        // A constant sample leaves a single bin, PSI 0 and no test (df 0, p 1).
        let constant = try Binning(quantilesOf: [5, 5, 5], bins: 10)
        #expect(constant.edges.isEmpty)
        acc = PSIAccumulator(binning: constant, referenceSample: [5, 5, 5])
        acc.add(7)
        let r = acc.result()
        #expect(r.psi == 0 && r.df == 0 && r.pValue == 1)
    }

    @Test func slidingWindowEqualsRecount() throws {
        var rng = SplitMix64(seed: 3)
        let reference = (0..<500).map { _ in rng.uniform() }
        let stream = (0..<3000).map { _ in rng.uniform() * 1.2 }
        let binning = try Binning(quantilesOf: reference, bins: 10)
        var sliding = PSIAccumulator(binning: binning, referenceSample: reference)
        let window = 400
        for (t, x) in stream.enumerated() {
            sliding.add(x)
            if t >= window {
                let removed = sliding.remove(stream[t - window])
                #expect(removed)
            }
        }
        var recount = PSIAccumulator(binning: binning, referenceSample: reference)
        for x in stream.suffix(window) { recount.add(x) }
        #expect(sliding == recount)
        #expect(sliding.currentTotal == Int64(window))
        #expect(sliding.result() == recount.result())
    }

    @Test func removeNeverGoesNegativeAndNaNIsRefused() throws {
        let binning = try Binning(edges: [0])
        var psi = try PSIAccumulator(binning: binning, referenceCounts: [5, 5])
        var ok = psi.remove(1)
        #expect(!ok)
        ok = psi.add(.nan)
        #expect(!ok)
        #expect(psi.currentTotal == 0)
        psi.add(1)
        psi.reset()
        #expect(psi.currentCounts == [0, 0] && psi.currentTotal == 0 && psi.referenceCounts == [5, 5])
        var woe = WoEAccumulator(binning: binning)
        let steps = [woe.remove(1, isBad: true), woe.add(1, isBad: true), woe.remove(1, isBad: false), woe.remove(1, isBad: true)]
        #expect(steps == [false, true, false, true] && woe.badTotal == 0)
        var g = GroupDivergenceAccumulator(binning: binning)
        let groupSteps = [g.add(1, group: 2), g.add(1, group: 1), g.remove(1, group: 0), g.remove(1, group: 1)]
        #expect(groupSteps == [false, true, false, true] && g.total1 == 0)
        #expect(throws: DriftError.self) { try PSIAccumulator(binning: binning, referenceCounts: [1]) }
        #expect(throws: DriftError.self) { try PSIAccumulator(binning: binning, referenceCounts: [1, -1]) }
    }

    @Test func emptyWindowAndInfiniteDivergenceDoNotCrash() throws {
        let binning = try Binning(edges: [0, 1])
        var psi = try PSIAccumulator(binning: binning, referenceCounts: [10, 10, 0])
        let empty = psi.result()
        #expect(empty.psi.isNaN && empty.pValue == 1 && empty.statistic == 0)
        psi.add(-1)
        let inf = psi.result(smoothing: 0)
        #expect(inf.psi == .infinity && inf.se == .infinity && inf.pValue == 0 && inf.statistic == .infinity)
        // Bin 2 is empty in both samples: with a = 0 it drops out of the test.
        psi.add(0.5)
        let finite = psi.result(smoothing: 0)
        #expect(finite.psi.isFinite && finite.df == 1)
        #expect(psi.result(smoothing: 0.5).df == 2)
    }

    @Test func promotingTheWindowMakesItTheReference() throws {
        let binning = try Binning(edges: [0])
        var psi = try PSIAccumulator(binning: binning, referenceCounts: [1, 9])
        for x in [-1.0, -1, 1] { psi.add(x) }
        psi.promoteCurrentToReference()
        #expect(psi.referenceCounts == [2, 1] && psi.currentTotal == 0)
    }

    @Test func widerIntervalAtHigherConfidence() throws {
        let binning = try Binning(edges: [0])
        var psi = try PSIAccumulator(binning: binning, referenceCounts: [50, 50])
        for i in 0..<100 { psi.add(i < 70 ? -1 : 1) }
        let r95 = psi.result(confidence: 0.95), r99 = psi.result(confidence: 0.99)
        #expect(r99.ciLow < r95.ciLow && r99.ciHigh > r95.ciHigh && r99.psi == r95.psi)
        #expect(abs((r95.ciHigh - r95.psi) / r95.se - 1.959963984540054) < 1e-12)
    }
}
