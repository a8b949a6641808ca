import Foundation
import Logging
import ShannonCore
import ShannonKafka
import Synchronization

/// Makes checkpoints durable on a thread of its own, so the worker never waits for the broker's
/// acknowledgements or the disk: the worker hands over a round of encoded snapshots (values)
/// with the id of the last message it published, and goes on reading.
///
/// For each round, in order: wait until every message up to that id has a delivery report
/// (a checkpoint never gets ahead of the alerts it covers); if the broker refused one, write
/// nothing, now or later, and report the failure (the worker stops; a restart replays and
/// publishes again); otherwise write each partition's file (temp, fsync, rename, fsync the
/// directory) and report the offsets that are now durable, for the worker to commit.
final class CheckpointWriter: Sendable {
    struct Round: Sendable {
        var checkpoints: [Checkpoint]
        var lastMessageID: UInt64
    }

    /// What finished rounds gave back to the worker.
    struct Outcome {
        var durable: [TopicPartition: Int64] = [:]
        /// Partitions whose write failed or was postponed: checkpoint them again next time.
        var retry: Set<TopicPartition> = []
        var written = 0
        var seconds = 0.0
        var bytes = 0
        var fatal: RuntimeError?
    }

    private struct Queue {
        var rounds: [Round] = []
        var busy = false
        var stopped = false
        var outcome = Outcome()
    }

    /// Rounds waiting beyond the one being written; the worker waits when this is exceeded,
    /// so a slow disk bounds memory instead of growing a backlog.
    static let maxQueued = 2
    private let queue = Mutex(Queue())
    private let wake = NSCondition()
    private let store: CheckpointStore
    private let producer: KafkaProducer
    private let deliveries: DeliveryTracker?
    private let logger: Logger
    private let deliveryTimeout: Duration
    /// Where each round's write time and bytes go.
    private let metrics: PipelineMetrics?

    init(store: CheckpointStore, producer: KafkaProducer, deliveries: DeliveryTracker?, logger: Logger,
         deliveryTimeout: Duration = .seconds(30), metrics: PipelineMetrics? = nil) {
        self.metrics = metrics
        self.store = store
        self.producer = producer
        self.deliveries = deliveries
        self.logger = logger
        self.deliveryTimeout = deliveryTimeout
        let thread = Thread { [self] in loop() }
        thread.name = "shannon-ckpt"
        thread.start()
    }

    /// Queues a round; waits while `maxQueued` rounds are already waiting.
    func submit(_ round: Round) {
        wake.lock()
        while queue.withLock({ $0.rounds.count >= Self.maxQueued && !$0.stopped }) { wake.wait() }
        queue.withLock { $0.rounds.append(round) }
        wake.broadcast()
        wake.unlock()
    }

    /// Takes what finished rounds reported since the last call (no waiting).
    func collect() -> Outcome {
        queue.withLock { q in
            let o = q.outcome
            q.outcome = Outcome(fatal: o.fatal)
            return o
        }
    }

    /// Waits until every submitted round is written (or refused), then collects.
    func drain() -> Outcome {
        wake.lock()
        while queue.withLock({ ($0.busy || !$0.rounds.isEmpty) && !$0.stopped }) { wake.wait() }
        wake.unlock()
        return collect()
    }

    /// As if the process died: queued rounds are dropped (one being written may still land,
    /// as it could before a crash), nothing more is written.
    func abandon() {
        wake.lock()
        queue.withLock { $0.rounds.removeAll(); $0.outcome.fatal = $0.outcome.fatal ?? .abandoned }
        wake.broadcast()
        wake.unlock()
    }

    /// Ends the writer thread once the queue is empty.
    func stop() {
        _ = drain()
        wake.lock()
        queue.withLock { $0.stopped = true }
        wake.broadcast()
        wake.unlock()
    }

    private func loop() {
        while true {
            wake.lock()
            var next: Round?
            while true {
                let (round, stopped) = queue.withLock { q -> (Round?, Bool) in
                    guard !q.rounds.isEmpty else { return (nil, q.stopped) }
                    q.busy = true
                    return (q.rounds.removeFirst(), false)
                }
                if let round { next = round; break }
                if stopped { wake.unlock(); return }
                wake.wait()
            }
            wake.broadcast() // room in the queue
            wake.unlock()
            let result = write(next!)
            wake.lock()
            queue.withLock { q in
                q.busy = false
                q.outcome.merge(result)
            }
            wake.broadcast()
            wake.unlock()
        }
    }

    private func write(_ round: Round) -> Outcome {
        var out = Outcome()
        let partitions = round.checkpoints.map { TopicPartition($0.topic, $0.partition) }
        if queue.withLock({ $0.outcome.fatal != nil }) { return out } // refused earlier: never write again
        switch awaitDeliveries(through: round.lastMessageID) {
        case .refused:
            out.fatal = .deliveryFailed(deliveries?.failureCount ?? 1, deliveries?.lastError)
            return out
        case .timedOut:
            logger.warning("checkpoint postponed: alerts not yet delivered", metadata: ["waited": "\(deliveryTimeout)"])
            out.retry = Set(partitions)
            return out
        case .delivered:
            break
        }
        let t0 = ContinuousClock.now
        for c in round.checkpoints {
            let tp = TopicPartition(c.topic, c.partition)
            do {
                out.bytes += try store.write(c)
                out.durable[tp] = c.nextOffset
                out.written += 1
            } catch {
                logger.error("checkpoint failed; state kept in memory, retried next time",
                             metadata: ["partition": "\(tp)", "error": "\(error)"])
                out.retry.insert(tp)
            }
        }
        out.seconds = (ContinuousClock.now - t0).seconds
        if out.written > 0, let metrics {
            metrics.checkpointWriteDuration.record(out.seconds)
            metrics.checkpointBytes.increment(by: Int64(out.bytes))
        }
        return out
    }

    private enum Delivery { case delivered, refused, timedOut }

    private func awaitDeliveries(through id: UInt64) -> Delivery {
        guard let deliveries else {
            do { try producer.flush(timeout: deliveryTimeout); return .delivered } catch { return .timedOut }
        }
        let deadline = ContinuousClock.now + deliveryTimeout
        while true {
            let (settled, refused) = deliveries.state(through: id)
            if refused { return .refused }
            if settled { return .delivered }
            if ContinuousClock.now >= deadline { return .timedOut }
            _ = producer.poll(timeout: .milliseconds(5)) // serves the delivery reports
        }
    }
}

extension CheckpointWriter.Outcome {
    mutating func merge(_ o: Self) {
        durable.merge(o.durable) { $1 }
        retry.subtract(o.durable.keys)
        retry.formUnion(o.retry)
        written += o.written
        seconds += o.seconds
        bytes += o.bytes
        fatal = fatal ?? o.fatal
    }
}
