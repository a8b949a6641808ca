import Testing
import ShannonStats
@testable import ShannonCore

@Suite struct GroupDivergenceStageTests {
    static let stage = """
    { id: gap, type: group_divergence, input: x, group: g, window: { type: count, size: 30, hop: 10 },
        params: { groups: [a, b], reference: { edges: [0.3, 0.6] } } }
    """

    static func x(_ i: Int) -> Double { Double((i * 41) % 100) / 100 }
    /// Groups a, b and c (c is compared with neither).
    static func group(_ i: Int) -> String { ["a", "b", "c", "b"][i % 4] }

    @Test func groupsMustBeTwoDifferentValues() {
        let problems = StageDriver.problems(driftPipeline(
            "{ id: gap, type: group_divergence, input: x, group: g, params: { groups: [a, a], reference: { edges: [0.5] } } }"))
        #expect(problems.contains("`groups` must name two different groups"))
    }

    /// Records of a third group stay in the window uncounted, and leave it in their turn.
    @Test func slidingWindowsMatchAFreshAccumulatorOverTheirRecords() throws {
        var driver = try StageDriver(yaml: driftPipeline(Self.stage))
        driver.feed((0..<90).map { i in #"{"x":\#(Self.x(i)),"g":"\#(Self.group(i))"}"# })
        #expect(driver.emissions.count >= 6)
        for e in driver.emissions {
            var acc = GroupDivergenceAccumulator(binning: try Binning(edges: [0.3, 0.6]))
            for i in Int(e.window.startOffset)...Int(e.window.endOffset) {
                acc.add(Self.x(i), group: ["a": 0, "b": 1][Self.group(i)] ?? -1)
            }
            #expect(e.report.headline.value == acc.result().divergence)
            #expect(e.report.figures.first { $0.name == "n" }?.value == Double(acc.total1))
        }
    }
}
