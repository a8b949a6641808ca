import ShannonStats

/// Tumbling window of `size` records: every `size`-th record closes the window it completes.
///
/// Counts only; the stage keeps the estimator and resets it on `.close`. O(1), no allocation.
public struct CountTumblingWindow: Equatable, Sendable, StateCodable {
    public let size: Int
    /// Records in the open window.
    public private(set) var count = 0
    private var firstOffset: Int64 = 0
    private var lastOffset: Int64 = 0
    private var firstTime = WindowTime.none
    private var lastTime = WindowTime.none

    static let tag = StateTag("WCNT")

    /// - Precondition: `size >= 1` (the pipeline validator rejects other sizes first).
    public init(size: Int) {
        precondition(size >= 1, "a count window holds at least one record")
        self.size = size
    }

    /// Counts one record; returns `.close` when it completes the window (the record belongs to it).
    @inline(__always)
    public mutating func add(offset: Int64, eventTime: Int64? = nil) -> WindowEvent {
        if count == 0 {
            firstOffset = offset
            firstTime = eventTime ?? WindowTime.none
        }
        lastOffset = offset
        lastTime = eventTime ?? WindowTime.none
        count += 1
        guard count == size else { return .none }
        count = 0
        return .close(WindowBounds(startOffset: firstOffset, endOffset: lastOffset,
                                   startTime: WindowTime.optional(firstTime), endTime: WindowTime.optional(lastTime), records: size))
    }

    /// The open (partial) window, if it holds any record: what an evicted key reports.
    public var openBounds: WindowBounds? {
        guard count > 0 else { return nil }
        return WindowBounds(startOffset: firstOffset, endOffset: lastOffset, startTime: WindowTime.optional(firstTime),
                            endTime: WindowTime.optional(lastTime), records: count)
    }

    public func encode(to w: inout StateWriter) {
        w.beginRecord(Self.tag, version: 1)
        w.write(size)
        w.write(count)
        w.write(firstOffset)
        w.write(lastOffset)
        w.write(firstTime)
        w.write(lastTime)
        w.endRecord()
    }

    public init(from r: inout StateReader) throws {
        try r.beginRecord(Self.tag, supported: 1...1)
        size = try r.readCount()
        guard size >= 1 else { throw StateDecodingError.invalid("window size \(size)") }
        count = try r.readCount(limit: size - 1)
        firstOffset = try r.read(Int64.self)
        lastOffset = try r.read(Int64.self)
        firstTime = try r.read(Int64.self)
        lastTime = try r.read(Int64.self)
        try r.endRecord()
    }
}
