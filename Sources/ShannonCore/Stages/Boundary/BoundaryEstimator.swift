import ShannonStats

/// Online event-boundary detection on a key's feature vectors (docs/statistics-entropy-boundaries.md §2). Boundaries
/// are events, reported the moment they are found; window closes only summarise how many.
struct BoundaryEstimator: StageEstimator {
    static let tag = StateTag("SBND")
    var detector: EventBoundaryDetector
    var boundariesInWindow = 0

    init(dimension: Int, parameters: BoundaryParameters) {
        detector = EventBoundaryDetector(dimension: dimension, parameters: parameters)
    }

    mutating func add(_ input: StageInput, slot: Int, evictOldest: Bool, event: inout StageReport?) -> Bool {
        guard let b = detector.update(input.decoder.vector(input.field)) else { return true }
        boundariesInWindow += 1
        var figures: [(name: String, value: Double)] = [
            ("z", b.z), ("error", b.error), ("mu", b.mu), ("sigma", b.sigma),
            ("event_length", Double(b.eventLength)), ("position", Double(b.position)),
        ]
        if let p = b.pValue { figures.append(("p_value", p)) }
        event = StageReport(
            headline: MetricReading(value: b.z, pValue: b.pValue),
            figures: figures,
            detail: .object([
                JSONMember("position", .int(Int64(b.position))), JSONMember("error", .number(b.error)),
                JSONMember("z", .number(b.z)), JSONMember("mu", .number(b.mu)), JSONMember("sigma", .number(b.sigma)),
                JSONMember("event_length", .int(Int64(b.eventLength))),
                JSONMember("p_value", b.pValue.map(JSONValue.number) ?? .null),
            ]))
        return true
    }

    mutating func report(slot: Int) -> StageReport {
        var r = StageReport(headline: MetricReading(value: Double(boundariesInWindow)),
                            figures: [("boundaries", Double(boundariesInWindow)), ("position", Double(detector.position))],
                            detail: .object([JSONMember("boundaries", .int(Int64(boundariesInWindow)))]))
        r.alertable = false // boundaries alert as events, not per window
        return r
    }

    mutating func reset(slot: Int) { boundariesInWindow = 0 }

    func encode(to w: inout StateWriter) {
        w.beginRecord(Self.tag, version: 1)
        detector.encode(to: &w)
        w.write(boundariesInWindow)
        w.endRecord()
    }

    init(from r: inout StateReader) throws {
        try r.beginRecord(Self.tag, supported: 1...1)
        detector = try EventBoundaryDetector(from: &r)
        boundariesInWindow = try r.readCount()
        try r.endRecord()
    }
}
