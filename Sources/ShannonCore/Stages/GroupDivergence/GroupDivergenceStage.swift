import ShannonStats

extension GroupDivergenceParams {
    func runnerMaker(_ b: StageBuild) throws -> () -> AnyStageRunner {
        guard let reference else { throw b.failure("a group_divergence stage needs params.reference to fix its bins") }
        let binning = try b.reference(reference, bins: bins, missingBin: false).0
        guard groups.count == 2 else { throw b.failure("params.groups must name two groups") }
        let kind = GroupDrift(groupIDs: (TokenHash.fnv1a64(groups[0]), TokenHash.fnv1a64(groups[1])))
        let settings = DriftSettings(smoothing: smoothing, confidence: confidence)
        let ctx = b.context(second: b.fieldIndex(b.stage.group)) {
            DriftEstimator(kind: kind, prototype: GroupDivergenceAccumulator(binning: binning), settings: settings,
                           slots: b.slots, slidingSize: b.sliding)
        }
        return { .groupDivergence(StageRunner(context: ctx)) }
    }
}

/// Jeffreys divergence of a score between two groups of a protected attribute, for one key.
/// A record's code is `bin << 1 | group`; a record of neither group is not counted.
struct GroupDrift: DriftKind {
    static let tag = StateTag("SGDV")
    /// Category ids (FNV-1a 64 of the text) of the reference group (0) and the compared one (1).
    var groupIDs: (UInt64, UInt64)

    init(groupIDs: (UInt64, UInt64)) { self.groupIDs = groupIDs }

    static func == (a: GroupDrift, b: GroupDrift) -> Bool { a.groupIDs == b.groupIDs }

    static func binning(_ counts: GroupDivergenceAccumulator) -> Binning { counts.binning }

    func code(_ input: StageInput, binning: Binning) -> Int32? {
        let d = input.decoder
        guard d.isPresent(input.second) else { return nil }
        let id = d.categoryID(input.second)
        let group: Int32 = id == groupIDs.0 ? 0 : (id == groupIDs.1 ? 1 : -1)
        guard group >= 0, let bin = binning.index(of: d.number(input.field)) else { return nil }
        return Int32(bin) << 1 | group
    }

    static func add(_ code: Int32, to counts: inout GroupDivergenceAccumulator) {
        _ = counts.add(bin: Int(code >> 1), group: Int(code & 1))
    }
    static func remove(_ code: Int32, from counts: inout GroupDivergenceAccumulator) {
        _ = counts.remove(bin: Int(code >> 1), group: Int(code & 1))
    }
    static func reset(_ counts: inout GroupDivergenceAccumulator) { counts.reset() }

    mutating func report(_ slots: inout [GroupDivergenceAccumulator], slot: Int, settings: DriftSettings) -> StageReport {
        let result = slots[slot].result(smoothing: settings.smoothing, confidence: settings.confidence)
        let bins = result.bins.map { b in
            JSONValue.object(edgeMembers(b.lower, b.upper) + [
                JSONMember("group_0", .number(b.countQ)), JSONMember("group_1", .number(b.countP)),
                JSONMember("contribution", .number(b.contribution)),
            ])
        }
        return driftReport(result.test, name: "divergence", bins: bins)
    }

    func encode(to w: inout StateWriter) {
        w.write(groupIDs.0)
        w.write(groupIDs.1)
    }

    init(from r: inout StateReader) throws { groupIDs = (try r.read(UInt64.self), try r.read(UInt64.self)) }
}
