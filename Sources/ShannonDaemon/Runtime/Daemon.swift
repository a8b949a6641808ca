import ShannonCore
import Foundation
import Logging
import ShannonKafka

/// Runs several pipelines side by side, one thread each (a worker and its consumer are
/// thread-confined), and waits for all of them.
public enum Daemon {
    /// Consumer-only librdkafka properties that a producer would warn about.
    static let consumerOnly: Set<String> = [
        "group.id", "group.instance.id", "auto.offset.reset", "enable.auto.commit", "auto.commit.interval.ms",
        "enable.auto.offset.store", "enable.partition.eof", "session.timeout.ms", "heartbeat.interval.ms",
        "max.poll.interval.ms", "partition.assignment.strategy", "isolation.level", "check.crcs",
        "queued.min.messages", "queued.max.messages.kbytes", "fetch.wait.max.ms", "fetch.min.bytes",
        "fetch.max.bytes", "fetch.message.max.bytes", "max.partition.fetch.bytes", "fetch.error.backoff.ms",
    ]

    /// The producer (alerts, dead letters, windows) talks to the pipeline's cluster with the
    /// same client properties (TLS, SASL) minus the consumer-only ones.
    public static func producerConfiguration(_ spec: PipelineSpec, overrides: [String: String]) -> [String: String] {
        var conf: [String: String] = [:]
        for (k, v) in spec.source.properties where !consumerOnly.contains(k) { conf[k] = v }
        for (k, v) in overrides where !consumerOnly.contains(k) { conf[k] = v }
        conf["linger.ms"] = conf["linger.ms"] ?? "5"
        return conf
    }

    /// Runs every plan on its own thread until `limit`/`stop`; returns each one's outcome in order.
    public static func run(_ plans: [PipelinePlan], options: RunOptions, limit: RunLimit, stop: StopSignal,
                           metrics: ShannonMetrics?, logger: Logger) -> [Result<RunSummary, any Error>] {
        let results = ResultsBox(count: plans.count)
        let group = DispatchGroup()
        for (i, plan) in plans.enumerated() {
            group.enter()
            let thread = Thread {
                defer { group.leave() }
                let outcome: Result<RunSummary, any Error>
                do {
                    let deliveries = DeliveryTracker()
                    let producer = try KafkaProducer(configuration: producerConfiguration(plan.spec, overrides: options.propertyOverrides),
                                                     logger: logger, onDelivery: deliveries.handler)
                    let worker = try PipelineWorker(plan: plan, options: options, producer: producer, deliveries: deliveries,
                                                    metrics: metrics, logger: logger)
                    outcome = .success(try worker.run(limit: limit, stop: stop))
                    try? producer.flush(timeout: .seconds(10))
                } catch {
                    var l = logger
                    l[metadataKey: "pipeline"] = "\(plan.spec.name)"
                    l.error("pipeline stopped with an error; stopping the others so the daemon exits non-zero and its supervisor restarts it",
                            metadata: ["error": "\(error)"])
                    outcome = .failure(error)
                    stop.stop()
                }
                results.set(i, outcome)
            }
            thread.name = "shannon-\(plan.spec.name)"
            thread.stackSize = 8 << 20
            thread.start()
        }
        group.wait()
        return results.all()
    }
}

/// Results written by worker threads, read after they all finished.
private final class ResultsBox: @unchecked Sendable {
    // @unchecked: each slot is written by exactly one thread before DispatchGroup.wait returns.
    private var values: [Result<RunSummary, any Error>?]
    private let lock = NSLock()
    init(count: Int) { values = Array(repeating: nil, count: count) }
    func set(_ i: Int, _ r: Result<RunSummary, any Error>) { lock.lock(); values[i] = r; lock.unlock() }
    func all() -> [Result<RunSummary, any Error>] { lock.lock(); defer { lock.unlock() }; return values.map { $0! } }
}
