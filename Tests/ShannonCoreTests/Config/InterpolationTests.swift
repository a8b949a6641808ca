import Testing
@testable import ShannonCore

@Suite("Environment interpolation")
struct InterpolationTests {
    @Test func substitutesSetVariables() {
        #expect(Interpolation.apply("${A}:${B}", environment: ["A": "x", "B": "9"]) == .success("x:9"))
        #expect(Interpolation.apply("pre-${A}-post", environment: ["A": "mid"]) == .success("pre-mid-post"))
        #expect(Interpolation.apply("no refs $ here", environment: [:]) == .success("no refs $ here"))
    }

    @Test func defaultsApplyWhenUnsetOrEmpty() {
        #expect(Interpolation.apply("${H:-localhost:9092}", environment: [:]) == .success("localhost:9092"))
        #expect(Interpolation.apply("${H:-d}", environment: ["H": ""]) == .success("d"))
        #expect(Interpolation.apply("${H:-d}", environment: ["H": "set"]) == .success("set"))
        #expect(Interpolation.apply("${H:-}", environment: [:]) == .success(""))
    }

    @Test func escapesAndErrors() {
        #expect(Interpolation.apply("$${A}", environment: ["A": "x"]) == .success("${A}"))
        #expect(Interpolation.apply("ab${MISSING}", environment: [:]) == .failure(.unset(name: "MISSING", offset: 2)))
        #expect(Interpolation.apply("${unclosed", environment: [:]) == .failure(.malformed(offset: 0)))
        #expect(Interpolation.apply("${1BAD}", environment: [:]) == .failure(.malformed(offset: 0)))
    }

    @Test func numbersMayComeFromTheEnvironment() throws {
        let yaml = """
            version: 1
            name: env
            source: { topics: ["${TOPIC}"] }
            decode:
              max_record_bytes: ${MAXB:-4096}
              fields: { x: { path: x, type: number } }
            stages:
              - id: s
                type: psi
                input: x
                window: { type: count, size: "${SIZE:-100}" }
                params: { reference: { edges: [0] } }
            """
        let a = try PipelineLoader.parse(yaml: yaml, environment: ["TOPIC": "in"])
        #expect(a.source.topics == ["in"])
        #expect(a.stages[0].window == .countTumbling(size: 100))
        let b = try PipelineLoader.parse(yaml: yaml, environment: ["TOPIC": "in", "SIZE": "250"])
        #expect(b.stages[0].window == .countTumbling(size: 250))
        #expect(a.decode.maxRecordBytes == 4096)
        let c = try PipelineLoader.parse(yaml: yaml, environment: ["TOPIC": "in", "MAXB": "65536"])
        #expect(c.decode.maxRecordBytes == 65536)
    }

    @Test func unsetVariableInsideQuotesPointsAtTheReference() {
        let yaml = "version: 1\nname: e\nsource: { topics: [\"x-${NOPE}\"] }\n"
        do {
            _ = try PipelineLoader.parse(yaml: yaml)
            Issue.record("accepted")
        } catch {
            let e = error.errors.first { $0.message.contains("NOPE") }
            #expect(e?.line == 3)
            #expect(e?.column == 23) // the `$` after the opening quote and `x-`
        }
    }
}
