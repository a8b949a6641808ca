/// Online Population Stability Index of one feature or score: a reference histogram and the
/// counts of the current window over the same bins (docs/statistics-drift.md).
///
/// `add`/`remove` cost one binary search and one increment — no allocation — so a sliding
/// window calls `remove` for the record leaving it and a tumbling window calls `reset()` when
/// it closes. `result` does the O(B) work (and allocates the bin table) once per window.
public struct PSIAccumulator: Sendable, Equatable {
    public let binning: Binning
    /// Reference counts r_i (may be fractional, e.g. read from a reference histogram).
    public private(set) var referenceCounts: [Double]
    /// Current window counts c_i.
    public private(set) var currentCounts: [Int64]
    /// n = Σ c_i.
    public private(set) var currentTotal: Int64

    /// A reference histogram: one count per bin of `binning` (missing bin included), each ≥ 0.
    public init(binning: Binning, referenceCounts: [Double]) throws {
        try BinCounts.validate(referenceCounts, bins: binning.binCount, name: "reference")
        self.binning = binning
        self.referenceCounts = referenceCounts
        self.currentCounts = Array(repeating: 0, count: binning.binCount)
        self.currentTotal = 0
    }

    /// A reference sample counted into `binning`. Values without a bin (NaN with no missing bin)
    /// are skipped.
    public init(binning: Binning, referenceSample: some Sequence<Double>) {
        var counts = Array(repeating: 0.0, count: binning.binCount)
        for x in referenceSample {
            if let i = binning.index(of: x) { counts[i] += 1 }
        }
        self.binning = binning
        self.referenceCounts = counts
        self.currentCounts = Array(repeating: 0, count: binning.binCount)
        self.currentTotal = 0
    }

    /// m = Σ r_i.
    public var referenceTotal: Double { referenceCounts.reduce(0, +) }

    /// Counts `x` in the current window. Returns false (and counts nothing) when `x` has no bin:
    /// NaN without a missing bin, i.e. a bad record.
    @discardableResult
    public mutating func add(_ x: Double) -> Bool {
        guard let i = binning.index(of: x) else { return false }
        add(bin: i)
        return true
    }

    /// Counts one record in bin `i` (when the caller already knows it).
    public mutating func add(bin i: Int) {
        currentCounts[i] += 1
        currentTotal += 1
    }

    /// Takes `x` out of the current window (sliding windows). Returns false when `x` has no bin or
    /// its bin is already empty (a caller removing what it never added), changing nothing.
    @discardableResult
    public mutating func remove(_ x: Double) -> Bool {
        guard let i = binning.index(of: x) else { return false }
        return remove(bin: i)
    }

    @discardableResult
    public mutating func remove(bin i: Int) -> Bool {
        guard currentCounts[i] > 0 else { return false }
        currentCounts[i] -= 1
        currentTotal -= 1
        return true
    }

    /// Empties the current window (tumbling windows); the reference stays.
    public mutating func reset() {
        for i in currentCounts.indices { currentCounts[i] = 0 }
        currentTotal = 0
    }

    /// Makes the current window the new reference and empties the window (a rolling reference).
    public mutating func promoteCurrentToReference() {
        for i in currentCounts.indices { referenceCounts[i] = Double(currentCounts[i]) }
        reset()
    }

    /// PSI of the current window against the reference, with SE, interval, test and bin table.
    /// - Parameters:
    ///   - smoothing: additive smoothing a ≥ 0 (0 allowed: an empty bin then makes PSI +inf).
    ///   - fixedReference: the reference is a known distribution, not a sample: its sampling
    ///     variance is dropped and T = n · PSI.
    ///   - confidence: level of the interval PSI ± z·SE.
    public func result(smoothing: Double = 0.5, fixedReference: Bool = false, confidence: Double = 0.95) -> PSIResult {
        let current = currentCounts.map(Double.init)
        let test = JeffreysTest(counts: current, reference: referenceCounts, smoothing: smoothing,
                                fixedReference: fixedReference, confidence: confidence)
        return PSIResult(test: test, bins: DriftBin.table(binning, test, countsP: current, countsQ: referenceCounts))
    }
}

/// What a PSI stage reports for one window. In the bin table `countP`/`p` are the current
/// window and `countQ`/`q` the reference.
public struct PSIResult: JeffreysFigures, Sendable, Equatable {
    /// The shared computation (all figures below come from it).
    public let test: JeffreysTest
    public let bins: [DriftBin]

    public var psi: Double { test.divergence }
    /// n (current) and m (reference).
    public var currentTotal: Double { test.n }
    public var referenceTotal: Double { test.m }
}

extension PSIAccumulator: StateCodable {
    static let tag = StateTag("PSI1")

    public func encode(to w: inout StateWriter) {
        w.beginRecord(Self.tag, version: 1)
        binning.encode(to: &w)
        w.write(referenceCounts)
        w.writeBinCounts(currentCounts, total: currentTotal)
        w.endRecord()
    }

    public init(from r: inout StateReader) throws {
        try r.beginRecord(Self.tag, supported: 1...1)
        let binning = try Binning(from: &r)
        let reference = try r.readDoubles()
        let (current, total) = try r.readBinCounts(bins: binning.binCount, name: "PSI1 current")
        try r.endRecord()
        do {
            try self.init(binning: binning, referenceCounts: reference)
        } catch {
            throw StateDecodingError.invalid("PSI1: \(error)")
        }
        currentCounts = current
        currentTotal = total
    }
}
