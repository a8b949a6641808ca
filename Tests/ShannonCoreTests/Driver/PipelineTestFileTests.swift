import Foundation
import Testing
import ShannonTestSupport
@testable import ShannonCore

/// The `shannon test` format: its schema, its loader's errors, and the runner's verdicts.
@Suite struct PipelineTestFileTests {
    static func schema() throws -> SchemaChecker {
        SchemaChecker(root: try SchemaJSON.parse(yaml: String(contentsOf: RepoPaths.schemas
            .appendingPathComponent("pipeline-test.schema.json"), encoding: .utf8)))
    }

    @Test func exampleTestFilesMatchTheSchemaAndLoad() throws {
        let files = try RepoPaths.pipelineTestFiles()
        #expect(files.map(\.lastPathComponent) == ["credit-psi.test.yaml", "llm-token-entropy.test.yaml", "video-boundaries.test.yaml"])
        let checker = try Self.schema()
        for f in files {
            #expect(checker.validate(try SchemaJSON.parse(yaml: String(contentsOf: f, encoding: .utf8))) == [], "\(f.lastPathComponent)")
            let t = try PipelineTestLoader.load(path: f.path)
            #expect(!t.tests.isEmpty && FileManager.default.fileExists(atPath: t.pipeline))
        }
    }

    /// A deliberately wrong expectation fails, and says what was expected and what came out.
    @Test func aWrongExpectationFailsWithADiff() throws {
        let dir = RepoPaths.pipelines.path
        let yaml = """
        pipeline: credit-psi.yaml
        tests:
          - name: wrong
            inputs:
              - generate: { stream: credit-scores, records: 12000, shift_at: 12000 }
              - records:
                  - text: 'not json'
            expect:
              alerts:
                - { stage: score-psi, state: firing }
              windows:
                - { stage: score-psi, count: 3, at: 0, figures: { psi: { approx: 0.5, tolerance: 0.01 } } }
              dead_letters: { malformed_json: 2 }
        """
        let file = try PipelineTestLoader.parse(yaml: yaml, file: "\(dir)/wrong.test.yaml", baseDirectory: dir)
        let plan = try PipelinePlan(spec: try PipelineLoader.load(path: file.pipeline, environment: [:]))
        let outcome = try PipelineTestRunner.run(file.tests[0], plan: plan, file: file)
        #expect(!outcome.passed)
        let text = outcome.failures.map(\.description).joined(separator: "\n")
        #expect(text.contains("wrong.test.yaml:10:"), "\(text)")
        #expect(text.contains("expected: at least 1 alert"), "\(text)")
        #expect(text.contains("got: 0"), "\(text)")
        #expect(text.contains("windows of stage score-psi: expected 3, got 2"), "\(text)")
        #expect(text.contains("window 0 @0 psi: expected 0.5 ± 0.01, got 0.00"), "\(text)")
        #expect(text.contains(#/malformed_json +2 +16/#), "\(text)")
    }

    @Test func mistakesInATestFileAreReportedAtTheirPlace() {
        let yaml = """
        pipeline: credit-psi.yaml
        tests:
          - name: t
            inputs:
              - generate: { stream: credit-score, records: 10 }
              - records: [{ value: {a: 1}, text: "x" }]
            expect:
              alerts: [{ key: x, valu: 1 }]
              windows: [{ stage: s, at: 1, range: [0, 1], figures: { psi: { approx: 1, min: 0 } } }]
              dead_letters: { bad_jsn: 1 }
        """
        do {
            _ = try PipelineTestLoader.parse(yaml: yaml, file: "t.test.yaml", baseDirectory: RepoPaths.pipelines.path)
            Issue.record("a broken test file loaded")
        } catch {
            let text = error.description
            #expect(text.contains("t.test.yaml:5:29: error: `stream`: `credit-score` is not a generated stream"), "\(text)")
            #expect(text.contains("t.test.yaml:6:19: error: a record has `value`"), "\(text)")
            #expect(text.contains("t.test.yaml:8:26: error: unknown key `valu`"), "\(text)")
            #expect(text.contains("did you mean `value`?"), "\(text)")
            #expect(text.contains("t.test.yaml:8:16: error: missing required field `stage`"), "\(text)")
            #expect(text.contains("give `at` or `range`, not both"), "\(text)")
            #expect(text.contains("give `approx` (and `tolerance`) or `min`/`max`, not both"), "\(text)")
            #expect(text.contains("t.test.yaml:10:23: error: `bad_jsn` is not a dead-letter reason"), "\(text)")
        }
    }
}
