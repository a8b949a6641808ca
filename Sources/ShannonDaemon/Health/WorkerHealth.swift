#if canImport(Glibc)
import Glibc
#endif
import ShannonKafka
import Synchronization

/// What one pipeline worker tells the probes: that its thread still polls, and whether the
/// partitions it owns are restored.
///
/// The worker writes (one atomic store per poll-loop iteration, a lock on assignment changes);
/// the metrics server's thread reads. A worker that is busy restoring state is not judged on
/// polling (readiness reports it instead): a liveness probe must not kill a daemon for loading
/// a large changelog.
public final class WorkerHealth: Sendable {
    public enum Phase: Sendable, Equatable {
        /// Started; no partition assignment received yet.
        case starting
        /// Loading the state of these partitions (checkpoint files or the changelog).
        case restoring([TopicPartition])
        /// Every owned partition is restored (possibly none: a group member may own nothing).
        case running(partitions: Int)
        /// The worker's run ended; the reason is the error, or how it ended.
        case stopped(String)
    }

    /// The pipeline's name, with `#n` for every worker after a pipeline's first.
    public let name: String
    public let pipeline: String
    public let index: Int
    /// How long a worker may go without polling before liveness fails.
    public let stallBound: Duration
    private let lastPoll: Atomic<UInt64>
    private let state = Mutex(Phase.starting)

    /// The default bound on the time between two polls: max(30 s, 3 × the poll timeout).
    ///
    /// Why 30 s: one poll-loop iteration can legitimately block for a while besides the poll
    /// itself: processing a batch (milliseconds), the end-of-topic check (watermark queries,
    /// 5 s timeout), handing a checkpoint round to a writer whose queue is full, or draining
    /// checkpoints on a revocation (each round waits up to 30 s for alert deliveries). A stall
    /// beyond that is a hang, not work; 3 × the poll timeout keeps the bound above the poll
    /// itself if someone configures a long one.
    public static func stallBound(pollTimeout: Duration) -> Duration {
        max(.seconds(30), pollTimeout * 3)
    }

    public init(pipeline: String, index: Int = 0, stallBound: Duration, now: UInt64 = MonotonicClock.nanoseconds()) {
        self.pipeline = pipeline
        self.index = index
        self.name = index == 0 ? pipeline : "\(pipeline)#\(index)"
        self.stallBound = stallBound
        // Creation counts as a poll: a worker that never manages a first poll is a stall too.
        self.lastPoll = Atomic(now)
    }

    // MARK: Written by the worker

    /// Called once per poll-loop iteration.
    @inline(__always)
    func polled(at now: UInt64 = MonotonicClock.nanoseconds()) {
        lastPoll.store(now, ordering: .relaxed)
    }

    /// The worker starts loading these partitions' state (inside the rebalance callback).
    func restoring(_ partitions: [TopicPartition]) {
        update(.restoring(partitions.sorted { ($0.topic, $0.partition) < ($1.topic, $1.partition) }))
    }

    /// Every partition the worker owns is restored (after an assignment or a revocation).
    func running(partitions: Int) { update(.running(partitions: partitions)) }

    /// The run ended; sticky: nothing the worker does afterwards revives it.
    public func stopped(_ reason: String) {
        state.withLock { if case .stopped = $0 { return }; $0 = .stopped(reason) }
    }

    private func update(_ phase: Phase) {
        state.withLock { if case .stopped = $0 { return }; $0 = phase }
        polled() // a phase change is progress: the stall clock restarts from here
    }

    // MARK: Read by the probes

    public var phase: Phase { state.withLock { $0 } }

    /// Why this worker is not live, or nil when it is.
    public func livenessProblem(now: UInt64 = MonotonicClock.nanoseconds()) -> String? {
        switch phase {
        case let .stopped(reason):
            return "\(name): worker stopped: \(reason)"
        case .restoring:
            return nil
        case .starting, .running:
            let since = Duration.nanoseconds(Int64(now &- min(now, lastPoll.load(ordering: .relaxed))))
            guard since > stallBound else { return nil }
            return "\(name): no poll for \(Self.format(since)) (bound \(Self.format(stallBound)))"
        }
    }

    /// Why this worker is not ready, or nil when it is: live, assigned and fully restored.
    public func readinessProblem(now: UInt64 = MonotonicClock.nanoseconds()) -> String? {
        if let problem = livenessProblem(now: now) { return problem }
        switch phase {
        case .starting:
            return "\(name): waiting for a partition assignment"
        case let .restoring(tps):
            return "\(name): restoring \(tps.map(\.description).joined(separator: ","))"
        case .running, .stopped:
            return nil
        }
    }

    static func format(_ d: Duration) -> String {
        let (s, a) = d.components
        let tenths = a / 100_000_000_000_000_000
        return "\(s).\(tenths) s"
    }
}

/// CLOCK_MONOTONIC in nanoseconds: an integer an `Atomic` can hold, read through the vDSO (tens
/// of nanoseconds), unaffected by wall-clock steps.
public enum MonotonicClock {
    @inline(__always)
    public static func nanoseconds() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec)
    }
}
