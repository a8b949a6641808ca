#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The Jeffreys divergence J(P, Q) = Σ (p_i - q_i) ln(p_i / q_i) between two binned samples,
/// with its standard error and chi-square test (docs/statistics-drift.md). PSI, IV and the group
/// divergence are all this one computation with different names for P and Q, so it lives once.
///
/// - Proportions: p_i = (c_i + a) / (n + B a), q_i = (r_i + a) / (m + B a).
/// - SE (delta method, multinomial in both samples; the second term dropped for a fixed Q):
///   Var ≈ (1/n)[Σ p a_i² - (Σ p a_i)²] + (1/m)[Σ q b_i² - (Σ q b_i)²] with
///   a_i = ln(p_i/q_i) + 1 - q_i/p_i, b_i = ln(q_i/p_i) + 1 - p_i/q_i. The delta method
///   degenerates near P = Q, so the reported `se` adds the variance of the null law,
///   2(B-1)/n_eff² (n_eff = n m/(n+m), or n for a fixed Q); `seDelta` is the delta-only figure.
/// - Test: T = J · n_eff ~ χ²(B-1) under P = Q; p-value = Q((B-1)/2, T/2).
///
/// Conventions where the formulas break down (smoothing a = 0, empty samples):
/// - with a = 0, a bin empty in both samples carries no information and is left out (it adds
///   nothing to J, to the gradients, or to B); a bin empty in only one sample makes J = +inf:
///   then `se`, `seDelta`, `ciLow`, `ciHigh` and `statistic` are +inf and the p-value is 0;
/// - n = 0 (or m = 0 for a sampled Q) leaves the proportions undefined: every figure is NaN
///   except `statistic` = 0 and `pValue` = 1 (no evidence of drift).
public struct JeffreysTest: Sendable, Equatable {
    /// J(P, Q) in nats.
    public var divergence: Double
    /// Standard error: delta method plus the null-law variance.
    public var se: Double
    /// Delta-method-only standard error (under-states the spread near P = Q).
    public var seDelta: Double
    /// divergence ∓ z·se, z = Φ⁻¹((1 + confidence)/2). Not clamped at 0.
    public var ciLow: Double
    public var ciHigh: Double
    /// T = J · n m/(n+m) (fixed Q: T = n · J).
    public var statistic: Double
    /// B - 1, B = bins taking part (every bin when a > 0).
    public var degreesOfFreedom: Int
    /// P(χ²(df) > T).
    public var pValue: Double
    public var confidence: Double
    public var smoothing: Double
    public var fixedReference: Bool
    /// Sample sizes n (P side) and m (Q side).
    public var n: Double
    public var m: Double
    /// Smoothed proportions and per-bin contributions (p_i - q_i) ln(p_i/q_i), one per bin.
    public var p: [Double]
    public var q: [Double]
    public var contributions: [Double]

    /// Computes the divergence of `counts` (P, size n) from `reference` (Q, size m).
    /// - Precondition: equal lengths ≥ 1, counts ≥ 0, `smoothing` ≥ 0, 0 < confidence < 1.
    public init(counts: [Double], reference: [Double], smoothing a: Double = 0.5,
                fixedReference: Bool = false, confidence: Double = 0.95) {
        precondition(counts.count == reference.count && !counts.isEmpty, "one count per bin in both samples")
        precondition(a >= 0 && a.isFinite, "smoothing must be finite and ≥ 0")
        precondition(confidence > 0 && confidence < 1, "confidence must lie in (0, 1)")
        let bins = counts.count
        var n = 0.0, m = 0.0
        for i in 0..<bins {
            n += counts[i]
            m += reference[i]
        }
        self.n = n
        self.m = m
        self.confidence = confidence
        self.smoothing = a
        self.fixedReference = fixedReference

        // Bins taking part: all of them when smoothing; with a = 0 those empty in both drop out.
        var used = 0
        for i in 0..<bins where a > 0 || counts[i] > 0 || reference[i] > 0 { used += 1 }
        degreesOfFreedom = max(used - 1, 0)

        let pDen = n + Double(bins) * a
        let qDen = m + Double(bins) * a
        p = (0..<bins).map { counts[$0] + a == 0 ? 0 : (counts[$0] + a) / pDen }
        q = (0..<bins).map { reference[$0] + a == 0 ? 0 : (reference[$0] + a) / qDen }
        contributions = Array(repeating: 0, count: bins)

        guard n > 0, m > 0 else {
            divergence = .nan; se = .nan; seDelta = .nan; ciLow = .nan; ciHigh = .nan
            statistic = 0; pValue = 1
            return
        }

        var j = 0.0
        var infinite = false
        var sumPA = 0.0, sumPA2 = 0.0, sumQB = 0.0, sumQB2 = 0.0
        for i in 0..<bins {
            let pi = p[i], qi = q[i]
            if pi == 0 && qi == 0 { continue }
            if pi == 0 || qi == 0 {
                infinite = true
                contributions[i] = .infinity
                continue
            }
            let l = log(pi / qi)
            let c = (pi - qi) * l
            contributions[i] = c
            j += c
            let ai = l + 1 - qi / pi
            let bi = -l + 1 - pi / qi
            sumPA += pi * ai
            sumPA2 += pi * ai * ai
            sumQB += qi * bi
            sumQB2 += qi * bi * bi
        }
        let nEff = fixedReference ? n : n * m / (n + m)
        if infinite {
            divergence = .infinity; se = .infinity; seDelta = .infinity
            ciLow = .infinity; ciHigh = .infinity; statistic = .infinity; pValue = 0
            return
        }
        var variance = (sumPA2 - sumPA * sumPA) / n
        if !fixedReference { variance += (sumQB2 - sumQB * sumQB) / m }
        variance = max(variance, 0) // rounding can leave -1e-20 at P = Q
        let nullVariance = 2 * Double(degreesOfFreedom) / (nEff * nEff)
        divergence = j
        seDelta = variance.squareRoot()
        se = (variance + nullVariance).squareRoot()
        let z = NormalQuantile.of((1 + confidence) / 2)
        ciLow = j - z * se
        ciHigh = j + z * se
        statistic = j * nEff
        pValue = ChiSquare.survival(statistic, degreesOfFreedom: degreesOfFreedom)
    }
}

/// The uncertainty figures every Jeffreys-divergence result (PSI, IV, group divergence) shares,
/// read from its test; each result names its headline itself (`psi`, `iv`, `divergence`).
public protocol JeffreysFigures {
    var test: JeffreysTest { get }
}

extension JeffreysFigures {
    public var se: Double { test.se }
    public var seDelta: Double { test.seDelta }
    public var ciLow: Double { test.ciLow }
    public var ciHigh: Double { test.ciHigh }
    public var statistic: Double { test.statistic }
    public var df: Int { test.degreesOfFreedom }
    public var pValue: Double { test.pValue }
}
