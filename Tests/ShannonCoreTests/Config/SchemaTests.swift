import Foundation
import Testing

@Suite("JSON schemas")
struct SchemaTests {
    static func schema(_ name: String) throws -> SchemaChecker {
        let text = try String(contentsOf: RepoPaths.schemas.appendingPathComponent(name), encoding: .utf8)
        return SchemaChecker(root: try SchemaJSON.parse(yaml: text))
    }

    static func document(_ url: URL) throws -> SchemaJSON {
        try SchemaJSON.parse(yaml: try String(contentsOf: url, encoding: .utf8))
    }

    @Test func examplePipelinesAreValidAgainstTheSchema() throws {
        let checker = try Self.schema("pipeline.schema.json")
        for file in try RepoPaths.pipelineFiles() + [RepoPaths.fixture("valid-minimal.yaml")] {
            #expect(checker.validate(try Self.document(file)) == [], "\(file.lastPathComponent)")
        }
    }

    /// Mistakes a schema can see (shape, types, enums, names) are rejected by editors too.
    @Test(arguments: ["typo-key", "wrong-type", "quoted-number", "missing-input", "bad-enum", "unknown-param",
                      "bad-window-type", "bins-too-few", "vector-dim", "bad-duration", "missing-reference"])
    func brokenFilesAreInvalidAgainstTheSchema(_ name: String) throws {
        let checker = try Self.schema("pipeline.schema.json")
        let errors = checker.validate(try Self.document(RepoPaths.fixture("broken/\(name).yaml")))
        #expect(!errors.isEmpty)
        #expect(!errors.contains { $0.contains("unsupported keyword") }, "\(errors)")
    }

    /// Cross-references are beyond a schema: these files are schema-valid, and only
    /// `shannon validate` rejects them (a checker that rejected everything would fail here).
    @Test(arguments: ["duplicate-id", "edges-not-increasing", "hop-exceeds-size", "unknown-field-ref",
                      "wrong-input-type", "bins-disagree-with-edges", "bad-metric", "unset-env", "reference-column"])
    func crossReferenceMistakesPassTheSchema(_ name: String) throws {
        let checker = try Self.schema("pipeline.schema.json")
        #expect(checker.validate(try Self.document(RepoPaths.fixture("broken/\(name).yaml"))) == [])
    }

    @Test func checkerHandlesEachKeyword() throws {
        let checker = SchemaChecker(root: try SchemaJSON.parse(yaml: """
            {"type": "object", "required": ["a"], "additionalProperties": false,
             "properties": {
               "a": {"$ref": "#/$defs/small"},
               "b": {"oneOf": [{"type": "integer"}, {"type": "number", "minimum": 0}]},
               "c": {"anyOf": [{"type": "string", "pattern": "^x+$"}, {"enum": [1, 2]}]},
               "d": {"type": "array", "items": {"type": "boolean"}, "minItems": 1, "maxItems": 2}},
             "$defs": {"small": {"type": "number", "exclusiveMinimum": 0, "maximum": 10}}}
            """))
        #expect(checker.validate(try SchemaJSON.parse(yaml: #"{"a": 5, "b": -3, "c": "xx", "d": [true]}"#)) == [])
        let bad: [String] = [
            #"{"b": 1}"#,                     // missing a
            #"{"a": 0}"#,                     // exclusiveMinimum via $ref
            #"{"a": 11}"#,                    // maximum
            #"{"a": "5"}"#,                   // type
            #"{"a": 1, "z": 1}"#,             // additionalProperties
            #"{"a": 1, "b": 2}"#,             // oneOf: integer and number ≥ 0 both match
            #"{"a": 1, "c": "xy"}"#,          // anyOf: neither pattern nor enum
            #"{"a": 1, "d": []}"#,            // minItems
            #"{"a": 1, "d": [true, 1]}"#,     // items type
            #"{"a": 1, "d": [true, true, false]}"#, // maxItems
        ]
        for doc in bad {
            #expect(!checker.validate(try SchemaJSON.parse(yaml: doc)).isEmpty, "\(doc)")
        }
        let unsupported = SchemaChecker(root: try SchemaJSON.parse(yaml: #"{"if": {"type": "string"}}"#))
        #expect(unsupported.validate(.null) == [": unsupported keyword if"])
    }

    @Test func exampleDocumentsMatchTheirSchemas() throws {
        let pairs = [("alert.schema.json", "alert-psi.json"), ("alert.schema.json", "alert-boundary.json"),
                     ("dead-letter.schema.json", "dead-letter.json"),
                     ("credit-score-event.schema.json", "credit-score-event.json"),
                     ("feature-vector-event.schema.json", "feature-vector-event.json"),
                     ("token-log-event.schema.json", "token-log-event.json")]
        for (schema, example) in pairs {
            let errors = try Self.schema(schema).validate(try Self.document(RepoPaths.fixture("examples/\(example)")))
            #expect(errors == [], "\(example)")
        }
        // And the alert schema refuses an alert with a missing figure or a bad state.
        let alert = try Self.schema("alert.schema.json")
        let text = try String(contentsOf: RepoPaths.fixture("examples/alert-psi.json"), encoding: .utf8)
        #expect(!alert.validate(try SchemaJSON.parse(yaml: text.replacingOccurrences(of: "\"firing\"", with: "\"on\""))).isEmpty)
        #expect(!alert.validate(try SchemaJSON.parse(yaml: text.replacingOccurrences(of: "\"se\":", with: "\"stderr\":"))).isEmpty)
    }
}
