import ShannonStats

/// What a closed window covered: the identity an alert or a window figure carries.
///
/// Offsets are Kafka offsets of the partition, inclusive at both ends (with `key_by` a key's
/// records are sparse, so `endOffset - startOffset + 1` is not the record count: `records` is).
/// Times are epoch milliseconds:
/// - count windows: the event time of the window's first and last record (nil without event time);
/// - event-time windows: the window's own interval, `startTime` inclusive, `endTime` exclusive.
public struct WindowBounds: Equatable, Sendable {
    public var startOffset: Int64
    public var endOffset: Int64
    public var startTime: Int64?
    public var endTime: Int64?
    public var records: Int
}

/// What one record did to a count window.
public enum WindowEvent: Equatable, Sendable {
    /// Nothing to report: the record joined the window.
    case none
    /// The record completed a window: compute, report and (tumbling) reset the estimator.
    case close(WindowBounds)
}

/// A window closed, for the estimator in `slot` (always 0 for count windows).
public struct ClosedWindow: Equatable, Sendable {
    public var slot: Int
    public var bounds: WindowBounds
}

/// Where a record goes, as decided by a window.
public enum WindowStep: Equatable, Sendable {
    /// Add the record to the estimator in `slot`. When `evictsOldest` (sliding windows), first
    /// remove the oldest value of the stage's ring: it falls out of the window.
    case accepted(slot: Int, evictsOldest: Bool)
    /// The record's event-time window `[windowStart, windowStart + size)` has already closed
    /// (everything ending at or before `closedUpTo` has): dead-letter and count it.
    case late(windowStart: Int64, closedUpTo: Int64)
}

/// Sentinel for "no event time" inside window state.
enum WindowTime {
    static let none = Int64.min
    @inline(__always) static func optional(_ t: Int64) -> Int64? { t == none ? nil : t }
}

extension StateWriter {
    mutating func writeBounds(_ b: WindowBounds) {
        write(b.startOffset)
        write(b.endOffset)
        write(b.startTime ?? WindowTime.none)
        write(b.endTime ?? WindowTime.none)
        write(b.records)
    }
}

extension StateReader {
    mutating func readBounds() throws -> WindowBounds {
        WindowBounds(startOffset: try read(Int64.self), endOffset: try read(Int64.self),
                     startTime: WindowTime.optional(try read(Int64.self)), endTime: WindowTime.optional(try read(Int64.self)),
                     records: try readCount())
    }
}
