/// The window an alert is about, as it appears in the alert's `window` object.
public struct AlertWindow: Equatable, Sendable {
    public var topic: String
    public var partition: Int32
    public var startOffset: Int64
    public var endOffset: Int64
    public var startTime: Int64?
    public var endTime: Int64?
    public var records: Int

    public init(topic: String, partition: Int32, startOffset: Int64, endOffset: Int64,
                startTime: Int64?, endTime: Int64?, records: Int) {
        self.topic = topic
        self.partition = partition
        self.startOffset = startOffset
        self.endOffset = endOffset
        self.startTime = startTime
        self.endTime = endTime
        self.records = records
    }

    public init(topic: String, partition: Int32, bounds: WindowBounds) {
        self.init(topic: topic, partition: partition, startOffset: bounds.startOffset, endOffset: bounds.endOffset,
                  startTime: bounds.startTime, endTime: bounds.endTime, records: bounds.records)
    }
}

/// One alert as published to the alerts topic:
///
///     { "id", "pipeline", "stage", "stage_type", "key", "state", "severity", "metric", "value",
///       "se", "ci_low", "ci_high", "p_value", "statistic", "threshold", "rule", "labels", "fingerprint",
///       "window": { "topic", "partition", "start_offset", "end_offset", "start_time", "end_time", "records" },
///       "detail": { … stage-specific … }, "emitted_at" }
///
/// Keys always appear, in this order; unknown figures are `null`. Times are epoch milliseconds.
public struct Alert: Equatable, Sendable {
    /// Stable id: the same record stream always gives the same ids (see `stableID`).
    public var id: String
    public var pipeline: String
    public var stage: String
    public var stageType: String
    public var key: String
    public var state: AlertState
    public var severity: String
    public var metric: String
    public var value: Double
    public var se: Double?
    public var ciLow: Double?
    public var ciHigh: Double?
    public var pValue: Double?
    public var statistic: Double?
    public var threshold: Double?
    public var rule: String
    public var window: AlertWindow
    /// Stage-specific object (bin table, entropy parts, boundary figures…), passed in by the stage.
    public var detail: JSONValue
    /// Wall-clock time of emission, epoch milliseconds. Not part of the id.
    public var emittedAt: Int64
    /// The stage's `alert.labels`, copied in. Not part of the id.
    public var labels: [String: String]

    /// Names this alert's series: (pipeline, stage, key, labels), the same for every window,
    /// firing and resolution of it (see `AlertLabels.fingerprint`).
    public var fingerprint: String {
        AlertLabels.fingerprint(pipeline: pipeline, stage: stage, key: key, labels: labels)
    }

    public init(id: String, pipeline: String, stage: String, stageType: String, key: String, state: AlertState,
                severity: String, metric: String, value: Double, se: Double?, ciLow: Double?, ciHigh: Double?,
                pValue: Double?, statistic: Double?, threshold: Double?, rule: String, window: AlertWindow,
                detail: JSONValue, emittedAt: Int64, labels: [String: String] = [:]) {
        self.id = id
        self.pipeline = pipeline
        self.stage = stage
        self.stageType = stageType
        self.key = key
        self.state = state
        self.severity = severity
        self.metric = metric
        self.value = value
        self.se = se
        self.ciLow = ciLow
        self.ciHigh = ciHigh
        self.pValue = pValue
        self.statistic = statistic
        self.threshold = threshold
        self.rule = rule
        self.window = window
        self.detail = detail
        self.emittedAt = emittedAt
        self.labels = labels
    }

    /// Builds the alert for a rule's decision on one window; computes the stable id.
    public init(pipeline: String, stage: String, stageType: String, key: String, metric: String,
                reading: MetricReading, decision: AlertDecision, window: AlertWindow, windowIsEventTime: Bool,
                detail: JSONValue = .object([]), emittedAt: Int64) {
        let identity: WindowIdentity = windowIsEventTime
            ? .eventTime(window.startTime ?? Int64.min) : .offset(window.startOffset)
        self.init(id: Alert.stableID(pipeline: pipeline, stage: stage, key: key, topic: window.topic,
                                     partition: window.partition, window: identity, state: decision.state),
                  pipeline: pipeline, stage: stage, stageType: stageType, key: key, state: decision.state,
                  severity: decision.severity, metric: metric, value: reading.value, se: reading.se,
                  ciLow: reading.ciLow, ciHigh: reading.ciHigh, pValue: reading.pValue, statistic: reading.statistic,
                  threshold: decision.threshold, rule: decision.rule.rawValue, window: window, detail: detail,
                  emittedAt: emittedAt, labels: decision.labels)
    }

    /// How a window is identified in an alert id: by its first offset (count windows) or its
    /// event-time start (time windows, whose offsets depend on arrival order).
    public enum WindowIdentity: Equatable, Sendable {
        case offset(Int64)
        case eventTime(Int64)
    }

    /// 32 hex characters: the first 128 bits of SHA-256 over the length-prefixed fields
    /// (pipeline, stage, key, topic, partition, window identity, state). Deterministic: replaying
    /// the same records from a checkpoint re-emits the same ids, so consumers can de-duplicate.
    public static func stableID(pipeline: String, stage: String, key: String, topic: String, partition: Int32,
                                window: WindowIdentity, state: AlertState) -> String {
        var input: [UInt8] = Array("shannon-alert-v1".utf8)
        func field(_ s: String) {
            let u = Array(s.utf8)
            input.append(contentsOf: withUnsafeBytes(of: UInt32(u.count).littleEndian, Array.init))
            input.append(contentsOf: u)
        }
        field(pipeline)
        field(stage)
        field(key)
        field(topic)
        input.append(contentsOf: withUnsafeBytes(of: partition.littleEndian, Array.init))
        switch window {
        case let .offset(o):
            input.append(0x4F) // "O"
            input.append(contentsOf: withUnsafeBytes(of: o.littleEndian, Array.init))
        case let .eventTime(t):
            input.append(0x54) // "T"
            input.append(contentsOf: withUnsafeBytes(of: t.littleEndian, Array.init))
        }
        field(state.rawValue)
        let digest = SHA256.hash(input)
        let hexDigits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(32)
        for b in digest.prefix(16) {
            out.append(hexDigits[Int(b >> 4)])
            out.append(hexDigits[Int(b & 0xF)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    // MARK: JSON

    /// Writes this alert as one JSON object (keys in the documented order).
    public func write(to w: inout JSONWriter) {
        w.beginObject()
        w.field("id", id)
        w.field("pipeline", pipeline)
        w.field("stage", stage)
        w.field("stage_type", stageType)
        w.field("key", key)
        w.field("state", state.rawValue)
        w.field("severity", severity)
        w.field("metric", metric)
        w.field("value", value)
        w.field("se", se)
        w.field("ci_low", ciLow)
        w.field("ci_high", ciHigh)
        w.field("p_value", pValue)
        w.field("statistic", statistic)
        w.field("threshold", threshold)
        w.field("rule", rule)
        w.key("labels")
        w.beginObject()
        for name in labels.keys.sorted() { w.field(name, labels[name]!) }
        w.endObject()
        w.field("fingerprint", fingerprint)
        w.key("window")
        w.beginObject()
        w.field("topic", window.topic)
        w.field("partition", Int64(window.partition))
        w.field("start_offset", window.startOffset)
        w.field("end_offset", window.endOffset)
        w.field("start_time", window.startTime)
        w.field("end_time", window.endTime)
        w.field("records", window.records)
        w.endObject()
        w.field("detail", detail)
        w.field("emitted_at", emittedAt)
        w.endObject()
    }

    /// This alert as JSON bytes (UTF-8).
    public func jsonBytes() -> [UInt8] {
        var w = JSONWriter(capacity: 1024)
        write(to: &w)
        return w.bytes
    }

    /// Why an alert could not be read back.
    public struct DecodingError: Error, Equatable, Sendable, CustomStringConvertible {
        public var message: String
        public var description: String { "not a Shannon alert: \(message)" }
    }

    /// Parses an alert from its JSON (as written by `jsonBytes()`, or by another producer with the
    /// same shape). A figure written as `null` for a non-optional number (`value` NaN/inf) reads back as NaN.
    /// `labels` and `fingerprint` may be absent (alerts written before they existed); a
    /// fingerprint that disagrees with the labels is refused.
    public static func decode(_ bytes: [UInt8]) throws -> Alert {
        let root = try JSONParser.parse(bytes)
        guard case .object = root else { throw DecodingError(message: "the top level is not an object") }
        func member(_ o: JSONValue, _ name: String) throws -> JSONValue {
            guard let v = o[name] else { throw DecodingError(message: "missing \"\(name)\"") }
            return v
        }
        func string(_ o: JSONValue, _ name: String) throws -> String {
            guard let s = try member(o, name).stringValue else { throw DecodingError(message: "\"\(name)\" is not a string") }
            return s
        }
        func optionalDouble(_ o: JSONValue, _ name: String) throws -> Double? {
            let v = try member(o, name)
            if v.isNull { return nil }
            guard let d = v.doubleValue else { throw DecodingError(message: "\"\(name)\" is not a number") }
            return d
        }
        func optionalInt(_ o: JSONValue, _ name: String) throws -> Int64? {
            let v = try member(o, name)
            if v.isNull { return nil }
            guard let i = v.int64Value else { throw DecodingError(message: "\"\(name)\" is not an integer") }
            return i
        }
        func int(_ o: JSONValue, _ name: String) throws -> Int64 {
            guard let i = try optionalInt(o, name) else { throw DecodingError(message: "\"\(name)\" is null") }
            return i
        }
        let stateText = try string(root, "state")
        guard let state = AlertState(rawValue: stateText) else { throw DecodingError(message: "unknown state \"\(stateText)\"") }
        let win = try member(root, "window")
        guard case .object = win else { throw DecodingError(message: "\"window\" is not an object") }
        let partition = try int(win, "partition")
        guard let p32 = Int32(exactly: partition) else { throw DecodingError(message: "partition \(partition) out of range") }
        let records = try int(win, "records")
        guard records >= 0, let recordCount = Int(exactly: records) else { throw DecodingError(message: "bad record count") }
        let window = AlertWindow(topic: try string(win, "topic"), partition: p32,
                                 startOffset: try int(win, "start_offset"), endOffset: try int(win, "end_offset"),
                                 startTime: try optionalInt(win, "start_time"), endTime: try optionalInt(win, "end_time"),
                                 records: recordCount)
        var labels: [String: String] = [:]
        if let l = root["labels"] {
            guard case let .object(members) = l else { throw DecodingError(message: "\"labels\" is not an object") }
            for m in members {
                guard let v = m.value.stringValue else { throw DecodingError(message: "label \"\(m.name)\" is not a string") }
                labels[m.name] = v
            }
        }
        let alert = Alert(id: try string(root, "id"), pipeline: try string(root, "pipeline"), stage: try string(root, "stage"),
                     stageType: try string(root, "stage_type"), key: try string(root, "key"), state: state,
                     severity: try string(root, "severity"), metric: try string(root, "metric"),
                     value: try optionalDouble(root, "value") ?? .nan, se: try optionalDouble(root, "se"),
                     ciLow: try optionalDouble(root, "ci_low"), ciHigh: try optionalDouble(root, "ci_high"),
                     pValue: try optionalDouble(root, "p_value"), statistic: try optionalDouble(root, "statistic"),
                     threshold: try optionalDouble(root, "threshold"), rule: try string(root, "rule"), window: window,
                     detail: try member(root, "detail"), emittedAt: try int(root, "emitted_at"), labels: labels)
        if root["fingerprint"] != nil, try string(root, "fingerprint") != alert.fingerprint {
            throw DecodingError(message: "\"fingerprint\" does not match the pipeline, stage, key and labels")
        }
        return alert
    }
}
