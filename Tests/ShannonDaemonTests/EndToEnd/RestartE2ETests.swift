import Foundation
import ShannonKafka
import ShannonStats
import Testing
@testable import ShannonCore
import ShannonTestSupport
@testable import ShannonDaemon

/// Stops, crashes and damaged checkpoints: whatever happens between two runs, the final state
/// must be the one an uninterrupted run reaches on the same records, and no alert may be lost.
///
/// Each comparison runs the same pipeline twice over the same source topic, with separate
/// checkpoint directories and alert topics: checkpoints are keyed by (pipeline, topic,
/// partition) and alert ids by the source position, so both runs must agree byte for byte.
extension EndToEndTests {
    /// Alerts reduced to what must be reproducible (emission time is wall clock, not state).
    struct AlertFacts: Hashable {
        var id: String
        var state: AlertState
        var value: Double
        var se: Double?
        var pValue: Double?
        init(_ a: Alert) {
            id = a.id
            state = a.state
            value = a.value
            se = a.se
            pValue = a.pValue
        }
    }

    // MARK: Graceful stop and restart

    @Test("graceful stop mid-stream + restart = one uninterrupted run (tokens: entropy, JS, event-time windows)")
    func gracefulRestart() throws {
        let spec = try E2E.load(E2E.pipelineFile("llm-token-entropy.yaml"), partitions: 2)
        let topic = spec.source.topics[0]
        // 3 000 records per model: ten normal windows of 200 to learn the baseline, then a collapse.
        let stream = DemoStreams.tokenLogs(records: 6_000, collapseAt: 2_200, collapseLength: 400, seed: 9)
        try E2E.produce(stream.records, to: topic)

        let dirA = E2E.tempDirectory("restart-a"), dirB = E2E.tempDirectory("restart-b")
        defer { E2E.remove(dirA); E2E.remove(dirB) }
        let whole = try E2E.run(try PipelinePlan(spec: spec), checkpoints: dirA, partitions: 2)
        #expect(whole.records == 6_000)

        var specB = spec
        E2E.retargetSinks(&specB)
        let planB = try PipelinePlan(spec: specB)
        let first = try E2E.run(planB, checkpoints: dirB, partitions: 2, limit: .records(1_500), batchSize: 256)
        #expect(first.records >= 1_500 && first.records < 6_000, "stopped mid-stream")
        let second = try E2E.run(planB, checkpoints: dirB, partitions: 2)
        let used = Set(try E2E.readAll(topic, partitions: 2).map(\.partition)).count
        #expect(second.restoredPartitions == used)
        #expect(first.records + second.records == 6_000, "a graceful stop resumes exactly where it stopped")

        #expect(try E2E.finalState(spec, directory: dirA, partitions: 2) == E2E.finalState(specB, directory: dirB, partitions: 2))
        let a = try E2E.alerts(of: spec).map(AlertFacts.init)
        let b = try E2E.alerts(of: specB).map(AlertFacts.init)
        #expect(!a.isEmpty)
        #expect(a.sorted { $0.id < $1.id } == b.sorted { $0.id < $1.id }, "the same alerts, once each")
    }

    // MARK: Crashes

    @Test("crashes at three points + restart = one uninterrupted run (credit: PSI, sliding IV, group divergence)")
    func crashRestart() throws {
        var spec = try E2E.load(E2E.pipelineFile("credit-psi.yaml"), partitions: 3)
        // Small windows and frequent checkpoints, so the crashes fall between checkpoints and
        // inside open windows of every kind (tumbling, sliding, grouped).
        spec.checkpoint.everyRecords = 150
        spec.checkpoint.everySeconds = 3_600
        for i in spec.stages.indices {
            switch spec.stages[i].id {
            case "score-psi": spec.stages[i].window = .countTumbling(size: 500)
            case "score-iv": spec.stages[i].window = .countSliding(size: 1_000, hop: 250)
            default: spec.stages[i].window = .countTumbling(size: 1_000)
            }
        }
        let topic = spec.source.topics[0]
        let total = 6_000
        try E2E.produce(DemoStreams.creditScores(records: total, shiftAt: 3_000, seed: 21).records, to: topic)

        let dirA = E2E.tempDirectory("crash-a"), dirB = E2E.tempDirectory("crash-b")
        defer { E2E.remove(dirA); E2E.remove(dirB) }
        let whole = try E2E.run(try PipelinePlan(spec: spec), checkpoints: dirA, partitions: 3)
        #expect(whole.records == total)
        #expect(whole.alertsFiring > 0)

        var specB = spec
        E2E.retargetSinks(&specB)
        let planB = try PipelinePlan(spec: specB)
        var restored: [Int] = []
        for crashAt in [800, 1_600, 2_600] {
            let s = try E2E.run(planB, checkpoints: dirB, partitions: 3, limit: .records(crashAt), stopMode: .abandon,
                                batchSize: 200)
            #expect(s.records >= crashAt && s.records < crashAt + 200 * 3, "crashed near \(crashAt)")
            restored.append(s.restoredPartitions)
            let resumed = try E2E.latestCheckpoints(specB, directory: dirB, partitions: 3).map { $0?.nextOffset ?? 0 }
            #expect(resumed.reduce(0, +) < Int64(total), "the crash left work to redo")
        }
        let last = try E2E.run(planB, checkpoints: dirB, partitions: 3)
        restored.append(last.restoredPartitions)
        #expect(restored[0] == 0)
        #expect(restored.dropFirst().allSatisfy { $0 > 0 }, "every restart resumed from checkpoints: \(restored)")

        #expect(try E2E.finalState(spec, directory: dirA, partitions: 3) == E2E.finalState(specB, directory: dirB, partitions: 3))
        let a = try E2E.alerts(of: spec).map(AlertFacts.init)
        let b = try E2E.alerts(of: specB).map(AlertFacts.init)
        #expect(Set(a.map(\.id)).count == a.count, "the uninterrupted run emits each alert once")
        #expect(Set(a) == Set(b), "every alert of the uninterrupted run, and only those, with the same values")
        #expect(b.count >= a.count)
    }

    // MARK: Corrupt checkpoints and changed configurations

    @Test("a corrupt newest checkpoint is skipped for the previous generation; a changed stage config is refused")
    func corruptCheckpoint() throws {
        var spec = try E2E.load(E2E.pipelineFile("video-boundaries.yaml"), partitions: 3)
        spec.checkpoint.everyRecords = 100
        let topic = spec.source.topics[0]
        let stream = DemoStreams.videoFeatures(cameras: 3, framesPerCamera: 400, dimension: 128, seed: 7)
        try E2E.produce(stream.records, to: topic)

        let dirA = E2E.tempDirectory("corrupt-a"), dirB = E2E.tempDirectory("corrupt-b")
        defer { E2E.remove(dirA); E2E.remove(dirB) }
        let whole = try E2E.run(try PipelinePlan(spec: spec), checkpoints: dirA, partitions: 3)
        #expect(whole.records == 1_200)

        var specB = spec
        E2E.retargetSinks(&specB)
        let planB = try PipelinePlan(spec: specB)
        _ = try E2E.run(planB, checkpoints: dirB, partitions: 3, limit: .records(900), stopMode: .abandon,
                        batchSize: 100)

        // Damage the newest generation of every partition that has two: one flipped byte.
        let store = CheckpointStore(directory: dirB, keep: specB.checkpoint.keep)
        var corrupted = 0
        for p in Int32(0)..<3 {
            let generations = try store.generations(pipeline: specB.name, topic: topic, partition: p)
            guard generations.count >= 2, let newest = generations.last else { continue }
            let path = store.partitionDirectory(pipeline: specB.name, topic: topic, partition: p) + "/"
                + CheckpointStore.fileName(generation: newest)
            var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
            bytes[bytes.count / 2] ^= 0x5A
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            corrupted += 1
        }
        #expect(corrupted >= 1, "checkpoints every 100 records left two generations somewhere")

        let log = CapturedLog()
        let resumed = try E2E.run(planB, checkpoints: dirB, partitions: 3,
                                  logger: log.logger("e2e.corrupt"))
        let skipped = log.all.filter { $0.0 >= .error && $0.1.contains("corrupt checkpoint skipped") }
        #expect(skipped.count == corrupted, "\(log.all.map(\.1))")
        #expect(resumed.restoredPartitions >= corrupted, "fell back to the previous generation, not to nothing")
        #expect(try E2E.finalState(spec, directory: dirA, partitions: 3) == E2E.finalState(specB, directory: dirB, partitions: 3))

        // Another stage configuration over the same checkpoints: refused, unless told to reset.
        var changed = specB
        guard case var .boundary(p) = changed.stages[0].params else { Issue.record("not a boundary stage"); return }
        p.tau = 5
        changed.stages[0].params = .boundary(p)
        let changedPlan = try PipelinePlan(spec: changed)
        #expect(changedPlan.fingerprints != planB.fingerprints)
        do {
            _ = try E2E.run(changedPlan, checkpoints: dirB, partitions: 3)
            Issue.record("a changed stage configuration ran over the old state")
        } catch let error as RuntimeError {
            #expect("\(error)".contains("scene-cuts") && "\(error)".contains("--reset-state"), "\(error)")
        }
        let reset = try E2E.run(changedPlan, checkpoints: dirB, partitions: 3, resetState: true)
        #expect(reset.restoredPartitions == 0)
        #expect(reset.records == 1_200, "state reset: everything read again")
    }
}
