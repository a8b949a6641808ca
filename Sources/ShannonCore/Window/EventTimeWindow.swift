import ShannonStats

/// Event-time tumbling windows `[k·size, (k+1)·size)` (epoch ms) with allowed lateness.
///
/// Watermark = the largest event time seen − `allowedLateness`. A window closes once the watermark
/// reaches its end; a record whose window has already closed is `late` (the runtime dead-letters
/// and counts it). A record that arrives out of order but within the lateness goes to its own,
/// still open window, so several windows can be open at once — each has a *slot*, and the stage
/// keeps one estimator per slot.
///
/// Open windows per key are bounded: with lateness L and size S at most ⌈L/S⌉ + 1 windows can
/// be open, and `maxOpenWindows` (default: that bound, capped at 64) limits it further. When a
/// record needs a new window and every slot is taken, the oldest open window is closed early (as
/// if the watermark had passed it); a record for a window older than every open one is then late.
///
/// Contract with the caller, per record:
///
///     let step = window.add(offset: o, eventTime: t)
///     while let closed = window.nextClosed() { report + reset estimator[closed.slot] }
///     if case .accepted(let slot, _) = step { estimator[slot].add(value) }
///
/// Drain the closes *before* adding the record: an early close can hand the record the slot that
/// was just closed. O(maxOpenWindows) per record (a small constant), no allocation after `init`.
public struct EventTimeTumblingWindow: Equatable, Sendable, StateCodable {
    public let size: Int64
    public let allowedLateness: Int64
    public let maxOpenWindows: Int

    /// Largest event time seen (`Int64.min` before the first record).
    public private(set) var maxEventTime = Int64.min
    /// Every window ending at or before this has closed (watermark, or the end of a window closed early).
    public private(set) var closedUpTo = Int64.min
    private var starts: [Int64]          // window start per slot; `free` when unused
    private var counts: [Int]
    private var minOffsets: [Int64]
    private var maxOffsets: [Int64]
    private var pending: [ClosedWindow]   // closed, not yet handed out; ordered by window start
    private var pendingHead = 0

    static let tag = StateTag("WEVT")
    static let free = Int64.min

    /// The natural bound on open windows, capped at 64.
    public static func defaultMaxOpenWindows(size: Int64, allowedLateness: Int64) -> Int {
        Int(min(64, (allowedLateness + size - 1) / size + 1))
    }

    /// - Precondition: `size >= 1`, `allowedLateness >= 0`, `maxOpenWindows >= 1`.
    public init(size: Int64, allowedLateness: Int64, maxOpenWindows: Int? = nil) {
        precondition(size >= 1 && allowedLateness >= 0, "an event-time window needs size >= 1 ms and lateness >= 0")
        self.size = size
        self.allowedLateness = allowedLateness
        let cap = maxOpenWindows ?? Self.defaultMaxOpenWindows(size: size, allowedLateness: allowedLateness)
        precondition(cap >= 1, "at least one open window")
        self.maxOpenWindows = cap
        starts = [Int64](repeating: Self.free, count: cap)
        counts = [Int](repeating: 0, count: cap)
        minOffsets = [Int64](repeating: 0, count: cap)
        maxOffsets = [Int64](repeating: 0, count: cap)
        pending = []
        pending.reserveCapacity(cap + 1)
    }

    /// The start of the window holding event time `t` (floor division, also for negative times).
    @inline(__always)
    public func windowStart(_ t: Int64) -> Int64 {
        let q = t / size
        return (t % size < 0 ? q - 1 : q) * size
    }

    /// Current watermark (`Int64.min` before the first record).
    public var watermark: Int64 {
        maxEventTime == Int64.min ? Int64.min : maxEventTime &- allowedLateness
    }

    /// Number of windows currently open.
    public var openWindows: Int { starts.reduce(0) { $0 + ($1 == Self.free ? 0 : 1) } }

    /// Routes one record; then call `nextClosed()` until nil, *then* add the record to its slot.
    public mutating func add(offset: Int64, eventTime t: Int64) -> WindowStep {
        let start = windowStart(t)
        let end = start &+ size
        if closedUpTo != Int64.min && end <= closedUpTo {
            return .late(windowStart: start, closedUpTo: closedUpTo)
        }
        var slot = -1
        var freeSlot = -1
        var oldest = -1
        for i in 0..<maxOpenWindows {
            let s = starts[i]
            if s == start { slot = i; break }
            if s == Self.free {
                if freeSlot < 0 { freeSlot = i }
            } else if oldest < 0 || s < starts[oldest] {
                oldest = i
            }
        }
        if slot < 0 {
            if freeSlot >= 0 {
                slot = freeSlot
            } else {
                // Every slot is taken: close the oldest early, unless this record is older still.
                if start < starts[oldest] {
                    return .late(windowStart: start, closedUpTo: starts[oldest])
                }
                closedUpTo = max(closedUpTo, starts[oldest] &+ size)
                close(oldest)
                slot = oldest
            }
            starts[slot] = start
            counts[slot] = 0
            minOffsets[slot] = offset
            maxOffsets[slot] = offset
        }
        counts[slot] += 1
        if offset < minOffsets[slot] { minOffsets[slot] = offset }
        if offset > maxOffsets[slot] { maxOffsets[slot] = offset }

        if t > maxEventTime {
            maxEventTime = t
            let w = watermark
            if w > closedUpTo {
                closedUpTo = w
                closeEnded()
            }
        }
        return .accepted(slot: slot, evictsOldest: false)
    }

    /// The next closed window, oldest first; nil when none is waiting.
    @inline(__always)
    public mutating func nextClosed() -> ClosedWindow? {
        guard pendingHead < pending.count else { return nil }
        let c = pending[pendingHead]
        pendingHead += 1
        if pendingHead == pending.count {
            pending.removeAll(keepingCapacity: true)
            pendingHead = 0
        }
        return c
    }

    /// Closes every open window (end of input, or a bounded run); drain with `nextClosed()`.
    /// Records for those windows are late afterwards.
    public mutating func closeAll() {
        for i in 0..<maxOpenWindows where starts[i] != Self.free {
            closedUpTo = max(closedUpTo, starts[i] &+ size)
        }
        closeEnded()
    }

    /// Moves every open window ending at or before `closedUpTo` to `pending`, in start order.
    private mutating func closeEnded() {
        while true {
            var best = -1
            for i in 0..<maxOpenWindows where starts[i] != Self.free && starts[i] &+ size <= closedUpTo {
                if best < 0 || starts[i] < starts[best] { best = i }
            }
            if best < 0 { return }
            close(best)
        }
    }

    private mutating func close(_ slot: Int) {
        // Slots close in start order, so appending keeps `pending` ordered.
        pending.append(ClosedWindow(slot: slot, bounds: WindowBounds(
            startOffset: minOffsets[slot], endOffset: maxOffsets[slot],
            startTime: starts[slot], endTime: starts[slot] &+ size, records: counts[slot])))
        starts[slot] = Self.free
    }

    public func encode(to w: inout StateWriter) {
        w.beginRecord(Self.tag, version: 1)
        w.write(size)
        w.write(allowedLateness)
        w.write(maxOpenWindows)
        w.write(maxEventTime)
        w.write(closedUpTo)
        for i in 0..<maxOpenWindows {
            w.write(starts[i])
            w.write(counts[i])
            w.write(minOffsets[i])
            w.write(maxOffsets[i])
        }
        w.write(pending.count - pendingHead)
        for c in pending[pendingHead...] {
            w.write(c.slot)
            w.writeBounds(c.bounds)
        }
        w.endRecord()
    }

    public init(from r: inout StateReader) throws {
        try r.beginRecord(Self.tag, supported: 1...1)
        let size = try r.read(Int64.self)
        let lateness = try r.read(Int64.self)
        let cap = try r.readCount(limit: r.remaining / 32)
        guard size >= 1, lateness >= 0, cap >= 1 else {
            throw StateDecodingError.invalid("event-time window size \(size) lateness \(lateness) slots \(cap)")
        }
        self.init(size: size, allowedLateness: lateness, maxOpenWindows: cap)
        maxEventTime = try r.read(Int64.self)
        closedUpTo = try r.read(Int64.self)
        for i in 0..<cap {
            starts[i] = try r.read(Int64.self)
            counts[i] = try r.readCount()
            minOffsets[i] = try r.read(Int64.self)
            maxOffsets[i] = try r.read(Int64.self)
        }
        let n = try r.readCount(limit: cap + 1)
        for _ in 0..<n {
            let slot = try r.readCount(limit: cap - 1)
            pending.append(ClosedWindow(slot: slot, bounds: try r.readBounds()))
        }
        try r.endRecord()
    }

    public static func == (a: Self, b: Self) -> Bool {
        a.size == b.size && a.allowedLateness == b.allowedLateness && a.maxOpenWindows == b.maxOpenWindows
            && a.maxEventTime == b.maxEventTime && a.closedUpTo == b.closedUpTo && a.starts == b.starts
            && a.counts == b.counts && a.minOffsets == b.minOffsets && a.maxOffsets == b.maxOffsets
            && Array(a.pending[a.pendingHead...]) == Array(b.pending[b.pendingHead...])
    }
}
