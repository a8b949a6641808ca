import Testing
import ShannonStats
@testable import ShannonCore

/// Drives one pipeline's stages over JSON records, as the run loop does (without Kafka).
struct StageDriver {
    let plan: PipelinePlan
    let decoder: RecordDecoder
    let state: PartitionState
    var emissions: [StageEmission] = []
    private var offset: Int64 = 0

    init(yaml: String, baseDirectory: String = ".") throws {
        plan = try PipelinePlan(spec: PipelineLoader.parse(yaml: yaml, baseDirectory: baseDirectory))
        decoder = try #require(RecordDecoder(spec: plan.spec.decode))
        state = plan.makePartition(topic: "t", partition: 0, nextOffset: 0)
    }

    mutating func feed(_ records: [String]) {
        for r in records {
            #expect(decoder.decode(r) == .ok, "\(r) should decode")
            let p = RecordPosition(topic: "t", partition: 0, offset: offset, eventTime: decoder.eventTimeMs)
            for s in state.stages { _ = s.process(decoder, at: p, now: 0, emissions: &emissions) }
            offset += 1
        }
    }

    /// Every problem `PipelineLoader` finds in `yaml`, as text.
    static func problems(_ yaml: String) -> String {
        do {
            _ = try PipelineLoader.parse(yaml: yaml)
            return ""
        } catch {
            return "\(error)"
        }
    }
}

/// A one-stage pipeline over number `x`, label `bad` and category `g`.
func driftPipeline(_ stage: String) -> String {
    """
    version: 1
    name: drift
    source: { topics: [t] }
    decode:
      fields:
        x:   { path: x, type: number, optional: true }
        bad: { path: bad, type: label, optional: true }
        g:   { path: g, type: category, optional: true }
    stages:
      - \(stage)
    """
}
