import Testing
import ShannonStats
@testable import ShannonCore

@Suite struct IVStageTests {
    static let stage = "{ id: iv, type: iv, input: x, label: bad, window: { type: count, size: 24, hop: 6 }, params: { edges: [0.3, 0.6] } }"

    static func x(_ i: Int) -> Double { Double((i * 53) % 100) / 100 }
    static func bad(_ i: Int) -> Bool? { i % 5 == 2 ? nil : (x(i) + Double(i % 3) * 0.2 > 0.7) }

    @Test func labelIsRequiredAndOnlyForIV() {
        #expect(StageDriver.problems(driftPipeline("{ id: iv, type: iv, input: x, params: { edges: [0.5] } }"))
            .contains("stage `iv` (iv)"))
        #expect(StageDriver.problems(driftPipeline("{ id: p, type: psi, input: x, label: bad, params: { reference: { edges: [0.5] } } }"))
            .contains("`label` is only used by iv stages"))
    }

    @Test func needsEdgesOrReference() {
        #expect(StageDriver.problems(driftPipeline("{ id: iv, type: iv, input: x, label: bad }"))
            .contains("an iv stage needs `edges` or `reference` in its params"))
    }

    /// Each sliding window's IV is WoEAccumulator's over exactly its records (unlabelled ones
    /// are in the window but not counted).
    @Test func slidingWindowsMatchAFreshAccumulatorOverTheirRecords() throws {
        var driver = try StageDriver(yaml: driftPipeline(Self.stage))
        driver.feed((0..<72).map { i in
            Self.bad(i).map { #"{"x":\#(Self.x(i)),"bad":\#($0 ? 1 : 0)}"# } ?? #"{"x":\#(Self.x(i))}"#
        })
        #expect(driver.emissions.count >= 8)
        for e in driver.emissions {
            var acc = WoEAccumulator(binning: try Binning(edges: [0.3, 0.6]))
            for i in Int(e.window.startOffset)...Int(e.window.endOffset) {
                if let b = Self.bad(i) { acc.add(Self.x(i), isBad: b) }
            }
            #expect(e.report.headline.value == acc.result().iv)
            #expect(e.report.figures.first { $0.name == "m" }?.value == Double(acc.badTotal))
        }
    }
}
