/// Integer counts of two samples over the same bins: the state IV (goods, bads) and group
/// divergence (group 0, group 1) share. One type, so adding, removing, resetting and the
/// checkpoint layout are written once; each accumulator names its sides and its tag.
///
/// `add`/`remove` are one increment each — no allocation — for the per-record path.
public struct TwoSampleCounts: Sendable, Equatable {
    public let binning: Binning
    /// Counts of the first and the second sample, one per bin.
    public private(set) var first: [Int64]
    public private(set) var second: [Int64]
    public private(set) var firstTotal: Int64
    public private(set) var secondTotal: Int64

    public init(binning: Binning) {
        self.binning = binning
        first = Array(repeating: 0, count: binning.binCount)
        second = first
        firstTotal = 0
        secondTotal = 0
    }

    /// Counts `x` in the first or second sample; false, counting nothing, when `x` has no bin.
    public mutating func add(_ x: Double, inSecond: Bool) -> Bool {
        guard let i = binning.index(of: x) else { return false }
        add(bin: i, inSecond: inSecond)
        return true
    }

    /// Takes `x` out; false, changing nothing, when it has no bin or its bin holds none of it.
    public mutating func remove(_ x: Double, inSecond: Bool) -> Bool {
        guard let i = binning.index(of: x) else { return false }
        return remove(bin: i, inSecond: inSecond)
    }

    /// Counts one record of the first (`inSecond` false) or the second sample in bin `i`.
    public mutating func add(bin i: Int, inSecond: Bool) {
        if inSecond { (second[i], secondTotal) = (second[i] + 1, secondTotal + 1) }
        else { (first[i], firstTotal) = (first[i] + 1, firstTotal + 1) }
    }

    /// Takes one record out of bin `i`; false, changing nothing, if that bin holds none of it.
    public mutating func remove(bin i: Int, inSecond: Bool) -> Bool {
        guard (inSecond ? second[i] : first[i]) > 0 else { return false }
        if inSecond { (second[i], secondTotal) = (second[i] - 1, secondTotal - 1) }
        else { (first[i], firstTotal) = (first[i] - 1, firstTotal - 1) }
        return true
    }

    public mutating func reset() {
        for i in first.indices {
            first[i] = 0
            second[i] = 0
        }
        firstTotal = 0
        secondTotal = 0
    }

    /// The whole sealed record under the owner's `tag` (version 1): bins, then each sample's
    /// counts and total. Both owners share this layout; only the tag tells them apart.
    func encodeRecord(_ tag: StateTag, to w: inout StateWriter) {
        w.beginRecord(tag, version: 1)
        binning.encode(to: &w)
        w.writeBinCounts(first, total: firstTotal)
        w.writeBinCounts(second, total: secondTotal)
        w.endRecord()
    }

    /// Reads what `encodeRecord` wrote; `names` label the two samples in decoding errors.
    init(record tag: StateTag, from r: inout StateReader, names: (String, String)) throws {
        try r.beginRecord(tag, supported: 1...1)
        binning = try Binning(from: &r)
        (first, firstTotal) = try r.readBinCounts(bins: binning.binCount, name: names.0)
        (second, secondTotal) = try r.readBinCounts(bins: binning.binCount, name: names.1)
        try r.endRecord()
    }
}

extension StateWriter {
    /// Integer bin counts and their total (the layout of every drift accumulator's counts).
    mutating func writeBinCounts(_ counts: [Int64], total: Int64) {
        write(counts)
        write(total)
    }
}

extension StateReader {
    /// Counts `writeBinCounts` wrote, checked: one per bin, none negative, summing to the total.
    mutating func readBinCounts(bins: Int, name: String) throws -> ([Int64], Int64) {
        let counts = try readInt64s()
        let total = try read(Int64.self)
        try BinCounts.validate(counts, bins: bins, total: total, name: name)
        return (counts, total)
    }
}
