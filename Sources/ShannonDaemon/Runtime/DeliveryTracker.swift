import Foundation
import Prometheus
import ShannonCore
import ShannonKafka
import Synchronization

/// Tracks which produced messages (alerts, windows, dead letters) the broker has acknowledged,
/// by message id, so that a checkpoint is written only once everything published before it is
/// delivered, and never over a refused one: alerts are at-least-once because of this check.
///
/// Ids come from `nextID()` (1, 2, 3… on the producing worker thread); delivery reports arrive
/// on whichever thread polls or flushes the producer. Reports come back out of order across
/// partitions, so the tracker keeps the highest id below which every message is settled.
public final class DeliveryTracker: Sendable {
    private struct Settled {
        /// Every id ≤ this has a delivery report.
        var through: UInt64 = 0
        /// Reported ids above `through + 1`.
        var ahead: Set<UInt64> = []
        /// The lowest id the broker refused, if any.
        var firstFailed: UInt64?
    }
    private let settled = Mutex(Settled())
    private let issued = Atomic<UInt64>(0)
    private let failures = Atomic<Int>(0)
    private let delivered = Atomic<Int>(0)
    private let last = Mutex<KafkaError?>(nil)
    /// Messages whose acknowledgement is timed: id → (record time in ms, where to record it).
    /// Only alerts are timed, so this holds a handful of entries.
    private let timed = Mutex<[UInt64: (Int64, ValueHistogram)]>([:])

    public init() {}

    /// The id of the next message to produce.
    func nextID() -> UInt64 { issued.add(1, ordering: .relaxed).newValue }

    /// The id of the next message to produce, whose acknowledgement is recorded in `latency` as
    /// the seconds since `recordTimeMs` (wall clock, ms since the epoch).
    func nextID(timing recordTimeMs: Int64, in latency: ValueHistogram) -> UInt64 {
        let id = nextID()
        timed.withLock { $0[id] = (recordTimeMs, latency) }
        return id
    }

    /// The last id handed out.
    var lastIssued: UInt64 { issued.load(ordering: .relaxed) }

    /// The handler to give `KafkaProducer(onDelivery:)`.
    public var handler: @Sendable (DeliveryReport) -> Void {
        { [self] report in
            if let error = report.error {
                failures.add(1, ordering: .relaxed)
                last.withLock { $0 = error }
            } else {
                delivered.add(1, ordering: .relaxed)
            }
            guard report.id > 0 else { return }
            if let (recordTimeMs, latency) = timed.withLock({ $0.removeValue(forKey: report.id) }), report.error == nil {
                let nowMs = Int64(Date().timeIntervalSince1970 * 1000)
                latency.record(Double(max(0, nowMs - recordTimeMs)) / 1000)
            }
            settled.withLock { s in
                if report.error != nil { s.firstFailed = min(s.firstFailed ?? .max, report.id) }
                if report.id == s.through + 1 {
                    s.through += 1
                    while s.ahead.remove(s.through + 1) != nil { s.through += 1 }
                } else if report.id > s.through {
                    s.ahead.insert(report.id)
                }
            }
        }
    }

    /// Whether every message up to `id` has a report, and whether one of them was refused.
    func state(through id: UInt64) -> (settled: Bool, refused: Bool) {
        settled.withLock { s in (s.through >= id, (s.firstFailed ?? .max) <= id) }
    }

    public var failureCount: Int { failures.load(ordering: .relaxed) }
    public var deliveredCount: Int { delivered.load(ordering: .relaxed) }
    public var lastError: KafkaError? { last.withLock { $0 } }
}
