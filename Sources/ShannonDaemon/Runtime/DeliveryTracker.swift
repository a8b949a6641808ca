import ShannonCore
import ShannonKafka
import Synchronization

/// Counts produce failures reported by librdkafka (delivery reports arrive on the thread that
/// polls or flushes the producer), so a checkpoint is never written over an alert or dead
/// letter that was not delivered: alerts are at-least-once because of this check.
public final class DeliveryTracker: Sendable {
    private let failures = Atomic<Int>(0)
    private let delivered = Atomic<Int>(0)
    private let last = Mutex<KafkaError?>(nil)

    public init() {}

    /// The handler to give `KafkaProducer(onDelivery:)`.
    public var handler: @Sendable (DeliveryReport) -> Void {
        { [self] report in
            if let error = report.error {
                failures.add(1, ordering: .relaxed)
                last.withLock { $0 = error }
            } else {
                delivered.add(1, ordering: .relaxed)
            }
        }
    }

    public var failureCount: Int { failures.load(ordering: .relaxed) }
    public var deliveredCount: Int { delivered.load(ordering: .relaxed) }
    public var lastError: KafkaError? { last.withLock { $0 } }
}
