/// Bounded keys: each stage holds at most `keys.max` keys per partition, and optionally lets
/// idle keys go (`keys.idle_timeout`), so a `key_by` field of unbounded cardinality costs
/// bounded memory, checkpoints and changelog traffic (docs/pipelines.md, "Bounded keys").
///
/// The slots form an intrusive doubly linked list in recency order, newest first: a record of a
/// key other than the last one moves its slot to the front (four pointer writes, no
/// allocation), a new key beyond the cap evicts the slot at the back, and the idle check looks
/// at the back only. Every step is O(1); nothing scans the keys.
///
/// An evicted key is never dropped silently: its partial window is reported as an emission
/// marked `evicted` (a window record with `"evicted"`, never judged by the alert rules), the
/// engine counts it (`EngineCounts.keysEvicted`), and the first eviction by the cap in a
/// partition also carries a one-time `notice` alert (docs/alerts.md). The key leaves the next
/// checkpoint, so the changelog writes its tombstone.

/// Why a key left a stage's state.
enum KeyEviction: String, Sendable {
    /// A new key arrived while the stage held `keys.max`: the least recently used one left.
    case maxKeys = "max_keys"
    /// No record of the key within `keys.idle_timeout`.
    case idle
}

/// The engine's per-stage key gauges, shared by the stage runners of every partition it
/// drives. A class because runners of many partitions add to it and a runner that goes away
/// (a partition revoked) takes its keys off in `deinit`. Thread-confined with the engine.
final class KeyCounts {
    var held: [Int]
    var evicted: [Int]

    init(stages: Int) {
        held = Array(repeating: 0, count: stages)
        evicted = Array(repeating: 0, count: stages)
    }
}

/// One key's `KeyState` behind a reference, so the hot path mutates it in place, and its place
/// in the runner's recency list.
///
/// Why a reference: mutating `keys[id]!.window…` through the dictionary's optional subscript
/// moved the whole `KeyState` out of the dictionary and back for every access, `keys[id] == nil`
/// copied it (retaining its arrays), and when a read kept the storage alive across a mutation the
/// dictionary itself was copied (malloc) — per record and stage. Measured with
/// `shannon bench pipeline` (docs/benchmarks.md).
final class KeySlot<E: StageEstimator> {
    // Unchecked: only the owning runner touches it, on the worker's thread, and never while
    // another access is open (dynamic exclusivity checks were ~8% of the worker's time).
    @exclusivity(unchecked) var state: KeyState<E>
    let id: UInt64
    /// Neighbours in recency order. Unmanaged (no retain/release per move: `unowned(unsafe)`
    /// still retained every neighbour loaded into a local, ~20% of a record's time with 1000
    /// keys in turn): the runner's `keys` owns every slot, and a slot is unlinked before it
    /// leaves `keys`.
    @exclusivity(unchecked) var newer: Unmanaged<KeySlot<E>>?
    @exclusivity(unchecked) var older: Unmanaged<KeySlot<E>>?
    /// The runner's `tick` at the key's last record.
    @exclusivity(unchecked) var lastTick: Int64 = 0
    /// The event time of the key's last record (`Int64.min`: none yet, or restored).
    @exclusivity(unchecked) var lastTime = Int64.min

    init(_ state: KeyState<E>, id: UInt64) {
        self.state = state
        self.id = id
    }
}

extension StageRunner {
    // MARK: The recency list

    /// Adds `s` at the newest end.
    @inline(__always)
    func link(_ s: KeySlot<E>) {
        let u = Unmanaged.passUnretained(s)
        s.older = newest
        s.newer = nil
        if let n = newest { n._withUnsafeGuaranteedRef { $0.newer = u } } else { oldest = u }
        newest = u
    }

    @inline(__always)
    func unlink(_ s: KeySlot<E>) {
        let newer = s.newer, older = s.older
        if let n = newer { n._withUnsafeGuaranteedRef { $0.older = older } } else { newest = older }
        if let o = older { o._withUnsafeGuaranteedRef { $0.newer = newer } } else { oldest = newer }
        s.newer = nil
        s.older = nil
    }

    @inline(__always)
    func moveToNewest(_ s: KeySlot<E>) {
        guard newest?.toOpaque() != Unmanaged.passUnretained(s).toOpaque() else { return }
        unlink(s)
        link(s)
    }

    @inline(__always)
    func touch(_ s: KeySlot<E>, _ position: RecordPosition) {
        s.lastTick = tick
        if let t = position.eventTime { s.lastTime = t }
    }

    // MARK: Eviction

    /// Makes room for one new key: evicts least recently used keys until fewer than `max` are
    /// held (more than one only after a restore under a lowered cap). The first time in this
    /// partition, the eviction carries the cap notice.
    func evictForCap(_ position: RecordPosition, _ now: Int64, _ emissions: inout [StageEmission]) {
        while keys.count >= context.maxKeys, let victim = oldest?.takeUnretainedValue() {
            let first = emissions.count
            evict(victim, .maxKeys, position, now, &emissions)
            guard !capNoticed else { continue }
            capNoticed = true
            let notice = capNotice(position, now)
            if first < emissions.count {
                emissions[first].notices.append(notice)
            } else { // the key had nothing unreported: an emission for the notice alone
                emissions.append(StageEmission(stage: context.spec.id, stageType: context.spec.type, key: "",
                                               window: notice.window, report: Self.emptyReport, alert: nil,
                                               notices: [notice], evicted: .maxKeys))
            }
        }
    }

    /// Evicts keys idle at the old end of the list. The list is in order of arrival, so the
    /// record clock is exact; event times may arrive out of order, so a key whose time is not
    /// behind enough stops the sweep even if an older-timed key sits before it (it goes later).
    func evictIdle(_ position: RecordPosition, _ now: Int64, _ emissions: inout [StageEmission]) {
        while let o = oldest?.takeUnretainedValue(), oldest?.toOpaque() != newest?.toOpaque() {
            if context.idleRecords > 0 {
                guard tick - o.lastTick > context.idleRecords else { return }
            } else {
                guard maxTime != .min else { return }
                if o.lastTime == .min { // restored (or no time yet): its timeout starts now
                    o.lastTime = maxTime
                    return
                }
                guard maxTime - o.lastTime > context.idleMs else { return }
            }
            evict(o, .idle, position, now, &emissions)
        }
    }

    /// Reports what the key had not reported yet, marked `evicted`, resolves its firing alert if
    /// it has one, and forgets the key.
    private func evict(_ s: KeySlot<E>, _ cause: KeyEviction, _ position: RecordPosition, _ now: Int64,
                       _ emissions: inout [StageEmission]) {
        let first = emissions.count
        if context.isEventTime {
            s.state.window.closeAll()
            while let closed = s.state.window.nextClosed() {
                closeWindow(closed, s, s.id, position, now, &emissions, evicted: cause)
            }
        } else if let open = s.state.window.openBounds {
            closeWindow(ClosedWindow(slot: 0, bounds: open), s, s.id, position, now, &emissions, evicted: cause)
        }
        if let policy = context.policy, let decision = s.state.rule.resolveForEviction(policy: policy) {
            resolveEvicted(decision, cause, s.id, position, now, partialAt: emissions.count > first ? emissions.count - 1 : nil,
                           &emissions)
        }
        unlink(s)
        keys[s.id] = nil
        keyText[s.id] = nil
        if lastSlot === s { lastSlot = nil }
        counter?.held[stageIndex] -= 1
        counter?.evicted[stageIndex] += 1
    }

    /// The `resolved` alert of a key evicted while firing, carried by the emission of its partial
    /// window (never judged, so it has no alert of its own), or by an emission of its own when the
    /// key had no partial window. `detail.resolved_by: "eviction"` and `detail.eviction` say why.
    private func resolveEvicted(_ decision: AlertDecision, _ cause: KeyEviction, _ keyID: UInt64, _ position: RecordPosition,
                                _ now: Int64, partialAt index: Int?, _ emissions: inout [StageEmission]) {
        let key = keyText[keyID] ?? ""
        let window = index.map { emissions[$0].window } ?? AlertWindow(
            topic: position.topic, partition: position.partition, startOffset: position.offset, endOffset: position.offset,
            startTime: position.eventTime, endTime: position.eventTime, records: 0)
        let detail = JSONValue.object([
            JSONMember("resolved_by", .string("eviction")), JSONMember("eviction", .string(cause.rawValue)),
            JSONMember("message", .string("key `\(key)` left stage `\(context.spec.id)` (\(cause.rawValue)) while firing: "
                + "its windows are no longer judged, so the firing is resolved here")),
        ])
        let alert = Alert(pipeline: context.pipeline, stage: context.spec.id, stageType: context.spec.type.rawValue, key: key,
                          metric: context.alertMetric, reading: MetricReading(value: .nan), decision: decision,
                          window: window, windowIsEventTime: context.isEventTime, detail: detail, emittedAt: now)
        if let index {
            emissions[index].alert = alert
        } else {
            emissions.append(StageEmission(stage: context.spec.id, stageType: context.spec.type, key: key, window: window,
                                           report: Self.emptyReport, alert: alert, evicted: cause))
        }
    }

    private func capNotice(_ position: RecordPosition, _ now: Int64) -> Alert {
        let window = AlertWindow(topic: position.topic, partition: position.partition, startOffset: position.offset,
                                 endOffset: position.offset, startTime: position.eventTime, endTime: position.eventTime,
                                 records: 0)
        let n = StageNotice(kind: "max_keys", metric: "keys", value: Double(context.maxKeys), message:
            "stage `\(context.spec.id)` holds its cap of \(context.maxKeys) keys in partition \(position.partition) "
                + "of \(position.topic): from now on each new key evicts the least recently used one, whose partial "
                + "window is published marked `evicted`; raise `keys.max` or set `keys.idle_timeout` if keys should stay")
        return noticeAlert(n, window, "", now)
    }

    private static var emptyReport: StageReport {
        StageReport(headline: MetricReading(value: .nan), figures: [], detail: .object([]), alertable: false)
    }

    /// Joins the engine's key gauges, adding the keys held already (a restored partition).
    func attach(_ counts: KeyCounts, stage: Int) {
        counter = counts
        stageIndex = stage
        counts.held[stage] += keys.count
    }
}
