import Foundation
import Testing
@testable import ShannonCore

@Suite("Pipeline loader")
struct PipelineLoaderTests {
    @Test func everyExamplePipelineLoads() throws {
        let files = try RepoPaths.pipelineFiles()
        #expect(files.count >= 3)
        for file in files {
            let spec = try PipelineLoader.load(path: file.path, environment: [:])
            #expect(!spec.stages.isEmpty, "\(file.lastPathComponent)")
            #expect(spec.sinks.alerts.topic == "shannon-alerts")
            #expect(spec.sinks.deadLetter?.topic == "shannon-dead-letter")
            #expect(spec.source.properties.first { $0.key == "bootstrap.servers" }?.value == "localhost:9092")
        }
    }

    @Test func creditPipelineIsReadAsWritten() throws {
        let path = RepoPaths.pipelines.appendingPathComponent("credit-psi.yaml").path
        let spec = try PipelineLoader.load(path: path, environment: ["KAFKA_BOOTSTRAP": "broker:29092"])
        #expect(spec.name == "credit-psi")
        #expect(spec.source.topics == ["credit-scores"])
        #expect(spec.source.start == .earliest)
        #expect(spec.source.properties.first?.value == "broker:29092")
        #expect(spec.decode.keyPath == "applicant_id")
        #expect(spec.decode.maxRecordBytes == 65536)
        #expect(spec.decode.fields.map(\.name) == ["score", "bad", "age", "segment"])
        #expect(spec.field(named: "bad")?.badValues == [.number(1), .bool(true), .string("bad")])
        #expect(spec.field(named: "segment")?.optional == true)
        #expect(spec.stages.map(\.type) == [.psi, .iv, .groupDivergence])
        #expect(spec.stages[1].window == .countSliding(size: 20000, hop: 5000))
        #expect(spec.stages[1].label == "bad")
        #expect(spec.stages[1].alert?.direction == .below)
        #expect(spec.stages[2].keyBy == .partition)
        guard case .psi(let psi) = spec.stages[0].params,
              case .file(let written, let resolved, let field) = psi.reference else {
            Issue.record("score-psi should be a psi stage with a file reference")
            return
        }
        #expect(written == "data/credit-reference.csv")
        #expect(field == "score")
        #expect(FileManager.default.fileExists(atPath: resolved), "relative to the pipeline file")
        #expect(spec.stages[0].alert?.severity.map(\.level) == ["warning", "critical"])
        #expect(spec.checkpoint.everyRecords == 100_000)
    }

    @Test func otherExamplesAreReadAsWritten() throws {
        let video = try PipelineLoader.load(
            path: RepoPaths.pipelines.appendingPathComponent("video-boundaries.yaml").path, environment: [:])
        #expect(video.field(named: "features")?.dim == 128)
        #expect(video.stages[0].keyBy == .field("camera"))
        guard case .boundary(let b) = video.stages[0].params else { Issue.record("not boundary"); return }
        #expect(b.anticipator == .ewma && b.tau == 4.0 && b.nMin == 10)

        let llm = try PipelineLoader.load(
            path: RepoPaths.pipelines.appendingPathComponent("llm-token-entropy.yaml").path, environment: [:])
        #expect(llm.field(named: "tokens")?.tokenizer == .words)
        #expect(llm.stages[0].alert?.when == .zscore)
        #expect(llm.stages[0].alert?.direction == .both)
        #expect(llm.stages[2].window == .eventTimeTumbling(sizeMs: 300_000, allowedLatenessMs: 30_000))
        guard case .jsDivergence(let js) = llm.stages[1].params else { Issue.record("not js"); return }
        #expect(js.reference == .firstWindow)
    }

    @Test func defaultsApplyWhenOmitted() throws {
        let spec = try PipelineLoader.parse(yaml: """
            version: 1
            name: tiny
            source: { topics: [t] }
            decode: { fields: { x: { path: x, type: number } } }
            stages: [{ id: s, type: psi, input: x, params: { reference: { edges: [0] } } }]
            """)
        #expect(spec.source.groupID == "shannon-tiny")
        #expect(spec.source.start == .committed)
        #expect(spec.decode.maxRecordBytes == 1 << 20)
        #expect(spec.stages[0].window == .countTumbling(size: 10_000))
        #expect(spec.stages[0].keyBy == .partition)
        #expect(spec.stages[0].alert == nil)
        #expect(spec.checkpoint == CheckpointSpec())
        guard case .psi(let p) = spec.stages[0].params else { Issue.record("not psi"); return }
        #expect(p.bins == 2, "one edge makes two bins")
        #expect(p.smoothing == 0.5 && !p.fixedReference && !p.missingBin && p.confidence == 0.95)
    }

    /// One mistake per file; each must be reported at the offending key or value.
    static let brokenCases: [(file: String, line: Int, column: Int, fragment: String)] = [
        ("typo-key", 16, 5, "unknown key `windw`"),
        ("wrong-type", 19, 13, "expected an integer, found a string"),
        ("quoted-number", 22, 18, "expected a number, found a string"),
        ("missing-input", 13, 5, "missing required field `input`"),
        ("bad-enum", 14, 11, "`psy` is not one of the allowed values"),
        ("unknown-field-ref", 15, 12, "unknown field `scores`"),
        ("duplicate-id", 23, 9, "duplicate stage id `score-psi`"),
        ("hop-exceeds-size", 16, 45, "must not exceed the window `size`"),
        ("yaml-syntax", 16, 11, "YAML syntax error"),
        ("unset-env", 6, 24, "`KAFKA_BOOTSTRAP` is not set"),
        ("vector-dim", 12, 47, "`dim` must be > 0"),
        ("bins-too-few", 19, 13, "`bins` must be ≥ 2"),
        ("wrong-input-type", 15, 12, "field `age` is of type category"),
        ("bad-duration", 16, 33, "is not a duration"),
        ("unknown-param", 19, 7, "unknown key `bin` in psi params"),
        ("missing-reference", 18, 7, "missing required field `reference`"),
        ("edges-not-increasing", 18, 27, "strictly increasing"),
        ("bad-window-type", 16, 21, "`counted` is not one of the allowed values"),
        ("duplicate-key", 20, 7, "duplicate key `bins`"),
        ("bad-metric", 22, 15, "`psii` is not a metric"),
        ("bins-disagree-with-edges", 19, 13, "`bins` (12) disagrees with the 9 edges"),
        ("reference-column", 18, 42, "has no column `scores`"),
        ("reference-missing-file", 18, 26, "reference file `data/nope.csv` not found"),
    ]

    static let hints: [String: String] = [
        "typo-key": "did you mean `window`?",
        "bad-enum": "allowed: psi, iv, group_divergence, entropy, js_divergence, boundary",
        "unknown-field-ref": "declared fields: score, bad, age",
        "unknown-param": "did you mean `bins`?",
        "bad-window-type": "did you mean `count`?",
        "reference-column": "did you mean `score`? columns: id, score",
    ]

    @Test(arguments: brokenCases.map(\.file))
    func brokenFileIsRejectedAtTheMistake(_ name: String) throws {
        let expected = try #require(Self.brokenCases.first { $0.file == name })
        let path = RepoPaths.fixture("broken/\(name).yaml").path
        do {
            _ = try PipelineLoader.load(path: path, environment: [:])
            Issue.record("\(name) was accepted")
        } catch {
            #expect(error.errors.count == 1, "\(error)")
            let first = try #require(error.errors.first)
            #expect(first.line == expected.line, "\(first)")
            #expect(first.column == expected.column, "\(first)")
            #expect(first.message.contains(expected.fragment), "\(first)")
            #expect(first.description.hasPrefix("\(path):\(expected.line):\(expected.column): error: "))
            if let hint = Self.hints[name] {
                #expect(first.hint?.contains(hint) == true, "\(first)")
            }
        }
    }

    @Test func theValidTwinOfTheBrokenFilesLoads() throws {
        let spec = try PipelineLoader.load(path: RepoPaths.fixture("valid-minimal.yaml").path, environment: [:])
        #expect(spec.stages.count == 1)
    }

    @Test func everyErrorOfAFileIsReported() {
        let yaml = """
            version: 1
            name: Bad_Name
            source: { topics: [t], start: earlist }
            decode:
              fields:
                x: { path: x, type: number }
            stages:
              - id: a
                type: psi
                input: y
                params: { bins: 1, reference: { edges: [0] } }
            """
        do {
            _ = try PipelineLoader.parse(yaml: yaml, file: "m.yaml")
            Issue.record("accepted")
        } catch {
            let positions = error.errors.map { "\($0.line):\($0.column)" }
            #expect(positions == ["2:7", "3:31", "10:12", "11:21"], "\(error)")
        }
    }
}
