#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Weight of Evidence per bin and Information Value of a feature from labelled records
/// (docs/statistics-drift.md): goods and bads counted over the same bins.
///
/// IV = J(good, bad) is the Jeffreys divergence between the goods' and the bads' binned
/// distributions, so its SE and chi-square test are the PSI ones with p = g (n = G goods) and
/// q = b (m = Bd bads), both sampled. WoE_i = ln(g_i / b_i): positive = safer than average.
public struct WoEAccumulator: Sendable, Equatable {
    /// Goods are the first sample, bads the second.
    public private(set) var counts: TwoSampleCounts

    public init(binning: Binning) { counts = TwoSampleCounts(binning: binning) }

    public var binning: Binning { counts.binning }
    public var goods: [Int64] { counts.first }
    public var bads: [Int64] { counts.second }
    /// G and Bd.
    public var goodTotal: Int64 { counts.firstTotal }
    public var badTotal: Int64 { counts.secondTotal }

    /// Counts one labelled record. Returns false (counting nothing) when `x` has no bin.
    @discardableResult
    public mutating func add(_ x: Double, isBad: Bool) -> Bool { counts.add(x, inSecond: isBad) }

    /// Counts one labelled record in bin `i` (when the caller already knows it, e.g. a sliding
    /// window replaying its ring).
    public mutating func add(bin i: Int, isBad: Bool) { counts.add(bin: i, inSecond: isBad) }

    /// Takes a labelled record out (sliding windows). Returns false, changing nothing, when `x`
    /// has no bin or that bin holds no record of that label.
    @discardableResult
    public mutating func remove(_ x: Double, isBad: Bool) -> Bool { counts.remove(x, inSecond: isBad) }

    /// Takes a labelled record out of bin `i`; false, changing nothing, if that bin holds none.
    @discardableResult
    public mutating func remove(bin i: Int, isBad: Bool) -> Bool { counts.remove(bin: i, inSecond: isBad) }

    public mutating func reset() { counts.reset() }

    /// IV with SE, interval and test, and the WoE table with per-bin SE.
    public func result(smoothing: Double = 0.5, confidence: Double = 0.95) -> IVResult {
        let g = goods.map(Double.init)
        let b = bads.map(Double.init)
        let test = JeffreysTest(counts: g, reference: b, smoothing: smoothing, fixedReference: false, confidence: confidence)
        let bigG = test.n, bigB = test.m
        let rows = (0..<binning.binCount).map { i -> WoEBin in
            let gi = test.p[i], bi = test.q[i]
            let woe: Double
            let woeSE: Double
            if gi == 0 && bi == 0 {
                woe = .nan // a = 0 and no record of either label: no evidence either way
                woeSE = .nan
            } else {
                woe = log(gi / bi) // ±inf when one side is empty with a = 0
                woeSE = ((1 - gi) / (bigG * gi) + (1 - bi) / (bigB * bi)).squareRoot()
            }
            return WoEBin(lower: binning.lowerEdge(ofBin: i), upper: binning.upperEdge(ofBin: i),
                          isMissing: i == binning.missingBinIndex, goods: goods[i], bads: bads[i],
                          g: gi, b: bi, woe: woe, woeSE: woeSE, contribution: test.contributions[i])
        }
        return IVResult(test: test, bins: rows)
    }
}

/// One row of the WoE table.
public struct WoEBin: Sendable, Equatable {
    public var lower: Double
    public var upper: Double
    public var isMissing: Bool
    public var goods: Int64
    public var bads: Int64
    /// Smoothed shares g_i of all goods and b_i of all bads.
    public var g: Double
    public var b: Double
    /// ln(g_i / b_i) and its SE √((1-g_i)/(G g_i) + (1-b_i)/(Bd b_i)).
    public var woe: Double
    public var woeSE: Double
    /// (g_i - b_i) · WoE_i, this bin's share of IV.
    public var contribution: Double
}

/// What an IV stage reports.
public struct IVResult: JeffreysFigures, Sendable, Equatable {
    /// The shared computation, P = goods, Q = bads.
    public let test: JeffreysTest
    public let bins: [WoEBin]

    public var iv: Double { test.divergence }
    public var goodTotal: Double { test.n }
    public var badTotal: Double { test.m }
}

extension WoEAccumulator: StateCodable {
    static let tag = StateTag("WOE1")

    public func encode(to w: inout StateWriter) { counts.encodeRecord(Self.tag, to: &w) }

    public init(from r: inout StateReader) throws {
        counts = try TwoSampleCounts(record: Self.tag, from: &r, names: ("WOE1 goods", "WOE1 bads"))
    }
}
