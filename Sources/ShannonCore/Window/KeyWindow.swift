import ShannonStats

/// The runtime side of a stage's `window:` block (the case list lives with the spec).
extension WindowSpec {
    /// A fresh window state for one key.
    public func makeWindow() -> KeyWindow {
        switch self {
        case let .countTumbling(size): KeyWindow(CountTumblingWindow(size: size))
        case let .countSliding(size, hop): KeyWindow(CountSlidingWindow(size: size, hop: hop))
        case let .eventTimeTumbling(size, lateness):
            KeyWindow(EventTimeTumblingWindow(size: size, allowedLateness: lateness))
        }
    }

    /// How many estimators a stage keeps per key (one per slot).
    public var slots: Int {
        switch self {
        case .countTumbling, .countSliding: 1
        case let .eventTimeTumbling(size, lateness):
            EventTimeTumblingWindow.defaultMaxOpenWindows(size: size, allowedLateness: lateness)
        }
    }

    /// Whether records need an event time.
    public var needsEventTime: Bool {
        if case .eventTimeTumbling = self { return true }
        return false
    }
}

/// One key's window, whatever its kind, behind one per-record API so the run loop has a single
/// path: a branch, no existential. Usage per record:
///
///     let step = window.add(offset: o, eventTime: t)
///     // count windows (`addsBeforeClose`): apply the step to the estimator first, then drain
///     // event-time windows: drain first, then apply the step
///     while let closed = window.nextClosed() { report + reset estimator[closed.slot] }
///     switch step {
///     case let .accepted(slot, evictsOldest): if evictsOldest { remove oldest }; add to estimator[slot]
///     case .late: dead-letter, count
///     }
///
/// Why the order differs: the record that completes a count window belongs to it (add, then
/// report and reset), while a close triggered by a record in event time never includes that
/// record, and an early close may hand the record the slot just closed (report, then add).
public struct KeyWindow: Equatable, Sendable, StateCodable {
    private enum Kind: UInt8 { case tumbling, sliding, eventTime }
    // Exactly one of the optionals below is non-nil; `kind` says which. Branching on `kind` (not
    // on `x != nil`) and mutating through `x!` keeps the per-record path free of copies of the
    // payload (each copy would retain and release every array inside: measured 3-5× slower).
    private let kind: Kind
    private var tumbling: CountTumblingWindow?
    private var sliding: CountSlidingWindow?
    private var eventTime: EventTimeTumblingWindow?
    /// Count windows report at most one close per record; it waits here for `nextClosed()`.
    private var pendingCount: ClosedWindow?

    public init(_ w: CountTumblingWindow) { kind = .tumbling; tumbling = w }
    public init(_ w: CountSlidingWindow) { kind = .sliding; sliding = w }
    public init(_ w: EventTimeTumblingWindow) { kind = .eventTime; eventTime = w }

    /// Count windows: add the record, then drain. Event-time windows: drain, then add.
    public var addsBeforeClose: Bool { kind != .eventTime }

    /// The underlying windows, for inspection and tests.
    public var countTumbling: CountTumblingWindow? { tumbling }
    public var countSliding: CountSlidingWindow? { sliding }
    public var eventTimeTumbling: EventTimeTumblingWindow? { eventTime }

    /// Routes one record. Count windows need no event time; event-time windows require it (a
    /// record without one is the decoder's dead letter and must not reach here).
    @inline(__always)
    public mutating func add(offset: Int64, eventTime t: Int64?) -> WindowStep {
        switch kind {
        case .tumbling:
            if case let .close(b) = tumbling!.add(offset: offset, eventTime: t) {
                pendingCount = ClosedWindow(slot: 0, bounds: b)
            }
            return .accepted(slot: 0, evictsOldest: false)
        case .sliding:
            let s = sliding!.add(offset: offset, eventTime: t)
            if case let .close(b) = s.event { pendingCount = ClosedWindow(slot: 0, bounds: b) }
            return .accepted(slot: 0, evictsOldest: s.evictsOldest)
        case .eventTime:
            guard let t else { preconditionFailure("an event-time window needs the record's event time") }
            return eventTime!.add(offset: offset, eventTime: t)
        }
    }

    /// The next closed window; call until nil after every `add`.
    @inline(__always)
    public mutating func nextClosed() -> ClosedWindow? {
        if kind == .eventTime { return eventTime!.nextClosed() }
        let c = pendingCount
        pendingCount = nil
        return c
    }

    /// Closes every open event-time window (end of a bounded input). Count windows keep their
    /// partial window: it is not a full window and is not reported.
    public mutating func closeAll() {
        if kind == .eventTime { eventTime!.closeAll() }
    }

    /// A count window's open part, not yet reported (nil for event-time windows: `closeAll`
    /// reports theirs). What an evicted key reports.
    public var openBounds: WindowBounds? {
        switch kind {
        case .tumbling: tumbling!.openBounds
        case .sliding: sliding!.openBounds
        case .eventTime: nil
        }
    }

    /// Writes the underlying window's record (a pending count close is drained before any checkpoint).
    public func encode(to w: inout StateWriter) {
        if let x = tumbling { x.encode(to: &w) } else if let x = sliding { x.encode(to: &w) } else { eventTime!.encode(to: &w) }
    }

    /// Reads whichever window record comes next (by its tag).
    public init(from r: inout StateReader) throws {
        var probe = r
        _ = try probe.read(UInt32.self) // magic, checked by the record itself
        switch try probe.read(UInt32.self) {
        case CountTumblingWindow.tag.rawValue: kind = .tumbling; tumbling = try CountTumblingWindow(from: &r)
        case CountSlidingWindow.tag.rawValue: kind = .sliding; sliding = try CountSlidingWindow(from: &r)
        default: kind = .eventTime; eventTime = try EventTimeTumblingWindow(from: &r)
        }
    }
}
