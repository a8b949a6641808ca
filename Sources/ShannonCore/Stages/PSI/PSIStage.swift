import ShannonStats

extension PSIParams {
    func runnerMaker(_ b: StageBuild) throws -> () -> AnyStageRunner {
        let (binning, counts) = try b.reference(reference, bins: bins, missingBin: missingBin)
        let prototype = try b.wrap {
            try PSIAccumulator(binning: binning, referenceCounts: counts ?? Array(repeating: 0, count: binning.binCount))
        }
        let settings = DriftSettings(smoothing: smoothing, fixedReference: fixedReference, confidence: confidence)
        let ctx = b.context {
            DriftEstimator(kind: PSIDrift(hasReference: counts != nil), prototype: prototype, settings: settings,
                           slots: b.slots, slidingSize: b.sliding)
        }
        return { .psi(StageRunner(context: ctx)) }
    }
}

/// PSI of one key: the current window's histogram against the reference (docs/statistics-drift.md).
struct PSIDrift: DriftKind {
    static let tag = StateTag("SPSI")
    /// False while the reference is still being learnt from the first window (`edges:` mode).
    var hasReference: Bool

    static func binning(_ counts: PSIAccumulator) -> Binning { counts.binning }

    func code(_ input: StageInput, binning: Binning) -> Int32? {
        binning.index(of: input.decoder.number(input.field)).map(Int32.init)
    }

    static func add(_ code: Int32, to counts: inout PSIAccumulator) { counts.add(bin: Int(code)) }
    static func remove(_ code: Int32, from counts: inout PSIAccumulator) { _ = counts.remove(bin: Int(code)) }
    static func reset(_ counts: inout PSIAccumulator) { counts.reset() }

    mutating func report(_ slots: inout [PSIAccumulator], slot: Int, settings: DriftSettings) -> StageReport {
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
        let bins = result.bins.map { b in
            JSONValue.object(edgeMembers(b.lower, b.upper) + [
                JSONMember("missing", .bool(b.isMissing)),
                JSONMember("reference", .number(b.countQ)), JSONMember("current", .number(b.countP)),
                JSONMember("q", .number(b.q)), JSONMember("p", .number(b.p)),
                JSONMember("contribution", .number(b.contribution)),
            ])
        }
        return driftReport(result.test, name: "psi", bins: bins)
    }

    func encode(to w: inout StateWriter) { w.write(hasReference) }
    init(hasReference: Bool) { self.hasReference = hasReference }
    init(from r: inout StateReader) throws { hasReference = try r.readBool() }
}
