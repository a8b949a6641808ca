/// Validation and codec helpers shared by the drift accumulators' state records.
enum BinCounts {
    /// Throws unless `counts` has `bins` entries, all ≥ 0, and they sum to `total`.
    static func validate(_ counts: [Int64], bins: Int, total: Int64, name: String) throws {
        guard counts.count == bins else {
            throw StateDecodingError.invalid("\(name): \(counts.count) counts for \(bins) bins")
        }
        var sum: Int64 = 0
        for c in counts {
            guard c >= 0 else { throw StateDecodingError.invalid("\(name): negative count \(c)") }
            let (s, overflow) = sum.addingReportingOverflow(c)
            guard !overflow else { throw StateDecodingError.invalid("\(name): counts overflow") }
            sum = s
        }
        guard sum == total else { throw StateDecodingError.invalid("\(name): counts sum to \(sum), total says \(total)") }
    }

    /// Throws unless `counts` has `bins` entries, all finite and ≥ 0.
    static func validate(_ counts: [Double], bins: Int, name: String) throws(DriftError) {
        guard counts.count == bins else { throw DriftError.invalidCounts("\(name): \(counts.count) counts for \(bins) bins") }
        for c in counts where !(c >= 0 && c.isFinite) {
            throw DriftError.invalidCounts("\(name): count \(c) is not finite and ≥ 0")
        }
    }
}

/// One row of a drift result's bin table: where the bin lies and how the two samples fill it.
public struct DriftBin: Sendable, Equatable {
    /// Lower and upper edge ([lower, upper)); ∓inf at the ends, NaN for the missing bin.
    public var lower: Double
    public var upper: Double
    public var isMissing: Bool
    /// Raw counts: P side (current window / goods / group 1) and Q side (reference / bads / group 0).
    public var countP: Double
    public var countQ: Double
    /// Smoothed proportions p_i and q_i.
    public var p: Double
    public var q: Double
    /// (p_i - q_i) ln(p_i / q_i).
    public var contribution: Double

    static func table(_ binning: Binning, _ test: JeffreysTest, countsP: [Double], countsQ: [Double]) -> [DriftBin] {
        (0..<binning.binCount).map { i in
            DriftBin(lower: binning.lowerEdge(ofBin: i), upper: binning.upperEdge(ofBin: i),
                     isMissing: i == binning.missingBinIndex, countP: countsP[i], countQ: countsQ[i],
                     p: test.p[i], q: test.q[i], contribution: test.contributions[i])
        }
    }
}
