import ShannonStats

/// Why a valid pipeline file still cannot run (a reference file missing, a bad sample, …).
public struct PlanError: Error, CustomStringConvertible, Sendable {
    public var stage: String
    public var message: String
    public var description: String { "stage '\(stage)': \(message)" }
}

/// A pipeline made ready to run: per stage, what every partition needs to build its state —
/// reference histograms read, bins computed, decoder fields resolved, alert policies mapped.
/// Built once per pipeline; partitions are cheap to make from it.
///
/// `@unchecked Sendable`: immutable after `init` — the stage makers capture only immutable
/// contexts and value-type prototypes — so it can be handed to the worker thread that runs it.
public final class PipelinePlan: @unchecked Sendable {
    public let spec: PipelineSpec
    /// Stage id → configuration fingerprint (checkpoints refuse state from another config).
    public let fingerprints: [String: UInt64]
    private let makers: [() -> AnyStageRunner]

    public init(spec: PipelineSpec) throws {
        self.spec = spec
        var fingerprints: [String: UInt64] = [:]
        var makers: [() -> AnyStageRunner] = []
        for stage in spec.stages {
            fingerprints[stage.id] = StageFingerprint.of(stage, fields: spec.decode.fields)
            makers.append(try Self.maker(for: stage, in: spec))
        }
        self.fingerprints = fingerprints
        self.makers = makers
    }

    /// Fresh (empty) state for a partition.
    func makePartition(topic: String, partition: Int32, nextOffset: Int64) -> PartitionState {
        PartitionState(topic: topic, partition: partition, stages: makers.map { $0() }, nextOffset: nextOffset)
    }

    /// A partition's state restored from a checkpoint (fingerprints already checked by the store).
    func restorePartition(_ c: Checkpoint) throws -> PartitionState {
        let state = makePartition(topic: c.topic, partition: c.partition, nextOffset: c.nextOffset)
        let index = Dictionary(uniqueKeysWithValues: spec.stages.enumerated().map { ($1.id, $0) })
        for entry in c.entries {
            guard let i = index[entry.stageId] else {
                throw StateDecodingError.invalid("checkpoint holds unknown stage '\(entry.stageId)'")
            }
            try state.stages[i].restore(entry)
        }
        state.nextGeneration = c.generation + 1
        return state
    }

    // MARK: Building each stage

    /// What each partition calls to get a fresh runner for `stage`: the stage's kind reads its
    /// references and fixes its bins here, once (Stages/<Kind>/).
    private static func maker(for stage: StageSpec, in spec: PipelineSpec) throws -> () -> AnyStageRunner {
        try stage.params.kind.runnerMaker(StageBuild(stage: stage, spec: spec, policy: stage.alert.map(Self.policy)))
    }

    static func policy(_ a: AlertSpec) -> AlertPolicy {
        AlertPolicy(rule: AlertPolicy.Rule(rawValue: a.when.rawValue)!, metric: a.metric,
                    direction: AlertPolicy.Direction(rawValue: a.direction.rawValue)!, threshold: a.threshold,
                    pValue: a.pValue, z: a.z, baselineAlpha: a.baseline.alpha, baselineMinWindows: a.baseline.minWindows,
                    severity: a.severity.filter { $0.at.isFinite }.map { .init(level: $0.level, at: $0.at) },
                    cooldown: a.cooldown, resolve: a.resolve)
    }
}
