#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Natural logarithm of the gamma function, for positive arguments.
///
/// Why our own: the p-values of every drift test go through the regularised incomplete gamma
/// function, whose prefactor needs ln Γ(a); the C library's `lgamma` writes the global `signgam`
/// (a data race when partitions run on several threads). Two regimes:
/// - a ≥ 10: Stirling's series with Bernoulli terms up to 1/a¹⁵ (truncation error < 1e-18);
/// - 0 < a < 10: shift upward by the recurrence Γ(a) = Γ(a + k) / (a (a+1) … (a+k-1)) into the
///   Stirling regime; the product stays far from overflow (k ≤ 10).
/// Checked against `scipy.special.gammaln` in the drift fixtures.
public enum LogGamma {
    /// ln Γ(a) for a > 0; `nan` for a ≤ 0 or NaN, `+inf` for a = +inf.
    public static func of(_ a: Double) -> Double {
        guard a > 0 else { return .nan }
        guard a.isFinite else { return a }
        if a >= 10 { return stirling(a) }
        var z = a
        var product = 1.0
        while z < 10 {
            product *= z
            z += 1
        }
        return stirling(z) - log(product)
    }

    private static let halfLog2Pi = 0.918_938_533_204_672_741_78 // ln(2π)/2

    /// Stirling's asymptotic series: (a - 1/2) ln a - a + ln(2π)/2 + Σ B₂ₖ / (2k(2k-1) a^(2k-1)).
    private static func stirling(_ a: Double) -> Double {
        let r = 1 / a
        let r2 = r * r
        // B2/(1·2), B4/(3·4), B6/(5·6), B8/(7·8), B10/(9·10), B12/(11·12), B14/(13·14), B16/(15·16)
        let series = r * (1.0 / 12 + r2 * (-1.0 / 360 + r2 * (1.0 / 1260 + r2 * (-1.0 / 1680
            + r2 * (1.0 / 1188 + r2 * (-691.0 / 360_360 + r2 * (1.0 / 156 + r2 * (-3617.0 / 122_400))))))))
        return (a - 0.5) * log(a) - a + halfLog2Pi + series
    }
}
