import Foundation
import Logging
import ShannonKafka
import Testing
@testable import ShannonCore
import ShannonTestSupport
@testable import ShannonDaemon

/// A stale owner's late write, through the mock cluster: owner A checkpoints, owner B takes the
/// partition over (a higher epoch) and checkpoints, then A — a zombie that never saw its
/// partition lost, so its own fence still lets it write — appends a later generation of an
/// older state after B's marker. The next restore must take B's state, ignore A's marker and
/// entries, say so in the log, and count it (ChangelogStats.staleMarkersIgnored).
@Suite(.serialized) struct ChangelogFencingTests {
    @Test("a write stamped with an older epoch, appended after the new owner's marker, is ignored on restore")
    func staleOwnersLateWriteIsIgnored() throws {
        let setup = try ChangelogE2E.setup(partitions: 1)
        let driver = try PipelineDriver(plan: PipelinePlan(spec: setup.spec))
        let records = DemoStreams.creditScores(records: 900, shiftAt: 450, seed: 9).records
        let topic = setup.spec.source.topics[0]
        let tp = TopicPartition(topic, 0)
        let fingerprints = driver.engine.plan.fingerprints
        func none(_: TopicPartition) -> (CheckpointLoadResult?, String?) { (nil, nil) }

        // A: the first owner (epoch 1), checkpoints after 300 records.
        driver.send(records.prefix(300))
        var atA = try #require(driver.checkpoint(topic: topic))
        atA.generation = 1
        let a = try ChangelogCacheTests.coordinator(setup, fingerprints, logger: E2E.quietLogger("fence.a"))
        _ = try a.0.restore([tp], resetState: false, local: none)
        #expect(a.0.epoch(of: tp) == 1)
        try a.0.write(atA, createdAtMs: 1)
        try a.1.flush(timeout: .seconds(30))
        a.0.committed()

        // B: takes over from the changelog (epoch 2), checkpoints after 600 records.
        let b = try ChangelogCacheTests.coordinator(setup, fingerprints, logger: E2E.quietLogger("fence.b"))
        let taken = try #require(try b.0.restore([tp], resetState: false, local: none)[tp])
        #expect(taken.source == .changelog && taken.checkpoint?.entries == atA.entries)
        #expect(b.0.epoch(of: tp) == 2)
        driver.send(records.dropFirst(300).prefix(300))
        var atB = try #require(driver.checkpoint(topic: topic))
        atB.generation = taken.nextGeneration
        try b.0.write(atB, createdAtMs: 2)
        try b.1.flush(timeout: .seconds(30))
        b.0.committed()

        // A again, late: a state after 900 records, a generation above B's, its old epoch.
        driver.send(records.dropFirst(600))
        var late = try #require(driver.checkpoint(topic: topic))
        late.generation = atB.generation + 5
        #expect(late.entries != atB.entries, "the late write must differ for the test to show anything")
        try a.0.write(late, createdAtMs: 3)
        try a.1.flush(timeout: .seconds(30))

        // C restores: B's state, A's late marker and entries ignored, with a warning naming both.
        let log = CapturedLog()
        var logger = log.logger("fence.c")
        logger.logLevel = .info
        let c = try ChangelogCacheTests.coordinator(setup, fingerprints, logger: logger)
        let choice = try #require(try c.0.restore([tp], resetState: false, local: none)[tp])
        #expect(choice.source == .changelog)
        #expect(choice.checkpoint?.entries == atB.entries && choice.checkpoint?.nextOffset == atB.nextOffset)
        #expect(choice.checkpoint?.generation == atB.generation)
        #expect(c.0.epoch(of: tp) == 3, "the next owner writes above every epoch seen, the stale one included")
        let lines = log.all.map(\.1)
        let warning = try #require(lines.first { $0.hasPrefix("changelog: stale owner's late checkpoint ignored") }, "\(lines)")
        #expect(warning.contains("stale=epoch 1 generation \(late.generation)"), "\(warning)")
        #expect(warning.contains("newest=epoch 2 generation \(atB.generation)"), "\(warning)")
        #expect(warning.contains("stale_next_offset=\(late.nextOffset)") && !warning.contains("stale_entries=0"), "\(warning)")
        #expect(c.0.store.stats.snapshot.staleMarkersIgnored == 1)
        let restore = try #require(lines.first { $0.hasPrefix("changelog restore") }, "\(lines)")
        #expect(restore.contains("ignored_unfinished=0"), "A's late entries are not kept as an unfinished checkpoint: \(restore)")
    }
}
