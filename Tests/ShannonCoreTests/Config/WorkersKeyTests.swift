import Testing
@testable import ShannonCore

/// The top-level `workers:` key: read as written, absent means the daemon's default, and a bad
/// value is an error at its own line and column like every other key.
@Suite("Pipeline `workers:` key")
struct WorkersKeyTests {
    static func yaml(_ workers: String?) -> String {
        """
        version: 1
        name: w
        source: { topics: [t] }
        decode:
          fields:
            x: { path: x, type: number }
        stages:
          - { id: a, type: psi, input: x, window: { type: count, size: 10 }, params: { reference: { histogram: { edges: [0.5], counts: [1, 1] } } } }

        """ + (workers.map { "workers: \($0)\n" } ?? "")
    }

    @Test func readAsWrittenAndAbsentByDefault() throws {
        #expect(try PipelineLoader.parse(yaml: Self.yaml("3")).workers == 3)
        #expect(try PipelineLoader.parse(yaml: Self.yaml(nil)).workers == nil)
    }

    @Test(arguments: [
        ("0", "`workers` must be ≥ 1, found 0"),
        ("65", "`workers` must be ≤ 64, found 65"),
        ("2.5", "`workers`: expected an integer"),
        ("two", "`workers`"),
    ])
    func badValuesAreErrorsAtTheirPosition(_ c: (String, String)) {
        do {
            _ = try PipelineLoader.parse(yaml: Self.yaml(c.0))
            Issue.record("workers: \(c.0) was accepted")
        } catch {
            #expect(error.errors.count == 1, "\(error)")
            #expect(error.errors.first?.line == 9, "\(error)")
            #expect(error.errors.first?.column == 10, "\(error)")
            #expect(error.errors.first?.message.contains(c.1) == true, "\(error)")
        }
    }

    @Test func workersAreNotPartOfTheStageFingerprints() throws {
        let one = try PipelinePlan(spec: PipelineLoader.parse(yaml: Self.yaml("1")))
        let four = try PipelinePlan(spec: PipelineLoader.parse(yaml: Self.yaml("4")))
        #expect(one.fingerprints == four.fingerprints, "state written by one worker is restored by any")
    }
}
