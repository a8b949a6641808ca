#if canImport(Glibc)
import Glibc
#endif
import ShannonPipeline
import ShannonStats

/// A million credit-score records for `shannon bench pipeline`, in one contiguous buffer.
///
/// Same shape and laws as `DemoStreams.creditScores` (the input of pipelines/credit-psi.yaml):
/// score ~ Beta(2, 5) until `shiftAt`, then Beta(3, 4) (18-24: Beta(4, 3)); the default flag
/// follows the score before the shift; one record in 331 malformed in the demo's five ways.
/// Why not call `DemoStreams.creditScores`: it builds a String and two arrays per record and
/// sorts uniforms for every Beta draw, which takes longer than the benchmark it feeds; here
/// Beta draws are ratios of Gamma(k) = −log(u₁…u_k) and bytes are written directly.
struct CreditBenchRecords {
    /// All values back to back; record `i` is `bytes[start(i)..<ends[i]]`.
    private(set) var bytes: [UInt8] = []
    private(set) var ends: [Int] = []

    var count: Int { ends.count }
    func start(_ i: Int) -> Int { i == 0 ? 0 : ends[i - 1] }

    static let segments = ["retail", "sme", "card"].map { Array($0.utf8) }
    static let bands = ["18-24", "25-34", "35-44", "45-54", "55-64", "65+"].map { Array($0.utf8) }
    static let bandWeights = [0.12, 0.24, 0.22, 0.18, 0.14, 0.10]
    static let t0: Int64 = 1_767_225_600_000

    init(records: Int, shiftAt: Int, seed: UInt64 = 1) {
        var rng = SplitMix64(seed: seed)
        bytes.reserveCapacity(records * 136)
        ends.reserveCapacity(records)
        for i in 0..<records {
            var u = rng.uniform(), b = 0
            while b < Self.bandWeights.count - 1 && u >= Self.bandWeights[b] { u -= Self.bandWeights[b]; b += 1 }
            let shifted = i >= shiftAt
            let score = shifted ? (b == 0 ? Self.beta(4, 3, &rng) : Self.beta(3, 4, &rng)) : Self.beta(2, 5, &rng)
            let bad = rng.uniform() < (shifted ? 0.3 : score) ? 1 : 0
            let kind = i % 331 == 17 ? (i / 331) % 5 : -1
            let begin = bytes.count
            if kind == 4 {
                bytes.append(contentsOf: "not json at all".utf8)
            } else {
                append(#"{"applicant_id":""#)
                Self.writeKey(i, into: &bytes)
                append(#"","ts":"#)
                appendInteger(Self.t0 + Int64(i) * 50)
                append(kind == 1 ? #","scor":"# : #","score":"#)
                if kind == 2 { append(#""n/a","x":"#) }
                appendScore(score)
                append(#","default_flag":"#)
                if kind == 3 { append(#"7,"was":"#) }
                bytes.append(bad == 1 ? UInt8(ascii: "1") : UInt8(ascii: "0"))
                append(#","applicant":{"age_band":""#)
                bytes.append(contentsOf: Self.bands[b])
                append(#""},"segment":""#)
                bytes.append(contentsOf: Self.segments[i % 3])
                append(#""}"#)
                if kind == 0 { bytes.removeLast(min(5, bytes.count - begin)) } // truncated
            }
            ends.append(bytes.count)
        }
    }

    /// The record key, `A-` and the index zero-padded to six digits (the demo's applicant id).
    static func writeKey(_ i: Int, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "A"))
        out.append(UInt8(ascii: "-"))
        var digits = 1, v = i
        while v >= 10 { v /= 10; digits += 1 }
        for _ in digits..<max(6, digits) { out.append(UInt8(ascii: "0")) }
        appendDigits(UInt64(i), into: &out)
    }

    /// Beta(a, b) for whole a, b as Ga / (Ga + Gb), Gamma(k) = −log of a product of k uniforms.
    static func beta(_ a: Int, _ b: Int, _ rng: inout SplitMix64) -> Double {
        func gamma(_ k: Int) -> Double {
            var p = 1.0
            for _ in 0..<k { p *= max(rng.uniform(), 1e-300) }
            return -log(p)
        }
        let x = gamma(a), y = gamma(b)
        return x / (x + y)
    }

    private mutating func append(_ s: StaticString) {
        s.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    private mutating func appendInteger(_ v: Int64) {
        Self.appendDigits(UInt64(v), into: &bytes)
    }

    /// Six decimals, trailing zeros dropped (as `String(Double)` prints the demo's scores).
    private mutating func appendScore(_ score: Double) {
        let micro = min(max(Int(score * 1_000_000), 0), 999_999)
        bytes.append(UInt8(ascii: "0"))
        bytes.append(UInt8(ascii: "."))
        if micro == 0 { bytes.append(UInt8(ascii: "0")); return }
        var digits = [UInt8](repeating: 0, count: 6)
        var v = micro
        for k in (0..<6).reversed() { digits[k] = UInt8(ascii: "0") + UInt8(v % 10); v /= 10 }
        var last = 5
        while digits[last] == UInt8(ascii: "0") { last -= 1 }
        bytes.append(contentsOf: digits[0...last])
    }

    static func appendDigits(_ value: UInt64, into out: inout [UInt8]) {
        var tmp: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                  UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var n = 0
        var v = value
        withUnsafeMutableBytes(of: &tmp) { buf in
            repeat {
                buf[19 - n] = UInt8(ascii: "0") + UInt8(v % 10)
                v /= 10
                n += 1
            } while v > 0
            out.append(contentsOf: buf[(20 - n)...])
        }
    }
}
