import Foundation
import Testing
import ShannonTestSupport
@testable import ShannonCore

/// `for`, `keep_firing_for` and `labels` as a pipeline file writes them: parsed, checked,
/// and carried through the engine into schema-valid alerts.
@Suite struct AlertConventionPipelineTests {
    /// A PSI stage over 10-record windows against an even two-bin reference: a window of low
    /// values drifts (PSI ≫ 0.25), a balanced one does not.
    static func yaml(alert: String) -> String {
        """
        version: 1
        name: conventions
        source: { topics: [t] }
        decode:
          fields:
            x: { path: x, type: number }
        stages:
          - id: drift
            type: psi
            input: x
            window: { type: count, size: 10 }
            params:
              reference: { histogram: { edges: [0.5], counts: [50, 50] } }
            alert:
              when: threshold
              threshold: 0.25
        \(alert.split(separator: "\n").map { "      " + $0 }.joined(separator: "\n"))
        """
    }

    static func driver(_ alert: String) throws -> PipelineDriver {
        try PipelineDriver(plan: try PipelinePlan(spec: try PipelineLoader.parse(yaml: yaml(alert: alert))))
    }

    /// Feeds windows: true = a drifted window, false = a balanced one.
    static func feed(_ d: PipelineDriver, _ windows: [Bool]) {
        for drifted in windows {
            for i in 0..<10 { d.send(json: #"{"x": \#(drifted || i % 2 == 0 ? 0.1 : 0.9)}"#) }
        }
    }

    @Test func forAndKeepFiringForShapeTheAlertsOfAPipeline() throws {
        let pattern = [true, true, false, true, true, true, false, true, false, false, false]
        let plain = try Self.driver("")
        Self.feed(plain, pattern)
        #expect(plain.alerts.map(\.state) == [.firing, .resolved, .firing, .resolved, .firing, .resolved])

        let d = try Self.driver("for: 1\nkeep_firing_for: 1\nlabels: { team: risk, tier: \"1\" }")
        Self.feed(d, pattern)
        // Window 2 fires (two drifted in a row); the one-window gaps keep it firing; it resolves
        // on the second clear window in a row (window 10).
        #expect(d.alerts.map(\.state) == [.firing, .resolved])
        #expect(d.alerts.map(\.window.startOffset) == [10, 90])
        #expect(d.alerts.allSatisfy { $0.labels == ["team": "risk", "tier": "1"] })
        #expect(Set(d.alerts.map(\.fingerprint)).count == 1)

        let schema = SchemaChecker(root: try SchemaJSON.parse(yaml: String(contentsOf: RepoPaths.schemas
            .appendingPathComponent("alert.schema.json"), encoding: .utf8)))
        for record in d.outbound where record.kind != .window(stage: 0) {
            let errors = schema.validate(try SchemaJSON.parse(yaml: String(decoding: record.value, as: UTF8.self)))
            #expect(errors == [])
        }
        // The pipeline schema accepts the new keys, and refuses a label that is not a string.
        let pipelineSchema = SchemaChecker(root: try SchemaJSON.parse(yaml: String(contentsOf: RepoPaths.schemas
            .appendingPathComponent("pipeline.schema.json"), encoding: .utf8)))
        #expect(pipelineSchema.validate(try SchemaJSON.parse(yaml: Self.yaml(alert: "for: 1\nkeep_firing_for: 1\nlabels: { team: risk }"))) == [])
        #expect(!pipelineSchema.validate(try SchemaJSON.parse(yaml: Self.yaml(alert: "labels: { team: [a] }"))).isEmpty)
        #expect(!pipelineSchema.validate(try SchemaJSON.parse(yaml: Self.yaml(alert: "for: -1"))).isEmpty)
    }

    @Test func mistakesAreReportedAtTheirKey() throws {
        func errors(_ alert: String) -> [String] {
            do {
                _ = try PipelineLoader.parse(yaml: Self.yaml(alert: alert), file: "m.yaml")
                return []
            } catch {
                return error.errors.map(\.description)
            }
        }
        #expect(errors("for: -1") == ["m.yaml:17:12: error: `for` must be ≥ 0, found -1"])
        #expect(errors("keep_firing_for: 1.5").first?.hasPrefix("m.yaml:17:24: error: `keep_firing_for`: expected an integer") == true)
        #expect(errors("labels: { key: x }").first?.hasPrefix("m.yaml:17:17: error: label `key` is reserved") == true)
        #expect(errors("labels: { 2team: x }").first?.hasPrefix("m.yaml:17:17: error: `2team` is not a label name") == true)
        #expect(errors("labels: [a]").first?.contains("`labels` must be a mapping") == true)
        #expect(errors("fore: 1").first?.contains("did you mean `for`?") == true)
    }

    @Test func boundaryStagesRefuseForAndKeepFiringFor() throws {
        let text = try String(contentsOf: RepoPaths.pipelines.appendingPathComponent("video-boundaries.yaml"), encoding: .utf8)
        let withFor = text.replacingOccurrences(of: "      resolve: false", with: "      resolve: false\n      for: 2")
        #expect(withFor != text)
        #expect(throws: PipelineErrors.self) { try PipelineLoader.parse(yaml: withFor) }
        let withZero = text.replacingOccurrences(of: "      resolve: false", with: "      resolve: false\n      for: 0\n      labels: { team: vision }")
        let spec = try PipelineLoader.parse(yaml: withZero)
        #expect(spec.stages[0].alert?.labels == ["team": "vision"])
    }
}
