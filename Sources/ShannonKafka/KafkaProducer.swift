import CRdKafka
import Logging

/// A message header: a name and raw bytes (nil value = header without value).
public struct KafkaHeader: Sendable, Hashable {
    public var name: String
    public var value: [UInt8]?
    public init(_ name: String, _ value: [UInt8]?) { self.name = name; self.value = value }
    public init(_ name: String, _ value: String) { self.init(name, Array(value.utf8)) }
}

/// An idempotent Kafka producer over librdkafka.
///
/// Thread-safe (`Sendable`): librdkafka's producer handle is, and Swift-side state sits behind
/// `Mutex`/`Atomic`. Delivery reports are produced by `poll`/`flush` on the calling thread and
/// either go to the `onDelivery` handler or queue up for `drainDeliveryReports()`.
public final class KafkaProducer: Sendable {
    /// Properties applied unless the caller's configuration overrides them.
    /// Idempotence gives ordered, duplicate-free retries per partition (acks=all implied).
    public static let defaultProperties: [String: String] = [
        "enable.idempotence": "true",
        "compression.codec": "zstd",
        "linger.ms": "5",
    ]

    nonisolated(unsafe) private let handle: OpaquePointer
    private let state: ClientState

    /// - Parameters:
    ///   - configuration: any librdkafka producer properties (`bootstrap.servers`, TLS, SASL, …).
    ///   - onDelivery: called for each delivery report on the thread that calls `poll`/`flush`;
    ///     when nil, reports are kept until `drainDeliveryReports()`.
    public init(configuration: [String: String],
                logger: Logger = Logger(label: "shannon.kafka.producer"),
                onDelivery: (@Sendable (DeliveryReport) -> Void)? = nil) throws(KafkaError) {
        let state = ClientState(logger: logger, onDelivery: onDelivery)
        let conf = try KafkaConfiguration.make(configuration, defaults: Self.defaultProperties)
        state.install(on: conf)
        rd_kafka_conf_set_dr_msg_cb(conf, kafkaDeliveryCallback)
        self.handle = try KafkaConfiguration.newClient(RD_KAFKA_PRODUCER, conf: conf)
        self.state = state
    }

    deinit {
        // Bounded: whatever is still queued after this is lost and logged by librdkafka.
        let remaining = rd_kafka_flush(handle, 2_000)
        if remaining != RD_KAFKA_RESP_ERR_NO_ERROR {
            state.logger.warning("producer destroyed with \(rd_kafka_outq_len(handle)) undelivered messages")
        }
        rd_kafka_destroy(handle)
    }

    /// Enqueues one message. Copies key, value and headers, so the buffers may be reused at once.
    ///
    /// When librdkafka's local queue is full (`queue.buffering.max.messages`), serves delivery
    /// reports and retries until `queueFullTimeout`, then throws `_QUEUE_FULL`.
    ///
    /// - Parameters:
    ///   - partition: nil lets the partitioner choose from the key.
    ///   - id: returned in this message's `DeliveryReport`.
    public func produce(topic: String,
                        key: UnsafeRawBufferPointer?,
                        value: UnsafeRawBufferPointer,
                        headers: [KafkaHeader] = [],
                        partition: Int32? = nil,
                        id: UInt64 = 0,
                        queueFullTimeout: Duration = .seconds(10)) throws(KafkaError) {
        let deadline = ContinuousClock.now.advanced(by: queueFullTimeout)
        while true {
            let error = topic.withCString { topicName in
                enqueue(topicName, key: key, value: value, headers: headers, partition: partition, id: id)
            }
            guard let error else { return }
            let code = rd_kafka_error_code(error)
            if code == RD_KAFKA_RESP_ERR__QUEUE_FULL && ContinuousClock.now < deadline {
                rd_kafka_error_destroy(error)
                rd_kafka_poll(handle, 50)
                continue
            }
            throw KafkaError(consuming: error, context: "produce to \(topic)")
        }
    }

    /// Convenience over byte arrays (alerts, tests, tools).
    public func produce(topic: String, key: [UInt8]?, value: [UInt8], headers: [KafkaHeader] = [],
                        partition: Int32? = nil, id: UInt64 = 0,
                        queueFullTimeout: Duration = .seconds(10)) throws(KafkaError) {
        let result: Result<Void, KafkaError> = value.withUnsafeBytes { v in
            func send(_ k: UnsafeRawBufferPointer?) -> Result<Void, KafkaError> {
                do throws(KafkaError) {
                    try produce(topic: topic, key: k, value: v, headers: headers, partition: partition,
                                id: id, queueFullTimeout: queueFullTimeout)
                    return .success(())
                } catch { return .failure(error) }
            }
            guard let key else { return send(nil) }
            return key.withUnsafeBytes { send($0) }
        }
        try result.get()
    }

    /// Builds the `rd_kafka_vu_t` argument array for `rd_kafka_produceva` (producev is variadic).
    private func enqueue(_ topic: UnsafePointer<CChar>, key: UnsafeRawBufferPointer?, value: UnsafeRawBufferPointer,
                         headers: [KafkaHeader], partition: Int32?, id: UInt64) -> OpaquePointer? {
        var args: [rd_kafka_vu_t] = []
        args.reserveCapacity(6 + headers.count)
        var a = rd_kafka_vu_t()
        a.vtype = RD_KAFKA_VTYPE_TOPIC; a.u.cstr = topic; args.append(a)
        a = rd_kafka_vu_t(); a.vtype = RD_KAFKA_VTYPE_VALUE
        a.u.mem.ptr = UnsafeMutableRawPointer(mutating: value.baseAddress); a.u.mem.size = value.count; args.append(a)
        if let key {
            a = rd_kafka_vu_t(); a.vtype = RD_KAFKA_VTYPE_KEY
            a.u.mem.ptr = UnsafeMutableRawPointer(mutating: key.baseAddress); a.u.mem.size = key.count; args.append(a)
        }
        if let partition {
            a = rd_kafka_vu_t(); a.vtype = RD_KAFKA_VTYPE_PARTITION; a.u.i32 = partition; args.append(a)
        }
        a = rd_kafka_vu_t(); a.vtype = RD_KAFKA_VTYPE_MSGFLAGS; a.u.i = RD_KAFKA_MSG_F_COPY; args.append(a)
        a = rd_kafka_vu_t(); a.vtype = RD_KAFKA_VTYPE_OPAQUE; a.u.ptr = UnsafeMutableRawPointer(bitPattern: UInt(id)); args.append(a)
        if headers.isEmpty {
            return rd_kafka_produceva(handle, args, args.count)
        }
        // Header names and values must stay alive for the call only (librdkafka copies them).
        let hdrs = rd_kafka_headers_new(headers.count)!
        for h in headers {
            let err: rd_kafka_resp_err_t
            if let v = h.value {
                err = v.withUnsafeBytes { rd_kafka_header_add(hdrs, h.name, -1, $0.baseAddress, $0.count) }
            } else {
                err = rd_kafka_header_add(hdrs, h.name, -1, nil, 0)
            }
            precondition(err == RD_KAFKA_RESP_ERR_NO_ERROR)
        }
        a = rd_kafka_vu_t(); a.vtype = RD_KAFKA_VTYPE_HEADERS; a.u.headers = hdrs; args.append(a)
        let error = rd_kafka_produceva(handle, args, args.count)
        // On success librdkafka owns the header list; on failure it is ours to free.
        if error != nil { rd_kafka_headers_destroy(hdrs) }
        return error
    }

    /// Serves delivery reports and error/log callbacks; call regularly (e.g. once per batch).
    /// Returns the number of events served.
    @discardableResult
    public func poll(timeout: Duration = .zero) -> Int {
        Int(rd_kafka_poll(handle, timeout.milliseconds))
    }

    /// Waits until every queued message is delivered or failed, or until `timeout`.
    /// Throws `_TIMED_OUT` with the number of messages still in flight.
    public func flush(timeout: Duration) throws(KafkaError) {
        let err = rd_kafka_flush(handle, timeout.milliseconds)
        if err != RD_KAFKA_RESP_ERR_NO_ERROR {
            throw KafkaError(err, context: "flush left \(rd_kafka_outq_len(handle)) messages in flight")
        }
    }

    /// Messages (and requests) not yet acknowledged.
    public var inFlight: Int { Int(rd_kafka_outq_len(handle)) }

    /// Reports gathered since the last call (only when no `onDelivery` handler was given).
    public func drainDeliveryReports() -> [DeliveryReport] { state.drainReports() }

    public var deliveredCount: Int { state.deliveredCount.load(ordering: .relaxed) }
    public var failedCount: Int { state.failedCount.load(ordering: .relaxed) }

    /// Errors librdkafka reported through its error callback (transport failures, brokers down,
    /// fatal idempotence errors); they are also logged.
    public func drainErrors() -> [KafkaError] { state.drainErrors() }
    public var errorCount: Int { state.errorCount.load(ordering: .relaxed) }

    /// The last statistics JSON (set `statistics.interval.ms` to enable).
    public var latestStatistics: String? { state.latestStatistics }

    /// A fatal error (e.g. idempotence broken) makes the producer unusable; nil while healthy.
    public var fatalKafkaError: KafkaError? { KafkaError(fatalOf: handle) }
}

extension Duration {
    /// Milliseconds for librdkafka timeouts, rounded up so that a tiny positive wait still waits.
    var milliseconds: Int32 {
        let (s, atto) = components
        let ms = s * 1_000 + (atto + 999_999_999_999_999) / 1_000_000_000_000_000
        return Int32(clamping: ms)
    }
}
