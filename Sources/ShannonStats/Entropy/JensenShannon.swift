#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Jensen–Shannon divergence between two token distributions, in bits (so in [0, 1]).
///
///     JS(P, Q) = KL(P‖M)/2 + KL(Q‖M)/2,   M = (P + Q)/2
///
/// Unlike KL or PSI it is finite when a token appears in only one window, which is the normal
/// case for text. The `other` buckets of the two counters are compared with each other as one
/// token.
public enum JensenShannon {
    /// JS divergence in bits between two aligned probability (or count) vectors; each is
    /// normalised by its own sum. Zero-sum inputs give 0.
    public static func divergenceBits(_ p: [Double], _ q: [Double]) -> Double {
        precondition(p.count == q.count, "vectors must be aligned")
        let sp = p.reduce(0, +), sq = q.reduce(0, +)
        guard sp > 0, sq > 0 else { return 0 }
        var js = 0.0
        for i in p.indices { js += term(p[i] / sp, q[i] / sq) }
        return clamp(js)
    }

    /// JS divergence in bits between the counts of two counters (empty counters give 0).
    public static func divergenceBits(_ p: TokenCounter, _ q: TokenCounter) -> Double {
        guard p.total > 0, q.total > 0 else { return 0 }
        let np = Double(p.total), nq = Double(q.total)
        var js = 0.0
        p.forEachCount { id, c in
            let qc = id.map { q.count(of: $0) } ?? q.otherCount
            js += term(Double(c) / np, Double(qc) / nq)
        }
        q.forEachCount { id, c in
            let inP = id.map { p.count(of: $0) > 0 } ?? (p.otherCount > 0)
            if !inP { js += term(0, Double(c) / nq) }
        }
        return clamp(js)
    }

    /// ½ p log2(p/m) + ½ q log2(q/m) for one token.
    @inline(__always) static func term(_ p: Double, _ q: Double) -> Double {
        let m = 0.5 * (p + q)
        var t = 0.0
        if p > 0 { t += p * log2(p / m) }
        if q > 0 { t += q * log2(q / m) }
        return 0.5 * t
    }

    @inline(__always) static func clamp(_ x: Double) -> Double { Swift.min(1, Swift.max(0, x)) }
}

/// Token drift of current windows against a fixed reference distribution (a learnt baseline).
public struct JensenShannonDrift: Sendable {
    /// The reference counts.
    public private(set) var reference: TokenCounter

    public init(reference: TokenCounter) { self.reference = reference }

    /// JS divergence in bits of `current` against the reference.
    public func divergenceBits(_ current: TokenCounter) -> Double {
        JensenShannon.divergenceBits(current, reference)
    }
}

extension JensenShannonDrift: StateCodable {
    public static let stateTag = StateTag("JSD1")

    public func encode(to w: inout StateWriter) {
        w.beginRecord(Self.stateTag, version: 1)
        reference.encode(to: &w)
        w.endRecord()
    }

    public init(from r: inout StateReader) throws {
        try r.beginRecord(Self.stateTag, supported: 1...1)
        reference = try TokenCounter(from: &r)
        try r.endRecord()
    }
}
