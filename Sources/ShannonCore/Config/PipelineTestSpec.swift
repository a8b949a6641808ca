/// The typed form of a pipeline test file (`*.test.yaml`, schemas/pipeline-test.schema.json):
/// which pipeline, which records, what must come out. Run by `ShannonTestSupport.PipelineTestRunner`
/// (`shannon test`). The format is read here, next to the pipeline format, so that both share
/// one YAML reader and one error style (file:line:column, every mistake at once).
public struct PipelineTestFile: Sendable {
    /// Path of the test file as given.
    public var file: String
    /// The pipeline file, resolved against the test file's directory.
    public var pipeline: String
    /// `pipeline:` as written (for messages).
    public var pipelineWritten: String
    /// Interpolated into the pipeline file (`${VAR}`) instead of the process environment, so a
    /// test gives the same result on every machine.
    public var environment: [String: String]
    public var tests: [PipelineTestCase]
}

public struct PipelineTestCase: Sendable {
    public var name: String
    /// Line of the test in its file.
    public var line: Int
    public var inputs: [PipelineTestInput]
    public var expect: PipelineTestExpectations
}

/// One source of records, fed in order.
public enum PipelineTestInput: Sendable {
    /// Records written in the test file.
    case records([PipelineTestRecord])
    /// A JSON-lines file: one record value per non-empty line.
    case file(path: String, written: String, topic: String?, partition: Int32)
    /// A generated stream of `ShannonTestSupport.DemoStreams` (what the demo produces), for
    /// inputs too long to write out: `stream` and its integer parameters.
    case generate(stream: String, parameters: [String: Int], partition: Int32)

    /// Generated streams and the parameters each takes.
    public static let streams: [String: [String]] = [
        "credit-scores": ["records", "shift_at", "seed"],
        "video-features": ["cameras", "frames_per_camera", "dimension", "seed"],
        "token-logs": ["records", "collapse_at", "collapse_length", "seed"],
    ]
}

public struct PipelineTestRecord: Sendable {
    /// The record value's bytes: `value:` rendered as JSON, or `text:` verbatim.
    public var value: [UInt8]
    public var key: String?
    public var topic: String?
    public var partition: Int32
    /// nil: one past the partition's last offset.
    public var offset: Int64?
    public var timestamp: Int64?
}

/// A number that must match: `0.25` (within the expectation's `tolerance`), `{ approx, tolerance }`
/// or `{ min, max }` (either bound may be left out).
public struct NumberExpectation: Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        case approx(Double, tolerance: Double)
        case range(min: Double?, max: Double?)
    }
    public var kind: Kind

    public func matches(_ v: Double?) -> Bool {
        guard let v, !v.isNaN else { return false }
        switch kind {
        case let .approx(x, t): return abs(v - x) <= t
        case let .range(lo, hi): return (lo.map { v >= $0 } ?? true) && (hi.map { v <= $0 } ?? true)
        }
    }

    public var description: String {
        let f = NodeReader.format
        switch kind {
        case let .approx(x, t): return t == 0 ? f(x) : "\(f(x)) ± \(f(t))"
        case let .range(lo?, hi?): return "in [\(f(lo)), \(f(hi))]"
        case let .range(lo?, nil): return "≥ \(f(lo))"
        case let .range(nil, hi?): return "≤ \(f(hi))"
        case .range(nil, nil): return "any number"
        }
    }
}

/// Alerts that must be there: every given field must match. `count` given: exactly that many
/// alerts match; not given: at least one does.
public struct AlertExpectation: Sendable {
    public var line: Int
    public var column: Int
    public var stage: String
    public var key: String?
    public var state: AlertState?
    public var severity: String?
    public var metric: String?
    public var rule: String?
    public var count: Int?
    /// Alert figures by their JSON name (`value`, `se`, `ci_low`, `ci_high`, `p_value`,
    /// `statistic`, `threshold`) or a window field (`window.start_offset`…).
    public var numbers: [(name: String, expected: NumberExpectation)]
    public var labels: [String: String]?

    public static let numberFields = ["value", "se", "ci_low", "ci_high", "p_value", "statistic", "threshold",
                                      "window.start_offset", "window.end_offset", "window.start_time",
                                      "window.end_time", "window.records"]
}

/// Window figures of a stage: `count` (how many windows closed), and/or `figures` that must
/// hold in the window `at` (0-based; negative from the end), in every window of `range`
/// (inclusive, 0-based), or, with neither, in every window.
public struct WindowExpectation: Sendable {
    public var line: Int
    public var column: Int
    public var stage: String
    public var key: String?
    public var count: Int?
    public var at: Int?
    public var range: ClosedRange<Int>?
    public var figures: [(name: String, expected: NumberExpectation)]
}

public struct PipelineTestExpectations: Sendable {
    public var alerts: [AlertExpectation] = []
    /// Every alert produced must match one of `alerts`.
    public var noOtherAlerts = false
    public var windows: [WindowExpectation] = []
    /// Dead letters by reason name, exactly; a reason not listed must have none. nil: not checked.
    public var deadLetters: [String: Int]?
    public var deadLettersLine = 0
}
