import Foundation
import Testing
@testable import ShannonStats

/// Entropy estimators against numpy/scipy (Fixtures/entropy/generate.py).
@Suite struct EntropyFixtureTests {
    struct Estimates: Decodable {
        var n: Int
        var distinct: Int
        var plug_in: Double
        var miller_madow: Double
        var chao_shen: Double
        var se: Double
        var normalised: Double
    }

    struct CountCase: Decodable {
        var counts: [Int]
        var n: Int
        var distinct: Int
        var plug_in: Double
        var miller_madow: Double
        var chao_shen: Double
        var se: Double
        var normalised: Double
    }

    struct JSCase: Decodable { var name: String; var p: [Int]; var q: [Int]; var js_bits: Double }
    struct SlidingEstimates: Decodable {
        var end: Int
        var n: Int
        var distinct: Int
        var plug_in: Double
        var miller_madow: Double
        var chao_shen: Double
        var se: Double
    }

    struct Tail: Decodable { var t: Double; var df: Double; var sf: Double }

    struct Fixtures: Decodable {
        var counts: [String: CountCase]
        var js: [JSCase]
        var sequence: [UInt64]
        var tumbling: Tumbling
        var sliding: Sliding
        var student_t_sf: [Tail]
        struct Tumbling: Decodable { var window: Int; var results: [Estimates] }
        struct Sliding: Decodable { var window: Int; var hop: Int; var results: [SlidingEstimates] }
    }

    static func load() throws -> Fixtures {
        let url = try #require(Bundle.module.url(forResource: "Fixtures/entropy/entropy_fixtures", withExtension: "json"))
        return try JSONDecoder().decode(Fixtures.self, from: Data(contentsOf: url))
    }

    static func counter(_ counts: [Int]) -> TokenCounter {
        var c = TokenCounter(maxDistinct: 1 << 16)
        // Interleave the additions so the table sees growth and mixed updates.
        var left = counts
        var more = true
        while more {
            more = false
            for (k, r) in left.enumerated() where r > 0 {
                c.add(UInt64(k) &* 0x1_0000_0001 &+ 7)
                left[k] = r - 1
                more = true
            }
        }
        return c
    }

    @Test func countVectorsMatchScipy() throws {
        let f = try Self.load()
        #expect(f.counts.count >= 8)
        for (name, c) in f.counts {
            let r = Self.counter(c.counts).result()
            #expect(r.n == c.n, "\(name)")
            #expect(r.distinct == c.distinct, "\(name)")
            #expect(abs(r.plugIn - c.plug_in) < 1e-9, "\(name) plug-in \(r.plugIn) vs \(c.plug_in)")
            #expect(abs(r.millerMadow - c.miller_madow) < 1e-9, "\(name) MM")
            #expect(abs(r.chaoShen - c.chao_shen) < 1e-9, "\(name) CS \(r.chaoShen) vs \(c.chao_shen)")
            #expect(abs(r.se - c.se) < 1e-9, "\(name) SE \(r.se) vs \(c.se)")
            #expect(abs(r.normalised - c.normalised) < 1e-9, "\(name) normalised")
            #expect(abs(r.plugInBits - c.plug_in / log(2)) < 1e-9, "\(name) bits")
        }
    }

    @Test func jensenShannonMatchesScipy() throws {
        let f = try Self.load()
        for c in f.js {
            let aligned = JensenShannon.divergenceBits(c.p.map(Double.init), c.q.map(Double.init))
            #expect(abs(aligned - c.js_bits) < 1e-9, "\(c.name): \(aligned) vs \(c.js_bits)")
            let fromCounters = JensenShannon.divergenceBits(Self.counter(c.p), Self.counter(c.q))
            #expect(abs(fromCounters - c.js_bits) < 1e-9, "\(c.name) counters: \(fromCounters)")
            let drift = JensenShannonDrift(reference: Self.counter(c.q))
            #expect(abs(drift.divergenceBits(Self.counter(c.p)) - c.js_bits) < 1e-9)
        }
    }

    @Test func tumblingWindowsMatchScipy() throws {
        let f = try Self.load()
        var w = TokenWindow(size: f.tumbling.window, kind: .tumbling)
        var got: [EntropyResult] = []
        for id in f.sequence where w.add(id) { got.append(w.result()) }
        try #require(got.count == f.tumbling.results.count)
        for (r, e) in zip(got, f.tumbling.results) {
            #expect(r.n == e.n && r.distinct == e.distinct)
            #expect(abs(r.plugIn - e.plug_in) < 1e-9)
            #expect(abs(r.millerMadow - e.miller_madow) < 1e-9)
            #expect(abs(r.chaoShen - e.chao_shen) < 1e-9)
            #expect(abs(r.se - e.se) < 1e-9)
        }
    }

    @Test func slidingWindowsMatchScipy() throws {
        let f = try Self.load()
        var w = TokenWindow(size: f.sliding.window, kind: .sliding(hop: f.sliding.hop))
        var got: [(Int, EntropyResult)] = []
        for id in f.sequence where w.add(id) { got.append((w.position, w.result())) }
        try #require(got.count == f.sliding.results.count)
        for ((end, r), e) in zip(got, f.sliding.results) {
            #expect(end == e.end)
            #expect(r.n == e.n && r.distinct == e.distinct)
            #expect(abs(r.plugIn - e.plug_in) < 1e-9)
            #expect(abs(r.millerMadow - e.miller_madow) < 1e-9)
            #expect(abs(r.chaoShen - e.chao_shen) < 1e-9)
            #expect(abs(r.se - e.se) < 1e-9)
        }
    }

    @Test func studentTTailMatchesScipy() throws {
        let f = try Self.load()
        for c in f.student_t_sf {
            let sf = StudentT.survival(c.t, degreesOfFreedom: c.df)
            #expect(abs(sf - c.sf) <= 1e-12 + 1e-9 * c.sf, "t=\(c.t) df=\(c.df): \(sf) vs \(c.sf)")
        }
    }
}
