/// How values fall into bins, shared by PSI, WoE/IV and group divergence.
///
/// Bin i covers [e(i-1), e(i)) over the interior edges e(0) < … < e(B-2); the first bin is open to
/// -inf and the last to +inf, so every finite or infinite value has a bin. When `hasMissingBin`
/// is set, NaN goes into an extra bin after the value bins; otherwise NaN has no bin and the
/// caller treats the record as bad (`index(of:)` returns nil).
///
/// Lookup is a binary search over the edges: O(log B), no allocation.
public struct Binning: Sendable, Hashable {
    /// Interior edges, finite and strictly increasing; `edges.count + 1` value bins.
    public let edges: [Double]
    /// Whether NaN counts in its own bin (the last one).
    public let hasMissingBin: Bool

    /// Bins built from explicit edges (e.g. written in a pipeline file).
    public init(edges: [Double], missingBin: Bool = false) throws {
        for (i, e) in edges.enumerated() {
            guard e.isFinite else { throw DriftError.invalidEdges("edge \(i) is \(e)") }
            if i > 0, !(edges[i - 1] < e) {
                throw DriftError.invalidEdges("edges must increase strictly (edge \(i - 1) = \(edges[i - 1]), edge \(i) = \(e))")
            }
        }
        self.edges = edges
        self.hasMissingBin = missingBin
    }

    /// Edges at the quantiles i/B (i = 1 … B-1) of a reference sample, computed as numpy's
    /// default `np.quantile` (linear interpolation, Hyndman–Fan type 7), then de-duplicated, and
    /// with every edge at or below the sample's minimum dropped so that no bin starts empty.
    /// Ties can therefore leave fewer than `bins` bins. NaN values are ignored; a non-finite
    /// quantile (the sample holds ±inf) is dropped too, since an edge must be finite.
    public init(quantilesOf sample: [Double], bins: Int, missingBin: Bool = false) throws {
        guard bins >= 1 else { throw DriftError.invalidBinCount(bins) }
        let sorted = sample.filter { !$0.isNaN }.sorted()
        guard let minimum = sorted.first else { throw DriftError.emptyReference }
        var edges: [Double] = []
        edges.reserveCapacity(bins - 1)
        for i in 1..<max(bins, 1) {
            let e = Binning.quantile(sorted: sorted, Double(i) / Double(bins))
            guard e.isFinite, e > minimum else { continue }
            if let last = edges.last, !(last < e) { continue }
            edges.append(e)
        }
        try self.init(edges: edges, missingBin: missingBin)
    }

    /// The `prob` quantile of a sorted, NaN-free, non-empty sample, exactly as numpy's "linear"
    /// method computes it: virtual index h = (n-1)·prob, then a + (b-a)·t for t < 0.5 and
    /// b - (b-a)·(1-t) otherwise (numpy's `_lerp`), so edges agree bit for bit.
    public static func quantile(sorted: [Double], _ prob: Double) -> Double {
        precondition(!sorted.isEmpty, "quantile of an empty sample")
        let h = Double(sorted.count - 1) * prob
        if h >= Double(sorted.count - 1) { return sorted[sorted.count - 1] }
        if h <= 0 { return sorted[0] }
        let lo = h.rounded(.down)
        let i = Int(lo)
        let t = h - lo
        let a = sorted[i], b = sorted[i + 1]
        let diff = b - a
        return t >= 0.5 ? b - diff * (1 - t) : a + diff * t
    }

    /// Number of value bins (excluding the missing bin).
    @inlinable public var valueBinCount: Int { edges.count + 1 }
    /// Number of bins including the missing bin when configured.
    @inlinable public var binCount: Int { edges.count + (hasMissingBin ? 2 : 1) }
    /// Index of the missing bin, if configured.
    @inlinable public var missingBinIndex: Int? { hasMissingBin ? edges.count + 1 : nil }

    /// The bin of `x`, or nil when `x` is NaN and there is no missing bin (a bad record).
    @inlinable
    public func index(of x: Double) -> Int? {
        if x.isNaN { return hasMissingBin ? edges.count + 1 : nil }
        // Number of edges ≤ x (upper bound), i.e. the bin whose [lower, upper) holds x.
        // (A "branch-free" halving was tried: LLVM turns it back into a branch, no gain.)
        return edges.withUnsafeBufferPointer { e in
            var lo = 0
            var hi = e.count
            while lo < hi {
                let mid = (lo &+ hi) >> 1
                if e[mid] <= x { lo = mid &+ 1 } else { hi = mid }
            }
            return lo
        }
    }

    /// Lower edge of bin `i` (-inf for the first value bin; NaN for the missing bin).
    public func lowerEdge(ofBin i: Int) -> Double {
        if i == missingBinIndex { return .nan }
        return i == 0 ? -.infinity : edges[i - 1]
    }

    /// Upper edge of bin `i` (+inf for the last value bin; NaN for the missing bin).
    public func upperEdge(ofBin i: Int) -> Double {
        if i == missingBinIndex { return .nan }
        return i == edges.count ? .infinity : edges[i]
    }
}

extension Binning: StateCodable {
    static let tag = StateTag("BINS")

    public func encode(to w: inout StateWriter) {
        w.beginRecord(Self.tag, version: 1)
        w.write(edges)
        w.write(hasMissingBin)
        w.endRecord()
    }

    public init(from r: inout StateReader) throws {
        try r.beginRecord(Self.tag, supported: 1...1)
        let edges = try r.readDoubles()
        let missing = try r.readBool()
        try r.endRecord()
        do {
            try self.init(edges: edges, missingBin: missing)
        } catch {
            throw StateDecodingError.invalid("BINS: \(error)")
        }
    }
}
