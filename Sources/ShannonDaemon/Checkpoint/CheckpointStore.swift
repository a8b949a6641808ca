import ShannonCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Checkpoint generations on the local disk, one directory per (pipeline, topic, partition):
///
///     <directory>/<pipeline>/<topic>-<partition>/gen-00000000000000000042.ckpt
///
/// File names sort by generation. A write goes to a temporary file in the same directory, is
/// fsynced, renamed over its final name and the directory fsynced, so after a crash a
/// generation is either complete or absent; only then are generations older than the newest
/// `keep` deleted. Loading walks generations from the newest and takes the first one that
/// passes every check, reporting each one it skipped and why.
public struct CheckpointStore: Sendable {
    public let directory: String
    /// How many generations to keep per partition (at least 1).
    public let keep: Int

    public typealias LoadResult = CheckpointLoadResult

    public init(directory: String, keep: Int = 3) {
        self.directory = directory
        self.keep = max(1, keep)
    }

    // MARK: Paths

    /// The directory that holds one partition's generations.
    public func partitionDirectory(pipeline: String, topic: String, partition: Int32) -> String {
        "\(directory)/\(pipeline)/\(topic)-\(partition)"
    }

    /// The final file name of a generation.
    public static func fileName(generation: UInt64) -> String {
        let digits = String(generation)
        return "gen-" + String(repeating: "0", count: 20 - digits.count) + digits + ".ckpt"
    }

    /// The generation a final file name encodes, or nil for any other name (temporary files included).
    public static func generation(fromFileName name: String) -> UInt64? {
        guard name.utf8.count == 29, name.hasPrefix("gen-"), name.hasSuffix(".ckpt") else { return nil }
        let digits = name.dropFirst(4).prefix(20)
        guard digits.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        return UInt64(digits)
    }

    static func isTempFile(_ name: String) -> Bool { name.hasPrefix("gen-") && name.contains(".tmp") }

    // MARK: Write

    /// Writes `checkpoint` as a new generation, durably and atomically, then prunes old generations.
    ///
    /// Generations must increase per partition (use `CheckpointLoadResult.nextGeneration`, then +1
    /// per write); pruning keeps the `keep` highest numbers.
    /// - Returns: the size of the file written.
    @discardableResult
    public func write(_ checkpoint: Checkpoint) throws -> Int {
        try Self.validate(checkpoint.pipeline)
        try Self.validate(checkpoint.topic)
        let bytes = try CheckpointFile.encode(checkpoint)
        let dir = partitionDirectory(pipeline: checkpoint.pipeline, topic: checkpoint.topic, partition: checkpoint.partition)
        try CheckpointIO.makeDirectories(dir)

        // A temporary file left by a crash mid-write is never a generation; clear it away.
        for name in try CheckpointIO.listDirectory(dir) where Self.isTempFile(name) {
            _ = unlink(dir + "/" + name)
        }

        let final = dir + "/" + Self.fileName(generation: checkpoint.generation)
        let temp = final + ".tmp.\(getpid())"
        let fd = open(temp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw CheckpointError.io(operation: "open", path: temp, errno: errno) }
        do {
            try CheckpointIO.writeAll(fd, bytes, path: temp)
            guard fsync(fd) == 0 else { throw CheckpointError.io(operation: "fsync", path: temp, errno: errno) }
        } catch {
            close(fd)
            unlink(temp)
            throw error
        }
        guard close(fd) == 0 else {
            let e = errno
            unlink(temp)
            throw CheckpointError.io(operation: "close", path: temp, errno: e)
        }
        guard rename(temp, final) == 0 else {
            let e = errno
            unlink(temp)
            throw CheckpointError.io(operation: "rename", path: final, errno: e)
        }
        try CheckpointIO.syncDirectory(dir)

        // Only now that the new generation is durable may older ones go.
        let generations = try listGenerations(dir)
        if generations.count > keep {
            for g in generations.dropLast(keep) {
                let path = dir + "/" + Self.fileName(generation: g)
                if unlink(path) != 0 && errno != ENOENT {
                    throw CheckpointError.io(operation: "unlink", path: path, errno: errno)
                }
            }
            try CheckpointIO.syncDirectory(dir)
        }
        return bytes.count
    }

    // MARK: Load

    /// The newest valid checkpoint of a partition (or none), with every skipped generation and why.
    ///
    /// - Parameter expectedFingerprints: the current pipeline's stage fingerprints; nil skips the check.
    /// - Throws: `CheckpointError.configurationChanged` when the newest valid checkpoint was written
    ///   under another stage configuration (the caller refuses to start unless told to reset), or
    ///   `CheckpointError.io` when the directory cannot be listed. Damaged files never throw.
    public func loadLatest(pipeline: String, topic: String, partition: Int32,
                           expectedFingerprints: [String: UInt64]?) throws -> CheckpointLoadResult {
        try Self.validate(pipeline)
        try Self.validate(topic)
        let dir = partitionDirectory(pipeline: pipeline, topic: topic, partition: partition)
        var result = CheckpointLoadResult()
        guard CheckpointIO.isDirectory(dir) else { return result }
        let names = try CheckpointIO.listDirectory(dir)
        result.leftoverTempFiles = names.filter(Self.isTempFile).sorted().map { dir + "/" + $0 }
        let generations = names.compactMap(Self.generation(fromFileName:)).sorted()
        result.nextGeneration = (generations.last ?? 0) + 1
        for g in generations.reversed() {
            let path = dir + "/" + Self.fileName(generation: g)
            let bytes: [UInt8]
            do {
                bytes = try CheckpointIO.readFile(path)
            } catch {
                result.skipped.append(SkippedGeneration(generation: g, path: path, defect: .unreadable("\(error)")))
                continue
            }
            let checkpoint: Checkpoint
            do {
                checkpoint = try CheckpointFile.decode(bytes)
            } catch let d as CheckpointDefect {
                result.skipped.append(SkippedGeneration(generation: g, path: path, defect: d))
                continue
            }
            guard checkpoint.pipeline == pipeline, checkpoint.topic == topic, checkpoint.partition == partition,
                  checkpoint.generation == g else {
                let found = "holds \(checkpoint.pipeline) \(checkpoint.topic)[\(checkpoint.partition)] generation \(checkpoint.generation)"
                result.skipped.append(SkippedGeneration(generation: g, path: path, defect: .misplaced(found)))
                continue
            }
            if let expected = expectedFingerprints {
                try Self.checkFingerprints(saved: checkpoint.fingerprints, current: expected)
            }
            result.checkpoint = checkpoint
            result.path = path
            return result
        }
        return result
    }

    /// Throws `configurationChanged` for the first stage (in id order) whose configuration differs.
    public static func checkFingerprints(saved: [String: UInt64], current: [String: UInt64]) throws {
        for stage in Set(saved.keys).union(current.keys).sorted() {
            switch (saved[stage], current[stage]) {
            case let (s?, c?) where s != c:
                throw CheckpointError.configurationChanged(stage: stage, change: .modified(saved: s, current: c))
            case (nil, _?):
                throw CheckpointError.configurationChanged(stage: stage, change: .added)
            case (_?, nil):
                throw CheckpointError.configurationChanged(stage: stage, change: .removed)
            default:
                continue
            }
        }
    }

    /// The generation numbers present for a partition, ascending (valid or not).
    public func generations(pipeline: String, topic: String, partition: Int32) throws -> [UInt64] {
        let dir = partitionDirectory(pipeline: pipeline, topic: topic, partition: partition)
        guard CheckpointIO.isDirectory(dir) else { return [] }
        return try listGenerations(dir)
    }

    // MARK: Reset

    /// Deletes every checkpoint of a pipeline (all topics and partitions).
    public func reset(pipeline: String) throws {
        try Self.validate(pipeline)
        try CheckpointIO.removeTree(directory + "/" + pipeline)
        if CheckpointIO.isDirectory(directory) { try CheckpointIO.syncDirectory(directory) }
    }

    /// Deletes the checkpoints of one partition of a pipeline.
    public func reset(pipeline: String, topic: String, partition: Int32) throws {
        try Self.validate(pipeline)
        try Self.validate(topic)
        let dir = partitionDirectory(pipeline: pipeline, topic: topic, partition: partition)
        try CheckpointIO.removeTree(dir)
        let parent = directory + "/" + pipeline
        if CheckpointIO.isDirectory(parent) { try CheckpointIO.syncDirectory(parent) }
    }

    // MARK: Helpers

    static func validate(_ name: String) throws {
        guard !name.isEmpty, name != ".", name != "..", !name.contains("/"), !name.utf8.contains(0) else {
            throw CheckpointError.invalidName(name)
        }
    }

    private func listGenerations(_ dir: String) throws -> [UInt64] {
        try CheckpointIO.listDirectory(dir).compactMap(Self.generation(fromFileName:)).sorted()
    }
}

/// What `CheckpointStore.loadLatest` found.
public struct CheckpointLoadResult: Sendable {
    /// The newest valid checkpoint, or nil when there is none (fresh start).
    public var checkpoint: Checkpoint?
    /// Its file.
    public var path: String?
    /// Newer generations that were not used, newest first, each with its defect: log every one.
    public var skipped: [SkippedGeneration] = []
    /// The generation number the next write must use: one above every generation on disk (valid or not).
    public var nextGeneration: UInt64 = 1
    /// Temporary files of interrupted writes, ignored here and removed by the next `write`.
    public var leftoverTempFiles: [String] = []

    public init() {}
}

/// A generation that `loadLatest` did not use.
public struct SkippedGeneration: Sendable, Equatable, CustomStringConvertible {
    public var generation: UInt64
    public var path: String
    public var defect: CheckpointDefect

    public var description: String { "checkpoint generation \(generation) skipped: \(defect) [\(path)]" }
}
