/// The typed form of a pipeline file (format v1, see docs/pipelines.md).
///
/// Value types all the way down so a spec can be compared, hashed into fingerprints and handed
/// to every partition's state without sharing. Built only by `PipelineLoader`, which has checked
/// every cross-reference: a `StageSpec.input` always names a field of `decode.fields`.
public struct PipelineSpec: Sendable, Equatable {
    public var version: Int
    /// `[a-z0-9-]+`, unique per daemon.
    public var name: String
    public var source: SourceSpec
    public var decode: DecodeSpec
    public var stages: [StageSpec]
    public var sinks: SinksSpec
    public var checkpoint: CheckpointSpec
    /// `workers:`: how many threads process the pipeline's partitions, each owning its
    /// partitions' state (ShannonDaemon/Runtime/PipelineWorkers.swift). nil: the daemon's default.
    /// Not part of any fingerprint: state is per partition, whichever worker holds it.
    public var workers: Int? = nil
    /// The most `workers:` accepted: more threads than cores only add consumers that wait.
    public static let maxWorkers = 64
    /// Path of the file the spec was read from ("<memory>" when parsed from a string).
    public var file: String
    /// Directory that relative paths in the file (reference CSVs) are resolved against.
    public var baseDirectory: String

    /// The field named `name`, if declared.
    public func field(named name: String) -> FieldSpec? {
        decode.fields.first { $0.name == name }
    }
}

public struct SourceSpec: Sendable, Equatable {
    public var topics: [String]
    /// Default `shannon-<name>`.
    public var groupID: String
    /// Where to start when neither a checkpoint nor a committed offset exists. Default `.committed`
    /// (which falls back to librdkafka's `auto.offset.reset`, itself default `latest`).
    public var start: StartPosition
    /// librdkafka properties passed through verbatim, in file order.
    public var properties: [(key: String, value: String)]

    public static func == (a: SourceSpec, b: SourceSpec) -> Bool {
        a.topics == b.topics && a.groupID == b.groupID && a.start == b.start
            && a.properties.elementsEqual(b.properties) { $0.key == $1.key && $0.value == $1.value }
    }
}

public enum StartPosition: Sendable, Equatable {
    case committed
    case earliest
    case latest
    /// Epoch milliseconds.
    case timestamp(Int64)
}

public struct DecodeSpec: Sendable, Equatable {
    public enum Format: String, Sendable, Equatable, CaseIterable { case json }
    public var format: Format = .json
    /// Dotted path of the entity key inside the record; nil = the Kafka message key.
    public var keyPath: String?
    /// Dotted path of the event time (epoch milliseconds, a number); nil = the Kafka timestamp.
    public var eventTimePath: String?
    /// Larger records are dead-lettered as `oversized`. Default 1 MiB.
    public var maxRecordBytes: Int = 1 << 20
    /// In file order; stages refer to them by `name`.
    public var fields: [FieldSpec] = []

    public init(format: Format = .json, keyPath: String? = nil, eventTimePath: String? = nil,
                maxRecordBytes: Int = 1 << 20, fields: [FieldSpec] = []) {
        self.format = format
        self.keyPath = keyPath
        self.eventTimePath = eventTimePath
        self.maxRecordBytes = maxRecordBytes
        self.fields = fields
    }
}

public enum FieldType: String, Sendable, Equatable, CaseIterable {
    case number, label, category, vector, tokens, numbers
}

public enum Tokenizer: String, Sendable, Equatable, CaseIterable {
    /// Runs of non-whitespace bytes.
    case whitespace
    /// Runs of ASCII letters/digits (and any non-ASCII bytes), ASCII-lowercased.
    case words
    /// One token per Unicode scalar.
    case chars
}

/// A scalar a label field is compared with (`bad_values: [1, "bad", true]`).
public enum LabelValue: Sendable, Hashable, CustomStringConvertible {
    case number(Double)
    case string(String)
    case bool(Bool)

    public var description: String {
        switch self {
        case .number(let v): return v == v.rounded() && abs(v) < 1e15 ? String(Int64(v)) : String(v)
        case .string(let s): return "\"\(s)\""
        case .bool(let b): return String(b)
        }
    }
}

public struct FieldSpec: Sendable, Equatable {
    public var name: String
    /// Dotted path: object keys, or decimal indices into arrays ("a.0.b").
    public var path: String
    public var type: FieldType
    /// A missing (or null) optional field is not a dead letter; the decoder marks it absent.
    public var optional: Bool = false
    /// `vector` only: the exact dimension (> 0).
    public var dim: Int?
    /// `tokens` only, when the value is a string. Default `.whitespace`.
    public var tokenizer: Tokenizer = .whitespace
    /// `label` only: values meaning "bad" (default `[1, true]`).
    public var badValues: [LabelValue] = []
    /// `label` only: if given, values outside bad ∪ good are dead-lettered as `bad_label`.
    /// If nil, any scalar not in `badValues` is good (default `[0, false]` when `badValues` is also
    /// defaulted, so that a default label is strictly 0/1 or boolean).
    public var goodValues: [LabelValue]?
}

public enum KeyBy: Sendable, Equatable {
    /// One key per partition (written `"*"` in files, or omitted).
    case partition
    /// The record's key (the Kafka message key, or `decode.key`).
    case recordKey
    /// A declared `category` field.
    case field(String)
}

public enum WindowSpec: Sendable, Equatable {
    case countTumbling(size: Int)
    /// Emits every `hop` records over the last `size` (hop ≤ size).
    case countSliding(size: Int, hop: Int)
    /// Event-time tumbling windows aligned to the epoch.
    case eventTimeTumbling(sizeMs: Int64, allowedLatenessMs: Int64)
}

public struct StageSpec: Sendable, Equatable {
    public var id: String
    public var type: StageType
    /// Name of a field of `decode.fields`.
    public var input: String
    /// `iv`: a `label` field.
    public var label: String?
    /// `group_divergence`: a `category` field.
    public var group: String?
    public var keyBy: KeyBy
    public var window: WindowSpec
    public var params: StageParams
    /// nil: the stage reports windows but never alerts.
    public var alert: AlertSpec?
    /// How many keys the stage holds per partition, and when one is idle (`keys:`).
    public var keys: KeyLimits = KeyLimits()
}

public struct AlertSpec: Sendable, Equatable {
    public enum Rule: String, Sendable, Equatable, CaseIterable { case threshold, significance, both, zscore }
    public enum Direction: String, Sendable, Equatable, CaseIterable { case above, below, both }
    public struct Baseline: Sendable, Equatable {
        /// EWMA factor of the baseline mean and variance.
        public var alpha: Double = 0.1
        /// Windows learnt before a z-score may fire.
        public var minWindows: Int = 5
    }
    public struct Severity: Sendable, Equatable {
        public var level: String
        public var at: Double
    }

    public var when: Rule = .both
    /// Defaults to the stage's headline metric.
    public var metric: String
    public var direction: Direction = .above
    public var threshold: Double?
    public var pValue: Double = 0.01
    public var z: Double = 3.0
    public var baseline: Baseline = Baseline()
    /// Ascending by `at`; default one level `warning` at -inf (i.e. every firing is a warning).
    public var severity: [Severity] = [Severity(level: "warning", at: -Double.infinity)]
    /// Windows after a firing before the same key can fire again.
    public var cooldown: Int = 0
    /// Send a `resolved` alert when the condition clears.
    public var resolve: Bool = true
    /// `for:` windows the condition must hold, pending, before the alert fires.
    public var forWindows: Int = 0
    /// `keep_firing_for:` windows a firing alert outlasts its condition before it resolves.
    public var keepFiringFor: Int = 0
    /// `labels:` copied into every alert of the stage.
    public var labels: [String: String] = [:]
}

public struct TopicSink: Sendable, Equatable {
    public var topic: String
}

public struct SinksSpec: Sendable, Equatable {
    public var alerts: TopicSink = TopicSink(topic: "shannon-alerts")
    public var deadLetter: TopicSink? = TopicSink(topic: "shannon-dead-letter")
    /// Every window's figures (optional).
    public var windows: TopicSink?
}

public struct CheckpointSpec: Sendable, Equatable {
    public var everyRecords: Int = 100_000
    public var everySeconds: Double = 30
    public var keep: Int = 3
    /// The state changelog on Kafka (ChangelogSpec.swift).
    public var changelog = ChangelogSpec()
}
