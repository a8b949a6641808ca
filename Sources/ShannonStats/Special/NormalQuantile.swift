#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The standard normal quantile Φ⁻¹(p), for the z of confidence intervals.
///
/// Acklam's rational approximation (lower half; the upper half by symmetry) (relative error < 1.2e-9) refined by one Halley step on
/// Φ(x) - p computed through `erfc`, which brings it to ~1e-15 (checked against
/// `scipy.stats.norm.ppf` in the drift fixtures). Halley's step converges cubically, so one step
/// from 1e-9 is below double rounding.
public enum NormalQuantile {
    /// Φ⁻¹(p): -inf at 0, +inf at 1, NaN outside [0, 1].
    public static func of(_ p: Double) -> Double {
        guard p >= 0, p <= 1 else { return .nan }
        if p == 0 { return -.infinity }
        if p == 1 { return .infinity }
        // Work in the lower tail, where Φ(x) - p keeps its relative precision; 1 - p is exact
        // for p ≥ 1/2 (Sterbenz), so the upper tail loses nothing by the reflection.
        if p > 0.5 { return -of(1 - p) }
        var x = acklam(p)
        // Halley refinement: e = Φ(x) - p, u = e / φ(x).
        let e = 0.5 * erfc(-x / 2.0.squareRoot()) - p
        let u = e * (2 * Double.pi).squareRoot() * exp(x * x / 2)
        x -= u / (1 + x * u / 2)
        return x
    }

    private static let a = [-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02,
                            1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00]
    private static let b = [-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
                            6.680131188771972e+01, -1.328068155288572e+01]
    private static let c = [-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
                            -2.549671010652130e+00, 4.374664141464968e+00, 2.938163982698783e+00]
    private static let d = [7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
                            3.754408661907416e+00]

    private static func acklam(_ p: Double) -> Double {
        let low = 0.02425
        if p < low {
            let q = (-2 * log(p)).squareRoot()
            return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5])
                / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
        }
        let q = p - 0.5
        let r = q * q
        return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q
            / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1)
    }
}
