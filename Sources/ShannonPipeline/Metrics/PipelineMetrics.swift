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
        records = r.makeCounter(name: "shannon_records_total", labels: [p],
                                help: "Records consumed and decoded successfully.")
        deadLetters = DeadLetterReason.allCases.map {
            r.makeCounter(name: "shannon_dead_letters_total", labels: [p, ("reason", $0.rawValue)],
                          help: "Records sent to the dead-letter topic, by reason.")
        }
        var windows: [String: Counter] = [:]
        var firing: [String: Counter] = [:]
        var resolved: [String: Counter] = [:]
        for s in stages {
            let st = ("stage", s.id)
            windows[s.id] = r.makeCounter(name: "shannon_windows_closed_total", labels: [p, st],
                                          help: "Windows closed (and reported) per stage.")
            firing[s.id] = r.makeCounter(name: "shannon_alerts_total", labels: [p, st, ("state", "firing")],
                                         help: "Alerts produced, by state.")
            resolved[s.id] = r.makeCounter(name: "shannon_alerts_total", labels: [p, st, ("state", "resolved")],
                                           help: "Alerts produced, by state.")
        }
        self.windows = windows
        alertsFiring = firing
        alertsResolved = resolved
        checkpoints = r.makeCounter(name: "shannon_checkpoints_total", labels: [p], help: "Partition checkpoints written.")
        checkpointFailures = r.makeCounter(name: "shannon_checkpoint_failures_total", labels: [p],
                                           help: "Checkpoints that could not be written (state kept in memory, retried).")
        lastCheckpoint = r.makeGauge(name: "shannon_checkpoint_last_success_timestamp_seconds", labels: [p],
                                     help: "Wall-clock time of the last durable checkpoint.")
        partitions = r.makeGauge(name: "shannon_assigned_partitions", labels: [p], help: "Partitions this daemon owns.")
    }
}
