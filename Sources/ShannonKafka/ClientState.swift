import CRdKafka
import Logging
import Synchronization

/// What a C callback may reach: the per-client state behind `rd_kafka_conf_set_opaque`.
///
/// librdkafka calls log and error callbacks from its own threads, and delivery reports from
/// whichever thread calls `rd_kafka_poll`/`flush`, so everything here is `Sendable` through
/// `Mutex`/`Atomic`. The owning Swift client keeps a strong reference and destroys the
/// `rd_kafka_t` before it lets go, so the unretained opaque pointer never dangles.
final class ClientState: Sendable {
    let logger: Logger
    /// Bounded so that a client whose errors nobody drains cannot grow without limit.
    static let maxKeptErrors = 1_000

    private let errors = Mutex<[KafkaError]>([])
    let errorCount = Atomic<Int>(0)
    let fatal = Atomic<Bool>(false)

    private let reports = Mutex<[DeliveryReport]>([])
    let onDelivery: (@Sendable (DeliveryReport) -> Void)?
    let deliveredCount = Atomic<Int>(0)
    let failedCount = Atomic<Int>(0)

    private let statistics = Mutex<String?>(nil)

    /// Only touched on the thread that calls the consumer's poll/close (see `PollThreadBox`).
    let pollThread = PollThreadBox()

    init(logger: Logger, onDelivery: (@Sendable (DeliveryReport) -> Void)? = nil) {
        self.logger = logger
        self.onDelivery = onDelivery
    }

    var opaque: UnsafeMutableRawPointer { Unmanaged.passUnretained(self).toOpaque() }

    static func from(_ opaque: UnsafeMutableRawPointer?) -> ClientState? {
        guard let opaque else { return nil }
        return Unmanaged<ClientState>.fromOpaque(opaque).takeUnretainedValue()
    }

    /// Registers every callback that does not depend on the client type.
    func install(on conf: OpaquePointer) {
        rd_kafka_conf_set_opaque(conf, opaque)
        rd_kafka_conf_set_log_cb(conf, kafkaLogCallback)
        rd_kafka_conf_set_error_cb(conf, kafkaErrorCallback)
        rd_kafka_conf_set_stats_cb(conf, kafkaStatsCallback)
    }

    func record(_ error: KafkaError) {
        errorCount.add(1, ordering: .relaxed)
        errors.withLock {
            if $0.count >= Self.maxKeptErrors { $0.removeFirst($0.count - Self.maxKeptErrors + 1) }
            $0.append(error)
        }
    }

    func drainErrors() -> [KafkaError] { errors.withLock { e in defer { e = [] }; return e } }

    func record(_ report: DeliveryReport) {
        if report.error == nil { deliveredCount.add(1, ordering: .relaxed) } else { failedCount.add(1, ordering: .relaxed) }
        if let onDelivery { onDelivery(report) } else { reports.withLock { $0.append(report) } }
    }

    func drainReports() -> [DeliveryReport] { reports.withLock { r in defer { r = [] }; return r } }

    func setStatistics(_ json: String) { statistics.withLock { $0 = json } }
    var latestStatistics: String? { statistics.withLock { $0 } }
}

/// Holds the consumer's rebalance hook, which is not `Sendable` (it calls the caller's handler
/// and touches the consumer's batch).
///
/// `@unchecked` is sound because librdkafka serves the rebalance callback only from inside
/// `rd_kafka_consumer_poll` / `rd_kafka_consumer_close`, i.e. on the thread that owns the
/// consumer; no other thread reads or writes `onRebalance`.
final class PollThreadBox: @unchecked Sendable {
    var onRebalance: ((rd_kafka_resp_err_t, UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?) -> Void)?
}
