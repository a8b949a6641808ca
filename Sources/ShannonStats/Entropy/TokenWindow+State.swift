extension TokenWindow: StateCodable {
    public static let stateTag = StateTag("ENT1")

    /// Ring contents are written oldest first; the decoder checks them against the counts.
    public func encode(to w: inout StateWriter) {
        w.beginRecord(Self.stateTag, version: 1)
        w.write(size)
        switch kind {
        case .tumbling: w.write(0)
        case let .sliding(hop): w.write(hop)
        }
        w.write(position)
        w.write(filled)
        w.write(head)
        w.write(sinceEmit)
        w.write(resetPending)
        for i in 0..<ring.count {
            w.write(ring[i])
            w.write(folded[i])
        }
        counter.encode(to: &w)
        w.endRecord()
    }

    public init(from r: inout StateReader) throws {
        try r.beginRecord(Self.stateTag, supported: 1...1)
        let size = try r.readCount(limit: r.remaining) // a sliding ring needs ≥ 9 bytes per slot
        guard size >= 1 else { throw StateDecodingError.invalid("window size 0") }
        let hop = try r.readCount()
        let kind: Kind = hop == 0 ? .tumbling : .sliding(hop: hop)
        let position = try r.readCount()
        let filled = try r.readCount(limit: size)
        let head = try r.readCount(limit: size - 1)
        let sinceEmit = try r.readCount(limit: Swift.max(hop - 1, 0))
        let resetPending = try r.readBool()
        var ring: [UInt64] = []
        var folded: [Bool] = []
        if kind != .tumbling {
            guard size * 9 <= r.remaining else { throw StateDecodingError.truncated(needed: size * 9, remaining: r.remaining) }
            ring.reserveCapacity(size)
            folded.reserveCapacity(size)
            for _ in 0..<size {
                ring.append(try r.read(UInt64.self))
                folded.append(try r.readBool())
            }
        }
        let counter = try TokenCounter(from: &r)
        try r.endRecord()

        switch kind {
        case .tumbling:
            guard filled == 0, head == 0, sinceEmit == 0, counter.total <= size,
                  resetPending == (counter.total == size && position > 0),
                  position >= counter.total
            else { throw StateDecodingError.invalid("tumbling window bookkeeping inconsistent") }
        case .sliding:
            guard !resetPending, counter.total == filled, position >= filled,
                  filled == size || (head == filled && position == filled)
            else { throw StateDecodingError.invalid("sliding window bookkeeping inconsistent") }
            // The counts must be exactly the ring's contents.
            var check = TokenCounter(maxDistinct: Swift.max(counter.maxDistinct, 1), initialCapacity: 16)
            var foldedCount = 0
            for i in 0..<filled {
                if folded[i] { foldedCount += 1 } else { check.add(ring[i]) }
            }
            guard foldedCount == counter.otherCount, check.tableDistinct == counter.tableDistinct else {
                throw StateDecodingError.invalid("ring contents disagree with the counts")
            }
            var ok = true
            check.forEachCount { id, c in if let id, counter.count(of: id) != c { ok = false } }
            guard ok else { throw StateDecodingError.invalid("ring contents disagree with the counts") }
        }
        self.init(size: size, kind: kind, maxDistinct: counter.maxDistinct)
        self.counter = counter
        self.ring = ring
        self.folded = folded
        self.position = position
        self.filled = filled
        self.head = head
        self.sinceEmit = sinceEmit
        self.resetPending = resetPending
    }
}
