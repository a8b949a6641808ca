import ShannonCore
import Prometheus

/// The daemon's Prometheus metrics (names used by ops/prometheus and the dashboard).
///
/// Counters are bumped once per batch from counts the run loop keeps in plain integers, so
/// the per-record path never touches an atomic.
public final class ShannonMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry

    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
    }

    /// The text exposition for `GET /metrics`.
    public func exposition() -> [UInt8] { registry.emitToBuffer() }

    func pipeline(_ name: String, stages: [StageSpec]) -> PipelineMetrics {
        PipelineMetrics(registry: registry, pipeline: name, stages: stages)
    }
}

/// One pipeline's counters, gauges and histograms (docs/operations.md lists them all).
final class PipelineMetrics: Sendable {
    let registry: PrometheusCollectorRegistry
    let pipeline: String
    let records: Counter
    let deadLetters: [Counter]   // by DeadLetterReason.index
    let windows: [String: Counter]
    let alertsFiring: [String: Counter]
    let alertsResolved: [String: Counter]
    let checkpoints: Counter
    let checkpointFailures: Counter
    let lastCheckpoint: Gauge
    let partitions: Gauge
    // Lag, latency, state size and checkpoint cost (issue #11): observed per batch, per closed
    // window, per alert or once a second, never per record.
    /// Record time → window closed, by stage index.
    let windowCloseLatency: [ValueHistogram]
    /// Record time → the broker acknowledged the alert, by stage index.
    let alertDeliveryLatency: [ValueHistogram]
    /// Keys with state, by stage index (summed over the pipeline's workers: each adds its change).
    let keysHeld: [Gauge]
    let keysEvicted: [Counter]
    let checkpointWriteDuration: ValueHistogram
    let checkpointBytes: Counter
    let restoreDuration: ValueHistogram
    /// The changelog's restores (ChangelogStats): records read and the last restore's time.
    let changelogEntriesRead: Gauge
    let changelogLastRestore: Gauge

    /// Latency buckets, seconds: a live stream's close takes milliseconds to seconds, a
    /// catching-up one minutes to hours (the age of the backlog).
    static let latencyBuckets: [Double] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600]
    static let checkpointBuckets: [Double] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30]
    static let restoreBuckets: [Double] = [0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300]

    init(registry r: PrometheusCollectorRegistry, pipeline: String, stages: [StageSpec]) {
        registry = r
        self.pipeline = pipeline
        let p = ("pipeline", pipeline)
        records = r.makeCounter(descriptor: .shannon("shannon_records_total", "Records consumed and decoded successfully."), labels: [p])
        deadLetters = DeadLetterReason.allCases.map {
            r.makeCounter(descriptor: .shannon("shannon_dead_letters_total", "Records sent to the dead-letter topic, by reason."), labels: [p, ("reason", $0.rawValue)])
        }
        var windows: [String: Counter] = [:]
        var firing: [String: Counter] = [:]
        var resolved: [String: Counter] = [:]
        for s in stages {
            let st = ("stage", s.id)
            windows[s.id] = r.makeCounter(descriptor: .shannon("shannon_windows_closed_total", "Windows closed (and reported) per stage."), labels: [p, st])
            firing[s.id] = r.makeCounter(descriptor: .shannon("shannon_alerts_total", "Alerts produced, by state."), labels: [p, st, ("state", "firing")])
            resolved[s.id] = r.makeCounter(descriptor: .shannon("shannon_alerts_total", "Alerts produced, by state."), labels: [p, st, ("state", "resolved")])
        }
        self.windows = windows
        alertsFiring = firing
        alertsResolved = resolved
        checkpoints = r.makeCounter(descriptor: .shannon("shannon_checkpoints_total", "Partition checkpoints written."), labels: [p])
        checkpointFailures = r.makeCounter(descriptor: .shannon("shannon_checkpoint_failures_total", "Checkpoints that could not be written (state kept in memory, retried)."), labels: [p])
        lastCheckpoint = r.makeGauge(descriptor: .shannon("shannon_checkpoint_last_success_timestamp_seconds", "Wall-clock time of the last durable checkpoint."), labels: [p])
        partitions = r.makeGauge(descriptor: .shannon("shannon_assigned_partitions", "Partitions this daemon owns."), labels: [p])
        windowCloseLatency = stages.map {
            r.makeValueHistogram(descriptor: .shannon("shannon_window_close_latency_seconds",
                                                      "Kafka timestamp of the records that closed a window to the window's close, per closed window."),
                                 labels: [p, ("stage", $0.id)], buckets: Self.latencyBuckets)
        }
        alertDeliveryLatency = stages.map {
            r.makeValueHistogram(descriptor: .shannon("shannon_alert_delivery_latency_seconds",
                                                      "Kafka timestamp of the records that closed a window to the broker's acknowledgement of its alert."),
                                 labels: [p, ("stage", $0.id)], buckets: Self.latencyBuckets)
        }
        keysHeld = stages.map {
            r.makeGauge(descriptor: .shannon("shannon_keys_held", "Keys with state in the owned partitions, per stage (updated every second)."),
                        labels: [p, ("stage", $0.id)])
        }
        keysEvicted = stages.map {
            r.makeCounter(descriptor: .shannon("shannon_keys_evicted_total",
                                               "Keys evicted by the stage's key bound (keys.max) or idle timeout (keys.idle_timeout)."),
                          labels: [p, ("stage", $0.id)])
        }
        checkpointWriteDuration = r.makeValueHistogram(
            descriptor: .shannon("shannon_checkpoint_write_duration_seconds",
                                 "Time to write one round of partition checkpoints (files, fsyncs), after its alerts were delivered."),
            labels: [p], buckets: Self.checkpointBuckets)
        checkpointBytes = r.makeCounter(descriptor: .shannon("shannon_checkpoint_written_bytes_total", "Bytes of checkpoint files written."), labels: [p])
        restoreDuration = r.makeValueHistogram(
            descriptor: .shannon("shannon_restore_duration_seconds",
                                 "Time to load the state of newly assigned partitions (checkpoint files or changelog), per assignment."),
            labels: [p], buckets: Self.restoreBuckets)
        changelogEntriesRead = r.makeGauge(descriptor: .shannon("shannon_changelog_restore_entries_read",
            "Changelog records (entries, tombstones, markers) read by the pipeline's restores so far."), labels: [p])
        changelogLastRestore = r.makeGauge(descriptor: .shannon("shannon_changelog_last_restore_seconds",
            "Time of the last restore from the changelog (read to the end, rebuild, decompress)."), labels: [p])
    }

    /// Adds a worker's changelog restore figures (called when an assignment's restore is done;
    /// the workers of a pipeline share these gauges, so each adds what it has not reported yet).
    func changelogRestored(_ stats: ChangelogStats) {
        let (entries, seconds) = stats.takeUnreportedRestores()
        guard entries > 0 || seconds != nil else { return }
        changelogEntriesRead.increment(by: Double(entries))
        if let seconds { changelogLastRestore.set(seconds) }
    }

    /// The lag gauge of one partition (the registry hands back the same gauge for the same labels).
    func lag(_ topic: String, _ partition: Int32) -> Gauge {
        registry.makeGauge(descriptor: .shannon("shannon_consumer_lag_records",
                                                "Records behind the partition's high watermark (high watermark − next offset to process)."),
                           labels: [("pipeline", pipeline), ("topic", topic), ("partition", "\(partition)")])
    }

    /// Wall-clock time of a worker's last poll, for "the worker stopped polling" alerts.
    func lastPoll(worker: Int) -> Gauge {
        registry.makeGauge(descriptor: .shannon("shannon_worker_last_poll_timestamp_seconds",
                                                "Wall-clock time a worker last polled its consumer (updated every second)."),
                           labels: [("pipeline", pipeline), ("worker", "\(worker)")])
    }
}

extension MetricNameDescriptor {
    /// A `shannon_…` metric: the name is written whole (with its unit suffix) so it greps.
    static func shannon(_ fullName: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: fullName, unitName: "", helpText: help)
    }
}
