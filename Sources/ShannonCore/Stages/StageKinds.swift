import ShannonStats

// The registry of stage kinds. Adding a kind is its folder under Stages/ plus one case in each
// of the three enums below and one arm in each of their switches; the compiler's exhaustiveness
// checks point at every arm still missing (docs/architecture.md, "Adding a stage kind").

/// The `type:` of a stage.
public enum StageType: String, Sendable, Equatable, CaseIterable {
    case psi, iv
    case groupDivergence = "group_divergence"
    case entropy
    case jsDivergence = "js_divergence"
    case boundary

    /// The type whose statics describe this kind.
    var kind: any StageKind.Type {
        switch self {
        case .psi: PSIParams.self
        case .iv: IVParams.self
        case .groupDivergence: GroupDivergenceParams.self
        case .entropy: EntropyParams.self
        case .jsDivergence: JSDivergenceParams.self
        case .boundary: BoundaryParams.self
        }
    }

    /// The figure alerts read unless `alert.metric` says otherwise.
    public var headlineMetric: String { kind.headlineMetric }
    /// Metrics an alert may name for this stage.
    public var metrics: [String] { kind.metrics }
    /// Field types accepted as the stage's `input`.
    public var inputTypes: [FieldType] { kind.inputTypes }
}

/// Typed `params:` of each stage type, with the defaults of docs/pipelines.md.
public enum StageParams: Sendable, Equatable {
    case psi(PSIParams)
    case iv(IVParams)
    case groupDivergence(GroupDivergenceParams)
    case entropy(EntropyParams)
    case jsDivergence(JSDivergenceParams)
    case boundary(BoundaryParams)

    /// The params as their kind.
    var kind: any StageKind {
        switch self {
        case let .psi(p): p
        case let .iv(p): p
        case let .groupDivergence(p): p
        case let .entropy(p): p
        case let .jsDivergence(p): p
        case let .boundary(p): p
        }
    }
}

/// One stage of a partition, whatever its kind: a switch per record and stage, no existential
/// (the generic `StageRunner<E>` is specialised per kind, so the estimator's calls are static).
enum AnyStageRunner {
    case psi(StageRunner<DriftEstimator<PSIDrift>>)
    case iv(StageRunner<DriftEstimator<IVDrift>>)
    case groupDivergence(StageRunner<DriftEstimator<GroupDrift>>)
    case entropy(StageRunner<EntropyEstimator>)
    case jsDivergence(StageRunner<JSDivergenceEstimator>)
    case boundary(StageRunner<BoundaryEstimator>)

    @inline(__always)
    func process(_ d: RecordDecoder, at p: RecordPosition, now: Int64, emissions: inout [StageEmission]) -> Bool {
        switch self {
        case let .psi(r): r.process(d, at: p, now: now, emissions: &emissions)
        case let .iv(r): r.process(d, at: p, now: now, emissions: &emissions)
        case let .groupDivergence(r): r.process(d, at: p, now: now, emissions: &emissions)
        case let .entropy(r): r.process(d, at: p, now: now, emissions: &emissions)
        case let .jsDivergence(r): r.process(d, at: p, now: now, emissions: &emissions)
        case let .boundary(r): r.process(d, at: p, now: now, emissions: &emissions)
        }
    }

    func closeAll(topic: String, partition: Int32, now: Int64, emissions: inout [StageEmission]) {
        switch self {
        case let .psi(r): r.closeAll(topic: topic, partition: partition, now: now, emissions: &emissions)
        case let .iv(r): r.closeAll(topic: topic, partition: partition, now: now, emissions: &emissions)
        case let .groupDivergence(r): r.closeAll(topic: topic, partition: partition, now: now, emissions: &emissions)
        case let .entropy(r): r.closeAll(topic: topic, partition: partition, now: now, emissions: &emissions)
        case let .jsDivergence(r): r.closeAll(topic: topic, partition: partition, now: now, emissions: &emissions)
        case let .boundary(r): r.closeAll(topic: topic, partition: partition, now: now, emissions: &emissions)
        }
    }

    func checkpointEntries() -> [CheckpointEntry] {
        switch self {
        case let .psi(r): r.checkpointEntries()
        case let .iv(r): r.checkpointEntries()
        case let .groupDivergence(r): r.checkpointEntries()
        case let .entropy(r): r.checkpointEntries()
        case let .jsDivergence(r): r.checkpointEntries()
        case let .boundary(r): r.checkpointEntries()
        }
    }

    func attach(_ counts: KeyCounts, stage: Int) {
        switch self {
        case let .psi(r): r.attach(counts, stage: stage)
        case let .iv(r): r.attach(counts, stage: stage)
        case let .groupDivergence(r): r.attach(counts, stage: stage)
        case let .entropy(r): r.attach(counts, stage: stage)
        case let .jsDivergence(r): r.attach(counts, stage: stage)
        case let .boundary(r): r.attach(counts, stage: stage)
        }
    }

    func restore(_ entry: CheckpointEntry) throws {
        switch self {
        case let .psi(r): try r.restore(entry)
        case let .iv(r): try r.restore(entry)
        case let .groupDivergence(r): try r.restore(entry)
        case let .entropy(r): try r.restore(entry)
        case let .jsDivergence(r): try r.restore(entry)
        case let .boundary(r): try r.restore(entry)
        }
    }
}
