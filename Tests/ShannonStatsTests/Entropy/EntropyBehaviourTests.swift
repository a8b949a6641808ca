import Foundation
import Testing
@testable import ShannonStats

@Suite struct EntropyBehaviourTests {
    /// A 64-bit LCG: fixed seeds, no Foundation randomness.
    struct LCG {
        var state: UInt64
        mutating func next() -> UInt64 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return state
        }
        mutating func uniform() -> Double { Double(next() >> 11) / Double(1 << 53) }
    }

    @Test func slidingRunningSumStaysExactAfterTenMillionUpdates() {
        // A window of 1000 over ~3000 symbols with a skewed law: counts move up and down all
        // the time, which is what accumulates rounding in S.
        var w = TokenWindow(size: 1000, kind: .sliding(hop: 1000))
        var rng = LCG(state: 99)
        let pool = (0..<(1 << 16)).map { _ in
            let u = rng.uniform()
            return UInt64(u * u * u * 3000)
        }
        let n = 10_000_000
        var maxRel = 0.0
        for i in 1...n {
            // Pool of 2^16 ids, walked with a stride coprime to its size: 10^7 distinct-order draws.
            w.add(pool[(i &* 40503) & 0xFFFF])
            if i % 2_500_000 == 0 || i == n {
                let exact = w.counter.exactSums().sumCLogC
                maxRel = max(maxRel, abs(w.counter.sumCLogC - exact) / exact)
            }
        }
        #expect(w.counter.total == 1000)
        #expect(maxRel < 1e-9, "relative drift \(maxRel)")
        let e = w.counter.exactSums()
        #expect(e.singletons == w.counter.singletons)
    }

    @Test func seMatchesMonteCarloSpread() {
        // Multinomial draws of N = 400 from a fixed 20-symbol law: the delta-method SE of the
        // plug-in entropy should be near the SD of the estimates over replications.
        let k = 20
        var p = (1...k).map { 1 / pow(Double($0), 0.8) }
        let total = p.reduce(0, +)
        p = p.map { $0 / total }
        var cdf = p
        for i in 1..<k { cdf[i] += cdf[i - 1] }
        var rng = LCG(state: 2024)
        var estimates: [Double] = []
        var ses: [Double] = []
        for _ in 0..<2000 {
            var c = TokenCounter()
            for _ in 0..<400 {
                let u = rng.uniform()
                c.add(UInt64(cdf.firstIndex(where: { u < $0 }) ?? k - 1))
            }
            let r = c.result()
            estimates.append(r.plugIn)
            ses.append(r.se)
        }
        let mean = estimates.reduce(0, +) / Double(estimates.count)
        let sd = (estimates.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(estimates.count - 1)).squareRoot()
        let meanSE = ses.reduce(0, +) / Double(ses.count)
        #expect(abs(meanSE / sd - 1) < 0.12, "mean SE \(meanSE) vs Monte-Carlo SD \(sd)")
    }

    @Test func capFoldsIntoOtherAndNeverGrows() {
        var c = TokenCounter(maxDistinct: 10)
        for id in 0..<10 { let kept = c.add(UInt64(id)); #expect(kept) }
        #expect(!c.capHit)
        for id in 10..<30 { let kept = c.add(UInt64(id)); #expect(!kept) }
        #expect(c.capHit)
        #expect(c.tableDistinct == 10)
        #expect(c.otherCount == 20)
        #expect(c.distinct == 11)
        #expect(c.total == 30)
        let r = c.result()
        #expect(r.capped)
        // other (20) + ten singletons: H = ln 30 − 20 ln 20 / 30.
        #expect(abs(r.plugIn - (log(30.0) - 20 * log(20.0) / 30)) < 1e-12)
        // Removing a folded occurrence frees the other bucket, not a real token.
        c.remove(25, folded: true)
        #expect(c.otherCount == 19 && c.total == 29 && c.tableDistinct == 10)
    }

    @Test func slidingWindowHonoursTheCapAcrossEvictions() {
        var w = TokenWindow(size: 8, kind: .sliding(hop: 1), maxDistinct: 3)
        var rng = LCG(state: 5)
        for _ in 0..<10_000 {
            w.add(rng.next() % 6)
            #expect(w.counter.tableDistinct <= 3)
            #expect(w.counter.total <= 8)
        }
        let exact = w.counter.exactSums()
        #expect(exact.singletons == w.counter.singletons)
    }

    @Test func deletionKeepsEveryTokenReachable() {
        // Random adds and removes against a dictionary model.
        var c = TokenCounter(maxDistinct: 1 << 12)
        var model: [UInt64: Int] = [:]
        var rng = LCG(state: 77)
        for _ in 0..<50_000 {
            let id = rng.next() % 300
            if rng.next() % 3 == 0, let m = model[id], m > 0 {
                c.remove(id, folded: false)
                model[id] = m - 1 == 0 ? nil : m - 1
            } else {
                c.add(id)
                model[id, default: 0] += 1
            }
        }
        for (id, m) in model { #expect(c.count(of: id) == m) }
        #expect(c.tableDistinct == model.count)
        #expect(c.total == model.values.reduce(0, +))
    }

    @Test func surprisalRateIsMeanNegativeLogProbInBits() {
        var s = SurprisalRate()
        let lps = [log(0.5), log(0.25), log(0.125), log(0.5)]
        for lp in lps { let ok = s.add(logProbability: lp); #expect(ok) }
        let nanOK = s.add(logProbability: .nan)
        #expect(!nanOK)
        #expect(s.count == 4)
        #expect(abs(s.bitsPerToken - 7.0 / 4) < 1e-12)
        // SE of the mean of [1, 2, 3, 1] bits: sd/√n.
        let sd = ((0.5625 + 0.0625 + 1.5625 + 0.5625) / 3).squareRoot()
        #expect(abs(s.seBits - sd / 2) < 1e-12)
        var t = SurprisalRate()
        t.add(log2Probability: -3)
        #expect(abs(t.bitsPerToken - 3) < 1e-12)
    }

    @Test func tokenHashIsFNV1a() {
        // Published FNV-1a 64 test vectors.
        #expect(TokenHash.fnv1a64("") == 0xCBF2_9CE4_8422_2325)
        #expect(TokenHash.fnv1a64("a") == 0xAF63_DC4C_8601_EC8C)
        #expect(TokenHash.fnv1a64("foobar") == 0x8594_4171_F739_67E8)
    }

    @Test func normalisedByVocabulary() {
        var c = TokenCounter()
        for id in 0..<4 { c.add(UInt64(id)) }
        #expect(abs(c.result().normalised - 1) < 1e-12)
        #expect(abs(c.result(vocabularySize: 16).normalised - 0.5) < 1e-12)
    }
}
