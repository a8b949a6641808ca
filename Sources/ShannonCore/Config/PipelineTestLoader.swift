import Foundation
import Yams

/// Reads and validates pipeline test files with the pipeline loader's reader, so a mistake is
/// reported at its line and column with a hint, and every mistake of a file at once.
public enum PipelineTestLoader {
    static let topKeys = ["pipeline", "environment", "tests"]
    static let testKeys = ["name", "inputs", "expect"]
    static let inputKeys = ["records", "file", "generate", "topic", "partition"]
    static let recordKeys = ["value", "text", "key", "topic", "partition", "offset", "timestamp"]
    static let expectKeys = ["alerts", "no_other_alerts", "windows", "dead_letters"]
    static let alertKeys = ["stage", "key", "state", "severity", "metric", "rule", "count", "labels", "tolerance",
                            "window"] + AlertExpectation.numberFields.filter { !$0.hasPrefix("window.") }
    static let windowKeys = ["stage", "key", "count", "at", "range", "figures", "tolerance"]

    public static func load(path: String) throws(PipelineErrors) -> PipelineTestFile {
        let (text, base) = try YAMLSource.read(path)
        return try parse(yaml: text, file: path, baseDirectory: base)
    }

    public static func parse(yaml: String, file: String = "<memory>", baseDirectory: String = ".")
        throws(PipelineErrors) -> PipelineTestFile {
        let root = try YAMLSource.compose(yaml, file: file, emptyHint: "see pipelines/*.test.yaml for examples")
        // No environment: `${VAR}` with no default is an error, so a test never depends on the machine.
        let reader = NodeReader(file: file, environment: [:])
        let result = Builder(reader: reader, base: baseDirectory).file(root, file: file)
        if let result, reader.errors.isEmpty { return result }
        throw PipelineErrors(reader.errors)
    }

    static func resolve(_ path: String, against base: String) -> String {
        path.hasPrefix("/") ? path : (base as NSString).appendingPathComponent(path)
    }

    struct Builder {
        let reader: NodeReader
        let base: String

        func file(_ node: Node, file: String) -> PipelineTestFile? {
            guard let entries = reader.mapping(node, "the test file") else { return nil }
            let keys = reader.checkKeys(entries, allowed: topKeys, in: "a test file")
            let pipelineNode = reader.require("pipeline", in: keys, at: node, "a test file")
            let pipeline = pipelineNode.flatMap { reader.string($0, "pipeline") }
            var environment: [String: String] = [:]
            if let e = keys["environment"]?.value, let items = reader.mapping(e, "environment") {
                for item in items { if let v = reader.string(item.value, "environment.\(item.key)") { environment[item.key] = v } }
            }
            var tests: [PipelineTestCase] = []
            if let t = reader.require("tests", in: keys, at: node, "a test file"), let items = reader.list(t, "tests") {
                if items.isEmpty { reader.error(t.mark, "`tests` must list at least one test") }
                var names: Set<String> = []
                for item in items {
                    guard let test = self.test(item) else { continue }
                    if !names.insert(test.name).inserted { reader.error(item.mark, "two tests are named `\(test.name)`") }
                    tests.append(test)
                }
            }
            guard let pipeline else { return nil }
            if let n = pipelineNode, !FileManager.default.fileExists(atPath: resolve(pipeline, against: base)) {
                reader.error(n.mark, "pipeline file `\(pipeline)` not found (looked at \(resolve(pipeline, against: base)))",
                             hint: "the path is relative to the test file")
            }
            return PipelineTestFile(file: file, pipeline: resolve(pipeline, against: base), pipelineWritten: pipeline,
                                    environment: environment, tests: tests)
        }

        func test(_ node: Node) -> PipelineTestCase? {
            guard let entries = reader.mapping(node, "tests[]") else { return nil }
            let keys = reader.checkKeys(entries, allowed: testKeys, in: "a test")
            let name = reader.require("name", in: keys, at: node, "a test").flatMap { reader.string($0, "name") }
            var inputs: [PipelineTestInput] = []
            if let i = reader.require("inputs", in: keys, at: node, "a test"), let items = reader.list(i, "inputs") {
                if items.isEmpty { reader.error(i.mark, "`inputs` must list at least one input") }
                inputs = items.compactMap(input)
            }
            var expect = PipelineTestExpectations()
            if let e = reader.require("expect", in: keys, at: node, "a test") { expect = expectations(e) ?? expect }
            guard let name else { return nil }
            return PipelineTestCase(name: name, line: node.mark?.line ?? 1, inputs: inputs, expect: expect)
        }

        func partition(_ node: Node?, _ what: String) -> Int32? {
            guard let node, let p = reader.int(node, what, min: 0) else { return nil }
            guard let p32 = Int32(exactly: p) else { reader.error(node.mark, "`\(what)` is out of range"); return nil }
            return p32
        }

        func input(_ node: Node) -> PipelineTestInput? {
            guard let entries = reader.mapping(node, "inputs[]") else { return nil }
            let keys = reader.checkKeys(entries, allowed: inputKeys, in: "an input")
            let sources = ["records", "file", "generate"].filter { keys[$0] != nil }
            guard sources.count == 1 else {
                reader.error(node.mark, sources.isEmpty ? "an input needs `records`, `file` or `generate`"
                                                        : "an input has one of `records`, `file`, `generate`, found \(sources.count)")
                return nil
            }
            let topic = keys["topic"].flatMap { reader.string($0.value, "topic") }
            let part = partition(keys["partition"]?.value, "partition") ?? 0
            if let r = keys["records"]?.value {
                guard let items = reader.list(r, "records") else { return nil }
                let records = items.compactMap { record($0, topic: topic, partition: part) }
                return records.count == items.count ? .records(records) : nil
            }
            if let f = keys["file"]?.value, let path = reader.string(f, "file") {
                let resolved = resolve(path, against: base)
                if !FileManager.default.fileExists(atPath: resolved) {
                    reader.error(f.mark, "input file `\(path)` not found (looked at \(resolved))", hint: "the path is relative to the test file")
                }
                return .file(path: resolved, written: path, topic: topic, partition: part)
            }
            if let g = keys["generate"]?.value, let ge = reader.mapping(g, "generate") {
                let gk = reader.checkKeys(ge, allowed: ["stream"] + Set(PipelineTestInput.streams.values.joined()).sorted(), in: "generate")
                guard let sn = reader.require("stream", in: gk, at: g, "generate"), let stream = reader.string(sn, "stream") else { return nil }
                guard let allowed = PipelineTestInput.streams[stream] else {
                    reader.error(sn.mark, "`stream`: `\(stream)` is not a generated stream",
                                 hint: "allowed: " + PipelineTestInput.streams.keys.sorted().joined(separator: ", "))
                    return nil
                }
                var parameters: [String: Int] = [:]
                for e in ge where e.key != "stream" {
                    if !allowed.contains(e.key) {
                        reader.error(e.keyNode.mark, "`\(e.key)` is not a parameter of \(stream)", hint: "allowed: " + allowed.joined(separator: ", "))
                    } else if let v = reader.int(e.value, e.key, min: 0) {
                        parameters[e.key] = v
                    }
                }
                return .generate(stream: stream, parameters: parameters, partition: part)
            }
            return nil
        }

        func record(_ node: Node, topic: String?, partition part: Int32) -> PipelineTestRecord? {
            guard let entries = reader.mapping(node, "records[]") else { return nil }
            let keys = reader.checkKeys(entries, allowed: recordKeys, in: "a record")
            var bytes: [UInt8]?
            switch (keys["value"], keys["text"]) {
            case let (v?, nil): bytes = json(v.value)
            case let (nil, t?): bytes = reader.string(t.value, "text").map { Array($0.utf8) }
            default:
                reader.error(node.mark, "a record has `value` (JSON written as YAML) or `text` (the bytes verbatim)")
            }
            let key = keys["key"].flatMap { reader.string($0.value, "key") }
            let offset = keys["offset"].flatMap { reader.int($0.value, "offset", min: 0) }.map(Int64.init)
            let timestamp = keys["timestamp"].flatMap { reader.int($0.value, "timestamp") }.map(Int64.init)
            let p = keys["partition"] != nil ? partition(keys["partition"]?.value, "partition") : part
            guard let bytes, let p else { return nil }
            return PipelineTestRecord(value: bytes, key: key, topic: keys["topic"].flatMap { reader.string($0.value, "topic") } ?? topic,
                                      partition: p, offset: offset, timestamp: timestamp)
        }

        /// A YAML value as JSON (plain scalars typed as YAML 1.2 core does, quoted ones strings).
        func json(_ node: Node) -> [UInt8]? {
            var w = JSONWriter()
            guard write(node, &w) else { return nil }
            return w.bytes
        }

        private func write(_ node: Node, _ w: inout JSONWriter) -> Bool {
            switch node {
            case let .mapping(m):
                w.beginObject()
                for (k, v) in m {
                    w.key(k.scalar?.string ?? "")
                    guard write(v, &w) else { return false }
                }
                w.endObject()
            case let .sequence(s):
                w.beginArray()
                for v in s { guard write(v, &w) else { return false } }
                w.endArray()
            case let .scalar(s):
                switch reader.scalarKind(s) {
                case .null: w.null()
                case .bool: w.bool(s.string.lowercased() == "true")
                case .number:
                    let v = NodeReader.parseNumber(s.string)!
                    if v == v.rounded(), abs(v) < 9e15, !s.string.contains(".") { w.number(Int64(v)) } else { w.number(v) }
                case .string: w.string(s.string)
                }
            case .alias:
                reader.error(node.mark, "aliases are not supported in records")
                return false
            }
            return true
        }

        func expectations(_ node: Node) -> PipelineTestExpectations? {
            guard let entries = reader.mapping(node, "expect") else { return nil }
            let keys = reader.checkKeys(entries, allowed: expectKeys, in: "expect")
            var e = PipelineTestExpectations()
            if let a = keys["alerts"]?.value, let items = reader.list(a, "alerts") { e.alerts = items.compactMap(alert) }
            if let n = keys["no_other_alerts"]?.value, let b = reader.bool(n, "no_other_alerts") { e.noOtherAlerts = b }
            if let w = keys["windows"]?.value, let items = reader.list(w, "windows") { e.windows = items.compactMap(window) }
            if let d = keys["dead_letters"] {
                e.deadLettersLine = d.keyNode.mark?.line ?? 0
                if let items = reader.mapping(d.value, "dead_letters") {
                    var counts: [String: Int] = [:]
                    let reasons = DeadLetterReason.allCases.map(\.rawValue)
                    for item in items {
                        if !reasons.contains(item.key) {
                            var hint = "reasons: " + reasons.joined(separator: ", ")
                            if let near = Suggest.nearest(item.key, among: reasons) { hint = "did you mean `\(near)`? " + hint }
                            reader.error(item.keyNode.mark, "`\(item.key)` is not a dead-letter reason", hint: hint)
                        } else if let c = reader.int(item.value, "dead_letters.\(item.key)", min: 0) {
                            counts[item.key] = c
                        }
                    }
                    e.deadLetters = counts
                }
            }
            return e
        }

        func number(_ node: Node, _ what: String, tolerance: Double) -> NumberExpectation? {
            if case .scalar = node { return reader.double(node, what).map { NumberExpectation(kind: .approx($0, tolerance: tolerance)) } }
            guard let entries = reader.mapping(node, what) else { return nil }
            let keys = reader.checkKeys(entries, allowed: ["approx", "tolerance", "min", "max"], in: what)
            if let a = keys["approx"] {
                if keys["min"] != nil || keys["max"] != nil {
                    reader.error(node.mark, "`\(what)`: give `approx` (and `tolerance`) or `min`/`max`, not both")
                }
                let t = keys["tolerance"].flatMap { reader.double($0.value, "tolerance", min: 0) } ?? tolerance
                return reader.double(a.value, "approx").map { NumberExpectation(kind: .approx($0, tolerance: t)) }
            }
            if keys["tolerance"] != nil { reader.error(node.mark, "`\(what)`: `tolerance` goes with `approx`") }
            let lo = keys["min"].flatMap { reader.double($0.value, "min") }
            let hi = keys["max"].flatMap { reader.double($0.value, "max") }
            if lo == nil && hi == nil {
                reader.error(node.mark, "`\(what)`: expected a number, `{ approx, tolerance }` or `{ min, max }`")
                return nil
            }
            return NumberExpectation(kind: .range(min: lo, max: hi))
        }

        /// What an alert and a window expectation both open with: a mapping of `allowed` keys,
        /// the required `stage`, the optional `key`, and the `tolerance` its numbers default to.
        struct Head {
            var keys: [String: NodeReader.Entry]
            var line: Int
            var column: Int
            var stage: String
            var key: String?
            var tolerance: Double
        }

        func head(_ node: Node, _ list: String, allowed: [String], _ what: String) -> Head? {
            guard let entries = reader.mapping(node, list) else { return nil }
            let keys = reader.checkKeys(entries, allowed: allowed, in: what)
            guard let s = reader.require("stage", in: keys, at: node, what), let stage = reader.string(s, "stage") else { return nil }
            let tolerance = keys["tolerance"].flatMap { reader.double($0.value, "tolerance", min: 0) } ?? 0
            return Head(keys: keys, line: node.mark?.line ?? 1, column: node.mark?.column ?? 1, stage: stage,
                        key: keys["key"].flatMap { reader.string($0.value, "key") }, tolerance: tolerance)
        }

        func alert(_ node: Node) -> AlertExpectation? {
            guard let head = head(node, "alerts[]", allowed: alertKeys, "an alert expectation") else { return nil }
            let (keys, tolerance) = (head.keys, head.tolerance)
            var a = AlertExpectation(line: head.line, column: head.column, stage: head.stage, key: head.key, numbers: [])
            a.state = keys["state"].flatMap { reader.choice($0.value, "state", AlertStateName.self) }.map { $0 == .firing ? .firing : .resolved }
            a.severity = keys["severity"].flatMap { reader.string($0.value, "severity") }
            a.metric = keys["metric"].flatMap { reader.string($0.value, "metric") }
            a.rule = keys["rule"].flatMap { reader.string($0.value, "rule") }
            a.count = keys["count"].flatMap { reader.int($0.value, "count", min: 0) }
            for name in AlertExpectation.numberFields where !name.hasPrefix("window.") {
                if let n = keys[name]?.value, let x = number(n, name, tolerance: tolerance) { a.numbers.append((name, x)) }
            }
            if let w = keys["window"]?.value, let we = reader.mapping(w, "window") {
                let fields = AlertExpectation.numberFields.filter { $0.hasPrefix("window.") }.map { String($0.dropFirst(7)) }
                let wk = reader.checkKeys(we, allowed: fields, in: "window")
                for f in fields { if let n = wk[f]?.value, let x = number(n, "window.\(f)", tolerance: tolerance) { a.numbers.append(("window.\(f)", x)) } }
            }
            if let l = keys["labels"]?.value, let items = reader.mapping(l, "labels") {
                var labels: [String: String] = [:]
                for item in items { if let v = reader.string(item.value, "labels.\(item.key)") { labels[item.key] = v } }
                a.labels = labels
            }
            return a
        }

        func window(_ node: Node) -> WindowExpectation? {
            guard let head = head(node, "windows[]", allowed: windowKeys, "a window expectation") else { return nil }
            let (keys, tolerance) = (head.keys, head.tolerance)
            var w = WindowExpectation(line: head.line, column: head.column, stage: head.stage, key: head.key, figures: [])
            w.count = keys["count"].flatMap { reader.int($0.value, "count", min: 0) }
            w.at = keys["at"].flatMap { reader.int($0.value, "at") }
            if let r = keys["range"]?.value, let items = reader.list(r, "range") {
                let bounds = items.compactMap { reader.int($0, "range", min: 0) }
                if bounds.count == 2, bounds[0] <= bounds[1] { w.range = bounds[0]...bounds[1] } else if bounds.count == items.count {
                    reader.error(r.mark, "`range` is [first, last] with first ≤ last (0-based window indices)")
                }
            }
            if w.at != nil && w.range != nil { reader.error(node.mark, "give `at` or `range`, not both") }
            if let f = keys["figures"]?.value, let items = reader.mapping(f, "figures") {
                for item in items { if let x = number(item.value, item.key, tolerance: tolerance) { w.figures.append((item.key, x)) } }
            }
            if w.count == nil && w.figures.isEmpty { reader.error(node.mark, "a window expectation needs `count` or `figures`") }
            return w
        }
    }

    /// `state:` values as the file writes them.
    enum AlertStateName: String, CaseIterable { case firing, resolved }
}
