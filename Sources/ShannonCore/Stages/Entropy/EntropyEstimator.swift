import ShannonStats

/// Shannon entropy of a key's tokens per window (docs/statistics-entropy-boundaries.md §1).
struct EntropyEstimator: StageEstimator {
    static let tag = StateTag("SENT")
    var estimator: EntropyParams.Estimator
    var bits: Bool
    var vocabularySize: Int?
    var minTokens: Int
    var slots: [TokenCounter]
    var fifo: TokenFIFO?
    /// Mean surprisal per slot, when the stage reads log-probabilities (tumbling and event-time
    /// windows: a sliding window cannot forget a record's log-probabilities, so it reports none).
    var surprisal: [SurprisalRate]
    /// Whether the distinct-token cap has been reported (once per key, docs/statistics-entropy-boundaries.md §1).
    var capReported = false

    init(params: EntropyParams, slots: Int, slidingRecords: Int?) {
        estimator = params.estimator
        bits = params.unit == .bits
        vocabularySize = params.vocabularySize
        minTokens = params.minTokens
        self.slots = Array(repeating: TokenCounter(maxDistinct: params.maxDistinct, initialCapacity: 256), count: slots)
        fifo = slidingRecords.map { TokenFIFO(records: $0) }
        surprisal = params.logprobs != nil && slidingRecords == nil ? Array(repeating: SurprisalRate(), count: slots) : []
    }

    mutating func add(_ input: StageInput, slot: Int, evictOldest: Bool, event: inout StageReport?) -> Bool {
        if !surprisal.isEmpty, input.second >= 0, input.decoder.isPresent(input.second) {
            for lp in input.decoder.numbers(input.second) { _ = surprisal[slot].add(logProbability: lp) }
        }
        return addTokens(input, to: &slots[slot], fifo: &fifo, evictOldest: evictOldest)
    }

    mutating func report(slot: Int) -> StageReport {
        slots[slot].recount() // exact S at each window boundary bounds floating drift
        let r = slots[slot].result(vocabularySize: vocabularySize)
        let unit = bits ? 0.693_147_180_559_945_3 : 1 // ln 2: nats → bits
        let value: Double
        switch estimator {
        case .plugin: value = r.plugIn / unit
        case .millerMadow: value = r.millerMadow / unit
        case .chaoShen: value = r.chaoShen / unit
        }
        let se = r.se / unit
        let headline = MetricReading(value: value, se: se, ciLow: value - 1.959963984540054 * se,
                                     ciHigh: value + 1.959963984540054 * se)
        var figures: [(name: String, value: Double)] = [
            ("entropy", value), ("se", se), ("normalized_entropy", r.normalised), ("distinct", Double(r.distinct)),
            ("n", Double(r.n)), ("plug_in", r.plugIn / unit), ("miller_madow", r.millerMadow / unit),
            ("chao_shen", r.chaoShen / unit), ("capped", r.capped ? 1 : 0),
        ]
        var extra: [JSONMember] = []
        if !surprisal.isEmpty {
            let s = surprisal[slot]
            let mean = s.count > 0 ? s.bitsPerToken : .nan
            figures += [("mean_surprisal", mean), ("mean_surprisal_se", s.count > 1 ? s.seBits : .nan)]
            extra = [JSONMember("mean_surprisal_bits", .number(mean)),
                     JSONMember("mean_surprisal_se", .number(s.count > 1 ? s.seBits : .nan)),
                     JSONMember("logprob_tokens", .int(Int64(s.count)))]
        }
        let detail = JSONValue.object(extra + [
            JSONMember("unit", .string(bits ? "bits" : "nats")),
            JSONMember("estimator", .string(estimator.rawValue)),
            JSONMember("tokens", .int(Int64(r.n))), JSONMember("distinct", .int(Int64(r.distinct))),
            JSONMember("singletons", .int(Int64(r.singletons))),
            JSONMember("plug_in", .number(r.plugIn / unit)), JSONMember("miller_madow", .number(r.millerMadow / unit)),
            JSONMember("chao_shen", .number(r.chaoShen / unit)), JSONMember("normalized", .number(r.normalised)),
            JSONMember("capped", .bool(r.capped)),
        ])
        var report = StageReport(headline: headline, figures: figures, detail: detail, alertable: r.n >= minTokens)
        if r.capped && !capReported {
            capReported = true
            report.notice = StageNotice(kind: "cap", metric: "distinct", value: Double(r.distinct),
                                        message: "this key reached max_distinct (\(slots[slot].maxDistinct)) distinct tokens; "
                                            + "new tokens now fold into one `other` bucket, so entropy is a lower bound")
        }
        return report
    }

    mutating func reset(slot: Int) {
        slots[slot].removeAll()
        fifo?.removeAll()
        if !surprisal.isEmpty { surprisal[slot].reset() }
    }

    func encode(to w: inout StateWriter) {
        w.beginRecord(Self.tag, version: 1)
        w.write(estimator.rawValue)
        w.write(bits)
        w.write(vocabularySize ?? 0)
        w.write(minTokens)
        w.writeSlots(slots)
        w.write(fifo != nil)
        fifo?.encode(to: &w)
        w.write(surprisal.count)
        for s in surprisal { s.encode(to: &w) }
        w.write(capReported)
        w.endRecord()
    }

    init(from r: inout StateReader) throws {
        try r.beginRecord(Self.tag, supported: 1...1)
        guard let e = EntropyParams.Estimator(rawValue: try r.readString()) else {
            throw StateDecodingError.invalid("unknown entropy estimator")
        }
        estimator = e
        bits = try r.readBool()
        let v = try r.readCount()
        vocabularySize = v == 0 ? nil : v
        minTokens = try r.readCount()
        slots = try r.readSlots(TokenCounter.self)
        fifo = try r.readBool() ? try TokenFIFO(from: &r) : nil
        let n = try r.readCount(limit: slots.count)
        guard n == 0 || n == slots.count else { throw StateDecodingError.invalid("surprisal slots \(n) ≠ \(slots.count)") }
        surprisal = try (0..<n).map { _ in try SurprisalRate(from: &r) }
        capReported = try r.readBool()
        try r.endRecord()
    }
}
