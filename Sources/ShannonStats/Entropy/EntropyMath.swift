#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Small numeric helpers shared by the entropy estimators (libm only, no Foundation).
enum EntropyMath {
    static let ln2 = 0.693_147_180_559_945_3

    @inline(__always) static func ln(_ x: Double) -> Double { log(x) }

    /// c ln c for small counts comes from a table: the running sum S = Σ c ln c then adds and
    /// subtracts *identical* numbers for the same count, so most of its rounding error cancels,
    /// and the sliding update needs no libm call for the common case of small counts.
    static let xLogXTable: [Double] = (0..<4096).map { $0 == 0 ? 0 : Double($0) * log(Double($0)) }

    @inline(__always) static func xLogX(_ c: Int) -> Double {
        if c < 4096 { return xLogXTable[c] }
        let x = Double(c)
        return x * log(x)
    }
}
