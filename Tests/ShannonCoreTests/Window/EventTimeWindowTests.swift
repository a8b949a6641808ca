import Testing
import ShannonStats
@testable import ShannonCore
import ShannonTestSupport

/// Drives a window the way a stage does and records what happens.
private struct Driver {
    var window: EventTimeTumblingWindow
    var closed: [ClosedWindow] = []
    /// slot → event times currently added to that slot's "estimator".
    var estimators: [[Int64]]
    var reports: [(start: Int64, times: [Int64])] = []

    init(_ w: EventTimeTumblingWindow) {
        window = w
        estimators = Array(repeating: [], count: w.maxOpenWindows)
    }

    mutating func add(_ offset: Int64, _ t: Int64) -> WindowStep {
        let step = window.add(offset: offset, eventTime: t)
        while let c = window.nextClosed() {
            closed.append(c)
            reports.append((c.bounds.startTime!, estimators[c.slot]))
            estimators[c.slot] = []
        }
        if case let .accepted(slot, _) = step { estimators[slot].append(t) }
        return step
    }
}

@Suite struct EventTimeWindowTests {
    @Test func latenessRoutesOutOfOrderRecordsAndReportsLateOnes() {
        var d = Driver(EventTimeTumblingWindow(size: 10, allowedLateness: 5))
        #expect(d.add(0, 1) == .accepted(slot: 0, evictsOldest: false))   // [0,10)
        #expect(d.add(1, 12) == .accepted(slot: 1, evictsOldest: false))  // [10,20); watermark 7
        #expect(d.closed.isEmpty)
        #expect(d.add(2, 8) == .accepted(slot: 0, evictsOldest: false))   // within lateness: back to [0,10)
        #expect(d.window.openWindows == 2)
        #expect(d.add(3, 14) == .accepted(slot: 1, evictsOldest: false))  // watermark 9: [0,10) still open
        #expect(d.closed.isEmpty)
        #expect(d.add(4, 15) == .accepted(slot: 1, evictsOldest: false))  // watermark 10 = end of [0,10): closes
        #expect(d.closed == [ClosedWindow(slot: 0, bounds: WindowBounds(startOffset: 0, endOffset: 2, startTime: 0, endTime: 10, records: 2))])
        #expect(d.reports.map(\.times) == [[1, 8]])
        #expect(d.add(5, 9) == .late(windowStart: 0, closedUpTo: 10))     // its window has closed
        #expect(d.add(6, 10) == .accepted(slot: 1, evictsOldest: false))  // [10,20) is open
        #expect(d.add(7, 31) == .accepted(slot: 0, evictsOldest: false))  // watermark 26: [10,20) closes, [20,30) never opened
        #expect(d.closed.last == ClosedWindow(slot: 1, bounds: WindowBounds(startOffset: 1, endOffset: 6, startTime: 10, endTime: 20, records: 4)))
        #expect(d.reports.last?.times == [12, 14, 15, 10])
        #expect(d.add(8, 25) == .accepted(slot: 1, evictsOldest: false))  // [20,30) still open (end 30 > 26)
        #expect(d.add(9, 19) == .late(windowStart: 10, closedUpTo: 26))
        #expect(d.window.watermark == 26)
    }

    @Test func zeroLatenessClosesAtTheBoundary() {
        var d = Driver(EventTimeTumblingWindow(size: 10, allowedLateness: 0))
        _ = d.add(0, 0)
        _ = d.add(1, 9)
        #expect(d.closed.isEmpty)
        _ = d.add(2, 10) // watermark 10 = end of [0,10)
        #expect(d.closed.map(\.bounds.records) == [2])
        #expect(d.add(3, 9) == .late(windowStart: 0, closedUpTo: 10))
        #expect(d.add(4, 10) == .accepted(slot: 0, evictsOldest: false))
    }

    @Test func aJumpClosesSeveralWindowsInOrder() {
        var d = Driver(EventTimeTumblingWindow(size: 10, allowedLateness: 20))
        _ = d.add(0, 25)
        _ = d.add(1, 5)
        _ = d.add(2, 15)
        #expect(d.window.openWindows == 3)
        _ = d.add(3, 100) // watermark 80: all three close, oldest first
        #expect(d.closed.map(\.bounds.startTime) == [0, 10, 20])
        #expect(d.closed.map(\.bounds.startOffset) == [1, 2, 0])
        #expect(d.reports.map(\.times) == [[5], [15], [25]])
    }

    @Test func openWindowsAreBoundedByTheCap() {
        var d = Driver(EventTimeTumblingWindow(size: 10, allowedLateness: 1000, maxOpenWindows: 2))
        _ = d.add(0, 5)
        _ = d.add(1, 15)
        #expect(d.closed.isEmpty)
        // A third window forces the oldest closed early; the record takes its slot after the report.
        #expect(d.add(2, 25) == .accepted(slot: 0, evictsOldest: false))
        #expect(d.closed.map(\.bounds.startTime) == [0])
        #expect(d.reports.map(\.times) == [[5]])
        #expect(d.estimators[0] == [25])
        #expect(d.add(3, 7) == .late(windowStart: 0, closedUpTo: 10))
        #expect(d.add(4, 12) == .accepted(slot: 1, evictsOldest: false))
        #expect(d.window.openWindows == 2)
        // Full, and older than every open window: late rather than reopening the past.
        var e = Driver(EventTimeTumblingWindow(size: 10, allowedLateness: 1000, maxOpenWindows: 2))
        _ = e.add(0, 25)
        _ = e.add(1, 35)
        #expect(e.add(2, 15) == .late(windowStart: 10, closedUpTo: 20))
        #expect(e.closed.isEmpty)
    }

    @Test func defaultCapIsTheNaturalBound() {
        #expect(EventTimeTumblingWindow.defaultMaxOpenWindows(size: 10, allowedLateness: 0) == 1)
        #expect(EventTimeTumblingWindow.defaultMaxOpenWindows(size: 10, allowedLateness: 5) == 2)
        #expect(EventTimeTumblingWindow.defaultMaxOpenWindows(size: 10, allowedLateness: 10) == 2)
        #expect(EventTimeTumblingWindow.defaultMaxOpenWindows(size: 10, allowedLateness: 11) == 3)
        #expect(EventTimeTumblingWindow.defaultMaxOpenWindows(size: 60_000, allowedLateness: 86_400_000) == 64)
        // The natural bound is never exceeded on a random stream within lateness.
        var d = Driver(EventTimeTumblingWindow(size: 10, allowedLateness: 25))
        var rng = SplitMix64(seed: 99)
        var maxT: Int64 = 0
        var accepted = 0, late = 0
        for o in Int64(0)..<2000 {
            maxT += Int64(rng.below(4))
            let t = maxT - Int64(rng.below(40))
            switch d.add(o, t) {
            case .accepted: accepted += 1
            case let .late(start, upTo):
                late += 1
                #expect(start + 10 <= upTo)
            }
            #expect(d.window.openWindows <= 4)
        }
        // Every accepted record is reported exactly once after closeAll, each in its own window.
        d.window.closeAll()
        while let c = d.window.nextClosed() { d.reports.append((c.bounds.startTime!, d.estimators[c.slot])); d.closed.append(c) }
        #expect(d.reports.reduce(0) { $0 + $1.times.count } == accepted)
        for r in d.reports { #expect(r.times.allSatisfy { $0 >= r.start && $0 < r.start + 10 }) }
        #expect(d.reports.map(\.start) == d.reports.map(\.start).sorted())
        #expect(Set(d.reports.map(\.start)).count == d.reports.count)
        #expect(late > 0 && accepted > late)
    }

    @Test func negativeTimesUseFloorDivision() {
        let w = EventTimeTumblingWindow(size: 10, allowedLateness: 0)
        #expect(w.windowStart(-1) == -10)
        #expect(w.windowStart(-10) == -10)
        #expect(w.windowStart(-11) == -20)
        #expect(w.windowStart(0) == 0)
        #expect(w.windowStart(19) == 10)
    }

    @Test func encodingRoundTripsMidStreamAndContinuesIdentically() throws {
        var a = Driver(EventTimeTumblingWindow(size: 10, allowedLateness: 15))
        let times: [Int64] = [3, 14, 9, 22, 18, 40, 7, 35, 33, 51, 44, 70, 69, 90, 62]
        for (i, t) in times.prefix(7).enumerated() { _ = a.add(Int64(i), t) }
        var b = a
        b.window = try EventTimeTumblingWindow(encodedState: a.window.encodedState())
        #expect(b.window == a.window)
        for (i, t) in times.enumerated().dropFirst(7) {
            #expect(b.add(Int64(i), t) == a.add(Int64(i), t))
        }
        #expect(b.closed == a.closed)
        #expect(!a.closed.isEmpty)
        // Undrained closes survive a round trip too.
        var c = EventTimeTumblingWindow(size: 10, allowedLateness: 0)
        _ = c.add(offset: 0, eventTime: 1)
        _ = c.add(offset: 1, eventTime: 50)
        var c2 = try EventTimeTumblingWindow(encodedState: c.encodedState())
        #expect(c2.nextClosed() == c.nextClosed())
        #expect(c2.nextClosed() == nil)
    }

    @Test func everyByteCorruptionIsRejected() {
        var w = EventTimeTumblingWindow(size: 10, allowedLateness: 15)
        for (i, t) in [Int64(3), 14, 9, 22].enumerated() { _ = w.add(offset: Int64(i), eventTime: t) }
        let bytes = KeyWindow(w).encodedState()
        for i in bytes.indices {
            var bad = bytes
            bad[i] ^= 0x10
            #expect(throws: (any Error).self) { try KeyWindow(encodedState: bad) }
        }
    }

    @Test func keyWindowGivesOneLoopForEveryKind() throws {
        // The same per-record loop over the three kinds, as the run loop will write it.
        func run(_ spec: WindowSpec, _ times: [Int64]) -> [WindowBounds] {
            var w = spec.makeWindow()
            var out: [WindowBounds] = []
            for (i, t) in times.enumerated() {
                let step = w.add(offset: Int64(i), eventTime: t)
                if case .late = step { continue }
                while let c = w.nextClosed() { out.append(c.bounds) }
            }
            w.closeAll()
            while let c = w.nextClosed() { out.append(c.bounds) }
            return out
        }
        let times: [Int64] = [0, 5, 12, 3, 25, 31, 40]
        #expect(run(.countTumbling(size: 3), times).map(\.records) == [3, 3])
        #expect(run(.countSliding(size: 3, hop: 2), times).map(\.startOffset) == [0, 2, 4])
        #expect(run(.eventTimeTumbling(sizeMs: 10, allowedLatenessMs: 0), times).map(\.startTime) == [0, 10, 20, 30, 40])
        #expect(WindowSpec.eventTimeTumbling(sizeMs: 10, allowedLatenessMs: 25).slots == 4)
        #expect(WindowSpec.countSliding(size: 3, hop: 2).makeWindow().addsBeforeClose)
        var k = WindowSpec.eventTimeTumbling(sizeMs: 10, allowedLatenessMs: 5).makeWindow()
        _ = k.add(offset: 0, eventTime: 3)
        #expect(try KeyWindow(encodedState: k.encodedState()) == k)
    }
}
