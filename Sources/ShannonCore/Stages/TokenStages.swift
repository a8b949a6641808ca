import ShannonStats

/// The tokens of the records in a sliding window, oldest first, so the counter can forget a
/// record's tokens when it leaves. Amortised O(1) per token: the head advances and the array is
/// compacted once half of it is dead.
struct TokenFIFO: Equatable {
    private(set) var ids: [UInt64] = []
    private(set) var folded: [Bool] = []
    private(set) var head = 0
    /// Tokens per record, oldest first.
    private(set) var lengths: Ring<Int32>

    init(records: Int) { lengths = Ring(capacity: records, fill: 0) }

    mutating func push(record tokens: UnsafeBufferPointer<UInt64>, folded flags: some Sequence<Bool>) {
        ids.append(contentsOf: tokens)
        folded.append(contentsOf: flags)
        lengths.push(Int32(tokens.count))
    }

    /// Removes the oldest record's tokens, handing each to `body`.
    mutating func popRecord(_ body: (UInt64, Bool) -> Void) {
        guard let n = lengths.pop() else { return }
        for i in head..<head + Int(n) { body(ids[i], folded[i]) }
        head += Int(n)
        if head > 4096 && head * 2 > ids.count {
            ids.removeFirst(head)
            folded.removeFirst(head)
            head = 0
        }
    }

    mutating func removeAll() {
        ids.removeAll(keepingCapacity: true)
        folded.removeAll(keepingCapacity: true)
        head = 0
        lengths.removeAll()
    }

    func encode(to w: inout StateWriter) {
        lengths.encode(to: &w)
        let live = ids.count - head
        w.write(live)
        for i in head..<ids.count {
            w.write(ids[i])
            w.write(folded[i])
        }
    }

    init(from r: inout StateReader) throws {
        lengths = try Ring<Int32>(from: &r)
        let live = try r.readCount(limit: r.remaining / 9)
        for _ in 0..<live {
            ids.append(try r.read(UInt64.self))
            folded.append(try r.readBool())
        }
        var total = 0
        var copy = lengths
        while let n = copy.pop() {
            guard n >= 0 else { throw StateDecodingError.invalid("negative record length") }
            total += Int(n)
        }
        guard total == live else { throw StateDecodingError.invalid("token ring holds \(live) tokens, lengths say \(total)") }
    }
}

/// Adds the current record's tokens to `counter` (and to the sliding FIFO), first evicting the
/// oldest record's tokens when the window slides.
private func addTokens(_ input: StageInput, to counter: inout TokenCounter, fifo: inout TokenFIFO?, evictOldest: Bool) -> Bool {
    if evictOldest { fifo?.popRecord { id, folded in counter.remove(id, folded: folded) } }
    guard input.decoder.isPresent(input.field) else {
        if fifo != nil { fifo!.push(record: UnsafeBufferPointer(start: nil, count: 0), folded: []) }
        return false
    }
    let tokens: UnsafeBufferPointer<UInt64>
    var single: UInt64 = 0
    if input.decoder.spec.fields[input.field].type == .category {
        single = input.decoder.categoryID(input.field)
        tokens = withUnsafePointer(to: &single) { UnsafeBufferPointer(start: $0, count: 1) }
    } else {
        tokens = input.decoder.tokens(input.field)
    }
    if fifo == nil {
        for id in tokens { _ = counter.add(id) }
    } else {
        // Rare path (sliding windows): remember which tokens were folded into `other`.
        var flags: [Bool] = []
        flags.reserveCapacity(tokens.count)
        for id in tokens { flags.append(!counter.add(id)) }
        fifo!.push(record: tokens, folded: flags)
    }
    return true
}

// MARK: - Entropy

/// Shannon entropy of a key's tokens per window (statistics.md §3).
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
    /// Whether the distinct-token cap has been reported (once per key, statistics.md §3).
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
        try StateReader.check(try r.beginRecord(Self.tag), tag: Self.tag, supported: 1...1)
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

// MARK: - Jensen–Shannon drift

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
        try StateReader.check(try r.beginRecord(Self.tag), tag: Self.tag, supported: 1...1)
        reference = try r.readBool() ? try TokenCounter(from: &r) : nil
        slots = try r.readSlots(TokenCounter.self)
        fifo = try r.readBool() ? try TokenFIFO(from: &r) : nil
        try r.endRecord()
    }
}

// MARK: - Event boundaries

/// Online event-boundary detection on a key's feature vectors (statistics.md §4). Boundaries
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
        try StateReader.check(try r.beginRecord(Self.tag), tag: Self.tag, supported: 1...1)
        detector = try EventBoundaryDetector(from: &r)
        boundariesInWindow = try r.readCount()
        try r.endRecord()
    }
}
