/// Jeffreys divergence of a score's binned distribution between two groups of a protected
/// attribute (docs/statistics-drift.md: a fairness signal that should stay small).
///
/// Same machinery as PSI with both groups sampled: P = group 1 (n records), Q = group 0
/// (m records); J is symmetric, and so is its SE, so which group is which does not matter.
public struct GroupDivergenceAccumulator: Sendable, Equatable {
    /// Group 0 is the first sample, group 1 the second.
    public private(set) var counts: TwoSampleCounts

    public init(binning: Binning) { counts = TwoSampleCounts(binning: binning) }

    public var binning: Binning { counts.binning }
    public var group0: [Int64] { counts.first }
    public var group1: [Int64] { counts.second }
    public var total0: Int64 { counts.firstTotal }
    public var total1: Int64 { counts.secondTotal }

    /// Counts a record of `group` (0 or 1). Returns false, counting nothing, when `x` has no bin
    /// or `group` is neither 0 nor 1.
    @discardableResult
    public mutating func add(_ x: Double, group: Int) -> Bool {
        (group == 0 || group == 1) && counts.add(x, inSecond: group == 1)
    }

    /// Counts a record of `group` in bin `i`; false, counting nothing, for another group.
    @discardableResult
    public mutating func add(bin i: Int, group: Int) -> Bool {
        guard group == 0 || group == 1 else { return false }
        counts.add(bin: i, inSecond: group == 1)
        return true
    }

    /// Takes a record out (sliding windows); false, changing nothing, if it cannot be there.
    @discardableResult
    public mutating func remove(_ x: Double, group: Int) -> Bool {
        (group == 0 || group == 1) && counts.remove(x, inSecond: group == 1)
    }

    /// Takes a record of `group` out of bin `i`; false, changing nothing, if it cannot be there.
    @discardableResult
    public mutating func remove(bin i: Int, group: Int) -> Bool {
        (group == 0 || group == 1) && counts.remove(bin: i, inSecond: group == 1)
    }

    public mutating func reset() { counts.reset() }

    /// J(group 1, group 0) with SE, interval, test and bin table (`countP`/`p` = group 1,
    /// `countQ`/`q` = group 0).
    public func result(smoothing: Double = 0.5, confidence: Double = 0.95) -> GroupDivergenceResult {
        let c1 = group1.map(Double.init)
        let c0 = group0.map(Double.init)
        let test = JeffreysTest(counts: c1, reference: c0, smoothing: smoothing, fixedReference: false, confidence: confidence)
        return GroupDivergenceResult(test: test, bins: DriftBin.table(binning, test, countsP: c1, countsQ: c0))
    }
}

public struct GroupDivergenceResult: JeffreysFigures, Sendable, Equatable {
    public let test: JeffreysTest
    public let bins: [DriftBin]

    public var divergence: Double { test.divergence }
}

extension GroupDivergenceAccumulator: StateCodable {
    static let tag = StateTag("GDIV")

    public func encode(to w: inout StateWriter) { counts.encodeRecord(Self.tag, to: &w) }

    public init(from r: inout StateReader) throws {
        counts = try TwoSampleCounts(record: Self.tag, from: &r, names: ("GDIV group 0", "GDIV group 1"))
    }
}
