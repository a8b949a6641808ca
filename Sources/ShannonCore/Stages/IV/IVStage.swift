import ShannonStats

extension IVParams {
    func runnerMaker(_ b: StageBuild) throws -> () -> AnyStageRunner {
        let binning: Binning
        if let edges {
            binning = try b.wrap { try Binning(edges: edges) }
        } else if let reference {
            binning = try b.reference(reference, bins: bins, missingBin: false).0
        } else {
            throw b.failure("an iv stage needs params.edges or params.reference to fix its bins")
        }
        let settings = DriftSettings(smoothing: smoothing, confidence: confidence)
        let ctx = b.context(second: b.fieldIndex(b.stage.label)) {
            DriftEstimator(kind: IVDrift(), prototype: WoEAccumulator(binning: binning), settings: settings,
                           slots: b.slots, slidingSize: b.sliding)
        }
        return { .iv(StageRunner(context: ctx)) }
    }
}

/// Information value of a score on a good/bad label for one key (docs/statistics-drift.md).
/// A record's code is `bin << 1 | isBad`.
struct IVDrift: DriftKind {
    static let tag = StateTag("SIV1")

    static func binning(_ counts: WoEAccumulator) -> Binning { counts.binning }

    func code(_ input: StageInput, binning: Binning) -> Int32? {
        let d = input.decoder
        guard d.isPresent(input.second), let bin = binning.index(of: d.number(input.field)) else { return nil }
        return Int32(bin) << 1 | (d.isBad(input.second) ? 1 : 0)
    }

    static func add(_ code: Int32, to counts: inout WoEAccumulator) { counts.add(bin: Int(code >> 1), isBad: code & 1 == 1) }
    static func remove(_ code: Int32, from counts: inout WoEAccumulator) {
        _ = counts.remove(bin: Int(code >> 1), isBad: code & 1 == 1)
    }
    static func reset(_ counts: inout WoEAccumulator) { counts.reset() }

    mutating func report(_ slots: inout [WoEAccumulator], slot: Int, settings: DriftSettings) -> StageReport {
        let result = slots[slot].result(smoothing: settings.smoothing, confidence: settings.confidence)
        let bins = result.bins.map { b in
            JSONValue.object(edgeMembers(b.lower, b.upper) + [
                JSONMember("missing", .bool(b.isMissing)),
                JSONMember("goods", .int(b.goods)), JSONMember("bads", .int(b.bads)),
                JSONMember("woe", .number(b.woe)), JSONMember("woe_se", .number(b.woeSE)),
                JSONMember("contribution", .number(b.contribution)),
            ])
        }
        return driftReport(result.test, name: "iv", bins: bins)
    }

    init() {}
    func encode(to w: inout StateWriter) {}
    init(from r: inout StateReader) throws {}
}
