import Logging
import ShannonCore
import ShannonKafka

extension PipelineWorker {
    /// The one place a worker is wired: its own producer (alerts, windows, dead letters) whose
    /// delivery reports go to a tracker the worker checks before every checkpoint, so a refused
    /// alert stops the worker before a checkpoint can cover it. The daemon, the demo and the
    /// tests all build workers here.
    public static func wired(plan: PipelinePlan, options: RunOptions, metrics: ShannonMetrics? = nil,
                             health: WorkerHealth? = nil, logger: Logger? = nil) throws -> PipelineWorker {
        let log = logger ?? Logger(label: "shannon.pipeline")
        let deliveries = DeliveryTracker()
        let producer = try KafkaProducer(configuration: Daemon.producerConfiguration(plan.spec, overrides: options.propertyOverrides),
                                         logger: log, onDelivery: deliveries.handler)
        return try PipelineWorker(plan: plan, options: options, producer: producer, deliveries: deliveries,
                                  metrics: metrics, health: health, logger: log)
    }
}
