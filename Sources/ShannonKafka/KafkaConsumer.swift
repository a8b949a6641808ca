import CRdKafka
import Logging

/// A Kafka consumer for a stateful stream processor: batch polling without copies, manual
/// offsets, and rebalances handed to the caller before the partitions move.
///
/// **Thread confinement.** Not `Sendable`: create it, poll it, and close it on one thread (the
/// pipeline's run loop). Batches point into librdkafka's buffers and the rebalance handler runs
/// inside `poll`, both on that thread.
public final class KafkaConsumer {
    /// Properties applied unless the caller's configuration overrides them.
    ///
    /// Offsets are stored and committed only by the caller, after the records are processed (or
    /// checkpointed). `queued.min.messages` (per partition) is twice librdkafka's default:
    /// librdkafka 2.0.2 stalls fetching for about a second whenever the prefetch queue runs
    /// dry against a fast reader; measured with `shannon bench consume` (docs/kafka.md):
    /// 5 000 → 0.06 M msg/s, 20 000 → 0.4–0.7, 100 000 (default) → 0.6–0.9, 200 000 → 1.0–1.07
    /// end to end. `queued.max.messages.kbytes` keeps librdkafka's 64 MiB cap.
    public static let defaultProperties: [String: String] = [
        "enable.auto.commit": "false",
        "enable.auto.offset.store": "false",
        "auto.offset.reset": "earliest",
        "enable.partition.eof": "false",
        "queued.min.messages": "200000",
    ]

    nonisolated(unsafe) private let handle: OpaquePointer
    private let state: ClientState
    private let logger: Logger
    private var closed = false

    /// The caller's hook; see `RebalanceHandler`.
    public var rebalanceHandler: RebalanceHandler?
    public let rebalanceProtocol: RebalanceProtocol

    private let capacity: Int
    private let slots: UnsafeMutablePointer<UnsafeMutablePointer<rd_kafka_message_t>?>
    private var held = 0
    private var rebalancedDuringPoll = false
    /// Wakes the fetcher after the prefetch queue drained (librdkafka 2.0.2's refill stall).
    private var refill: FetchRefill?

    /// Messages dropped from a poll because their partition was revoked while the batch filled
    /// (they were never handed out, so the next owner reads them again).
    public private(set) var droppedOnRevoke = 0

    /// - Parameters:
    ///   - configuration: any librdkafka consumer properties; needs `bootstrap.servers`, and
    ///     `group.id` for `subscribe`/`commit`.
    ///   - batchCapacity: the largest batch `poll` returns; its buffer is allocated once.
    public init(configuration: [String: String],
                rebalanceProtocol: RebalanceProtocol = .eager,
                batchCapacity: Int = 4_096,
                logger: Logger = Logger(label: "shannon.kafka.consumer"),
                rebalanceHandler: RebalanceHandler? = nil) throws(KafkaError) {
        var defaults = Self.defaultProperties
        defaults["partition.assignment.strategy"] =
            rebalanceProtocol == .eager ? "range,roundrobin" : "cooperative-sticky"
        let state = ClientState(logger: logger)
        let conf = try KafkaConfiguration.make(configuration, defaults: defaults)
        state.install(on: conf)
        rd_kafka_conf_set_rebalance_cb(conf, kafkaRebalanceCallback)
        rd_kafka_conf_set_offset_commit_cb(conf, kafkaCommitCallback)
        let handle = try KafkaConfiguration.newClient(RD_KAFKA_CONSUMER, conf: conf)
        // Error events then arrive through consumer_poll, on the polling thread.
        rd_kafka_poll_set_consumer(handle)
        self.handle = handle
        self.state = state
        self.logger = logger
        self.rebalanceProtocol = rebalanceProtocol
        self.rebalanceHandler = rebalanceHandler
        self.capacity = max(1, batchCapacity)
        self.slots = .allocate(capacity: self.capacity)
        state.pollThread.onRebalance = { [unowned self] err, list in self.rebalance(err, list) }
        self.refill = FetchRefill(handle: handle, batchCapacity: self.capacity)
    }

    /// Without an explicit `close()` the handler does not see the final revocation: `self` is
    /// already being destroyed, so librdkafka's default (unassign) runs instead.
    deinit {
        state.pollThread.onRebalance = nil
        refill?.finish()
        if !closed {
            releaseBatch()
            rd_kafka_consumer_close(handle)
        }
        rd_kafka_destroy(handle)
        slots.deallocate()
    }

    // MARK: Subscription and assignment

    /// Joins the group (`group.id`) for these topics; partitions arrive through the handler.
    public func subscribe(_ topics: [String]) throws(KafkaError) {
        let list = PartitionList(topics.map { TopicPartition($0, RD_KAFKA_PARTITION_UA) })
        try KafkaError.check(rd_kafka_subscribe(handle, list.pointer), "subscribe \(topics)")
    }

    /// Reads these partitions without a group (tests, benchmarks, replays). The handler is not
    /// called for a manual assignment.
    public func assign(_ partitions: [TopicPartition: StartOffset]) throws(KafkaError) {
        let list = PartitionList(capacity: partitions.count)
        for (tp, start) in partitions { list.add(tp, offset: start.raw) }
        try KafkaError.check(rd_kafka_assign(handle, list.pointer), "assign")
    }

    /// The partitions currently assigned to this consumer.
    public func assignment() throws(KafkaError) -> [TopicPartition] {
        var list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?
        try KafkaError.check(rd_kafka_assignment(handle, &list), "assignment")
        defer { if let list { rd_kafka_topic_partition_list_destroy(list) } }
        return PartitionList.elements(of: UnsafePointer(list)).map(\.0)
    }

    // MARK: Polling

    /// Waits up to `timeout` for the first record, then takes whatever else is already
    /// prefetched, up to `maxMessages` (capped at `batchCapacity`).
    ///
    /// Releases the previous batch first. Serves rebalances (the handler runs here) and error
    /// events. A rebalance ends the batch early; records of partitions revoked while the batch
    /// filled are dropped (not yet handed out, so their next owner reads them). Consumer errors
    /// that librdkafka recovers from are logged and kept for `drainErrors()`; fatal ones throw.
    public func poll(maxMessages: Int = .max, timeout: Duration) throws(KafkaError) -> KafkaMessageBatch {
        precondition(!closed, "poll after close")
        releaseBatch()
        rebalancedDuringPoll = false
        let limit = min(maxMessages, capacity)
        let deadline = ContinuousClock.now.advanced(by: timeout)
        while held < limit {
            var wait: Int32 = 0
            if held == 0 && !rebalancedDuringPoll {
                let left = ContinuousClock.now.duration(to: deadline)
                wait = left > .zero ? left.milliseconds : 0
            }
            guard let message = rd_kafka_consumer_poll(handle, wait) else {
                if held == 0 && !rebalancedDuringPoll && ContinuousClock.now < deadline { continue }
                break
            }
            let err = message.pointee.err
            if err != RD_KAFKA_RESP_ERR_NO_ERROR {
                let error = KafkaError(err, context: consumerErrorContext(message))
                rd_kafka_message_destroy(message)
                if err == RD_KAFKA_RESP_ERR__PARTITION_EOF { continue }
                if err == RD_KAFKA_RESP_ERR__FATAL || state.fatal.load(ordering: .acquiring) {
                    throw fatalKafkaError ?? error
                }
                logger.warning("consumer: \(error)")
                state.record(error)
                continue
            }
            slots[held] = message
            held += 1
            if rebalancedDuringPoll { break }
        }
        if state.fatal.load(ordering: .acquiring), let fatal = fatalKafkaError { throw fatal }
        refill?.observe()
        return KafkaMessageBatch(base: slots, count: held)
    }

    /// Gives the current batch's buffers back to librdkafka now (e.g. before a long pause).
    public func releaseBatch() {
        for i in 0..<held { rd_kafka_message_destroy(slots[i]) }
        held = 0
    }

    private func consumerErrorContext(_ m: UnsafeMutablePointer<rd_kafka_message_t>) -> String {
        guard let rkt = m.pointee.rkt else { return "consumer" }
        return "consumer \(String(cString: rd_kafka_topic_name(rkt)))[\(m.pointee.partition)]"
    }

    // MARK: Rebalance

    /// Runs inside librdkafka's rebalance callback on the polling thread.
    private func rebalance(_ err: rd_kafka_resp_err_t, _ list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?) {
        rebalancedDuringPoll = true
        let partitions = PartitionList.elements(of: UnsafePointer(list)).map(\.0)
        // librdkafka answers NULL while the consumer is between group generations (seen in a
        // cooperative test when a revocation raced a rejoin: the force-unwrap crashed the test
        // process). The protocol cannot change without a new consumer, so fall back to ours.
        let cooperative = rd_kafka_rebalance_protocol(handle).map { String(cString: $0) == "COOPERATIVE" }
            ?? (rebalanceProtocol == .cooperative)
        switch err {
        case RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS:
            logger.info("assigned \(partitions)")
            let starts = rebalanceHandler?(self, .assigned(partitions)) ?? [:]
            if let list, let elems = list.pointee.elems {
                for i in 0..<Int(list.pointee.cnt) {
                    let tp = TopicPartition(String(cString: elems[i].topic), elems[i].partition)
                    if let start = starts[tp] { elems[i].offset = start.raw }
                }
            }
            if cooperative {
                if let error = rd_kafka_incremental_assign(handle, list) { report(KafkaError(consuming: error, context: "incremental assign")) }
            } else {
                let e = rd_kafka_assign(handle, list)
                if e != RD_KAFKA_RESP_ERR_NO_ERROR { report(KafkaError(e, context: "assign")) }
            }
        case RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS:
            let lost = rd_kafka_assignment_lost(handle) != 0
            logger.info("\(lost ? "lost" : "revoked") \(partitions)")
            dropHeld(of: Set(partitions))
            _ = rebalanceHandler?(self, lost ? .lost(partitions) : .revoked(partitions))
            if cooperative {
                if let error = rd_kafka_incremental_unassign(handle, list) { report(KafkaError(consuming: error, context: "incremental unassign")) }
            } else {
                let e = rd_kafka_assign(handle, nil)
                if e != RD_KAFKA_RESP_ERR_NO_ERROR { report(KafkaError(e, context: "unassign")) }
            }
        default:
            report(KafkaError(err, context: "rebalance"))
            _ = rebalanceHandler?(self, .lost(partitions))
            dropHeld(of: Set(partitions))
            rd_kafka_assign(handle, nil)
        }
    }

    private func report(_ error: KafkaError) {
        logger.error("\(error)")
        state.record(error)
    }

    /// Removes records of leaving partitions from the batch being filled, keeping order.
    private func dropHeld(of partitions: Set<TopicPartition>) {
        var kept = 0
        for i in 0..<held {
            let m = slots[i]!
            if partitions.contains(KafkaMessage(pointer: m).topicPartition) {
                rd_kafka_message_destroy(m)
                droppedOnRevoke += 1
            } else {
                slots[kept] = m
                kept += 1
            }
        }
        held = kept
    }

    // MARK: Offsets

    /// Marks offsets (next offset to read, i.e. last processed + 1) for the next `commitStored`.
    public func store(_ offsets: [TopicPartition: Int64]) throws(KafkaError) {
        guard !offsets.isEmpty else { return }
        let list = PartitionList(offsets)
        try KafkaError.check(rd_kafka_offsets_store(handle, list.pointer), "offsets store")
        _ = try list.offsets()
    }

    /// Stores the batch's next offsets; call after the whole batch is processed.
    public func store(processed batch: KafkaMessageBatch) throws(KafkaError) {
        try store(batch.nextOffsets)
    }

    /// Commits these offsets (next offset to read) for the group. `async` returns at once;
    /// its failures are logged and kept for `drainErrors()`.
    public func commit(_ offsets: [TopicPartition: Int64], async: Bool = false) throws(KafkaError) {
        guard !offsets.isEmpty else { return }
        let list = PartitionList(offsets)
        try KafkaError.check(rd_kafka_commit(handle, list.pointer, async ? 1 : 0), "commit")
        if !async { _ = try list.offsets() }
    }

    /// Commits the offsets stored with `store`. Nothing stored is not an error.
    public func commitStored(async: Bool = false) throws(KafkaError) {
        let err = rd_kafka_commit(handle, nil, async ? 1 : 0)
        if err == RD_KAFKA_RESP_ERR__NO_OFFSET { return }
        try KafkaError.check(err, "commit")
    }

    /// The group's committed offsets (next offset to read); partitions without one are absent.
    public func committed(_ partitions: [TopicPartition], timeout: Duration = .seconds(10)) throws(KafkaError) -> [TopicPartition: Int64] {
        let list = PartitionList(partitions)
        try KafkaError.check(rd_kafka_committed(handle, list.pointer, timeout.milliseconds), "committed")
        return try list.offsets().filter { $0.value >= 0 }
    }

    /// The next offset this consumer will hand out per partition; absent until it has one.
    public func position(_ partitions: [TopicPartition]) throws(KafkaError) -> [TopicPartition: Int64] {
        let list = PartitionList(partitions)
        try KafkaError.check(rd_kafka_position(handle, list.pointer), "position")
        return try list.offsets().filter { $0.value >= 0 }
    }

    /// Low and high watermarks from the partition leader (a network round trip).
    public func watermarks(_ tp: TopicPartition, timeout: Duration = .seconds(10)) throws(KafkaError) -> (low: Int64, high: Int64) {
        var low: Int64 = 0, high: Int64 = 0
        try KafkaError.check(rd_kafka_query_watermark_offsets(handle, tp.topic, tp.partition, &low, &high, timeout.milliseconds),
                             "watermarks \(tp)")
        return (low, high)
    }

    /// The watermarks of the last fetch response for `tp`, without asking the broker; nil
    /// before the first response. A query (`watermarks`) queues behind a fetch the broker is
    /// holding (up to `fetch.wait.max.ms`) on the same connection; this does not wait at all,
    /// so it serves the end-of-topic check and a once-a-second lag gauge. The high watermark is
    /// as old as the last fetch: while the prefetch queue is full librdkafka does not fetch.
    public func lastFetchedWatermarks(_ tp: TopicPartition) -> (low: Int64, high: Int64)? {
        var low: Int64 = -1, high: Int64 = -1
        guard rd_kafka_get_watermark_offsets(handle, tp.topic, tp.partition, &low, &high) == RD_KAFKA_RESP_ERR_NO_ERROR,
              high >= 0 else { return nil }
        return (max(low, 0), high)
    }

    /// For each partition, the earliest offset whose record timestamp is at or after
    /// `timestampMs` (Kafka's ListOffsets by time); -1 where no such record exists yet (start
    /// at the end). Used for `start: { timestamp: … }`; safe inside the rebalance handler.
    public func offsets(forTimestamp timestampMs: Int64, partitions: [TopicPartition],
                        timeout: Duration = .seconds(10)) throws(KafkaError) -> [TopicPartition: Int64] {
        let list = PartitionList(partitions, offset: timestampMs)
        try KafkaError.check(rd_kafka_offsets_for_times(handle, list.pointer, timeout.milliseconds), "offsets for times")
        return try list.offsets()
    }

    /// The partitions of `topic` from the cluster's metadata (for readers that assign every
    /// partition of a topic themselves, such as `shannon alerts`).
    public func partitions(of topic: String, timeout: Duration = .seconds(10)) throws(KafkaError) -> [TopicPartition] {
        guard let rkt = rd_kafka_topic_new(handle, topic, nil) else {
            throw KafkaError(rd_kafka_last_error(), context: "topic \(topic)")
        }
        defer { rd_kafka_topic_destroy(rkt) }
        var metadata: UnsafePointer<rd_kafka_metadata>?
        try KafkaError.check(rd_kafka_metadata(handle, 0, rkt, &metadata, timeout.milliseconds), "metadata \(topic)")
        defer { if let metadata { rd_kafka_metadata_destroy(metadata) } }
        guard let md = metadata?.pointee, md.topic_cnt == 1 else { return [] }
        let t = md.topics[0]
        if t.err != RD_KAFKA_RESP_ERR_NO_ERROR { throw KafkaError(t.err, context: "metadata \(topic)") }
        return (0..<Int(t.partition_cnt)).map { TopicPartition(topic, t.partitions[$0].id) }.sorted { $0.partition < $1.partition }
    }

    /// Records behind the end of each assigned partition: high watermark minus position (or the
    /// committed offset before the first record, or the low watermark without either).
    public func lag(timeout: Duration = .seconds(10)) throws(KafkaError) -> [TopicPartition: Int64] {
        let partitions = try assignment()
        let positions = try position(partitions)
        let missing = partitions.filter { positions[$0] == nil }
        let commits = missing.isEmpty ? [:] : try committed(missing, timeout: timeout)
        var result: [TopicPartition: Int64] = [:]
        for tp in partitions {
            let (low, high) = try watermarks(tp, timeout: timeout)
            let at = positions[tp] ?? commits[tp] ?? low
            result[tp] = max(0, high - at)
        }
        return result
    }

    // MARK: Flow control

    /// Moves the fetch position; the next records of these partitions start there.
    public func seek(_ offsets: [TopicPartition: StartOffset], timeout: Duration = .seconds(10)) throws(KafkaError) {
        let list = PartitionList(capacity: offsets.count)
        for (tp, start) in offsets { list.add(tp, offset: start.raw) }
        if let error = rd_kafka_seek_partitions(handle, list.pointer, timeout.milliseconds) {
            throw KafkaError(consuming: error, context: "seek")
        }
        _ = try list.offsets()
    }

    /// Stops fetching these partitions (backpressure) without leaving the group.
    public func pause(_ partitions: [TopicPartition]) throws(KafkaError) {
        let list = PartitionList(partitions)
        try KafkaError.check(rd_kafka_pause_partitions(handle, list.pointer), "pause")
    }

    public func resume(_ partitions: [TopicPartition]) throws(KafkaError) {
        let list = PartitionList(partitions)
        try KafkaError.check(rd_kafka_resume_partitions(handle, list.pointer), "resume")
    }

    // MARK: Errors and shutdown

    /// Errors reported since the last call (error callback, failed async commits, consumer
    /// errors); each was also logged.
    public func drainErrors() -> [KafkaError] { state.drainErrors() }

    /// The last statistics JSON (set `statistics.interval.ms` to enable).
    public var latestStatistics: String? { state.latestStatistics }

    /// Non-nil once librdkafka raised a fatal error; the consumer must then be recreated.
    public var fatalKafkaError: KafkaError? { KafkaError(fatalOf: handle) }

    /// Leaves the group: the handler sees the final revocation (commit there), then the
    /// consumer stops. Idempotent; `deinit` closes too.
    public func close() throws(KafkaError) {
        guard !closed else { return }
        releaseBatch()
        closed = true
        refill?.finish()
        try KafkaError.check(rd_kafka_consumer_close(handle), "close")
    }
}
