#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The entropy estimates of one window of tokens, in nats (bits through the `…Bits` accessors).
///
/// Formulas: docs/statistics-entropy-boundaries.md §1.
public struct EntropyResult: Sendable, Equatable {
    /// N, tokens in the window.
    public var n: Int
    /// K, distinct tokens (the `other` bucket counts as one).
    public var distinct: Int
    /// f1, tokens seen exactly once.
    public var singletons: Int
    /// H = ln N − S/N.
    public var plugIn: Double
    /// H + (K − 1)/(2N).
    public var millerMadow: Double
    /// Coverage-adjusted Horvitz–Thompson estimate (Chao & Shen 2003).
    public var chaoShen: Double
    /// Delta-method standard error of the plug-in estimate, √((Σ p ln²p − H²)/N).
    public var se: Double
    /// H / ln K, or H / ln V when a vocabulary size V was given (0 when the log is 0).
    public var normalised: Double
    /// Some tokens of this window were folded into `other` (the distinct cap was reached).
    public var capped: Bool

    public init(n: Int, distinct: Int, singletons: Int, plugIn: Double, millerMadow: Double,
                chaoShen: Double, se: Double, normalised: Double, capped: Bool) {
        self.n = n; self.distinct = distinct; self.singletons = singletons
        self.plugIn = plugIn; self.millerMadow = millerMadow; self.chaoShen = chaoShen
        self.se = se; self.normalised = normalised; self.capped = capped
    }

    public var plugInBits: Double { plugIn / EntropyMath.ln2 }
    public var millerMadowBits: Double { millerMadow / EntropyMath.ln2 }
    public var chaoShenBits: Double { chaoShen / EntropyMath.ln2 }
    public var seBits: Double { se / EntropyMath.ln2 }

    /// The empty window: every estimate 0.
    public static let empty = EntropyResult(n: 0, distinct: 0, singletons: 0, plugIn: 0, millerMadow: 0,
                                            chaoShen: 0, se: 0, normalised: 0, capped: false)
}

extension TokenCounter {
    /// All estimates for the current counts: plug-in and Miller–Madow in O(1) from the running
    /// S; Chao–Shen and the SE need one pass over the K held counts.
    /// - Parameter vocabularySize: V for the normalised entropy; `nil` normalises by ln K.
    public func result(vocabularySize: Int? = nil) -> EntropyResult {
        let n = total
        guard n > 0 else { return .empty }
        let nd = Double(n)
        let lnN = log(nd)
        let k = distinct
        let h = Swift.max(0, lnN - sumCLogC / nd)
        let mm = h + Double(k - 1) / (2 * nd)
        let f1 = singletons == n ? n - 1 : singletons
        let coverage = 1 - Double(f1) / nd
        var cs = 0.0
        var sumPLn2 = 0.0
        forEachCount { _, c in
            let cd = Double(c)
            let lnp = log(cd) - lnN
            sumPLn2 += cd / nd * lnp * lnp
            let pt = coverage * cd / nd
            if pt > 0 {
                // 1 − (1 − p~)^N without cancellation for small p~.
                let inclusion = -expm1(nd * log1p(-pt))
                cs -= pt * log(pt) / inclusion
            }
        }
        let variance = (sumPLn2 - h * h) / nd
        let normaliser: Double
        if let v = vocabularySize { normaliser = v > 1 ? log(Double(v)) : 0 } else { normaliser = k > 1 ? log(Double(k)) : 0 }
        return EntropyResult(n: n, distinct: k, singletons: singletons, plugIn: h, millerMadow: mm,
                             chaoShen: cs, se: variance > 0 ? variance.squareRoot() : 0,
                             normalised: normaliser > 0 ? h / normaliser : 0, capped: otherCount > 0)
    }
}
