import ShannonKafka

/// How a worker is run: where checkpoints live and what to override.
public struct RunOptions: Sendable {
    public var checkpointDirectory: String
    /// Delete a pipeline's state when its stage configuration changed, instead of refusing.
    public var resetState = false
    /// librdkafka properties applied over the pipeline file's (e.g. the embedded broker).
    public var propertyOverrides: [String: String] = [:]
    /// Read these partitions without joining the consumer group (tests, replays, benchmarks).
    public var manualPartitions: [TopicPartition]?
    /// Worker threads per pipeline, over the file's `workers:` (`shannon run --workers N`);
    /// nil: the file's, else `PipelineWorkers.defaultCount`.
    public var workers: Int?
    public var batchSize = 4_096
    public var pollTimeout: Duration = .milliseconds(100)
    /// How often to log progress on long runs.
    public var progressInterval: Duration = .seconds(10)

    public init(checkpointDirectory: String) {
        self.checkpointDirectory = checkpointDirectory
    }
}

/// When `run` returns.
public enum RunLimit: Sendable {
    /// Until the stop signal (the daemon).
    case untilStopped
    /// Until every owned partition has been read to its end (demo, tests, backfills).
    case untilCaughtUp
    /// After this many records (tests: a crash at a chosen point).
    case records(Int)
}

/// How `run` ends.
public enum StopMode: Sendable {
    /// Final checkpoint, flush, commit, leave the group.
    case graceful
    /// As if the process died: no final checkpoint, no commit (crash tests).
    case abandon
}

/// What a run did, for logs, the demo's summary and tests.
public struct RunSummary: Sendable {
    public var pipeline: String
    public var records = 0
    public var decoded = 0
    public var deadLetters: [String: Int] = [:]
    public var windows: [String: Int] = [:]
    public var alertsFiring = 0
    public var alertsResolved = 0
    public var checkpoints = 0
    public var restoredPartitions = 0
    public var seconds = 0.0
    /// The next offset of every partition owned at the end.
    public var nextOffsets: [TopicPartition: Int64] = [:]
}

