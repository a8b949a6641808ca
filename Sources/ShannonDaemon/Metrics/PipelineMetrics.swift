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

/// One pipeline's counters and gauges.
final class PipelineMetrics: Sendable {
    let records: Counter
    let deadLetters: [Counter]   // by DeadLetterReason.index
    let windows: [String: Counter]
    let alertsFiring: [String: Counter]
    let alertsResolved: [String: Counter]
    let checkpoints: Counter
    let checkpointFailures: Counter
    let lastCheckpoint: Gauge
    let partitions: Gauge

    init(registry r: PrometheusCollectorRegistry, pipeline: String, stages: [StageSpec]) {
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
    }
}

extension MetricNameDescriptor {
    /// A `shannon_…` metric: the name is written whole (with its unit suffix) so it greps.
    static func shannon(_ fullName: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: fullName, unitName: "", helpText: help)
    }
}
