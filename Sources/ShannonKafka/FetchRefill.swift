import CRdKafka
import Dispatch
import Synchronization

/// Wakes librdkafka's fetcher when the prefetch queue has drained below its mark again.
///
/// librdkafka 2.0.2 stops fetching a partition once the consumer queue holds
/// `queued.min.messages` (the forwarded queue, so in effect a total over the consumer's
/// partitions), and looks again only when its broker thread wakes: on a request, a response or
/// after `rd_kafka_max_block_ms` (1 s). Nothing wakes it when the application drains the queue
/// (2.1+ adds `fetch.queue.backoff.ms`; 2.0.2 does not have it). With a reader faster than a
/// second of prefetch, every fill is followed by a second of idleness: the 1 M-record bench read
/// ~50 ms of records per second (docs/benchmarks.md). Sending any request to the leaders wakes
/// their broker threads, which then fetch again at once.
///
/// So: once the queue has been seen near full, the first poll that finds it below the mark
/// sends one ListOffsets (`rd_kafka_offsets_for_times` at the end, one request per leader) on a
/// background queue, never more than one at a time. Below the mark without a fill there is
/// nothing to wake (the fetcher is still fetching), so an idle or slow consumer sends nothing.
final class FetchRefill: @unchecked Sendable {
    // `handle` is used only by librdkafka's thread-safe calls; the rest is the poll thread's.
    nonisolated(unsafe) private let handle: OpaquePointer
    nonisolated(unsafe) private let queue: OpaquePointer
    /// librdkafka's own stop mark (`queued.min.messages`).
    let mark: Int
    /// Close enough to the mark that librdkafka may have stopped: one batch below it, since the
    /// queue is looked at only between polls.
    private let nearFull: Int
    private var sawFull = false
    private let inFlight = Atomic<Bool>(false)
    private let pending = DispatchGroup()
    /// How many wakes were sent (tests, debugging).
    private(set) var wakes = 0

    init?(handle: OpaquePointer, batchCapacity: Int) {
        guard let conf = rd_kafka_conf(handle), let q = rd_kafka_queue_get_consumer(handle) else { return nil }
        var buffer = [CChar](repeating: 0, count: 32)
        var size = buffer.count
        guard rd_kafka_conf_get(conf, "queued.min.messages", &buffer, &size) == RD_KAFKA_CONF_OK,
              let mark = buffer.withUnsafeBufferPointer({ Int(String(cString: $0.baseAddress!)) }) else {
            rd_kafka_queue_destroy(q)
            return nil
        }
        self.handle = handle
        self.queue = q
        self.mark = mark
        self.nearFull = max(1, mark - batchCapacity)
    }

    /// Called by `poll` after each batch; cheap (one locked read of the queue length).
    @inline(__always)
    func observe() {
        let queued = rd_kafka_queue_length(queue)
        if queued >= nearFull {
            sawFull = true
        } else if sawFull && queued < mark {
            sawFull = false
            wake()
        }
    }

    private func wake() {
        guard !inFlight.exchange(true, ordering: .acquiringAndReleasing) else { return }
        wakes += 1
        pending.enter()
        DispatchQueue.global(qos: .userInitiated).async { [self] in
            defer {
                inFlight.store(false, ordering: .releasing)
                pending.leave()
            }
            var list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?
            guard rd_kafka_assignment(handle, &list) == RD_KAFKA_RESP_ERR_NO_ERROR, let list else { return }
            defer { rd_kafka_topic_partition_list_destroy(list) }
            guard list.pointee.cnt > 0, let elems = list.pointee.elems else { return }
            for i in 0..<Int(list.pointee.cnt) { elems[i].offset = -1 } // "latest": the cheapest lookup
            _ = rd_kafka_offsets_for_times(handle, list, 1_000)
        }
    }

    /// Waits for a wake in flight; call before the consumer is closed or destroyed.
    func finish() {
        pending.wait()
    }

    deinit {
        pending.wait()
        rd_kafka_queue_destroy(queue)
    }
}
