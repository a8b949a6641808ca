import Foundation
import Testing
import ShannonStats
@testable import ShannonCore

@Suite struct JSDivergenceStageTests {
    /// A js_divergence reference read from a file is tokenised like the records: a window with
    /// the reference's own text is at JS 0; a window of other words is far from it.
    @Test func jsDivergenceAgainstAReferenceFile() throws {
        let dir = NSTemporaryDirectory() + "shannon-ref-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let texts = ["The cat, the CAT!", "a dog; a Dog", "the bird"]
        let csv = "id,text\n" + texts.enumerated().map { "\($0),\"\($1)\"" }.joined(separator: "\n") + "\n"
        try csv.write(toFile: dir + "/ref.csv", atomically: true, encoding: .utf8)
        let yaml = """
        version: 1
        name: jsref
        source: { topics: [t] }
        decode:
          fields:
            text: { path: text, type: tokens, tokenizer: words }
        stages:
          - id: js
            type: js_divergence
            input: text
            window: { type: count, size: 3 }
            params: { reference: { file: ref.csv, field: text } }
        """
        let plan = try PipelinePlan(spec: PipelineLoader.parse(yaml: yaml, baseDirectory: dir))
        let decoder = try #require(RecordDecoder(spec: plan.spec.decode))
        let state = plan.makePartition(topic: "t", partition: 0, nextOffset: 0)
        var emissions: [StageEmission] = []
        let stream = texts.map { #"{"text":"\#($0)"}"# } + ["zebra yak", "quokka", "zebra"].map { #"{"text":"\#($0)"}"# }
        for (i, r) in stream.enumerated() {
            #expect(decoder.decode(r) == .ok)
            for s in state.stages {
                _ = s.process(decoder, at: RecordPosition(topic: "t", partition: 0, offset: Int64(i)), now: 0, emissions: &emissions)
            }
        }
        let js = emissions.map { $0.report.headline.value }
        #expect(js.count == 2)
        #expect(abs(js[0]) < 1e-12, "the reference's own text: JS \(js[0])")
        #expect(abs(js[1] - 1) < 1e-12, "disjoint words: JS \(js[1]) bits")
    }
}
