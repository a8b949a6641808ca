extension TokenCounter: StateCodable {
    public static let stateTag = StateTag("TCNT")

    /// Writes the table slot by slot (index, id, count) so a decoded counter has the identical
    /// layout — and so sums in the identical order — as the one that was saved.
    public func encode(to w: inout StateWriter) {
        w.beginRecord(Self.stateTag, version: 1)
        w.write(maxDistinct)
        w.write(counts.count)
        w.write(capHit)
        w.write(total)
        w.write(otherCount)
        w.write(singletons)
        w.write(sumCLogC)
        w.write(updatesSinceRecount)
        w.write(tableDistinct)
        for i in counts.indices where counts[i] != 0 {
            w.write(i)
            w.write(keys[i])
            w.write(counts[i])
        }
        w.endRecord()
    }

    public init(from r: inout StateReader) throws {
        try r.beginRecord(Self.stateTag, supported: 1...1)
        let maxDistinct = try r.readCount(limit: 1 << 40)
        guard maxDistinct >= 1 else { throw StateDecodingError.invalid("maxDistinct 0") }
        let size = try r.readCount(limit: 1 << 28)
        guard size >= 8, size & (size - 1) == 0 else { throw StateDecodingError.invalid("table size \(size)") }
        let capHit = try r.readBool()
        let total = try r.readCount()
        let other = try r.readCount()
        let singletons = try r.readCount()
        let s = try r.readDouble()
        let sinceRecount = try r.readCount(limit: Self.recountInterval)
        // Every entry takes 24 bytes, so the remaining bytes bound the entry count.
        let held = try r.readCount(limit: r.remaining / 24)
        guard held <= maxDistinct, 2 * held <= size else { throw StateDecodingError.invalid("\(held) entries in \(size) slots") }
        guard size <= Self.tableSize(for: maxDistinct), size <= 1 << 28 else {
            throw StateDecodingError.invalid("table size \(size) too large for cap \(maxDistinct)")
        }
        var c = TokenCounter(maxDistinct: maxDistinct, initialCapacity: 4)
        c.keys = [UInt64](repeating: 0, count: size)
        c.counts = [Int](repeating: 0, count: size)
        c.mask = size - 1
        var sum = other
        var last = -1
        for _ in 0..<held {
            let i = try r.readCount(limit: size - 1)
            let id = try r.read(UInt64.self)
            let n = try r.readCount()
            guard i > last, n > 0 else { throw StateDecodingError.invalid("slot \(i) out of order or empty") }
            last = i
            c.keys[i] = id
            c.counts[i] = n
            let (partial, overflow) = sum.addingReportingOverflow(n)
            guard !overflow else { throw StateDecodingError.invalid("count overflow") }
            sum = partial
        }
        try r.endRecord()
        guard sum == total else { throw StateDecodingError.invalid("counts sum to \(sum), total is \(total)") }
        guard !(other > 0 && !capHit) else { throw StateDecodingError.invalid("folded tokens without a cap hit") }
        // Every entry must be reachable from its home slot through occupied slots, once.
        for i in 0..<size where c.counts[i] != 0 {
            var j = Self.home(c.keys[i], c.mask)
            while j != i {
                guard c.counts[j] != 0, c.keys[j] != c.keys[i] else {
                    throw StateDecodingError.invalid("slot \(i) unreachable or duplicated")
                }
                j = (j + 1) & c.mask
            }
        }
        c.tableDistinct = held
        c.total = total
        c.otherCount = other
        c.capHit = capHit
        let exact = c.exactSums()
        guard exact.singletons == singletons else { throw StateDecodingError.invalid("singletons \(singletons), counts say \(exact.singletons)") }
        // Drift between recounts stays ~1e-14 relative (bench entropy); 1e-9 leaves room, not tampering.
        guard s.isFinite, abs(s - exact.sumCLogC) <= 1e-9 * Swift.max(1, exact.sumCLogC) else {
            throw StateDecodingError.invalid("S = \(s) disagrees with the counts (\(exact.sumCLogC))")
        }
        c.singletons = singletons
        c.sumCLogC = s
        c.updatesSinceRecount = sinceRecount
        self = c
    }
}
