/// Jeffreys divergence of a score's binned distribution between two groups of a protected
/// attribute (statistics.md §2: a fairness signal that should stay small).
///
/// Same machinery as PSI with both groups sampled: P = group 1 (n records), Q = group 0
/// (m records); J is symmetric, and so is its SE, so which group is which does not matter.
public struct GroupDivergenceAccumulator: Sendable, Equatable {
    public let binning: Binning
    public private(set) var group0: [Int64]
    public private(set) var group1: [Int64]
    public private(set) var total0: Int64
    public private(set) var total1: Int64

    public init(binning: Binning) {
        self.binning = binning
        group0 = Array(repeating: 0, count: binning.binCount)
        group1 = Array(repeating: 0, count: binning.binCount)
        total0 = 0
        total1 = 0
    }

    /// Counts a record of `group` (0 or 1). Returns false, counting nothing, when `x` has no bin
    /// or `group` is neither 0 nor 1.
    @discardableResult
    public mutating func add(_ x: Double, group: Int) -> Bool {
        guard let i = binning.index(of: x) else { return false }
        return add(bin: i, group: group)
    }

    /// Counts a record of `group` in bin `i`; false, counting nothing, for another group.
    @discardableResult
    public mutating func add(bin i: Int, group: Int) -> Bool {
        switch group {
        case 0:
            group0[i] += 1
            total0 += 1
        case 1:
            group1[i] += 1
            total1 += 1
        default:
            return false
        }
        return true
    }

    /// Takes a record out (sliding windows); false, changing nothing, if it cannot be there.
    @discardableResult
    public mutating func remove(_ x: Double, group: Int) -> Bool {
        guard let i = binning.index(of: x) else { return false }
        return remove(bin: i, group: group)
    }

    /// Takes a record of `group` out of bin `i`; false, changing nothing, if it cannot be there.
    @discardableResult
    public mutating func remove(bin i: Int, group: Int) -> Bool {
        switch group {
        case 0 where group0[i] > 0:
            group0[i] -= 1
            total0 -= 1
        case 1 where group1[i] > 0:
            group1[i] -= 1
            total1 -= 1
        default:
            return false
        }
        return true
    }

    public mutating func reset() {
        for i in group0.indices {
            group0[i] = 0
            group1[i] = 0
        }
        total0 = 0
        total1 = 0
    }

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

    public func encode(to w: inout StateWriter) {
        w.beginRecord(Self.tag, version: 1)
        binning.encode(to: &w)
        w.write(group0)
        w.write(total0)
        w.write(group1)
        w.write(total1)
        w.endRecord()
    }

    public init(from r: inout StateReader) throws {
        let v = try r.beginRecord(Self.tag)
        try StateReader.check(v, tag: Self.tag, supported: 1...1)
        let binning = try Binning(from: &r)
        let g0 = try r.readInt64s()
        let t0 = try r.read(Int64.self)
        let g1 = try r.readInt64s()
        let t1 = try r.read(Int64.self)
        try r.endRecord()
        try BinCounts.validate(g0, bins: binning.binCount, total: t0, name: "GDIV group 0")
        try BinCounts.validate(g1, bins: binning.binCount, total: t1, name: "GDIV group 1")
        self.binning = binning
        group0 = g0
        group1 = g1
        total0 = t0
        total1 = t1
    }
}
