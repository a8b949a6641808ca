import CRdKafka
import Logging

/// librdkafka's mock cluster: real Kafka-protocol brokers on localhost TCP, in this process.
///
/// Any client (this module, kcat, another daemon) connects through `bootstrapServers`. Limits
/// that matter (docs/kafka.md): each partition keeps only ~5 MiB (older data is dropped
/// silently, so produce compressed and count end to end); CreateTopics is not implemented
/// (use `createTopic`; unknown topics are auto-created with 4 partitions); the first group
/// join takes ~3 s; transactions are accepted but not honoured.
///
/// `Sendable`: the mock-cluster calls post operations to the cluster's own thread.
public final class EmbeddedBroker: Sendable {
    nonisolated(unsafe) private let handle: OpaquePointer
    nonisolated(unsafe) private let cluster: OpaquePointer
    private let state: ClientState

    /// Comma-separated `host:port` list for `bootstrap.servers`.
    public let bootstrapServers: String
    public let brokerCount: Int

    /// Starts `brokers` brokers (ids 1…brokers) on ephemeral localhost ports.
    public init(brokers: Int = 1, logger: Logger = Logger(label: "shannon.kafka.broker")) throws(KafkaError) {
        precondition(brokers >= 1, "a cluster needs at least one broker")
        let state = ClientState(logger: logger)
        // The cluster needs an rd_kafka_t for bookkeeping; a producer handle that never connects.
        let conf = try KafkaConfiguration.make([:], defaults: ["log_level": "4"])  // it has no bootstrap.servers by design
        state.install(on: conf)
        let handle = try KafkaConfiguration.newClient(RD_KAFKA_PRODUCER, conf: conf)
        guard let cluster = rd_kafka_mock_cluster_new(handle, Int32(brokers)) else {
            rd_kafka_destroy(handle)
            throw KafkaError(code: RD_KAFKA_RESP_ERR__FAIL.rawValue, message: "rd_kafka_mock_cluster_new failed")
        }
        self.handle = handle
        self.cluster = cluster
        self.state = state
        self.brokerCount = brokers
        self.bootstrapServers = String(cString: rd_kafka_mock_cluster_bootstraps(cluster))
    }

    deinit {
        rd_kafka_mock_cluster_destroy(cluster)
        rd_kafka_destroy(handle)
    }

    /// Creates a topic (the mock does not implement the CreateTopics request).
    public func createTopic(_ name: String, partitions: Int32, replicationFactor: Int32 = 1) throws(KafkaError) {
        try KafkaError.check(rd_kafka_mock_topic_create(cluster, name, partitions, replicationFactor),
                             "create topic \(name)")
    }

    /// Disconnects broker `id` (1-based; -1 = all) and refuses new connections. Leadership does
    /// not move: partitions it leads are unavailable until `setBrokerUp`.
    public func setBrokerDown(_ id: Int32) throws(KafkaError) {
        try KafkaError.check(rd_kafka_mock_broker_set_down(cluster, id), "broker \(id) down")
    }

    public func setBrokerUp(_ id: Int32) throws(KafkaError) {
        try KafkaError.check(rd_kafka_mock_broker_set_up(cluster, id), "broker \(id) up")
    }

    /// Delays every response of broker `id` (-1 = all) by `rtt`.
    public func setRoundTripTime(broker id: Int32, _ rtt: Duration) throws(KafkaError) {
        try KafkaError.check(rd_kafka_mock_broker_set_rtt(cluster, id, rtt.milliseconds), "broker \(id) rtt")
    }

    /// Moves a partition's leadership to broker `id`.
    public func setPartitionLeader(_ tp: TopicPartition, broker id: Int32) throws(KafkaError) {
        try KafkaError.check(rd_kafka_mock_partition_set_leader(cluster, tp.topic, tp.partition, id), "leader \(tp)")
    }

    /// The next requests of type `apiKey` (Kafka protocol request type: 0 Produce, 1 Fetch,
    /// 8 OffsetCommit, 11 JoinGroup, …) fail with these error codes, one per request, in order.
    /// `_TRANSPORT` (-195) makes the broker drop the connection instead.
    public func pushRequestErrors(apiKey: Int16, _ errors: [Int32]) {
        let codes = errors.map { rd_kafka_resp_err_t(rawValue: $0) }
        rd_kafka_mock_push_request_errors_array(cluster, apiKey, codes.count, codes)
    }

    /// Forgets errors pushed for `apiKey` that have not fired yet.
    public func clearRequestErrors(apiKey: Int16) {
        rd_kafka_mock_clear_request_errors(cluster, apiKey)
    }
}

/// Kafka protocol request types for fault injection (`EmbeddedBroker.pushRequestErrors`).
public enum KafkaAPIKey {
    public static let produce: Int16 = 0
    public static let fetch: Int16 = 1
    public static let listOffsets: Int16 = 2
    public static let metadata: Int16 = 3
    public static let offsetCommit: Int16 = 8
    public static let offsetFetch: Int16 = 9
    public static let findCoordinator: Int16 = 10
    public static let joinGroup: Int16 = 11
    public static let heartbeat: Int16 = 12
    public static let syncGroup: Int16 = 14
}
