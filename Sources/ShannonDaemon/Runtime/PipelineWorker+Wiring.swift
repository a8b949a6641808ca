import Logging
import ShannonCore
import ShannonKafka

extension PipelineWorker {
    /// A pipeline's producer (alerts, windows, dead letters, changelog) and the tracker its
    /// delivery reports go to, shared by the pipeline's workers (PipelineWorkers.swift).
    struct SharedProducer: Sendable {
        let producer: KafkaProducer
        let deliveries: DeliveryTracker
    }

    /// The producer every worker of `plan` publishes through: a worker checks the tracker before
    /// every checkpoint, so a refused alert stops it before a checkpoint can cover it.
    static func sharedProducer(plan: PipelinePlan, options: RunOptions, logger: Logger) throws -> SharedProducer {
        let deliveries = DeliveryTracker()
        let producer = try KafkaProducer(configuration: Daemon.producerConfiguration(plan.spec, overrides: options.propertyOverrides),
                                         logger: logger, onDelivery: deliveries.handler)
        return SharedProducer(producer: producer, deliveries: deliveries)
    }

    /// One worker wired as the daemon wires each of its workers, with a producer of its own
    /// (the demo and the tests that drive a single worker; the daemon runs `PipelineWorkers`).
    public static func wired(plan: PipelinePlan, options: RunOptions, metrics: ShannonMetrics? = nil,
                             health: WorkerHealth? = nil, logger: Logger? = nil) throws -> PipelineWorker {
        let log = logger ?? Logger(label: "shannon.pipeline")
        let shared = try sharedProducer(plan: plan, options: options, logger: log)
        return try PipelineWorker(plan: plan, options: options, producer: shared.producer, deliveries: shared.deliveries,
                                  metrics: metrics, health: health, logger: log)
    }
}
