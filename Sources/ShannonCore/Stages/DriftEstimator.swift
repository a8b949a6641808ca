import ShannonStats

/// What distinguishes the drift stages (PSI, IV, group divergence): which counts they keep, how
/// a record becomes a bin code for those counts and the sliding ring, and the bin table they
/// report. `DriftEstimator` does the rest — slots, ring, settings, checkpoint layout — once.
///
/// A protocol because three kinds implement it; calls are static (`DriftEstimator<K>` is
/// specialised per kind). The kind value is the per-stage state beyond the counts (PSI: whether
/// the reference is learnt; group divergence: the two group ids), encoded right after the
/// settings.
protocol DriftKind: Equatable {
    associatedtype Counts: StateCodable & Equatable
    /// The estimator's checkpoint record tag.
    static var tag: StateTag { get }
    /// The bins of `counts`.
    static func binning(_ counts: Counts) -> Binning
    /// The record's code (bin and side) in `counts`, or nil when this stage cannot use it.
    func code(_ input: StageInput, binning: Binning) -> Int32?
    static func add(_ code: Int32, to counts: inout Counts)
    static func remove(_ code: Int32, from counts: inout Counts)
    static func reset(_ counts: inout Counts)
    /// The report of the window in `slots[slot]` (may change the slots, e.g. learn a reference).
    mutating func report(_ slots: inout [Counts], slot: Int, settings: DriftSettings) -> StageReport
    func encode(to w: inout StateWriter)
    init(from r: inout StateReader) throws
}

/// Parameters shared by the three drift stages that checkpoints carry alongside the counts, so
/// a decoded state is complete on its own.
struct DriftSettings: Equatable {
    var smoothing: Double
    var fixedReference: Bool
    var confidence: Double

    init(smoothing: Double, fixedReference: Bool = false, confidence: Double) {
        self.smoothing = smoothing
        self.fixedReference = fixedReference
        self.confidence = confidence
    }

    func encode(to w: inout StateWriter) {
        w.write(smoothing)
        w.write(fixedReference)
        w.write(confidence)
    }

    init(from r: inout StateReader) throws {
        smoothing = try r.readDouble()
        fixedReference = try r.readBool()
        confidence = try r.readDouble()
        guard smoothing >= 0, smoothing.isFinite, confidence > 0, confidence < 1 else {
            throw StateDecodingError.invalid("drift settings out of range")
        }
    }
}

/// One key's drift statistic: counts per window slot and, for sliding windows, the code of each
/// record in the window (oldest first; -1 for a record the stage could not use), so the one
/// leaving can be taken out.
struct DriftEstimator<Kind: DriftKind>: StageEstimator {
    static var tag: StateTag { Kind.tag }
    var settings: DriftSettings
    var kind: Kind
    var slots: [Kind.Counts]
    var ring: Ring<Int32>?

    init(kind: Kind, prototype: Kind.Counts, settings: DriftSettings, slots: Int, slidingSize: Int?) {
        self.kind = kind
        self.settings = settings
        self.slots = Array(repeating: prototype, count: slots)
        self.ring = slidingSize.map { Ring(capacity: $0, fill: 0) }
    }

    mutating func add(_ input: StageInput, slot: Int, evictOldest: Bool, event: inout StageReport?) -> Bool {
        if evictOldest, let old = ring?.pop(), old >= 0 { Kind.remove(old, from: &slots[slot]) }
        let code = kind.code(input, binning: Kind.binning(slots[slot]))
        ring?.push(code ?? -1)
        guard let code else { return false }
        Kind.add(code, to: &slots[slot])
        return true
    }

    mutating func report(slot: Int) -> StageReport { kind.report(&slots, slot: slot, settings: settings) }

    mutating func reset(slot: Int) {
        Kind.reset(&slots[slot])
        ring?.removeAll()
    }

    func encode(to w: inout StateWriter) {
        w.beginRecord(Self.tag, version: 1)
        settings.encode(to: &w)
        kind.encode(to: &w)
        w.writeSlots(slots)
        w.writeRing(ring)
        w.endRecord()
    }

    init(from r: inout StateReader) throws {
        try r.beginRecord(Self.tag, supported: 1...1)
        settings = try DriftSettings(from: &r)
        kind = try Kind(from: &r)
        slots = try r.readSlots(Kind.Counts.self)
        ring = try r.readRing()
        try r.endRecord()
    }
}

/// The figures of a Jeffreys-divergence test (PSI, IV, group divergence) as a stage report.
func driftReport(_ t: JeffreysTest, name: String, bins: [JSONValue]) -> StageReport {
    let headline = MetricReading(value: t.divergence, se: t.se, pValue: t.pValue, statistic: t.statistic,
                                 ciLow: t.ciLow, ciHigh: t.ciHigh)
    let figures: [(name: String, value: Double)] = [
        (name, t.divergence), ("se", t.se), ("se_delta", t.seDelta), ("ci_low", t.ciLow), ("ci_high", t.ciHigh),
        ("statistic", t.statistic), ("p_value", t.pValue), ("df", Double(t.degreesOfFreedom)),
        ("n", t.n), ("m", t.m),
    ]
    let members: [JSONMember] = [
        JSONMember("se_delta", .number(t.seDelta)),
        JSONMember("df", .int(Int64(t.degreesOfFreedom))),
        JSONMember("n", .number(t.n)),
        JSONMember("m", .number(t.m)),
        JSONMember("smoothing", .number(t.smoothing)),
        JSONMember("bins", .array(bins)),
    ]
    return StageReport(headline: headline, figures: figures, detail: .object(members))
}

/// The `lower`/`upper` members of a bin-table row (JSON has no infinities).
func edgeMembers(_ lower: Double, _ upper: Double) -> [JSONMember] {
    func edge(_ x: Double) -> JSONValue { x.isFinite ? .number(x) : .string(x > 0 ? "+inf" : "-inf") }
    return [JSONMember("lower", edge(lower)), JSONMember("upper", edge(upper))]
}
