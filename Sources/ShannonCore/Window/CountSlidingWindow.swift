import ShannonStats

/// Sliding window over the last `size` records, reported every `hop` records.
///
/// The first window is reported when `size` records have arrived, then one every `hop` records
/// (windows are always full). The stage keeps its own ring of values and an estimator that
/// supports removal; this type tells it when the oldest value falls out (`evictsOldest`) and when
/// to report. It keeps a ring of the offsets and event times (16 bytes × size, allocated once)
/// so a reported window knows its first record exactly even when a key's offsets are sparse.
/// O(1) per record, no allocation after `init`.
public struct CountSlidingWindow: Equatable, Sendable, StateCodable {
    public let size: Int
    public let hop: Int
    /// Records seen since the start (not capped).
    public private(set) var total: Int64 = 0
    private var offsets: [Int64]
    private var times: [Int64]
    /// Index of the slot the next record takes (the oldest record once the ring is full).
    private var next = 0

    static let tag = StateTag("WSLD")

    /// What one record did.
    public struct Step: Equatable, Sendable {
        /// Remove the oldest value of the ring before adding the new one.
        public var evictsOldest: Bool
        public var event: WindowEvent
    }

    /// - Precondition: `1 <= hop <= size` (the pipeline validator rejects other values first).
    public init(size: Int, hop: Int) {
        precondition(size >= 1 && hop >= 1 && hop <= size, "a sliding window needs 1 <= hop <= size")
        self.size = size
        self.hop = hop
        offsets = [Int64](repeating: 0, count: size)
        times = [Int64](repeating: WindowTime.none, count: size)
    }

    @inline(__always)
    public mutating func add(offset: Int64, eventTime: Int64? = nil) -> Step {
        let evicts = total >= Int64(size)
        offsets[next] = offset
        times[next] = eventTime ?? WindowTime.none
        next += 1
        if next == size { next = 0 }
        total += 1
        guard total >= Int64(size), (total - Int64(size)) % Int64(hop) == 0 else {
            return Step(evictsOldest: evicts, event: .none)
        }
        let newest = next == 0 ? size - 1 : next - 1
        return Step(evictsOldest: evicts, event: .close(WindowBounds(
            startOffset: offsets[next], endOffset: offsets[newest],
            startTime: WindowTime.optional(times[next]), endTime: WindowTime.optional(times[newest]), records: size)))
    }

    /// The records held now, if some arrived since the last reported window: what an evicted
    /// key reports (nil when the last record closed a window, which was reported then).
    public var openBounds: WindowBounds? {
        let unreported = total < Int64(size) ? total : (total - Int64(size)) % Int64(hop)
        guard unreported > 0 else { return nil }
        let n = Int(min(total, Int64(size)))
        let first = n < size ? 0 : next
        let newest = next == 0 ? size - 1 : next - 1
        return WindowBounds(startOffset: offsets[first], endOffset: offsets[newest], startTime: WindowTime.optional(times[first]),
                            endTime: WindowTime.optional(times[newest]), records: n)
    }

    /// The held (offset, event time) pairs, oldest first.
    private var held: [(Int64, Int64)] {
        let n = Int(min(total, Int64(size)))
        let first = n < size ? 0 : next
        return (0..<n).map { i in let j = (first + i) % size; return (offsets[j], times[j]) }
    }

    /// Equal when they would behave the same: same shape, count and held records (the ring's
    /// rotation and stale slots do not matter, so a decoded window equals its original).
    public static func == (a: Self, b: Self) -> Bool {
        a.size == b.size && a.hop == b.hop && a.total == b.total
            && a.held.elementsEqual(b.held) { $0.0 == $1.0 && $0.1 == $1.1 }
    }

    public func encode(to w: inout StateWriter) {
        w.beginRecord(Self.tag, version: 1)
        w.write(size)
        w.write(hop)
        w.write(total)
        // The held records, oldest first.
        let held = Int(min(total, Int64(size)))
        w.write(held)
        let first = held < size ? 0 : next
        for i in 0..<held {
            let j = (first + i) % size
            w.write(offsets[j])
            w.write(times[j])
        }
        w.endRecord()
    }

    public init(from r: inout StateReader) throws {
        try r.beginRecord(Self.tag, supported: 1...1)
        let size = try r.readCount(limit: 1 << 26) // bounds the ring allocation a crafted record could ask for
        let hop = try r.readCount(limit: size)
        guard size >= 1, hop >= 1 else { throw StateDecodingError.invalid("sliding window size \(size) hop \(hop)") }
        let total = try r.read(Int64.self)
        guard total >= 0 else { throw StateDecodingError.invalid("record count \(total)") }
        let held = try r.readCount(limit: min(size, r.remaining / 16))
        guard held == Int(min(total, Int64(size))) else { throw StateDecodingError.invalid("ring holds \(held) of \(total) records") }
        self.init(size: size, hop: hop)
        self.total = total
        for i in 0..<held {
            offsets[i] = try r.read(Int64.self)
            times[i] = try r.read(Int64.self)
        }
        next = held % size
        try r.endRecord()
    }
}
