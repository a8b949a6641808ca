import Foundation
import Logging
import ServiceLifecycle
import ShannonCore
import Synchronization

/// One pipeline as a `Service`: its workers keep their own threads (a worker and its consumer
/// are thread-confined, and the hot path never hops to `async`); `run()` starts them and awaits
/// their end. Graceful shutdown sets the pipeline's stop signal: the workers finish their batch,
/// write a final checkpoint of every partition, flush, commit and leave the group.
public final class PipelineService: Service, CustomStringConvertible {
    public let plan: PipelinePlan
    let options: RunOptions
    let limit: RunLimit
    let metrics: ShannonMetrics?
    let health: DaemonHealth?
    let logger: Logger
    let stop = StopSignal()
    /// Told when this pipeline's workers have ended, whatever the outcome.
    let ended: Latch?
    private let result = Mutex<Result<RunSummary, any Error>?>(nil)

    init(plan: PipelinePlan, options: RunOptions, limit: RunLimit, metrics: ShannonMetrics?, health: DaemonHealth? = nil,
         logger: Logger, ended: Latch? = nil) {
        self.plan = plan
        self.options = options
        self.limit = limit
        self.metrics = metrics
        self.health = health
        self.logger = logger
        self.ended = ended
    }

    public var description: String { "pipeline \(plan.spec.name)" }

    /// How the pipeline ended; nil while it runs.
    public var outcome: Result<RunSummary, any Error>? { result.withLock { $0 } }

    public func run() async throws {
        let completion = ThreadCompletion<RunSummary>()
        let stop = self.stop
        let thread = Thread { [self] in
            completion.finish(Result { try Daemon.runPipeline(plan, options: options, limit: limit, stop: stop,
                                                              metrics: metrics, health: health, logger: logger) })
        }
        thread.name = "shannon-\(plan.spec.name)"
        thread.stackSize = 8 << 20
        thread.start()
        let outcome: Result<RunSummary, any Error>
        do {
            let summary = try await withGracefulShutdownHandler {
                try await withTaskCancellationHandler {
                    try await completion.wait()
                } onCancel: {
                    stop.stop()
                    completion.cancel()
                }
            } onGracefulShutdown: { [logger] in
                logger.notice("stopping gracefully: final checkpoint, flush, commit, leave the group",
                              metadata: ["pipeline": "\(self.plan.spec.name)"])
                stop.stop()
            }
            outcome = .success(summary)
        } catch {
            outcome = .failure(error)
        }
        result.withLock { $0 = outcome }
        ended?.arrive()
        if case let .failure(error) = outcome {
            if !(error is CancellationError) {
                var l = logger
                l[metadataKey: "pipeline"] = "\(plan.spec.name)"
                l.error("pipeline stopped with an error; stopping the others so the daemon exits non-zero and its supervisor restarts it",
                        metadata: ["error": "\(error)"])
            }
            throw error
        }
        // A pipeline that is done (caught up) returns only when the group shuts it down, so the
        // group always sees services end in its own shutdown order and never "unexpectedly".
        try? await gracefulShutdown()
    }
}
