import Foundation
import Logging
import ShannonKafka
import Testing
@testable import ShannonCore
import ShannonTestSupport
@testable import ShannonDaemon

/// The changelog is the truth, the local files a cache: when they disagree (the cache older,
/// corrupt, or from another configuration) the restore takes the changelog's state and says so
/// in the log; when they agree it takes the cache. Runs the coordinator the worker runs, on a
/// real changelog topic of the mock cluster, with the worker's local loader (CheckpointStore).
@Suite(.serialized) struct ChangelogCacheTests {
    /// A changelog holding the state after 600 records, and the checkpoints after 300 and 600.
    struct Fixture {
        var setup: ChangelogE2E.Setup
        var older: Checkpoint
        var newest: Checkpoint
        var tp: TopicPartition
        var fingerprints: [String: UInt64]
    }

    static func fixture() throws -> Fixture {
        let setup = try ChangelogE2E.setup(partitions: 1)
        let driver = try PipelineDriver(plan: PipelinePlan(spec: setup.spec))
        let records = DemoStreams.creditScores(records: 600, shiftAt: 600, seed: 5).records
        driver.send(records.prefix(300))
        let older = try #require(driver.checkpoint(topic: setup.spec.source.topics[0]))
        driver.send(records.dropFirst(300))
        let newest = try #require(driver.checkpoint(topic: setup.spec.source.topics[0]))
        let tp = TopicPartition(newest.topic, 0)
        let fingerprints = driver.engine.plan.fingerprints
        // The owner before this restore: it wrote the newest checkpoint to the changelog.
        let writer = try coordinator(setup, fingerprints, logger: E2E.quietLogger("cl.writer"))
        _ = try writer.0.restore([tp], resetState: false) { _ in (nil, nil) }
        try writer.0.write(newest, createdAtMs: 0)
        try writer.1.flush(timeout: .seconds(30))
        writer.0.committed()
        return Fixture(setup: setup, older: older, newest: newest, tp: tp, fingerprints: fingerprints)
    }

    static func coordinator(_ setup: ChangelogE2E.Setup, _ fingerprints: [String: UInt64], logger: Logger) throws
        -> (ChangelogCoordinator, KafkaProducer) {
        let producer = try E2E.producer()
        var connection = Dictionary(setup.spec.source.properties.map { ($0.key, $0.value) }) { a, _ in a }
        connection["group.id"] = E2E.unique("cache-test")
        let store = ChangelogStore(topic: setup.changelogTopic, pipeline: setup.spec.name, producer: producer,
                                   connection: connection, logger: logger)
        return (ChangelogCoordinator(store: store, fingerprints: fingerprints, maxMessageBytes: 1_000_000 - 512,
                                     logger: logger), producer)
    }

    /// Restores `f.tp` with the local files of `directory`, loaded as the worker loads them.
    static func restore(_ f: Fixture, directory: String) throws -> (ChangelogCoordinator.Choice, [String]) {
        let log = CapturedLog()
        var logger = log.logger("cl.reader")
        logger.logLevel = .info
        let (c, _) = try coordinator(f.setup, f.fingerprints, logger: logger)
        let local = CheckpointStore(directory: directory)
        let choices = try c.restore([f.tp], resetState: false) { tp in
            do {
                let r = try local.loadLatest(pipeline: f.setup.spec.name, topic: tp.topic, partition: tp.partition,
                                             expectedFingerprints: f.fingerprints)
                return (r, r.skipped.isEmpty ? nil : r.skipped.map(\.description).joined(separator: "; "))
            } catch {
                return (nil, "unusable: \(error)")
            }
        }
        return (try #require(choices[f.tp]), log.all.map(\.1))
    }

    static func wins(_ lines: [String]) -> String? { lines.first { $0.hasPrefix("changelog wins over the local checkpoint") } }

    @Test("the cache agrees with the changelog: the cache is used, nothing to say")
    func agreeingCacheIsUsed() throws {
        let f = try Self.fixture()
        let dir = E2E.tempDirectory("cache-same")
        try CheckpointStore(directory: dir).write(f.newest)
        let (choice, lines) = try Self.restore(f, directory: dir)
        #expect(choice.source == .localCache && choice.checkpoint == f.newest)
        #expect(Self.wins(lines) == nil, "\(lines)")
    }

    @Test("an older cache: the changelog wins and the log names both generations")
    func olderCacheLosesToTheChangelog() throws {
        let f = try Self.fixture()
        let dir = E2E.tempDirectory("cache-older")
        try CheckpointStore(directory: dir).write(f.older)
        let (choice, lines) = try Self.restore(f, directory: dir)
        #expect(choice.source == .changelog)
        #expect(choice.checkpoint?.entries == f.newest.entries && choice.checkpoint?.nextOffset == f.newest.nextOffset)
        let line = try #require(Self.wins(lines), "\(lines)")
        #expect(line.contains("local=local generation \(f.older.generation) at offset \(f.older.nextOffset)"), "\(line)")
        #expect(line.contains("changelog=generation \(f.newest.generation) at offset \(f.newest.nextOffset)"), "\(line)")
        #expect(choice.nextGeneration > f.newest.generation)
    }

    @Test("a corrupt cache: the changelog wins and the log names the defect")
    func corruptCacheLosesToTheChangelog() throws {
        let f = try Self.fixture()
        let dir = E2E.tempDirectory("cache-corrupt")
        let store = CheckpointStore(directory: dir)
        try store.write(f.newest)
        let path = store.partitionDirectory(pipeline: f.setup.spec.name, topic: f.tp.topic, partition: 0) + "/"
            + CheckpointStore.fileName(generation: f.newest.generation)
        var bytes = try #require(FileManager.default.contents(atPath: path).map { [UInt8]($0) })
        bytes[bytes.count / 2] ^= 0x40
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let (choice, lines) = try Self.restore(f, directory: dir)
        #expect(choice.source == .changelog && choice.checkpoint?.entries == f.newest.entries)
        let line = try #require(Self.wins(lines), "\(lines)")
        #expect(line.contains("generation \(f.newest.generation)") && line.contains(path), "the skipped file is named: \(line)")
    }

    @Test("a cache from another configuration: the changelog wins, the cache is called unusable")
    func otherConfigurationsCacheLosesToTheChangelog() throws {
        let f = try Self.fixture()
        let dir = E2E.tempDirectory("cache-config")
        var foreign = f.newest
        foreign.fingerprints = foreign.fingerprints.mapValues { $0 ^ 1 }
        try CheckpointStore(directory: dir).write(foreign)
        let (choice, lines) = try Self.restore(f, directory: dir)
        #expect(choice.source == .changelog && choice.checkpoint?.fingerprints == f.fingerprints)
        let line = try #require(Self.wins(lines), "\(lines)")
        #expect(line.contains("local=unusable:"), "\(line)")
    }
}
