import Foundation
import Logging
import Synchronization
import ShannonKafka
import Testing
@testable import ShannonCore
import ShannonTestSupport
@testable import ShannonDaemon

/// A worker on its own thread (like the daemon runs them), stopped from the test thread.
private final class WorkerThread: @unchecked Sendable {
    // @unchecked: `result` is written once by the worker thread before `done` is signalled and
    // read only after waiting on `done`.
    let stop = StopSignal()
    let metrics = ShannonMetrics()
    private let done = DispatchSemaphore(value: 0)
    private let ended = Atomic<Bool>(false)
    private var result: Result<RunSummary, Error>?

    init(plan: PipelinePlan, options: RunOptions, logger: Logger) {
        let thread = Thread { [self] in
            do {
                let worker = try PipelineWorker.wired(plan: plan, options: options, metrics: metrics, logger: logger)
                result = .success(try worker.run(limit: .untilStopped, stop: stop, stopMode: .graceful))
            } catch {
                result = .failure(error)
            }
            ended.store(true, ordering: .releasing)
            done.signal()
        }
        thread.start()
    }

    /// Records decoded so far (the worker's own metrics registry).
    var decoded: Int {
        let text = String(decoding: metrics.exposition(), as: UTF8.self)
        return text.split(separator: "\n").filter { $0.hasPrefix("shannon_records_total") }
            .compactMap { $0.split(separator: " ").last.flatMap { Double($0) } }.map { Int($0) }.reduce(0, +)
    }

    /// True once `run` has returned (early only on an error).
    var finished: Bool { ended.load(ordering: .acquiring) }

    func finish() throws -> RunSummary {
        stop.stop()
        // A stop may legitimately wait the checkpoint writer's whole delivery timeout (30 s: an
        // alert the mock has not acknowledged yet, seen twice on a loaded machine) before the
        // group leave: wait longer than that, so only a real hang fails here.
        guard done.wait(timeout: .now() + 75) == .success else { throw CancellationError() }
        return try result!.get()
    }
}

extension EndToEndTests {
    /// Two workers of one group on four partitions. The first reads everything; the second
    /// joining revokes all four (eager protocol): the first checkpoints on revocation — its only
    /// checkpoint, the periodic ones are off — and the second restores the two partitions it is
    /// given from those files. More records follow, split between them. The union of their final
    /// checkpoints must be exactly the state of one uninterrupted run.
    @Test("consumer group: a join revokes, checkpoints, and the joiner resumes the moved partitions")
    func consumerGroupRebalance() throws {
        var spec = try E2E.load(E2E.pipelineFile("credit-psi.yaml"), partitions: 4)
        spec.source.groupID = E2E.unique("group")
        spec.checkpoint.everyRecords = 1_000_000 // only revocations and the final stop checkpoint
        spec.checkpoint.everySeconds = 3_600
        for i in spec.stages.indices {
            switch spec.stages[i].id {
            case "score-psi": spec.stages[i].window = .countTumbling(size: 300)
            case "score-iv": spec.stages[i].window = .countSliding(size: 600, hop: 150)
            default: spec.stages[i].window = .countTumbling(size: 600)
            }
        }
        let topic = spec.source.topics[0]
        let stream = DemoStreams.creditScores(records: 6_000, shiftAt: 3_000, seed: 31).records
        let half = 3_000
        let goodFirstHalf = stream[..<half].filter { CreditRecord(bytes: $0.value) != nil }.count
        try E2E.produce(Array(stream[..<half]), to: topic)
        let dirA = E2E.tempDirectory("group-a"), dirB = E2E.tempDirectory("group-b")
        defer { E2E.remove(dirA); E2E.remove(dirB) }
        let plan = try PipelinePlan(spec: spec)
        var options = RunOptions(checkpointDirectory: dirB)
        options.propertyOverrides = ["bootstrap.servers": e2eBroker.bootstrapServers,
                                     // The mock waits session.timeout.ms - 1 s for members to rejoin.
                                     "session.timeout.ms": "4000", "heartbeat.interval.ms": "300",
                                     "topic.metadata.refresh.interval.ms": "1000",
                                     "fetch.wait.max.ms": "10", "fetch.error.backoff.ms": "10",
                                     // A produce request the mock leaves unanswered is retried after
                                     // this (librdkafka's default is 30 s, the writer's whole
                                     // delivery wait): the stops below then finish in seconds.
                                     "request.timeout.ms": "5000"]
        options.progressInterval = .seconds(3600)

        func waitFor(_ what: String, _ condition: () throws -> Bool) throws {
            let deadline = ContinuousClock.now + .seconds(30)
            while try !condition() {
                guard ContinuousClock.now < deadline else { throw TestFailure("timed out waiting for \(what)") }
                Thread.sleep(forTimeInterval: 0.05)
            }
        }

        let first = WorkerThread(plan: plan, options: options, logger: E2E.quietLogger("e2e.w1"))
        try waitFor("the first worker to read the first half") { first.decoded == goodFirstHalf || first.finished }
        #expect(try E2E.latestCheckpoints(spec, directory: dirB, partitions: 4).allSatisfy { $0 == nil },
                "no checkpoint before the revocation")

        let log = CapturedLog()
        var joinerLogger = log.logger("e2e.w2")
        joinerLogger.logLevel = .info
        let second = WorkerThread(plan: plan, options: options, logger: joinerLogger)
        try waitFor("the joiner to restore its partitions") {
            log.all.filter { $0.1.hasPrefix("partition restored") }.count == 2 || second.finished
        }
        // The revocation wrote one checkpoint per partition, covering the whole first half.
        let revoked = try E2E.latestCheckpoints(spec, directory: dirB, partitions: 4)
        #expect(revoked.allSatisfy { $0?.generation == 1 })
        #expect(revoked.compactMap { $0?.nextOffset }.reduce(0, +) == Int64(half))

        try E2E.produce(Array(stream[half...]), to: topic)
        let goodTotal = stream.filter { CreditRecord(bytes: $0.value) != nil }.count
        try waitFor("both workers to read the second half") {
            first.decoded + second.decoded >= goodTotal || first.finished || second.finished
        }
        // Both told to stop at once. (Whichever leaves the group first may still hand its
        // partitions to the other during shutdown; the other then restores them from the final
        // checkpoint and reads nothing: the counts below hold either way.)
        first.stop.stop()
        second.stop.stop()
        let s1 = try first.finish()
        let s2 = try second.finish()

        #expect(s2.restoredPartitions >= 2, "the joiner resumed the partitions it took over from checkpoints")
        #expect(s1.restoredPartitions >= 2, "the first worker reloaded the ones it kept")
        #expect(s1.records > 0 && s2.records > 0, "both read part of the second half")
        #expect(s1.records + s2.records == stream.count, "no record read twice, none skipped")

        // One uninterrupted run of the same pipeline over the same topic, for the expected state.
        var single = spec
        E2E.retargetSinks(&single)
        let whole = try E2E.run(try PipelinePlan(spec: single), checkpoints: dirA, partitions: 4)
        #expect(whole.records == stream.count)
        #expect(try E2E.finalState(spec, directory: dirB, partitions: 4) == E2E.finalState(single, directory: dirA, partitions: 4))
    }
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}
