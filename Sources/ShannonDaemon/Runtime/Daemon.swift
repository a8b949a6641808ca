import ShannonCore
import Foundation
import Logging
import ServiceLifecycle
import ShannonKafka
import Synchronization

/// Runs several pipelines side by side, each on its own worker threads (a worker and its consumer
/// are thread-confined; PipelineWorkers.swift), as services of one `ServiceGroup`.
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

    /// Runs one pipeline until `limit`/`stop`: its workers (`PipelineWorkers`, the one place
    /// they are wired), the first on the calling thread.
    static func runPipeline(_ plan: PipelinePlan, options: RunOptions, limit: RunLimit, stop: StopSignal,
                            metrics: ShannonMetrics?, health: DaemonHealth? = nil, logger: Logger) throws -> RunSummary {
        try PipelineWorkers.run(plan, options: options, limit: limit, stop: stop, metrics: metrics, health: health,
                                logger: logger)
    }

    /// The daemon: every pipeline (one `PipelineService` each) and the metrics endpoint in one
    /// `ServiceGroup`. SIGTERM/SIGINT (with `trapSignals`) shut it down gracefully, pipelines
    /// first, the metrics endpoint last; after `shutdownTimeout` the group stops waiting and
    /// the unfinished pipelines fail with `CancellationError` (their checkpoints on disk are
    /// atomic: a restart resumes from them). One failed pipeline shuts the group down, so the
    /// daemon exits non-zero and its supervisor restarts it. With `.untilCaughtUp` the group
    /// ends once every pipeline has read its partitions to the end.
    ///
    /// - Parameter health: where each worker reports for `/healthz` and `/readyz` (the same one
    ///   the metrics server was given).
    /// - Returns: each pipeline's outcome, in the order of `plans`.
    public static func serve(_ plans: [PipelinePlan], options: RunOptions, limit: RunLimit, metrics: ShannonMetrics?,
                             health: DaemonHealth? = nil, metricsServer: MetricsServer? = nil, trapSignals: Bool = true,
                             shutdownTimeout: Duration = .seconds(30), logger: Logger) async -> [Result<RunSummary, any Error>] {
        let ended = Latch(count: plans.count)
        let pipelines = plans.map { PipelineService(plan: $0, options: options, limit: limit, metrics: metrics,
                                                    health: health, logger: logger, ended: ended) }
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = []
        if let metricsServer {
            services.append(.init(service: MetricsService(server: metricsServer), successTerminationBehavior: .ignore,
                                  failureTerminationBehavior: .gracefullyShutdownGroup))
        }
        for p in pipelines {
            services.append(.init(service: p, successTerminationBehavior: .ignore,
                                  failureTerminationBehavior: .gracefullyShutdownGroup))
        }
        var configuration = ServiceGroupConfiguration(services: services,
                                                      gracefulShutdownSignals: trapSignals ? [.sigterm, .sigint] : [],
                                                      cancellationSignals: [], logger: logger)
        configuration.maximumGracefulShutdownDuration = shutdownTimeout
        let group = ServiceGroup(configuration: configuration)
        await withTaskGroup(of: Void.self) { tasks in
            // Once every pipeline is done (caught up, stopped or failed), the group shuts down.
            tasks.addTask {
                await ended.wait()
                await group.triggerGracefulShutdown()
            }
            tasks.addTask {
                do { try await group.run() } catch {
                    if !pipelines.contains(where: { p in p.outcome.map { r in if case .failure = r { true } else { false } } ?? false }) {
                        logger.error("service group failed", metadata: ["error": "\(error)"])
                    }
                    ended.open()
                }
            }
        }
        return pipelines.map { $0.outcome ?? .failure(CancellationError()) }
    }

    /// `serve` for synchronous callers (the commands): blocks the calling thread until it ends.
    public static func run(_ plans: [PipelinePlan], options: RunOptions, limit: RunLimit, metrics: ShannonMetrics?,
                           health: DaemonHealth? = nil, metricsServer: MetricsServer? = nil, trapSignals: Bool = true,
                           shutdownTimeout: Duration = .seconds(30), logger: Logger) -> [Result<RunSummary, any Error>] {
        let box = Mutex<[Result<RunSummary, any Error>]>([])
        let done = DispatchSemaphore(value: 0)
        Task {
            let results = await serve(plans, options: options, limit: limit, metrics: metrics, health: health,
                                      metricsServer: metricsServer,
                                      trapSignals: trapSignals, shutdownTimeout: shutdownTimeout, logger: logger)
            box.withLock { $0 = results }
            done.signal()
        }
        done.wait()
        return box.withLock { $0 }
    }
}
