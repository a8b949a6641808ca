import Foundation
import Logging
import ShannonCore
import ShannonKafka
import Synchronization

/// A pipeline's partitions processed by N worker threads (issue #8, "use both cores").
///
/// Each worker is a `PipelineWorker` with its own consumer in the pipeline's consumer group, so
/// the group's rebalances hand each partition to exactly one worker, whose rebalance callback
/// loads the partition's state before its first record and checkpoints it before it leaves
/// (PipelineWorker+Checkpoints.swift): state, windows and alert lifecycles stay per worker, with
/// no lock on the hot path. All consumers subscribe at the same moment, so the group forms in
/// one join (~3 s on the embedded broker, as for one worker) rather than one rebalance per member.
/// One consumer with per-partition queues forwarded to N threads was the alternative; one
/// consumer per worker reuses the whole worker unchanged (docs/benchmarks.md has the figures).
///
/// The workers share the producer (librdkafka producers are thread-safe) and its delivery
/// tracker: a worker's checkpoint waits for everything the pipeline published before it, so a
/// refused alert of any worker keeps every later checkpoint off disk, and the failed worker
/// stops its siblings (`WorkerTeam`). With `manualPartitions` (no group) the partitions are
/// dealt round-robin, at most one worker per partition.
public enum PipelineWorkers {
    /// Workers per pipeline when neither `--workers` nor the file's `workers:` says: 1, by
    /// measurement (docs/benchmarks.md, 2 Dec 2026 19:00). On the 1 M-record bench a second
    /// worker gave the same rate (≈ 0.5 M rec/s: both end 2.0 s after their assignment, bounded
    /// by fixed waits, not by the CPU), 20 MiB more peak RSS at the same per-worker prefetch, and
    /// in 1 run of 12 a member whose JoinGroup reached the embedded broker after the group had
    /// formed: a rebalance that waited out the 45 s session timeout. Several workers pay off once
    /// the per-record work exceeds a core (heavier stages); set `workers:` then.
    public static let defaultCount = 1

    /// How many workers `plan` runs with under `options`.
    public static func count(_ spec: PipelineSpec, options: RunOptions) -> Int {
        let n = max(1, options.workers ?? spec.workers ?? defaultCount)
        guard let manual = options.manualPartitions else { return n }
        return max(1, min(n, manual.count))
    }

    /// `partitions` dealt round-robin to `workers` (sorted first, so a run is reproducible).
    static func deal(_ partitions: [TopicPartition], workers: Int) -> [[TopicPartition]] {
        var shares = Array(repeating: [TopicPartition](), count: workers)
        let sorted = partitions.sorted { ($0.topic, $0.partition) < ($1.topic, $1.partition) }
        for (i, tp) in sorted.enumerated() { shares[i % workers].append(tp) }
        return shares
    }

    /// Runs every worker of `plan` until `limit`/`stop`; worker 0 on the calling thread, the
    /// others on threads of their own. Returns the pipeline's summary (the workers' merged), or
    /// the first worker's error once every worker has ended. Each worker is listed in `health`
    /// before it is built, so one that fails to start shows on `/healthz` with the error.
    public static func run(_ plan: PipelinePlan, options: RunOptions, limit: RunLimit, stop: StopSignal,
                           stopMode: StopMode = .graceful, metrics: ShannonMetrics? = nil, health: DaemonHealth? = nil,
                           logger: Logger) throws -> RunSummary {
        let n = count(plan.spec, options: options)
        let healths = (0..<n).map { _ in
            health?.register(pipeline: plan.spec.name, stallBound: WorkerHealth.stallBound(pollTimeout: options.pollTimeout))
        }
        let wiring: PipelineWorker.SharedProducer
        do { wiring = try PipelineWorker.sharedProducer(plan: plan, options: options, logger: logger) } catch {
            healths.forEach { $0?.stopped("\(error)") }
            throw error
        }
        let shares = options.manualPartitions.map { deal($0, workers: n) }
        let team = WorkerTeam(workers: n)
        let outcomes = Outcomes(count: n)
        let ended = DispatchGroup()
        @Sendable func work(_ seat: Int) {
            var opts = options
            if let shares { opts.manualPartitions = shares[seat] }
            var log = logger
            if n > 1 { log[metadataKey: "worker"] = "\(seat)" }
            let outcome = Result {
                let worker = try PipelineWorker(plan: plan, options: opts, producer: wiring.producer,
                                                deliveries: wiring.deliveries, metrics: metrics, health: healths[seat],
                                                logger: log)
                return try worker.run(limit: limit, stop: stop, stopMode: stopMode, team: team, seat: seat)
            }
            switch outcome {
            case .success: healths[seat]?.stopped("finished (caught up or asked to stop)")
            case let .failure(error):
                team.fail()
                healths[seat]?.stopped("\(error)")
            }
            outcomes.set(seat, outcome)
        }
        for seat in 1..<max(n, 1) {
            ended.enter()
            let thread = Thread {
                work(seat)
                ended.leave()
            }
            thread.name = "shannon-\(plan.spec.name)-\(seat)"
            thread.stackSize = 8 << 20
            thread.start()
        }
        work(0)
        ended.wait()
        try? wiring.producer.flush(timeout: .seconds(10))
        var summary = RunSummary(pipeline: plan.spec.name)
        for outcome in outcomes.all {
            switch outcome {
            case let .success(s)?: summary.merge(s)
            case let .failure(error)?: throw error
            case nil: throw RuntimeError.abandoned // unreachable: every seat sets its outcome
            }
        }
        return summary
    }

    /// Each seat's outcome, set once by its thread.
    private final class Outcomes: Sendable {
        private let slots: Mutex<[Result<RunSummary, any Error>?]>
        init(count: Int) { slots = Mutex(Array(repeating: nil, count: count)) }
        func set(_ seat: Int, _ r: Result<RunSummary, any Error>) { slots.withLock { $0[seat] = r } }
        var all: [Result<RunSummary, any Error>?] { slots.withLock { $0 } }
    }
}

extension RunSummary {
    /// Adds another worker's summary of the same pipeline: counts add up, the run lasted as
    /// long as its longest worker, each partition's next offset comes from the worker that
    /// owned it at the end.
    mutating func merge(_ o: RunSummary) {
        records += o.records
        decoded += o.decoded
        deadLetters.merge(o.deadLetters, uniquingKeysWith: +)
        windows.merge(o.windows, uniquingKeysWith: +)
        alertsFiring += o.alertsFiring
        alertsResolved += o.alertsResolved
        checkpoints += o.checkpoints
        restoredPartitions += o.restoredPartitions
        seconds = max(seconds, o.seconds)
        nextOffsets.merge(o.nextOffsets) { $1 }
    }
}
