import CRdKafka

/// The broker's answer for one produced message.
public struct DeliveryReport: Sendable, Equatable {
    /// The caller's id passed to `produce(…, id:)`; lets the caller match reports to messages.
    public let id: UInt64
    public let topic: String
    public let partition: Int32
    /// Offset in the partition, or -1 when the message failed.
    public let offset: Int64
    /// nil when the message is durably written.
    public let error: KafkaError?
    /// librdkafka's persistence status: on failure, whether the message *might* have been written
    /// anyway (`possiblyPersisted`), which decides whether a resend can duplicate it.
    public let status: Status

    public enum Status: Sendable, Equatable { case notPersisted, possiblyPersisted, persisted }

    public init(id: UInt64, topic: String, partition: Int32, offset: Int64, error: KafkaError?, status: Status) {
        self.id = id
        self.topic = topic
        self.partition = partition
        self.offset = offset
        self.error = error
        self.status = status
    }

    init(_ message: UnsafePointer<rd_kafka_message_t>) {
        let m = message.pointee
        id = UInt64(UInt(bitPattern: m._private))
        topic = m.rkt.map { String(cString: rd_kafka_topic_name($0)) } ?? ""
        partition = m.partition
        offset = m.offset
        error = m.err == RD_KAFKA_RESP_ERR_NO_ERROR ? nil : KafkaError(m.err, context: "delivery")
        switch rd_kafka_message_status(message) {
        case RD_KAFKA_MSG_STATUS_PERSISTED: status = .persisted
        case RD_KAFKA_MSG_STATUS_POSSIBLY_PERSISTED: status = .possiblyPersisted
        default: status = .notPersisted
        }
    }
}
