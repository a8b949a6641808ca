import Foundation

/// A small seeded generator for the simulations (SplitMix64, Steele–Lea–Flood 2014): tests must
/// be reproducible, so no system randomness.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1) with 53 random bits.
    mutating func uniform() -> Double { Double(next() >> 11) * 0x1p-53 }

    /// A bin drawn from the cumulative probabilities `cdf` (last entry 1) by inverse CDF.
    mutating func category(_ cdf: [Double]) -> Int {
        let u = uniform()
        var lo = 0, hi = cdf.count - 1
        while lo < hi {
            let mid = (lo + hi) / 2
            if u < cdf[mid] { hi = mid } else { lo = mid + 1 }
        }
        return lo
    }
}

/// Bin probabilities of a discretised bell over `bins` bins, tilted by exp(tilt · position).
func bellProbabilities(bins: Int, tilt: Double) -> [Double] {
    let mid = Double(bins - 1) / 2
    let w = (0..<bins).map { i -> Double in
        let z = (Double(i) - mid) / (Double(bins) / 3)
        return exp(-(z * z) / 2 + tilt * (Double(i) - mid) / mid)
    }
    let s = w.reduce(0, +)
    return w.map { $0 / s }
}

func cumulative(_ p: [Double]) -> [Double] {
    var c = [Double]()
    var s = 0.0
    for v in p {
        s += v
        c.append(s)
    }
    c[c.count - 1] = 1
    return c
}
