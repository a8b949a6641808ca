import Foundation
import Logging
import ShannonKafka
import Testing
@testable import ShannonCore
import ShannonTestSupport
@testable import ShannonDaemon

/// A pipeline's partitions on N worker threads (Runtime/PipelineWorkers.swift) give what one
/// worker gives: the same windows (every figure, byte for byte), the same alerts (ids, states,
/// values) and the same final state, on the example pipelines of `pipelines/`, read back from the
/// embedded broker; and a daemon with several workers, one of them without a partition, stops
/// on SIGTERM within a bound, with a final checkpoint of every partition.
extension EndToEndTests {
    /// What one run published and left on disk.
    struct WorkersRun {
        var summary: RunSummary
        /// Every window record's JSON, sorted (the workers interleave their partitions' records).
        var windows: [String]
        /// Every alert with its wall-clock emission time cleared, sorted by id then state.
        var alerts: [Alert]
        var state: [E2E.FinalState]
    }

    /// Runs `spec` with `workers` workers over fresh sink topics and a fresh checkpoint
    /// directory: without a group (the partitions dealt to the workers), or, with `group`, as
    /// members of a fresh consumer group that form it together.
    func runWorkers(_ base: PipelineSpec, workers: Int, partitions: Int32, group: Bool = false) throws -> WorkersRun {
        var spec = base
        spec.sinks.windows = TopicSink(topic: "placeholder")
        E2E.retargetSinks(&spec)
        if group { spec.source.groupID = E2E.unique("workers-group") }
        let dir = E2E.tempDirectory("workers")
        defer { E2E.remove(dir) }
        var options = RunOptions(checkpointDirectory: dir)
        options.propertyOverrides = ["bootstrap.servers": e2eBroker.bootstrapServers, "fetch.wait.max.ms": "10",
                                     "fetch.error.backoff.ms": "10", "session.timeout.ms": "6000",
                                     "heartbeat.interval.ms": "500"]
        if !group { options.manualPartitions = (0..<partitions).map { TopicPartition(spec.source.topics[0], $0) } }
        options.workers = workers
        options.progressInterval = .seconds(3600)
        options.pollTimeout = .milliseconds(20)
        let health = DaemonHealth()
        let summary = try PipelineWorkers.run(try PipelinePlan(spec: spec), options: options, limit: .untilCaughtUp,
                                              stop: StopSignal(), health: health, logger: E2E.quietLogger("e2e.workers"))
        let expectedWorkers = group ? workers : min(workers, Int(partitions))
        #expect(health.all.count == expectedWorkers, "health lists each worker")
        #expect(health.all.map(\.name).sorted() == (0..<expectedWorkers).map { $0 == 0 ? spec.name : "\(spec.name)#\($0)" }.sorted())
        let windows = try E2E.readAll(spec.sinks.windows!.topic, partitions: 1).map(\.text).sorted()
        let alerts = try E2E.alerts(of: spec).map { a -> Alert in
            var a = a
            a.emittedAt = 0
            return a
        }.sorted { ($0.id, $0.state.rawValue) < ($1.id, $1.state.rawValue) }
        return WorkersRun(summary: summary, windows: windows, alerts: alerts,
                          state: try E2E.finalState(spec, directory: dir, partitions: partitions))
    }

    /// Every run against the first (one worker): counts, windows, alerts and final state equal.
    func expectSame(_ runs: [(Int, WorkersRun)], records: Int, file: String) {
        let (_, one) = runs[0]
        #expect(one.summary.records == records, "\(file): one worker read \(one.summary.records) of \(records)")
        #expect(!one.windows.isEmpty && !one.alerts.isEmpty, "\(file): the comparison has something to compare")
        for (n, run) in runs.dropFirst() {
            #expect(run.summary.records == one.summary.records, "\(file), \(n) workers: records")
            #expect(run.summary.decoded == one.summary.decoded, "\(file), \(n) workers: decoded")
            #expect(run.summary.deadLetters == one.summary.deadLetters, "\(file), \(n) workers: dead letters")
            #expect(run.summary.windows == one.summary.windows, "\(file), \(n) workers: windows per stage")
            #expect(run.summary.alertsFiring == one.summary.alertsFiring && run.summary.alertsResolved == one.summary.alertsResolved)
            #expect(run.summary.nextOffsets == one.summary.nextOffsets, "\(file), \(n) workers: next offsets")
            #expect(run.windows.count == one.windows.count, "\(file), \(n) workers: \(run.windows.count) windows, one worker \(one.windows.count)")
            #expect(run.windows == one.windows, "\(file), \(n) workers: window figures differ")
            #expect(run.alerts.map(\.id) == one.alerts.map(\.id), "\(file), \(n) workers: alert ids differ")
            #expect(run.alerts == one.alerts, "\(file), \(n) workers: alerts differ")
            #expect(run.state == one.state, "\(file), \(n) workers: final state differs")
        }
    }

    @Test("workers: 1, 2 and 4 workers give identical windows, alerts and state on the three example pipelines")
    func workersGiveIdenticalResults() throws {
        let examples: [(String, Int32, [DemoStreams.Record])] = [
            ("credit-psi.yaml", 3, DemoStreams.creditScores(records: 30_000, shiftAt: 12_000, seed: 11).records),
            ("video-boundaries.yaml", 3, DemoStreams.videoFeatures(cameras: 3, framesPerCamera: 400, dimension: 128, seed: 5).records),
            ("llm-token-entropy.yaml", 2, DemoStreams.tokenLogs(records: 6_000, collapseAt: 1_500, collapseLength: 600, seed: 3).records),
        ]
        for (file, partitions, records) in examples {
            let spec = try E2E.load(E2E.pipelineFile(file), partitions: partitions)
            try E2E.produce(records, to: spec.source.topics[0])
            let runs = try [1, 2, 4].map { n in (n, try runWorkers(spec, workers: n, partitions: partitions)) }
            expectSame(runs, records: records.count, file: file)
        }
    }

    @Test("workers: 4 workers in one consumer group on 2 partitions (two get none) end caught up with one worker's results")
    func workersInAGroupEndTogether() throws {
        let spec = try E2E.load(E2E.pipelineFile("llm-token-entropy.yaml"), partitions: 2)
        let records = DemoStreams.tokenLogs(records: 6_000, collapseAt: 1_500, collapseLength: 600, seed: 3).records
        try E2E.produce(records, to: spec.source.topics[0])
        let one = try runWorkers(spec, workers: 1, partitions: 2)
        let t0 = ContinuousClock.now
        let four = try runWorkers(spec, workers: 4, partitions: 2, group: true)
        let took = ContinuousClock.now - t0
        expectSame([(1, one), (4, four)], records: records.count, file: "llm-token-entropy.yaml (group)")
        // One join for all four (~3 s on the mock), not one rebalance per member joining late.
        #expect(took < .seconds(20), "4 workers took \(took) to join, read 6 000 records and stop")
    }

    @Test("workers: SIGTERM to a daemon with 4 workers on 3 partitions ends promptly with a final checkpoint of every partition")
    func sigtermWithSeveralWorkers() throws {
        let (name, topic, file, dir, binary) = try DaemonProcessTests.setUp("workers-term", partitions: 3, records: 6000, keys: 17)
        defer { E2E.remove(dir) }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: binary)
        p.arguments = ["run", "--workers", "4", "--checkpoint-dir", dir, "--log-format", "json", "--shutdown-timeout", "20",
                       "-X", "fetch.wait.max.ms=10", "-X", "session.timeout.ms=4000", "-X", "heartbeat.interval.ms=300", file]
        p.environment = ProcessInfo.processInfo.environment.merging(["KAFKA_BOOTSTRAP": e2eBroker.bootstrapServers]) { $1 }
        let out = Pipe(), log = DaemonProcessTests.Collected()
        p.standardOutput = out
        p.standardError = out
        out.fileHandleForReading.readabilityHandler = { log.append($0.availableData) }
        try p.run()
        defer { if p.isRunning { p.terminate() } }

        let store = CheckpointStore(directory: dir)
        func assignedCount() -> Int { log.value.components(separatedBy: "partition assigned").count - 1 }
        let deadline = ContinuousClock.now + .seconds(60)
        while assignedCount() < 3 && p.isRunning && ContinuousClock.now < deadline { Thread.sleep(forTimeInterval: 0.05) }
        #expect(assignedCount() == 3, "log: \(log.value.suffix(2000))")
        Thread.sleep(forTimeInterval: 2) // 6 000 small records: far less than this in a debug build
        let workers = Set(log.value.split(separator: "\n").filter { $0.contains("partition assigned") }.compactMap { line in
            line.range(of: #""worker":"\d+""#, options: .regularExpression).map { String(line[$0]) }
        })
        #expect(workers.count >= 2, "the partitions are spread over the workers: \(workers)")

        let t0 = ContinuousClock.now
        kill(p.processIdentifier, SIGTERM)
        while p.isRunning && ContinuousClock.now - t0 < .seconds(25) { Thread.sleep(forTimeInterval: 0.02) }
        let took = ContinuousClock.now - t0
        #expect(!p.isRunning, "still running \(took) after SIGTERM")
        p.waitUntilExit()
        #expect(p.terminationStatus == 0, "log: \(log.value.suffix(2000))")
        #expect(took < .seconds(10), "graceful stop took \(took)")
        for partition: Int32 in 0..<3 {
            let c = try store.loadLatest(pipeline: name, topic: topic, partition: partition, expectedFingerprints: nil).checkpoint
            #expect(c?.nextOffset == 2_000, "partition \(partition): final checkpoint at \(String(describing: c?.nextOffset))")
        }
    }
}
