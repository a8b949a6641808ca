#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// SplitMix64 (Steele, Lea & Flood 2014): a small, fast, seedable generator for simulations,
/// benchmarks and synthetic streams — wherever a run must be reproducible from its seed. Not
/// for cryptography.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    public var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1) with 53 random bits.
    public mutating func uniform() -> Double { Double(next() >> 11) * 0x1p-53 }

    /// Standard normal by Box–Muller (one of the pair: simplicity over speed).
    public mutating func normal() -> Double {
        let u = 1 - uniform(), v = uniform()
        return (-2 * log(u)).squareRoot() * cos(2 * Double.pi * v)
    }

    /// An index drawn from cumulative probabilities `cdf` (last entry 1) by inverse CDF.
    public mutating func category(_ cdf: [Double]) -> Int {
        let u = uniform()
        var lo = 0, hi = cdf.count - 1
        while lo < hi {
            let mid = (lo + hi) / 2
            if u < cdf[mid] { hi = mid } else { lo = mid + 1 }
        }
        return lo
    }
}
