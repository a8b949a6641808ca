import ShannonStats

/// Parameters shared by the three drift stages that checkpoints carry alongside the counts, so
/// a decoded state is complete on its own.
struct DriftSettings: Equatable {
    var smoothing: Double
    var fixedReference: Bool
    var confidence: Double

    func encode(to w: inout StateWriter) {
        w.write(smoothing)
        w.write(fixedReference)
        w.write(confidence)
    }

    init(smoothing: Double, fixedReference: Bool = false, confidence: Double) {
        self.smoothing = smoothing
        self.fixedReference = fixedReference
        self.confidence = confidence
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

/// The figures of a Jeffreys-divergence test (PSI, IV, group divergence) as a stage report.
private func driftReport(_ t: JeffreysTest, name: String, bins: JSONValue, extra: [JSONMember] = []) -> StageReport {
    let headline = MetricReading(value: t.divergence, se: t.se, pValue: t.pValue, statistic: t.statistic,
                                 ciLow: t.ciLow, ciHigh: t.ciHigh)
    let figures: [(name: String, value: Double)] = [
        (name, t.divergence), ("se", t.se), ("se_delta", t.seDelta), ("ci_low", t.ciLow), ("ci_high", t.ciHigh),
        ("statistic", t.statistic), ("p_value", t.pValue), ("df", Double(t.degreesOfFreedom)),
        ("n", t.n), ("m", t.m),
    ]
    var members: [JSONMember] = [
        JSONMember("se_delta", .number(t.seDelta)),
        JSONMember("df", .int(Int64(t.degreesOfFreedom))),
        JSONMember("n", .number(t.n)),
        JSONMember("m", .number(t.m)),
        JSONMember("smoothing", .number(t.smoothing)),
    ]
    members += extra
    members.append(JSONMember("bins", bins))
    return StageReport(headline: headline, figures: figures, detail: .object(members))
}

private func edgeValue(_ x: Double) -> JSONValue { x.isFinite ? .number(x) : .string(x > 0 ? "+inf" : "-inf") }

// MARK: - PSI

/// PSI of one key: the current window's histogram against the reference (statistics.md §1).
struct PSIEstimator: StageEstimator {
    static let tag = StateTag("SPSI")
    var settings: DriftSettings
    var slots: [PSIAccumulator]
    /// False while the reference is still being learnt from the first window (`edges:` mode).
    var hasReference: Bool
    /// Bin of each record in a sliding window, oldest first.
    var ring: Ring<Int32>?

    init(prototype: PSIAccumulator, hasReference: Bool, settings: DriftSettings, slots: Int, slidingSize: Int?) {
        self.settings = settings
        self.slots = Array(repeating: prototype, count: slots)
        self.hasReference = hasReference
        self.ring = slidingSize.map { Ring(capacity: $0, fill: 0) }
    }

    mutating func add(_ input: StageInput, slot: Int, evictOldest: Bool, event: inout StageReport?) -> Bool {
        if evictOldest, let old = ring?.pop() { _ = slots[slot].remove(bin: Int(old)) }
        guard let bin = slots[slot].binning.index(of: input.decoder.number(input.field)) else { return false }
        slots[slot].add(bin: bin)
        ring?.push(Int32(bin))
        return true
    }

    mutating func report(slot: Int) -> StageReport {
        if !hasReference {
            // `edges:` without counts: the first full window becomes the reference.
            slots[slot].promoteCurrentToReference()
            for i in slots.indices where i != slot { slots[i] = slots[slot] }
            hasReference = true
            var r = StageReport(headline: MetricReading(value: .nan), figures: [],
                                detail: .object([JSONMember("reference_learnt", .bool(true))]))
            r.alertable = false
            return r
        }
        let result = slots[slot].result(smoothing: settings.smoothing, fixedReference: settings.fixedReference,
                                        confidence: settings.confidence)
        let bins = JSONValue.array(result.bins.map { b in
            .object([
                JSONMember("lower", edgeValue(b.lower)), JSONMember("upper", edgeValue(b.upper)),
                JSONMember("missing", .bool(b.isMissing)),
                JSONMember("reference", .number(b.countQ)), JSONMember("current", .number(b.countP)),
                JSONMember("q", .number(b.q)), JSONMember("p", .number(b.p)),
                JSONMember("contribution", .number(b.contribution)),
            ])
        })
        return driftReport(result.test, name: "psi", bins: bins)
    }

    mutating func reset(slot: Int) {
        slots[slot].reset()
        ring?.removeAll()
    }

    func encode(to w: inout StateWriter) {
        w.beginRecord(Self.tag, version: 1)
        settings.encode(to: &w)
        w.write(hasReference)
        w.writeSlots(slots)
        w.writeRing(ring)
        w.endRecord()
    }

    init(from r: inout StateReader) throws {
        try StateReader.check(try r.beginRecord(Self.tag), tag: Self.tag, supported: 1...1)
        settings = try DriftSettings(from: &r)
        hasReference = try r.readBool()
        slots = try r.readSlots(PSIAccumulator.self)
        ring = try r.readRing()
        try r.endRecord()
    }
}

// MARK: - IV

/// Information value of a score on a good/bad label for one key (statistics.md §2).
struct IVEstimator: StageEstimator {
    static let tag = StateTag("SIV1")
    var settings: DriftSettings
    var slots: [WoEAccumulator]
    /// `bin << 1 | isBad` of each record in a sliding window.
    var ring: Ring<Int32>?

    init(binning: Binning, settings: DriftSettings, slots: Int, slidingSize: Int?) {
        self.settings = settings
        self.slots = Array(repeating: WoEAccumulator(binning: binning), count: slots)
        self.ring = slidingSize.map { Ring(capacity: $0, fill: 0) }
    }

    mutating func add(_ input: StageInput, slot: Int, evictOldest: Bool, event: inout StageReport?) -> Bool {
        if evictOldest, let old = ring?.pop() {
            _ = slots[slot].remove(bin: Int(old >> 1), isBad: old & 1 == 1)
        }
        guard input.decoder.isPresent(input.second),
              let bin = slots[slot].binning.index(of: input.decoder.number(input.field)) else { return false }
        let bad = input.decoder.isBad(input.second)
        slots[slot].add(bin: bin, isBad: bad)
        ring?.push(Int32(bin) << 1 | (bad ? 1 : 0))
        return true
    }

    mutating func report(slot: Int) -> StageReport {
        let result = slots[slot].result(smoothing: settings.smoothing, confidence: settings.confidence)
        let bins = JSONValue.array(result.bins.map { b in
            .object([
                JSONMember("lower", edgeValue(b.lower)), JSONMember("upper", edgeValue(b.upper)),
                JSONMember("missing", .bool(b.isMissing)),
                JSONMember("goods", .int(b.goods)), JSONMember("bads", .int(b.bads)),
                JSONMember("woe", .number(b.woe)), JSONMember("woe_se", .number(b.woeSE)),
                JSONMember("contribution", .number(b.contribution)),
            ])
        })
        return driftReport(result.test, name: "iv", bins: bins)
    }

    mutating func reset(slot: Int) {
        slots[slot].reset()
        ring?.removeAll()
    }

    func encode(to w: inout StateWriter) {
        w.beginRecord(Self.tag, version: 1)
        settings.encode(to: &w)
        w.writeSlots(slots)
        w.writeRing(ring)
        w.endRecord()
    }

    init(from r: inout StateReader) throws {
        try StateReader.check(try r.beginRecord(Self.tag), tag: Self.tag, supported: 1...1)
        settings = try DriftSettings(from: &r)
        slots = try r.readSlots(WoEAccumulator.self)
        ring = try r.readRing()
        try r.endRecord()
    }
}

// MARK: - Group divergence

/// Jeffreys divergence of a score between two groups of a protected attribute, for one key.
struct GroupDivergenceEstimator: StageEstimator {
    static let tag = StateTag("SGDV")
    var settings: DriftSettings
    /// Category ids (FNV-1a 64 of the text) of the reference group (0) and the compared one (1).
    var groupIDs: (UInt64, UInt64)
    var slots: [GroupDivergenceAccumulator]
    /// `bin << 1 | group` of each record in a sliding window (-1: a record of neither group).
    var ring: Ring<Int32>?

    init(binning: Binning, groupIDs: (UInt64, UInt64), settings: DriftSettings, slots: Int, slidingSize: Int?) {
        self.settings = settings
        self.groupIDs = groupIDs
        self.slots = Array(repeating: GroupDivergenceAccumulator(binning: binning), count: slots)
        self.ring = slidingSize.map { Ring(capacity: $0, fill: 0) }
    }

    mutating func add(_ input: StageInput, slot: Int, evictOldest: Bool, event: inout StageReport?) -> Bool {
        if evictOldest, let old = ring?.pop(), old >= 0 {
            _ = slots[slot].remove(bin: Int(old >> 1), group: Int(old & 1))
        }
        let d = input.decoder
        var code: Int32 = -1
        defer { ring?.push(code) }
        guard d.isPresent(input.second) else { return false }
        let id = d.categoryID(input.second)
        let group = id == groupIDs.0 ? 0 : (id == groupIDs.1 ? 1 : -1)
        guard group >= 0, let bin = slots[slot].binning.index(of: d.number(input.field)) else { return false }
        slots[slot].add(bin: bin, group: group)
        code = Int32(bin) << 1 | Int32(group)
        return true
    }

    mutating func report(slot: Int) -> StageReport {
        let result = slots[slot].result(smoothing: settings.smoothing, confidence: settings.confidence)
        let bins = JSONValue.array(result.bins.map { b in
            .object([
                JSONMember("lower", edgeValue(b.lower)), JSONMember("upper", edgeValue(b.upper)),
                JSONMember("group_0", .number(b.countQ)), JSONMember("group_1", .number(b.countP)),
                JSONMember("contribution", .number(b.contribution)),
            ])
        })
        return driftReport(result.test, name: "divergence", bins: bins)
    }

    mutating func reset(slot: Int) {
        slots[slot].reset()
        ring?.removeAll()
    }

    func encode(to w: inout StateWriter) {
        w.beginRecord(Self.tag, version: 1)
        settings.encode(to: &w)
        w.write(groupIDs.0)
        w.write(groupIDs.1)
        w.writeSlots(slots)
        w.writeRing(ring)
        w.endRecord()
    }

    init(from r: inout StateReader) throws {
        try StateReader.check(try r.beginRecord(Self.tag), tag: Self.tag, supported: 1...1)
        settings = try DriftSettings(from: &r)
        groupIDs = (try r.read(UInt64.self), try r.read(UInt64.self))
        slots = try r.readSlots(GroupDivergenceAccumulator.self)
        ring = try r.readRing()
        try r.endRecord()
    }
}
