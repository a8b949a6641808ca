import Testing
import ShannonStats
@testable import ShannonCore
import ShannonTestSupport

@Suite struct CountWindowTests {
    @Test func tumblingClosesEverySizeRecordsWithSparseOffsets() {
        var w = CountTumblingWindow(size: 3)
        // A key's records are sparse in the partition: offsets 10, 13, 14, 20, 21, 30, 31, 40.
        let offsets: [Int64] = [10, 13, 14, 20, 21, 30, 31, 40]
        var events: [WindowEvent] = []
        for (i, o) in offsets.enumerated() { events.append(w.add(offset: o, eventTime: 1000 + Int64(i))) }
        #expect(events == [
            .none, .none, .close(WindowBounds(startOffset: 10, endOffset: 14, startTime: 1000, endTime: 1002, records: 3)),
            .none, .none, .close(WindowBounds(startOffset: 20, endOffset: 30, startTime: 1003, endTime: 1005, records: 3)),
            .none, .none,
        ])
        #expect(w.count == 2)
    }

    @Test func tumblingOfOneClosesEveryRecordAndHasNoTimesWithoutEventTime() {
        var w = CountTumblingWindow(size: 1)
        #expect(w.add(offset: 5) == .close(WindowBounds(startOffset: 5, endOffset: 5, startTime: nil, endTime: nil, records: 1)))
        #expect(w.add(offset: 6) == .close(WindowBounds(startOffset: 6, endOffset: 6, startTime: nil, endTime: nil, records: 1)))
    }

    @Test func slidingEvictsOnceFullAndReportsEveryHop() {
        var w = CountSlidingWindow(size: 4, hop: 2)
        var steps: [CountSlidingWindow.Step] = []
        for o in Int64(100)..<110 { steps.append(w.add(offset: o, eventTime: o * 10)) }
        #expect(steps.map(\.evictsOldest) == [false, false, false, false, true, true, true, true, true, true])
        let closes = steps.enumerated().compactMap { i, s -> (Int, WindowBounds)? in
            if case let .close(b) = s.event { return (i, b) } else { return nil }
        }
        #expect(closes.map(\.0) == [3, 5, 7, 9])
        #expect(closes.map(\.1) == [
            WindowBounds(startOffset: 100, endOffset: 103, startTime: 1000, endTime: 1030, records: 4),
            WindowBounds(startOffset: 102, endOffset: 105, startTime: 1020, endTime: 1050, records: 4),
            WindowBounds(startOffset: 104, endOffset: 107, startTime: 1040, endTime: 1070, records: 4),
            WindowBounds(startOffset: 106, endOffset: 109, startTime: 1060, endTime: 1090, records: 4),
        ])
    }

    /// A stage's ring of values driven by the window gives the same sums as recomputing each window.
    @Test func slidingDrivesAStageRingCorrectly() {
        let size = 5, hop = 3
        var w = CountSlidingWindow(size: size, hop: hop)
        var ring: [Double] = []
        var sum = 0.0
        var rng = SplitMix64(seed: 7)
        var values: [Double] = []
        var reported: [(Int, Double)] = []
        for i in 0..<40 {
            let v = Double(rng.below(1000))
            values.append(v)
            let step = w.add(offset: Int64(i))
            if step.evictsOldest { sum -= ring.removeFirst() }
            ring.append(v)
            sum += v
            if case .close = step.event { reported.append((i, sum)) }
        }
        let expected = stride(from: size - 1, to: 40, by: hop).map { end in (end, values[(end - size + 1)...end].reduce(0, +)) }
        #expect(reported.map(\.0) == expected.map(\.0))
        #expect(reported.map(\.1) == expected.map(\.1))
    }

    @Test func slidingWithHopEqualToSizeIsTumbling() {
        var s = CountSlidingWindow(size: 3, hop: 3)
        var t = CountTumblingWindow(size: 3)
        for o in Int64(0)..<12 {
            #expect(s.add(offset: o).event == t.add(offset: o))
        }
    }

    @Test func encodingRoundTripsMidStreamAndContinuesIdentically() throws {
        var t = CountTumblingWindow(size: 7)
        var s = CountSlidingWindow(size: 6, hop: 4)
        for o in Int64(0)..<17 {
            _ = t.add(offset: o, eventTime: o)
            _ = s.add(offset: o, eventTime: o % 3 == 0 ? nil : o)
        }
        var t2 = try CountTumblingWindow(encodedState: t.encodedState())
        var s2 = try CountSlidingWindow(encodedState: s.encodedState())
        #expect(t2 == t)
        #expect(s2 == s) // the ring is rotated after decoding; equality is about behaviour
        var other = s
        _ = other.add(offset: 99)
        #expect(other != s)
        for o in Int64(17)..<40 {
            #expect(t2.add(offset: o, eventTime: o) == t.add(offset: o, eventTime: o))
            #expect(s2.add(offset: o, eventTime: o) == s.add(offset: o, eventTime: o))
        }
        // Before the ring fills, too.
        var early = CountSlidingWindow(size: 10, hop: 1)
        _ = early.add(offset: 1)
        _ = early.add(offset: 2)
        var early2 = try CountSlidingWindow(encodedState: early.encodedState())
        for o in Int64(3)..<25 { #expect(early2.add(offset: o) == early.add(offset: o)) }
    }

    @Test func everyByteCorruptionOfWindowStateIsRejected() throws {
        var s = CountSlidingWindow(size: 4, hop: 1)
        for o in Int64(0)..<6 { _ = s.add(offset: o, eventTime: o) }
        var t = CountTumblingWindow(size: 9)
        for o in Int64(0)..<4 { _ = t.add(offset: o) }
        for bytes in [s.encodedState(), t.encodedState(), KeyWindow(t).encodedState()] {
            for i in bytes.indices {
                var bad = bytes
                bad[i] ^= 0x41
                #expect(throws: (any Error).self) { try KeyWindow(encodedState: bad) }
            }
            for n in 0..<bytes.count {
                #expect(throws: (any Error).self) { try KeyWindow(encodedState: Array(bytes.prefix(n))) }
            }
        }
    }
}
