import ShannonStats

/// Everything about one stage that is the same in every partition: its spec, the alert policy,
/// which decoder fields it reads and how to make a fresh estimator. Built once per pipeline.
final class StageContext<E: StageEstimator> {
    let pipeline: String
    let spec: StageSpec
    let policy: AlertPolicy?
    /// The metric alert rules read (`alert.metric`, default the headline).
    let alertMetric: String
    let headlineName: String
    let input: Int
    let second: Int
    /// Decoder field of `key_by: <field>`; nil for the partition or the record key.
    let keyField: Int?
    let makeEstimator: () -> E
    let isEventTime: Bool
    /// Count-sliding windows keep their estimator across closes; the others reset it.
    let resetsOnClose: Bool
    /// Keys held at most per partition (`keys.max`).
    let maxKeys: Int
    /// `keys.idle_timeout` as records (0: none) and as event-time milliseconds (0: none), so the
    /// per-record check is two integer compares.
    let idleRecords: Int64
    let idleMs: Int64

    init(pipeline: String, spec: StageSpec, policy: AlertPolicy?, input: Int, second: Int, keyField: Int?,
         makeEstimator: @escaping () -> E) {
        self.pipeline = pipeline
        self.spec = spec
        self.policy = policy
        self.headlineName = spec.type.headlineMetric
        self.alertMetric = spec.alert?.metric ?? spec.type.headlineMetric
        self.input = input
        self.second = second
        self.keyField = keyField
        self.makeEstimator = makeEstimator
        self.isEventTime = spec.window.needsEventTime
        if case .countSliding = spec.window { resetsOnClose = false } else { resetsOnClose = true }
        maxKeys = spec.keys.max
        switch spec.keys.idleTimeout {
        case let .records(n)?: (idleRecords, idleMs) = (Int64(n), 0)
        case let .eventTime(ms)?: (idleRecords, idleMs) = (0, ms)
        case nil: (idleRecords, idleMs) = (0, 0)
        }
    }
}

/// One key's share of a stage: its window, its estimator and its alert lifecycle — the unit a
/// checkpoint entry holds.
struct KeyState<E: StageEstimator>: StateCodable {
    static var tag: StateTag { StateTag("KEYS") }
    var window: KeyWindow
    var estimator: E
    var rule: AlertRuleState

    init(window: KeyWindow, estimator: E, rule: AlertRuleState = AlertRuleState()) {
        self.window = window
        self.estimator = estimator
        self.rule = rule
    }

    func encode(to w: inout StateWriter) {
        w.beginRecord(Self.tag, version: 1)
        window.encode(to: &w)
        estimator.encode(to: &w)
        rule.encode(to: &w)
        w.endRecord()
    }

    init(from r: inout StateReader) throws {
        try StateReader.check(try r.beginRecord(Self.tag), tag: Self.tag, supported: 1...1)
        window = try KeyWindow(from: &r)
        estimator = try E(from: &r)
        rule = try AlertRuleState(from: &r)
        try r.endRecord()
    }
}

/// Where the current record came from, for window bounds, alert windows and dead letters.
struct RecordPosition {
    var topic: String
    var partition: Int32
    var offset: Int64
    var eventTime: Int64?
    /// The Kafka message key, for `key_by: record_key` without `decode.key`.
    var kafkaKey: UnsafeRawBufferPointer?
}

/// What processing one record produced beyond state changes: closed windows (with an alert
/// decision, if any) and whether the record was late for this stage.
struct StageEmission {
    var stage: String
    var stageType: StageType
    var key: String
    var window: AlertWindow
    var report: StageReport
    var alert: Alert?
    /// One-time notices of the stage (see `StageNotice`).
    var notices: [Alert] = []
    /// Set when the key was evicted: `window` is its partial window (never alerted on), or
    /// empty when it had none and the emission only carries the cap notice.
    var evicted: KeyEviction?
}

/// The state of one stage in one partition: a `KeyState` per key.
///
/// A class so that the partition's list of stages can hold it in an enum and mutate it in
/// place (a struct payload would be copied, dictionary and all, on every record).
///
/// Keys are bounded (`keys:`, Stages/StageRunner+Keys.swift): the slots form a recency list, a
/// new key beyond `max` evicts the least recently used one, and idle keys leave from its old end.
final class StageRunner<E: StageEstimator> {
    let context: StageContext<E>
    var keys: [UInt64: KeySlot<E>] = [:]
    var keyText: [UInt64: String] = [:]
    /// The last key's slot: most stages have one key per partition (`key_by: "*"`), and runs of
    /// the same key are common otherwise, so this skips the hash lookup. When set, it is `newest`.
    @exclusivity(unchecked) var lastID: UInt64 = 0
    @exclusivity(unchecked) var lastSlot: KeySlot<E>?
    /// Both ends of the recency list (unmanaged: `keys` owns every slot).
    @exclusivity(unchecked) var newest: Unmanaged<KeySlot<E>>?
    @exclusivity(unchecked) var oldest: Unmanaged<KeySlot<E>>?
    /// Records this runner has seen (the clock of `idle_timeout` in records).
    @exclusivity(unchecked) var tick: Int64 = 0
    /// The highest event time seen (the clock of `idle_timeout` as a duration).
    @exclusivity(unchecked) var maxTime = Int64.min
    /// Whether the cap notice went out (once per stage and partition).
    var capNoticed = false
    /// The engine's key gauges and this stage's index in them (set by `attach`).
    var counter: KeyCounts?
    var stageIndex = 0

    init(context: StageContext<E>) {
        self.context = context
    }

    deinit { counter?.held[stageIndex] -= keys.count }

    @inline(__always)
    private func slot(_ keyID: UInt64, _ decoder: RecordDecoder, _ position: RecordPosition, _ now: Int64,
                      _ emissions: inout [StageEmission]) -> KeySlot<E> {
        if keyID == lastID, let s = lastSlot {
            touch(s, position)
            return s
        }
        let s: KeySlot<E>
        if let existing = keys[keyID] {
            s = existing
            moveToNewest(s)
        } else {
            if keys.count >= context.maxKeys { evictForCap(position, now, &emissions) }
            s = KeySlot(KeyState(window: context.spec.window.makeWindow(), estimator: context.makeEstimator()), id: keyID)
            keys[keyID] = s
            keyText[keyID] = text(decoder, position)
            link(s)
            counter?.held[stageIndex] += 1
        }
        touch(s, position)
        lastID = keyID
        lastSlot = s
        return s
    }

    /// Processes the decoder's current record. Returns false when the record is late for this
    /// stage's event-time window (the caller dead-letters it once, whatever the stage).
    func process(_ decoder: RecordDecoder, at position: RecordPosition, now: Int64,
                 emissions: inout [StageEmission]) -> Bool {
        tick &+= 1
        if let t = position.eventTime, t > maxTime { maxTime = t }
        let keyID = self.keyID(decoder, position)
        let key = slot(keyID, decoder, position, now, &emissions)
        let input = StageInput(decoder: decoder, field: context.input, second: context.second)
        let time = position.eventTime // count windows record it too: alerts carry start/end times
        if context.isEventTime && time == nil { return true } // no event time: nothing to window
        var event: StageReport?
        let step = key.state.window.add(offset: position.offset, eventTime: time)
        var late = false
        if !context.isEventTime { // count windows: the record belongs to the window it closes
            late = apply(step, key, input, &event)
            drain(key, keyID, position, now, &emissions)
        } else {
            drain(key, keyID, position, now, &emissions)
            late = apply(step, key, input, &event)
        }
        if let event { emit(event: event, keyID, position, now, &emissions) }
        if context.idleRecords | context.idleMs != 0 { evictIdle(position, now, &emissions) }
        return !late
    }

    /// Closes every open event-time window (end of a bounded run).
    func closeAll(topic: String, partition: Int32, now: Int64, emissions: inout [StageEmission]) {
        let position = RecordPosition(topic: topic, partition: partition, offset: -1)
        for keyID in keys.keys.sorted() {
            let key = keys[keyID]!
            key.state.window.closeAll()
            drain(key, keyID, position, now, &emissions)
        }
    }

    @inline(__always)
    private func apply(_ step: WindowStep, _ key: KeySlot<E>, _ input: StageInput, _ event: inout StageReport?) -> Bool {
        switch step {
        case let .accepted(slot, evictsOldest):
            _ = key.state.estimator.add(input, slot: slot, evictOldest: evictsOldest, event: &event)
            return false
        case .late:
            return true
        }
    }

    @inline(__always)
    private func drain(_ key: KeySlot<E>, _ keyID: UInt64, _ position: RecordPosition, _ now: Int64,
                       _ emissions: inout [StageEmission]) {
        while let closed = key.state.window.nextClosed() {
            closeWindow(closed, key, keyID, position, now, &emissions)
        }
    }

    /// A window closed: its report, the alert decision, the emission (once per window). An
    /// evicted key's partial window is reported, never judged: it is not a whole window.
    func closeWindow(_ closed: ClosedWindow, _ key: KeySlot<E>, _ keyID: UInt64, _ position: RecordPosition,
                     _ now: Int64, _ emissions: inout [StageEmission], evicted: KeyEviction? = nil) {
        let report = key.state.estimator.report(slot: closed.slot)
        if context.resetsOnClose { key.state.estimator.reset(slot: closed.slot) }
        let window = AlertWindow(topic: position.topic, partition: position.partition, bounds: closed.bounds)
        var alert: Alert?
        if let policy = context.policy, report.alertable, evicted == nil {
            let reading = report.reading(metric: context.alertMetric, headlineName: context.headlineName)
            if let decision = key.state.rule.evaluate(reading, policy: policy) {
                alert = makeAlert(report, reading, decision, window, keyID, now)
            }
        }
        var emission = StageEmission(stage: context.spec.id, stageType: context.spec.type,
                                     key: keyText[keyID] ?? "", window: window, report: report, alert: alert)
        emission.evicted = evicted
        if let notice = report.notice { emission.notices.append(noticeAlert(notice, window, keyText[keyID] ?? "", now)) }
        emissions.append(emission)
    }

    func noticeAlert(_ n: StageNotice, _ window: AlertWindow, _ key: String, _ now: Int64) -> Alert {
        let identity: Alert.WindowIdentity = context.isEventTime ? .eventTime(window.startTime ?? .min) : .offset(window.startOffset)
        let id = Alert.stableID(pipeline: context.pipeline, stage: context.spec.id + "#" + n.kind, key: key, topic: window.topic,
                                partition: window.partition, window: identity, state: .firing)
        return Alert(id: id, pipeline: context.pipeline, stage: context.spec.id, stageType: context.spec.type.rawValue, key: key,
                     state: .firing, severity: "warning", metric: n.metric, value: n.value, se: nil, ciLow: nil, ciHigh: nil,
                     pValue: nil, statistic: nil, threshold: nil, rule: "notice", window: window,
                     detail: .object([JSONMember("notice", .string(n.kind)), JSONMember("message", .string(n.message))]),
                     emittedAt: now, labels: context.policy?.labels ?? [:])
    }

    /// Event stages (boundaries) judge each event on its own: a fresh rule state, so two
    /// boundaries in a row are two alerts, not one long firing.
    private func emit(event report: StageReport, _ keyID: UInt64, _ position: RecordPosition, _ now: Int64,
                      _ emissions: inout [StageEmission]) {
        let records = report.figures.first { $0.name == "event_length" }.map { Int($0.value) } ?? 1
        let window = AlertWindow(topic: position.topic, partition: position.partition, startOffset: position.offset,
                                 endOffset: position.offset, startTime: position.eventTime, endTime: position.eventTime,
                                 records: records)
        var alert: Alert?
        if let policy = context.policy {
            var rule = AlertRuleState()
            let reading = report.reading(metric: context.alertMetric, headlineName: context.headlineName)
            if let decision = rule.evaluate(reading, policy: policy) {
                alert = makeAlert(report, reading, decision, window, keyID, now, eventTime: false)
            }
        }
        emissions.append(StageEmission(stage: context.spec.id, stageType: context.spec.type,
                                       key: keyText[keyID] ?? "", window: window, report: report, alert: alert))
    }

    private func makeAlert(_ report: StageReport, _ reading: MetricReading, _ decision: AlertDecision,
                           _ window: AlertWindow, _ keyID: UInt64, _ now: Int64, eventTime: Bool? = nil) -> Alert {
        var detail = report.detail
        if decision.baselineMean != nil || decision.z != nil, case var .object(members) = detail {
            members.append(JSONMember("baseline", .object([
                JSONMember("mean", decision.baselineMean.map(JSONValue.number) ?? .null),
                JSONMember("sd", decision.baselineSD.map(JSONValue.number) ?? .null),
                JSONMember("z", decision.z.map(JSONValue.number) ?? .null),
            ])))
            detail = .object(members)
        }
        return Alert(pipeline: context.pipeline, stage: context.spec.id, stageType: context.spec.type.rawValue,
                     key: keyText[keyID] ?? "", metric: context.alertMetric, reading: reading, decision: decision,
                     window: window, windowIsEventTime: eventTime ?? context.isEventTime, detail: detail,
                     emittedAt: now)
    }

    // MARK: Keys

    func keyID(_ d: RecordDecoder, _ p: RecordPosition) -> UInt64 {
        switch context.spec.keyBy {
        case .partition: return StageKeys.partitionID
        case .field:
            let f = context.keyField!
            return d.isPresent(f) ? d.categoryID(f) : StageKeys.missingID
        case .recordKey:
            if let id = d.keyID { return id }
            guard let k = p.kafkaKey else { return StageKeys.missingID }
            return StageKeys.id(of: k)
        }
    }

    private func text(_ d: RecordDecoder, _ p: RecordPosition) -> String {
        switch context.spec.keyBy {
        case .partition: return StageKeys.partition
        case .field:
            let f = context.keyField!
            return d.isPresent(f) ? d.categoryText(f) : ""
        case .recordKey:
            if let bytes = d.keyBytes { return String(decoding: bytes, as: UTF8.self) }
            guard let k = p.kafkaKey else { return "" }
            return String(decoding: k, as: UTF8.self)
        }
    }

    // MARK: Checkpoints

    /// One entry per key, in key order so the same state gives the same bytes.
    func checkpointEntries() -> [CheckpointEntry] {
        keyText.sorted { $0.value < $1.value }.map { id, text in
            CheckpointEntry(stageId: context.spec.id, key: text, state: keys[id]!.state.encodedState())
        }
    }

    /// Restores one key from a checkpoint entry.
    func restore(_ entry: CheckpointEntry) throws {
        let id = entry.key == StageKeys.partition && context.spec.keyBy == .partition
            ? StageKeys.partitionID : StageKeys.id(of: entry.key)
        let slot = KeySlot(try KeyState<E>(encodedState: entry.state), id: id)
        if let old = keys[id] { unlink(old) } else { counter?.held[stageIndex] += 1 }
        keys[id] = slot
        keyText[id] = entry.key
        link(slot) // last seen unknown: a full idle timeout from the restore (see `evictIdle`)
        slot.lastTick = tick
        lastSlot = nil
    }
}

/// Key ids are the FNV-1a 64 hash of the key's text, the same hash the decoder gives category
/// fields, so a key restored from a checkpoint by its text finds the records that follow.
enum StageKeys {
    /// The one key of `key_by: "*"` (the default): the whole partition.
    static let partition = "*"
    static let partitionID = id(of: partition)
    /// The key of records whose key field is missing.
    static let missingID = id(of: "")

    static func id(of text: String) -> UInt64 { TokenHash.fnv1a64(text) }
    static func id(of bytes: UnsafeRawBufferPointer) -> UInt64 { TokenHash.fnv1a64(bytes) }
}
