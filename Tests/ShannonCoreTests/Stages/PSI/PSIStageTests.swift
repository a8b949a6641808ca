import Testing
import ShannonStats
@testable import ShannonCore

@Suite struct PSIStageTests {
    static let stage = """
    { id: psi, type: psi, input: x, window: { type: count, size: 20, hop: 5 },
        params: { reference: { histogram: { edges: [0.3, 0.6], counts: [30, 40, 30] } } } }
    """

    /// x for record i; every seventh record has none (NaN: no bin without `missing_bin`).
    static func record(_ i: Int) -> String {
        i % 7 == 3 ? "{}" : #"{"x":\#(Double((i * 37) % 100) / 100 + (i > 30 ? 0.3 : 0))}"#
    }

    @Test func edgesFixTheBinCount() throws {
        let spec = try PipelineLoader.parse(yaml: driftPipeline(Self.stage))
        guard case let .psi(p) = spec.stages[0].params else { Issue.record("not psi"); return }
        #expect(p.bins == 3)
        #expect(p.reference == .histogram(edges: [0.3, 0.6], counts: [30, 40, 30]))
        #expect(spec.stages[0].alert == nil)
    }

    @Test func missingReferenceIsAnErrorWithAHint() {
        let problems = StageDriver.problems(driftPipeline("{ id: psi, type: psi, input: x, params: { bins: 4 } }"))
        #expect(problems.contains("missing required field `reference` in psi params"))
        #expect(problems.contains("reference: { file: data/reference.csv, field: score }"))
    }

    /// Each sliding window's PSI is the accumulator's PSI over exactly the records in that window:
    /// the ring evicts the record that leaves, including records the stage could not count.
    @Test func slidingWindowsMatchAFreshAccumulatorOverTheirRecords() throws {
        var driver = try StageDriver(yaml: driftPipeline(Self.stage))
        let records = (0..<60).map(Self.record)
        driver.feed(records)
        #expect(driver.emissions.count >= 8)
        let binning = try Binning(edges: [0.3, 0.6])
        for e in driver.emissions {
            var acc = try PSIAccumulator(binning: binning, referenceCounts: [30, 40, 30])
            for i in Int(e.window.startOffset)...Int(e.window.endOffset) where i % 7 != 3 {
                acc.add(Double((i * 37) % 100) / 100 + (i > 30 ? 0.3 : 0))
            }
            let expected = acc.result()
            #expect(e.report.headline.value == expected.psi, "window \(e.window.startOffset)…\(e.window.endOffset)")
            #expect(e.report.figures.first { $0.name == "n" }?.value == expected.currentTotal)
        }
    }
}
