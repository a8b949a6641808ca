import ShannonStats

/// What a stage reports when one of its windows closes (or, for event stages such as
/// boundaries, when an event happens).
///
/// Built once per window, not per record, so it may allocate.
struct StageReport {
    /// The stage's headline figure (`psi`, `iv`, `entropy`, …) with its uncertainty.
    var headline: MetricReading
    /// Every figure, by metric name, for `alert.metric` and the windows topic.
    var figures: [(name: String, value: Double)]
    /// What a user needs to act: the bin table, the boundary, the entropy and its parts.
    var detail: JSONValue
    /// False when the window is too small to judge (e.g. entropy below `min_tokens`): the
    /// figures are still published, but alert rules don't see it.
    var alertable = true
    /// Something the stage must say once, outside the alert rules (e.g. the distinct-token cap
    /// was reached): published as a `warning` alert with rule `notice`.
    var notice: StageNotice?

    /// The reading an alert rule evaluates: the headline, or a named figure without uncertainty.
    func reading(metric: String, headlineName: String) -> MetricReading {
        if metric == headlineName { return headline }
        let value = figures.first { $0.name == metric }?.value ?? .nan
        return MetricReading(value: value)
    }
}

/// A one-time condition a stage reports about itself.
struct StageNotice {
    /// Names the condition in the alert's id, so it never collides with the rule's alerts.
    var kind: String
    var metric: String
    var value: Double
    var message: String
}

/// The current record as a stage sees it: the decoder's slots and which of them it reads.
///
/// Passed by reference to the decoder (a class): no copy of the record is made.
struct StageInput {
    let decoder: RecordDecoder
    /// Index of the stage's `input` field in the decoder.
    let field: Int
    /// `iv`: the label field; `group_divergence`: the group field.
    let second: Int
}

/// One stage's statistics for one key: an estimator per window slot, plus whatever it needs to
/// evict records from a sliding window.
///
/// A protocol because six real stage kinds implement it; the run loop reaches them through
/// `StageRunner<E>` (generic, so calls are static) and `AnyStageRunner` (one switch per record
/// and stage), never through an existential.
protocol StageEstimator: StateCodable {
    /// Counts the current record in `slot`. Returns false when the record has nothing this stage
    /// can use (e.g. a group outside the two compared): it is then not part of the window.
    /// An event stage (boundaries) may return a report right away through `event`.
    mutating func add(_ input: StageInput, slot: Int, evictOldest: Bool, event: inout StageReport?) -> Bool

    /// The figures of the window in `slot` (called when it closes).
    mutating func report(slot: Int) -> StageReport

    /// Empties `slot` for the next window (tumbling and event-time windows).
    mutating func reset(slot: Int)
}

/// A fixed-capacity FIFO of small values, for sliding windows: the value that leaves the window
/// is the one `size` records ago. Allocated once at the window's size.
struct Ring<Element: BitwiseCopyable>: Equatable where Element: Equatable {
    private(set) var storage: [Element]
    private(set) var head = 0
    private(set) var count = 0

    init(capacity: Int, fill: Element) {
        storage = Array(repeating: fill, count: max(1, capacity))
    }

    init(storage: [Element], head: Int, count: Int) {
        self.storage = storage
        self.head = head
        self.count = count
    }

    var capacity: Int { storage.count }

    mutating func push(_ v: Element) {
        precondition(count < storage.count, "ring overflow: evict before pushing")
        storage[(head + count) % storage.count] = v
        count += 1
    }

    mutating func pop() -> Element? {
        guard count > 0 else { return nil }
        let v = storage[head]
        head = (head + 1) % storage.count
        count -= 1
        return v
    }

    mutating func removeAll() {
        head = 0
        count = 0
    }
}

extension Ring where Element == Int32 {
    func encode(to w: inout StateWriter) {
        w.write(capacity)
        w.write(head)
        w.write(count)
        for i in 0..<count { w.write(UInt32(bitPattern: storage[(head + i) % capacity])) }
    }

    init(from r: inout StateReader) throws {
        let capacity = try r.readCount(limit: 1 << 30)
        let head = try r.readCount(limit: max(0, capacity - 1))
        let count = try r.readCount(limit: capacity)
        guard capacity > 0 else { throw StateDecodingError.invalid("ring capacity 0") }
        var storage = [Int32](repeating: 0, count: capacity)
        for i in 0..<count { storage[(head + i) % capacity] = Int32(bitPattern: try r.read(UInt32.self)) }
        self.init(storage: storage, head: head, count: count)
    }
}

// MARK: - Encoding helpers shared by the estimators

extension StateWriter {
    /// A count, then each slot's sealed record.
    mutating func writeSlots<T: StateCodable>(_ slots: [T]) {
        write(slots.count)
        for s in slots { s.encode(to: &self) }
    }

    /// A presence flag, then the ring.
    mutating func writeRing(_ ring: Ring<Int32>?) {
        write(ring != nil)
        ring?.encode(to: &self)
    }
}

extension StateReader {
    /// The slots `writeSlots` wrote; at least one.
    mutating func readSlots<T: StateCodable>(_: T.Type) throws -> [T] {
        let n = try readCount(limit: 1 << 16)
        guard n > 0 else { throw StateDecodingError.invalid("a stage state with no window slots") }
        return try (0..<n).map { _ in try T(from: &self) }
    }

    mutating func readRing() throws -> Ring<Int32>? {
        try readBool() ? try Ring<Int32>(from: &self) : nil
    }
}
