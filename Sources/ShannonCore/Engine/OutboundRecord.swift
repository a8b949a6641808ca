/// A record the engine wants sent downstream: an alert, a window's figures or a dead letter.
///
/// The engine knows nothing of Kafka: the daemon maps `kind` to the pipeline's sink topics and
/// produces it; the in-process driver (`ShannonTestSupport.PipelineDriver`) and `shannon test`
/// collect it.
public struct OutboundRecord: Sendable {
    public enum Kind: Sendable, Equatable {
        /// An alert (or a one-time notice) of stage `stage`, for the alerts sink.
        case alert(stage: Int, state: AlertState)
        /// A closed window's figures, for the optional windows sink (an evicted key's partial
        /// window too, marked `"evicted"`).
        case window(stage: Int)
        /// A rejected record, for the dead-letter sink.
        case deadLetter(DeadLetterReason)
    }

    public var kind: Kind
    /// The record key: `pipeline/stage/key` for alerts and windows (so one key's alerts stay in
    /// order on one partition), the source record's key for dead letters.
    public var key: [UInt8]?
    /// JSON (schemas/alert.schema.json, schemas/dead-letter.schema.json, or a window record).
    public var value: [UInt8]
    /// Kafka headers (`shannon.alert.id`, `shannon.reason`, …).
    public var headers: [(name: String, value: String)]
}

/// What an engine has done so far, indexed densely (stages by their position in the file,
/// dead letters by `DeadLetterReason.index`) so the hot path counts without hashing.
public struct EngineCounts: Sendable, Equatable {
    public var records = 0
    public var decoded = 0
    public var deadLetters: [Int]
    public var windows: [Int]
    public var alertsFiring: [Int]
    public var alertsResolved: [Int]
    /// Keys each stage holds now, over every partition the engine drives (a gauge).
    public var keysHeld: [Int]
    /// Keys each stage has evicted (`keys.max`, `keys.idle_timeout`), over every partition.
    public var keysEvicted: [Int]

    public init(stages: Int) {
        keysHeld = Array(repeating: 0, count: stages)
        keysEvicted = Array(repeating: 0, count: stages)
        deadLetters = Array(repeating: 0, count: DeadLetterReason.allCases.count)
        windows = Array(repeating: 0, count: stages)
        alertsFiring = Array(repeating: 0, count: stages)
        alertsResolved = Array(repeating: 0, count: stages)
    }
}
