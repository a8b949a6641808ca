import Testing
import ShannonStats
@testable import ShannonCore

@Suite struct BoundaryStageTests {
    static func pipeline(_ params: String) -> String {
        """
        version: 1
        name: cut
        source: { topics: [t] }
        decode:
          fields:
            v: { path: v, type: vector, dim: 2 }
        stages:
          - { id: cut, type: boundary, input: v, params: \(params), alert: { when: threshold } }
        """
    }

    @Test func kMaxBelowNMinIsAnError() {
        #expect(StageDriver.problems(Self.pipeline("{ n_min: 30, k_max: 10 }")).contains("`k_max` (10) must be ≥ `n_min` (30)"))
    }

    @Test func alertThresholdDefaultsToTau() throws {
        let spec = try PipelineLoader.parse(yaml: Self.pipeline("{ tau: 7 }"))
        #expect(spec.stages[0].alert?.threshold == 7)
    }

    /// A level shift after a quiet run is reported as an event, the record it happens on.
    @Test func aLevelShiftIsAnEvent() throws {
        var driver = try StageDriver(yaml: Self.pipeline("{ n_min: 5, sigma_floor: 0.01 }"))
        var rng = SplitMix64(seed: 7)
        driver.feed((0..<80).map { i in
            let level = i < 50 ? 0.0 : 5.0
            return #"{"v":[\#(level + 0.05 * rng.normal()),\#(level + 0.05 * rng.normal())]}"#
        })
        let events = driver.emissions.filter { $0.window.records >= 1 && $0.report.figures.contains { $0.name == "event_length" } }
        #expect(events.map(\.window.startOffset).contains(50))
    }
}
