import Foundation
import Testing
import ShannonStats
@testable import ShannonCore
import ShannonTestSupport
@testable import ShannonDaemon

private let fingerprints: [String: UInt64] = ["score-psi": 0x1234_5678_9ABC_DEF0, "entropy": 42]

/// A checkpoint with real sealed records (windows, alert rule state) so inspect-style tags exist.
private func sample(generation: UInt64, nextOffset: Int64 = 1000, partition: Int32 = 0) -> Checkpoint {
    var window = CountTumblingWindow(size: 100)
    for o in 0..<Int64(37) { _ = window.add(offset: o, eventTime: 1_700_000_000_000 + o) }
    var rule = AlertRuleState()
    let policy = AlertPolicy(rule: .zscore, baselineMinWindows: 2)
    for v in [0.1, 0.2, 0.15, 0.12] { _ = rule.evaluate(MetricReading(value: v), policy: policy) }
    var entries: [CheckpointEntry] = []
    for k in 0..<20 {
        entries.append(CheckpointEntry(stageId: "score-psi", key: "segment-\(k)", state: window.encodedState()))
        entries.append(CheckpointEntry(stageId: "entropy", key: "segment-\(k)", state: rule.encodedState()))
    }
    return Checkpoint(pipeline: "credit-psi", topic: "credit-scores", partition: partition, nextOffset: nextOffset,
                      generation: generation, createdAtMs: 1_764_000_000_000 + Int64(generation),
                      fingerprints: fingerprints, entries: entries)
}

@Suite struct CheckpointStoreTests {
    @Test func roundTripThroughTheStore() throws {
        let dir = TemporaryDirectory(); defer { dir.cleanup() }
        let store = CheckpointStore(directory: dir.path, keep: 3)
        let c = sample(generation: 1)
        try store.write(c)
        let result = try store.loadLatest(pipeline: "credit-psi", topic: "credit-scores", partition: 0,
                                          expectedFingerprints: fingerprints)
        #expect(result.checkpoint == c)
        #expect(result.skipped.isEmpty)
        #expect(result.nextGeneration == 2)
        #expect(result.path == dir.path + "/credit-psi/credit-scores-0/gen-00000000000000000001.ckpt")
        // The restored sealed records decode back into working values.
        let restored = try #require(result.checkpoint)
        let window = try CountTumblingWindow(encodedState: restored.entries[0].state)
        #expect(window.count == 37)
        #expect(restored.entries[0].stateTag == "WCNT")
        #expect(restored.entries[1].stateTag == "ALRT")
    }

    @Test func fileCodecRoundTripWithEmptyParts() throws {
        let c = Checkpoint(pipeline: "p", topic: "t", partition: 7, nextOffset: -1, generation: 0, createdAtMs: 0,
                           fingerprints: [:], entries: [])
        #expect(try CheckpointFile.decode(CheckpointFile.encode(c)) == c)
    }

    @Test func keepsTheLastKGenerations() throws {
        let dir = TemporaryDirectory(); defer { dir.cleanup() }
        let store = CheckpointStore(directory: dir.path, keep: 3)
        for g in UInt64(1)...7 { try store.write(sample(generation: g, nextOffset: Int64(g) * 100)) }
        #expect(try store.generations(pipeline: "credit-psi", topic: "credit-scores", partition: 0) == [5, 6, 7])
        let r = try store.loadLatest(pipeline: "credit-psi", topic: "credit-scores", partition: 0, expectedFingerprints: nil)
        #expect(r.checkpoint?.generation == 7)
        #expect(r.checkpoint?.nextOffset == 700)
        #expect(r.nextGeneration == 8)
        // Partitions are independent.
        try store.write(sample(generation: 1, partition: 1))
        #expect(try store.generations(pipeline: "credit-psi", topic: "credit-scores", partition: 1) == [1])
        #expect(try store.generations(pipeline: "credit-psi", topic: "credit-scores", partition: 0) == [5, 6, 7])
    }

    @Test func fileNamesSortByGeneration() {
        let names = [UInt64(9), 10, 100, 42, UInt64.max].map(CheckpointStore.fileName(generation:))
        #expect(names.sorted() == [UInt64(9), 10, 42, 100, UInt64.max].map(CheckpointStore.fileName(generation:)))
        #expect(names.map(CheckpointStore.generation(fromFileName:)) == [9, 10, 100, 42, UInt64.max])
        #expect(CheckpointStore.generation(fromFileName: "gen-00000000000000000042.ckpt.tmp.12") == nil)
        #expect(CheckpointStore.generation(fromFileName: "gen-0000000000000000004x.ckpt") == nil)
    }

    /// Every prefix of the newest file must be rejected, and generation 1 used instead.
    @Test func everyTruncationFallsBackToThePreviousGeneration() throws {
        let dir = TemporaryDirectory(); defer { dir.cleanup() }
        let store = CheckpointStore(directory: dir.path, keep: 3)
        try store.write(sample(generation: 1))
        try store.write(sample(generation: 2))
        let path = store.partitionDirectory(pipeline: "credit-psi", topic: "credit-scores", partition: 0)
            + "/" + CheckpointStore.fileName(generation: 2)
        let full = TemporaryDirectory.read(path)
        #expect(full.count > 200)
        for length in 0..<full.count {
            TemporaryDirectory.write(Array(full[0..<length]), to: path)
            let r = try store.loadLatest(pipeline: "credit-psi", topic: "credit-scores", partition: 0,
                                         expectedFingerprints: fingerprints)
            #expect(r.checkpoint?.generation == 1, "prefix of \(length) bytes was used")
            #expect(r.skipped.count == 1 && r.skipped.first?.generation == 2)
            #expect(r.nextGeneration == 3)
        }
        TemporaryDirectory.write(full, to: path)
        let r = try store.loadLatest(pipeline: "credit-psi", topic: "credit-scores", partition: 0, expectedFingerprints: nil)
        #expect(r.checkpoint?.generation == 2)
    }

    @Test func truncationReasonsAreSpecific() throws {
        let bytes = try CheckpointFile.encode(sample(generation: 3))
        let header = try CheckpointFile.decodeHeader(bytes)
        // Cut inside the body: the header is fine, the body is short.
        #expect(throws: CheckpointDefect.truncated("body has \(bytes.count - 1 - header.headerLength) of \(header.bodyLength) bytes")) {
            try CheckpointFile.decode(Array(bytes.dropLast()))
        }
        #expect(throws: CheckpointDefect.badMagic) { try CheckpointFile.decode(Array("SHANCKPX".utf8) + bytes[8...]) }
        var extra = bytes
        extra.append(0)
        #expect(throws: CheckpointDefect.corrupt("1 bytes after the body")) { try CheckpointFile.decode(extra) }
    }

    /// 200 random corruptions (one byte changed to a different value) are all detected.
    @Test func randomCorruptionsAreDetectedAndReported() throws {
        let dir = TemporaryDirectory(); defer { dir.cleanup() }
        let store = CheckpointStore(directory: dir.path, keep: 3)
        try store.write(sample(generation: 1))
        try store.write(sample(generation: 2))
        let path = store.partitionDirectory(pipeline: "credit-psi", topic: "credit-scores", partition: 0)
            + "/" + CheckpointStore.fileName(generation: 2)
        let full = TemporaryDirectory.read(path)
        let headerLength = try CheckpointFile.decodeHeader(full).headerLength
        var rng = SplitMix64(seed: 2026)
        var reasons: [String: Int] = [:]
        for i in 0..<200 {
            var bad = full
            // Half the hits in the header (small but critical), half anywhere.
            let at = i % 2 == 0 ? rng.below(headerLength) : rng.below(full.count)
            bad[at] ^= UInt8(1 + rng.below(255))
            TemporaryDirectory.write(bad, to: path)
            let r = try store.loadLatest(pipeline: "credit-psi", topic: "credit-scores", partition: 0,
                                         expectedFingerprints: fingerprints)
            #expect(r.checkpoint?.generation == 1, "corruption at byte \(at) was not detected")
            let skipped = try #require(r.skipped.first)
            #expect(skipped.generation == 2)
            #expect(skipped.description.contains("generation 2 skipped"))
            let kind = String(describing: skipped.defect).prefix(while: { $0 != " " && $0 != "(" })
            reasons[String(kind), default: 0] += 1
        }
        // The corruptions hit different checks, not one lucky path.
        #expect(reasons.count >= 3, "\(reasons)")
    }

    @Test func versionFromTheFutureIsReportedAsSuch() throws {
        var bytes = try CheckpointFile.encode(sample(generation: 1))
        // The header record's version (u16) follows file magic (8) + record magic (4) + tag (4).
        bytes[16] = 9
        #expect(throws: CheckpointDefect.unsupportedVersion(9)) { try CheckpointFile.decode(bytes) }
    }

    @Test func changedConfigurationIsASpecificError() throws {
        let dir = TemporaryDirectory(); defer { dir.cleanup() }
        let store = CheckpointStore(directory: dir.path, keep: 3)
        try store.write(sample(generation: 1))
        var modified = fingerprints
        modified["score-psi"] = 1
        #expect(throws: CheckpointError.configurationChanged(stage: "score-psi",
                                                             change: .modified(saved: 0x1234_5678_9ABC_DEF0, current: 1))) {
            try store.loadLatest(pipeline: "credit-psi", topic: "credit-scores", partition: 0, expectedFingerprints: modified)
        }
        var added = fingerprints
        added["boundary"] = 7
        #expect(throws: CheckpointError.configurationChanged(stage: "boundary", change: .added)) {
            try store.loadLatest(pipeline: "credit-psi", topic: "credit-scores", partition: 0, expectedFingerprints: added)
        }
        #expect(throws: CheckpointError.configurationChanged(stage: "score-psi", change: .removed)) {
            try store.loadLatest(pipeline: "credit-psi", topic: "credit-scores", partition: 0,
                                 expectedFingerprints: ["entropy": 42])
        }
        let message = CheckpointError.configurationChanged(stage: "score-psi", change: .modified(saved: 1, current: 2)).description
        #expect(message.contains("score-psi") && message.contains("--reset-state"))
    }

    @Test func leftoverTempFileIsIgnoredThenCleaned() throws {
        let dir = TemporaryDirectory(); defer { dir.cleanup() }
        let store = CheckpointStore(directory: dir.path, keep: 3)
        try store.write(sample(generation: 1))
        let partitionDir = store.partitionDirectory(pipeline: "credit-psi", topic: "credit-scores", partition: 0)
        // A crash mid-write leaves half a file under a temporary name.
        let full = try CheckpointFile.encode(sample(generation: 2))
        let temp = partitionDir + "/" + CheckpointStore.fileName(generation: 2) + ".tmp.4242"
        TemporaryDirectory.write(Array(full.prefix(full.count / 2)), to: temp)
        let r = try store.loadLatest(pipeline: "credit-psi", topic: "credit-scores", partition: 0, expectedFingerprints: fingerprints)
        #expect(r.checkpoint?.generation == 1)
        #expect(r.skipped.isEmpty)
        #expect(r.leftoverTempFiles == [temp])
        try store.write(sample(generation: r.nextGeneration))
        #expect(!FileManager.default.fileExists(atPath: temp))
        let after = try FileManager.default.contentsOfDirectory(atPath: partitionDir).sorted()
        #expect(after == ["gen-00000000000000000001.ckpt", "gen-00000000000000000002.ckpt"])
    }

    @Test func emptyOrMissingDirectoryHasNoCheckpoint() throws {
        let dir = TemporaryDirectory(); defer { dir.cleanup() }
        let store = CheckpointStore(directory: dir.path, keep: 3)
        let r = try store.loadLatest(pipeline: "credit-psi", topic: "credit-scores", partition: 0, expectedFingerprints: fingerprints)
        #expect(r.checkpoint == nil)
        #expect(r.skipped.isEmpty)
        #expect(r.nextGeneration == 1)
        try FileManager.default.createDirectory(atPath: store.partitionDirectory(pipeline: "credit-psi", topic: "credit-scores", partition: 0),
                                                withIntermediateDirectories: true)
        let r2 = try store.loadLatest(pipeline: "credit-psi", topic: "credit-scores", partition: 0, expectedFingerprints: nil)
        #expect(r2.checkpoint == nil && r2.nextGeneration == 1)
    }

    @Test func allGenerationsCorruptMeansFreshStartWithEveryReason() throws {
        let dir = TemporaryDirectory(); defer { dir.cleanup() }
        let store = CheckpointStore(directory: dir.path, keep: 3)
        for g in UInt64(1)...3 { try store.write(sample(generation: g)) }
        let partitionDir = store.partitionDirectory(pipeline: "credit-psi", topic: "credit-scores", partition: 0)
        for g in UInt64(1)...3 {
            let p = partitionDir + "/" + CheckpointStore.fileName(generation: g)
            TemporaryDirectory.write(Array(TemporaryDirectory.read(p).prefix(40)), to: p)
        }
        let r = try store.loadLatest(pipeline: "credit-psi", topic: "credit-scores", partition: 0, expectedFingerprints: nil)
        #expect(r.checkpoint == nil)
        #expect(r.skipped.map(\.generation) == [3, 2, 1])
        #expect(r.nextGeneration == 4)
    }

    @Test func misplacedFileIsSkipped() throws {
        let dir = TemporaryDirectory(); defer { dir.cleanup() }
        let store = CheckpointStore(directory: dir.path, keep: 3)
        try store.write(sample(generation: 1, partition: 0))
        let from = store.partitionDirectory(pipeline: "credit-psi", topic: "credit-scores", partition: 0) + "/" + CheckpointStore.fileName(generation: 1)
        let toDir = store.partitionDirectory(pipeline: "credit-psi", topic: "credit-scores", partition: 1)
        try FileManager.default.createDirectory(atPath: toDir, withIntermediateDirectories: true)
        TemporaryDirectory.write(TemporaryDirectory.read(from), to: toDir + "/" + CheckpointStore.fileName(generation: 1))
        let r = try store.loadLatest(pipeline: "credit-psi", topic: "credit-scores", partition: 1, expectedFingerprints: nil)
        #expect(r.checkpoint == nil)
        guard case .misplaced? = r.skipped.first?.defect else {
            Issue.record("expected a misplaced defect, got \(r.skipped)")
            return
        }
    }

    @Test func resetDeletesState() throws {
        let dir = TemporaryDirectory(); defer { dir.cleanup() }
        let store = CheckpointStore(directory: dir.path, keep: 2)
        try store.write(sample(generation: 1, partition: 0))
        try store.write(sample(generation: 1, partition: 1))
        try store.reset(pipeline: "credit-psi", topic: "credit-scores", partition: 1)
        #expect(try store.generations(pipeline: "credit-psi", topic: "credit-scores", partition: 1).isEmpty)
        #expect(try store.generations(pipeline: "credit-psi", topic: "credit-scores", partition: 0) == [1])
        try store.reset(pipeline: "credit-psi")
        #expect(!FileManager.default.fileExists(atPath: dir.path + "/credit-psi"))
        try store.reset(pipeline: "credit-psi") // nothing left: not an error
        #expect(throws: CheckpointError.invalidName("..")) { try store.reset(pipeline: "..") }
    }
}
