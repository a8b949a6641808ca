import CRdKafka

/// One consumed record, read in place from librdkafka's buffer (no copy).
///
/// Valid only until the consumer's next `poll`, `releaseBatch` or `close`: the bytes belong to
/// librdkafka and are released then. Copy out (`Array(message.value)`) whatever must outlive it.
public struct KafkaMessage {
    @usableFromInline let pointer: UnsafeMutablePointer<rd_kafka_message_t>

    @inlinable init(pointer: UnsafeMutablePointer<rd_kafka_message_t>) { self.pointer = pointer }

    // The per-record accessors are inlinable: the pipeline's decode loop calls them for every
    // record from another module.
    @inlinable public var partition: Int32 { pointer.pointee.partition }
    @inlinable public var offset: Int64 { pointer.pointee.offset }

    @inlinable public var value: UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: pointer.pointee.payload, count: pointer.pointee.len)
    }

    /// nil for a record without key (distinct from an empty key).
    @inlinable public var key: UnsafeRawBufferPointer? {
        guard let k = pointer.pointee.key else { return nil }
        return UnsafeRawBufferPointer(start: k, count: pointer.pointee.key_len)
    }

    /// Milliseconds since the epoch (create or log-append time), nil if the broker sent none.
    public var timestamp: Int64? {
        let t = rd_kafka_message_timestamp(pointer, nil)
        return t == -1 ? nil : t
    }

    /// The topic's C name, without allocating; valid as long as the message.
    public var topicName: UnsafePointer<CChar> { rd_kafka_topic_name(pointer.pointee.rkt) }

    /// librdkafka's handle of the message's topic: the same pointer for every message of one
    /// topic of one client, so hot paths can tell topics apart without touching the name.
    public var topicHandle: OpaquePointer { pointer.pointee.rkt }

    /// Allocates a `String`; prefer `topicName` or `partition` on hot paths.
    public var topic: String { String(cString: topicName) }

    public var topicPartition: TopicPartition { TopicPartition(topic, partition) }

    /// The last header named `name` (Kafka allows repeats), nil if absent or without value.
    public func header(_ name: String) -> UnsafeRawBufferPointer? {
        var hdrs: OpaquePointer?
        guard rd_kafka_message_headers(pointer, &hdrs) == RD_KAFKA_RESP_ERR_NO_ERROR, let hdrs else { return nil }
        var value: UnsafeRawPointer?
        var size = 0
        guard rd_kafka_header_get_last(hdrs, name, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR, let value else { return nil }
        return UnsafeRawBufferPointer(start: value, count: size)
    }

    /// All headers in order (allocates; for tools and dead-letter copies, not the hot path).
    public var headers: [(name: String, value: UnsafeRawBufferPointer?)] {
        var hdrs: OpaquePointer?
        guard rd_kafka_message_headers(pointer, &hdrs) == RD_KAFKA_RESP_ERR_NO_ERROR, let hdrs else { return [] }
        var result: [(String, UnsafeRawBufferPointer?)] = []
        var index = 0
        while true {
            var name: UnsafePointer<CChar>?
            var value: UnsafeRawPointer?
            var size = 0
            guard rd_kafka_header_get_all(hdrs, index, &name, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR,
                  let name else { break }
            result.append((String(cString: name), value.map { UnsafeRawBufferPointer(start: $0, count: size) }))
            index += 1
        }
        return result
    }
}

/// The records of one `poll`: a view onto the consumer's reusable buffer.
///
/// Same lifetime as its messages: valid until the consumer's next `poll`/`releaseBatch`/`close`.
public struct KafkaMessageBatch: RandomAccessCollection {
    @usableFromInline let base: UnsafeMutablePointer<UnsafeMutablePointer<rd_kafka_message_t>?>
    public let count: Int

    init(base: UnsafeMutablePointer<UnsafeMutablePointer<rd_kafka_message_t>?>, count: Int) {
        self.base = base
        self.count = count
    }

    @inlinable public var startIndex: Int { 0 }
    @inlinable public var endIndex: Int { count }

    @inlinable public subscript(position: Int) -> KafkaMessage {
        precondition(position >= 0 && position < count, "batch index out of range")
        return KafkaMessage(pointer: base[position]!)
    }

    /// Total value bytes in the batch.
    public var valueBytes: Int {
        var n = 0
        for i in 0..<count { n += base[i]!.pointee.len }
        return n
    }

    /// Next offset to read per partition (last offset in the batch + 1): what to store/commit
    /// once the whole batch has been processed.
    public var nextOffsets: [TopicPartition: Int64] {
        // A short linear list keyed by topic handle: batches span few partitions, and this
        // avoids building a String per record.
        var seen: [(topic: OpaquePointer?, partition: Int32, next: Int64)] = []
        for i in 0..<count {
            let m = base[i]!.pointee
            if let j = seen.firstIndex(where: { $0.topic == m.rkt && $0.partition == m.partition }) {
                seen[j].next = Swift.max(seen[j].next, m.offset + 1)
            } else {
                seen.append((m.rkt, m.partition, m.offset + 1))
            }
        }
        var result: [TopicPartition: Int64] = [:]
        for s in seen {
            result[TopicPartition(s.topic.map { String(cString: rd_kafka_topic_name($0)) } ?? "", s.partition)] = s.next
        }
        return result
    }
}
