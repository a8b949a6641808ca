import Foundation
import Prometheus
import ShannonCore
import ShannonKafka

/// What the worker keeps for its probes and the metrics that are not plain counters: lag,
/// latency, keys held, restore time (issue #11). One value, so the worker holds one property.
struct WorkerObservation {
    /// Kafka timestamp (ms) of the first record of the batch being processed: the time the
    /// latency histograms start from. A batch's records are in offset order per partition,
    /// so for a one-partition batch this is its oldest record.
    var batchTimeMs: Int64?
    /// Windows closed per stage when their latency was last recorded.
    var windowsSeen: [Int]
    /// Keys held per stage as this worker last added them to the pipeline's gauges.
    var keysReported: [Int]
    var lagGauges: [TopicPartition: Gauge] = [:]
    var lastPollGauge: Gauge?
    /// Monotonic time of the next once-a-second update.
    var nextHousekeeping: UInt64 = 0
    /// Monotonic time the current assignment's restore started.
    var restoreStarted: UInt64?
    /// Partitions this worker last added to the pipeline's `shannon_assigned_partitions`.
    var partitionsReported = 0

    init(stages: Int, lastPollGauge: Gauge?) {
        windowsSeen = Array(repeating: 0, count: stages)
        keysReported = Array(repeating: 0, count: stages)
        self.lastPollGauge = lastPollGauge
    }
}

extension PipelineWorker {
    static let housekeepingInterval: UInt64 = 1_000_000_000

    // MARK: Called by the run loop

    /// Once per poll-loop iteration, right after the poll: tells the probes the thread polls,
    /// notes the batch's record time, and once a second refreshes the lag, keys-held and
    /// last-poll gauges (off the per-record path: partitions × stages dictionary counts and
    /// librdkafka's cached watermarks, no network).
    @inline(__always)
    func observe(_ batch: KafkaMessageBatch) {
        let now = MonotonicClock.nanoseconds()
        health.polled(at: now)
        if batch.count > 0 { observation.batchTimeMs = batch[0].timestamp }
        if now >= observation.nextHousekeeping { housekeeping(now) }
    }

    /// The id of an outbound record; an alert's acknowledgement is timed from the record time.
    func messageID(for record: OutboundRecord) -> UInt64 {
        guard let deliveries else { return 0 }
        if case let .alert(stage, _) = record.kind, let metrics, let t = observation.batchTimeMs {
            return deliveries.nextID(timing: t, in: metrics.alertDeliveryLatency[stage])
        }
        return deliveries.nextID()
    }

    /// After publishing: one latency sample per window closed since the last call, from the
    /// record time of the batch that closed it.
    func observeClosedWindows() {
        guard let metrics else { return }
        let windows = engine.counts.windows
        guard windows != observation.windowsSeen else { return }
        if let t = observation.batchTimeMs {
            let latency = Double(max(0, Self.nowMs() - t)) / 1000
            for i in windows.indices where windows[i] > observation.windowsSeen[i] {
                for _ in 0..<(windows[i] - observation.windowsSeen[i]) { metrics.windowCloseLatency[i].record(latency) }
            }
        }
        observation.windowsSeen = windows
    }

    // MARK: Called on assignment changes

    /// An assignment arrived: the probes see these partitions as restoring until
    /// `partitionsChanged`.
    func assignmentStarted(_ tps: [TopicPartition]) {
        health.restoring(tps)
        observation.restoreStarted = tps.isEmpty ? nil : MonotonicClock.nanoseconds()
    }

    /// The owned partitions changed and every one is restored: ready again; the restore time is
    /// recorded and a revoked partition's lag gauge removed (an owned one's appears once its lag
    /// is known, so a 0 always means caught up, never "not measured yet").
    func partitionsChanged() {
        health.running(partitions: partitions.count)
        observation.nextHousekeeping = 0
        guard let metrics else { return }
        if let started = observation.restoreStarted {
            metrics.restoreDuration.record(Double(MonotonicClock.nanoseconds() &- started) / 1e9)
            if let changelog { metrics.changelogRestored(changelog.store.stats) }
            observation.restoreStarted = nil
        }
        for (tp, gauge) in observation.lagGauges where partitions[tp] == nil {
            metrics.registry.unregisterGauge(gauge)
            observation.lagGauges[tp] = nil
        }
    }

    /// Adds this worker's change in owned partitions to the pipeline's gauge, which is thus the
    /// total over its workers (as `keysHeld`).
    func reportPartitions() {
        let n = partitions.count
        guard n != observation.partitionsReported else { return }
        metrics?.partitions.increment(by: Double(n - observation.partitionsReported))
        observation.partitionsReported = n
    }

    // MARK: Once a second

    private func housekeeping(_ now: UInt64) {
        observation.nextHousekeeping = now + Self.housekeepingInterval
        guard let metrics else { return }
        observation.lastPollGauge?.set(Date().timeIntervalSince1970)
        if let consumer {
            for (tp, state) in partitions {
                guard let lag = Self.lag(of: tp, state, consumer) else { continue }
                let gauge = observation.lagGauges[tp] ?? metrics.lag(tp.topic, tp.partition)
                observation.lagGauges[tp] = gauge
                gauge.set(Double(lag))
            }
        }
        // The engine keeps the count as keys come and go (a revoked partition's runners take
        // theirs off), so nothing walks the keys here. Each worker adds its change, so the
        // gauge is the pipeline's total over its workers.
        let keys = engine.counts.keysHeld
        for i in keys.indices where keys[i] != observation.keysReported[i] {
            metrics.keysHeld[i].increment(by: Double(keys[i] - observation.keysReported[i]))
        }
        observation.keysReported = keys
    }

    /// High watermark − the next offset to process; before the first record, from the
    /// consumer's position (nil while neither is known, e.g. before the first fetch).
    static func lag(of tp: TopicPartition, _ state: PartitionState, _ consumer: KafkaConsumer) -> Int64? {
        guard let (_, high) = consumer.lastFetchedWatermarks(tp) else { return nil }
        var next = state.nextOffset
        if next < 0 {
            guard let position = (try? consumer.position([tp]))?[tp] else { return nil }
            next = position
        }
        return max(0, high - next)
    }
}
