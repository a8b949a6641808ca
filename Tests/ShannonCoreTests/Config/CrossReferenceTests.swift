import Testing
@testable import ShannonCore

/// Checks that need more than one part of the file: stage ↔ field types, per-type keys, alert
/// rules against what a stage computes.
@Suite("Cross-reference checks")
struct CrossReferenceTests {
    static let header = """
        version: 1
        name: xref
        source: { topics: [t], start: { timestamp: 1764400000000 } }
        decode:
          fields:
            x: { path: x, type: number }
            y: { path: y, type: label, bad_values: ["bad"] }
            g: { path: g, type: category }
            t: { path: t, type: tokens, tokenizer: chars }
            v: { path: v, type: vector, dim: 4 }
        stages:

        """

    static func errors(_ stage: String) -> [PipelineError] {
        do {
            _ = try PipelineLoader.parse(yaml: header + stage)
            return []
        } catch {
            return error.errors
        }
    }

    @Test(arguments: [
        // (stage, line, column, fragment); the stage text starts on line 12.
        ("  - { id: a, type: iv, input: x, params: { edges: [0] } }", 12, 5, "missing required field `label`"),
        ("  - { id: a, type: iv, input: x, label: g, params: { edges: [0] } }", 12, 41, "field `g` is of type category"),
        ("  - { id: a, type: iv, input: x, label: y }", 12, 5, "an iv stage needs `edges` or `reference`"),
        ("  - { id: a, type: psi, input: x, label: y, params: { reference: { edges: [0] } } }", 12, 35,
         "`label` is only used by iv stages"),
        ("  - { id: a, type: group_divergence, input: x, group: g, params: { reference: { edges: [0] } } }", 12, 66,
         "missing required field `groups`"),
        ("  - { id: a, type: group_divergence, input: x, group: g, params: { groups: [m], reference: { edges: [0] } } }", 12, 76,
         "`groups` must name two different groups"),
        ("  - { id: a, type: group_divergence, input: x, group: g, params: { groups: [m, n] } }", 12, 66,
         "needs `reference`"),
        ("  - { id: a, type: entropy, input: t, key_by: x }", 12, 47, "field `x` is of type number"),
        ("  - { id: a, type: entropy, input: t, key_by: gg }", 12, 47, "unknown field `gg`"),
        ("  - { id: a, type: entropy, input: t, alert: { when: significance } }", 12, 54,
         "needs a p-value, which entropy stages do not compute"),
        ("  - { id: a, type: boundary, input: v, params: { n_min: 20, k_max: 10 } }", 12, 68, "`k_max` (10) must be ≥ `n_min` (20)"),
        ("  - { id: a, type: boundary, input: t }", 12, 37, "field `t` is of type tokens"),
        ("  - { id: a, type: js_divergence, input: t, window: { type: time, size: 0s } }", 12, 73, "positive duration"),
        ("  - { id: a, type: psi, input: x, params: { reference: { histogram: { edges: [0, 1], counts: [1, 2] } } } }",
         12, 94, "`counts` must have one more entry than `edges`"),
        ("  - { id: a, type: psi, input: x, params: { reference: { edges: [0], file: f.csv, field: x } } }", 12, 56,
         "must use one form"),
        ("  - { id: A!, type: entropy, input: t }", 12, 11, "must match [a-z0-9_-]+"),
    ])
    func rejected(_ c: (String, Int, Int, String)) {
        let errors = Self.errors(c.0)
        #expect(errors.count == 1, "\(errors)")
        #expect(errors.first?.line == c.1, "\(errors)")
        #expect(errors.first?.column == c.2, "\(errors)")
        #expect(errors.first?.message.contains(c.3) == true, "\(errors)")
    }

    @Test func acceptedVariants() throws {
        let spec = try PipelineLoader.parse(yaml: Self.header + """
              - { id: a, type: entropy, input: g, key_by: record_key, window: { type: time, size: 1.5h } }
              - { id: b, type: js_divergence, input: t, key_by: g, window: { type: count, size: 10, hop: 10 } }
              - { id: c, type: iv, input: x, label: y, params: { edges: [0.2, 0.4] } }
              - { id: d, type: boundary, input: v, alert: { when: zscore, direction: both } }
            """)
        #expect(spec.source.start == .timestamp(1_764_400_000_000))
        #expect(spec.stages[0].keyBy == .recordKey)
        #expect(spec.stages[0].window == .eventTimeTumbling(sizeMs: 5_400_000, allowedLatenessMs: 0))
        #expect(spec.stages[1].keyBy == .field("g"))
        #expect(spec.stages[1].window == .countTumbling(size: 10), "hop = size is tumbling")
        guard case .iv(let iv) = spec.stages[2].params else { Issue.record("not iv"); return }
        #expect(iv.bins == 3 && iv.edges == [0.2, 0.4])
        #expect(spec.stages[3].alert?.metric == "z")
        #expect(spec.stages[3].alert?.threshold == BoundaryParams().tau, "boundary threshold defaults to tau")
        #expect(spec.field(named: "y")?.badValues == [.string("bad")])
        #expect(spec.field(named: "y")?.goodValues == nil)
    }
}
