import Foundation
import Testing
import ShannonStats
@testable import ShannonCore

@Suite struct EntropyStageTests {
    static func pipeline(_ params: String) -> String {
        """
        version: 1
        name: ent
        source: { topics: [t] }
        decode:
          fields:
            tok: { path: tok, type: tokens }
            lp:  { path: lp, type: numbers, optional: true }
            n:   { path: n, type: number, optional: true }
        stages:
          - { id: ent, type: entropy, input: tok, window: { type: count, size: 4 }, params: \(params) }
        """
    }

    @Test func logprobsMustNameANumbersField() {
        #expect(StageDriver.problems(Self.pipeline("{ logprobs: n }")).contains("`logprobs`: field `n` is of type number"))
        #expect(StageDriver.problems(Self.pipeline("{ logprobs: nope }")).contains("`logprobs`: unknown field `nope`"))
        #expect(StageDriver.problems(Self.pipeline("{ logprobs: lp }")) == "")
    }

    /// The plug-in entropy of a window is that of its token counts, in bits.
    @Test func windowEntropyIsThePlugInOfItsTokens() throws {
        var driver = try StageDriver(yaml: Self.pipeline("{ estimator: plugin, min_tokens: 1 }"))
        driver.feed([#"{"tok":"a b"}"#, #"{"tok":"a c"}"#, #"{"tok":"a"}"#, #"{"tok":"b"}"#])
        let e = try #require(driver.emissions.first)
        // counts a:3 b:2 c:1 of 6 → H = -Σ p log2 p
        let shares: [Double] = [3.0 / 6, 2.0 / 6, 1.0 / 6]
        let expected = -shares.map { (p: Double) -> Double in p * log2(p) }.reduce(0, +)
        #expect(abs(e.report.headline.value - expected) < 1e-12)
        #expect(e.report.alertable)
    }
}
