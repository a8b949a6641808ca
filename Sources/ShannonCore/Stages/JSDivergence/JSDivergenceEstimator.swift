import ShannonStats

/// Token drift of each window against a reference window (the first one), in bits.
struct JSDivergenceEstimator: StageEstimator {
    static let tag = StateTag("SJSD")
    var reference: TokenCounter?
    var slots: [TokenCounter]
    var fifo: TokenFIFO?

    init(maxDistinct: Int, reference: TokenCounter?, slots: Int, slidingRecords: Int?) {
        self.reference = reference
        self.slots = Array(repeating: TokenCounter(maxDistinct: maxDistinct, initialCapacity: 256), count: slots)
        fifo = slidingRecords.map { TokenFIFO(records: $0) }
    }

    mutating func add(_ input: StageInput, slot: Int, evictOldest: Bool, event: inout StageReport?) -> Bool {
        addTokens(input, to: &slots[slot], fifo: &fifo, evictOldest: evictOldest)
    }

    mutating func report(slot: Int) -> StageReport {
        guard let reference else {
            reference = slots[slot]
            var r = StageReport(headline: MetricReading(value: .nan), figures: [],
                                detail: .object([JSONMember("reference_learnt", .bool(true)),
                                                 JSONMember("tokens", .int(Int64(slots[slot].total)))]))
            r.alertable = false
            return r
        }
        let js = JensenShannon.divergenceBits(slots[slot], reference)
        return StageReport(
            headline: MetricReading(value: js),
            figures: [("js", js), ("n", Double(slots[slot].total)), ("reference_n", Double(reference.total))],
            detail: .object([
                JSONMember("unit", .string("bits")),
                JSONMember("tokens", .int(Int64(slots[slot].total))),
                JSONMember("distinct", .int(Int64(slots[slot].distinct))),
                JSONMember("reference_tokens", .int(Int64(reference.total))),
                JSONMember("reference_distinct", .int(Int64(reference.distinct))),
            ]))
    }

    mutating func reset(slot: Int) {
        slots[slot].removeAll()
        fifo?.removeAll()
    }

    func encode(to w: inout StateWriter) {
        w.beginRecord(Self.tag, version: 1)
        w.write(reference != nil)
        reference?.encode(to: &w)
        w.writeSlots(slots)
        w.write(fifo != nil)
        fifo?.encode(to: &w)
        w.endRecord()
    }

    init(from r: inout StateReader) throws {
        try r.beginRecord(Self.tag, supported: 1...1)
        reference = try r.readBool() ? try TokenCounter(from: &r) : nil
        slots = try r.readSlots(TokenCounter.self)
        fifo = try r.readBool() ? try TokenFIFO(from: &r) : nil
        try r.endRecord()
    }
}
