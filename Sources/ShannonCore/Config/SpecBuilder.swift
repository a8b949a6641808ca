import Foundation
import Yams

/// Walks the composed tree of a pipeline file into a `PipelineSpec` (top level, source, decode,
/// sinks, checkpoint; stages are in SpecBuilder+Stages.swift). Returns nil only when the shape is
/// too broken to go on; otherwise errors accumulate in the reader.
struct SpecBuilder {
    let reader: NodeReader
    let baseDirectory: String

    static let topKeys = ["version", "name", "source", "decode", "stages", "sinks", "checkpoint", "workers"]

    func build(_ root: Node) -> PipelineSpec? {
        guard let entries = reader.mapping(root, "pipeline") else { return nil }
        let top = reader.checkKeys(entries, allowed: Self.topKeys, in: "the pipeline")

        var version = ShannonPipeline.fileFormatVersion
        if let node = reader.require("version", in: top, at: root, "the pipeline"),
           let v = reader.int(node, "version") {
            if v != ShannonPipeline.fileFormatVersion {
                reader.error(node.mark, "unsupported pipeline format version \(v)",
                             hint: "this build reads version \(ShannonPipeline.fileFormatVersion)")
            }
            version = v
        }
        var name = "pipeline"
        if let node = reader.require("name", in: top, at: root, "the pipeline"),
           let n = reader.string(node, "name") {
            if !Self.isName(n) {
                reader.error(node.mark, "`name`: `\(n)` must match [a-z0-9-]+",
                             hint: "lowercase letters, digits and dashes, e.g. `credit-psi`")
            }
            name = n
        }
        let source = reader.require("source", in: top, at: root, "the pipeline").flatMap { self.source($0, name: name) }
        let decode = reader.require("decode", in: top, at: root, "the pipeline").flatMap { self.decode($0) }
        var stages: [StageSpec] = []
        if let node = reader.require("stages", in: top, at: root, "the pipeline") {
            stages = self.stages(node, decode: decode)
        }
        let sinks = top["sinks"].map { self.sinks($0.value) } ?? SinksSpec()
        let checkpoint = top["checkpoint"].map { self.checkpoint($0.value) } ?? CheckpointSpec()
        let workers = top["workers"].flatMap { self.workers($0.value) }

        guard let source, let decode else { return nil }
        return PipelineSpec(version: version, name: name, source: source, decode: decode, stages: stages,
                            sinks: sinks, checkpoint: checkpoint, workers: workers, file: reader.file,
                            baseDirectory: baseDirectory)
    }

    static func isName(_ s: String) -> Bool {
        !s.isEmpty && s.utf8.allSatisfy { ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) || $0 == 45 }
    }

    // MARK: source

    func source(_ node: Node, name: String) -> SourceSpec? {
        guard let entries = reader.mapping(node, "source") else { return nil }
        let keys = reader.checkKeys(entries, allowed: ["topics", "group_id", "start", "properties"], in: "source")
        var topics: [String] = []
        if let t = reader.require("topics", in: keys, at: node, "source"), let list = reader.strings(t, "topics") {
            if list.isEmpty { reader.error(t.mark, "`topics` must name at least one topic") }
            topics = list
        }
        let groupID = keys["group_id"].flatMap { reader.string($0.value, "group_id") } ?? "shannon-\(name)"
        var start = StartPosition.committed
        if let s = keys["start"]?.value {
            if case .mapping = s {
                if let e = reader.mapping(s, "start") {
                    let k = reader.checkKeys(e, allowed: ["timestamp"], in: "start")
                    if let t = reader.require("timestamp", in: k, at: s, "start"),
                       let ms = reader.int(t, "timestamp", min: 0) {
                        start = .timestamp(Int64(ms))
                    }
                }
            } else if let word = reader.string(s, "start") {
                switch word {
                case "committed": start = .committed
                case "earliest": start = .earliest
                case "latest": start = .latest
                default:
                    let allowed = ["committed", "earliest", "latest", "{timestamp: <epoch ms>}"]
                    var hint = "allowed: " + allowed.joined(separator: ", ")
                    if let near = Suggest.nearest(word, among: Array(allowed.prefix(3))) {
                        hint = "did you mean `\(near)`? " + hint
                    }
                    reader.error(s.mark, "`start`: `\(word)` is not one of the allowed values", hint: hint)
                }
            }
        }
        var properties: [(key: String, value: String)] = []
        if let p = keys["properties"]?.value, let entries = reader.mapping(p, "properties") {
            for entry in entries {
                if let v = reader.scalar(entry.value, entry.key, expected: "a scalar") {
                    properties.append((entry.key, v.text))
                }
            }
        }
        return SourceSpec(topics: topics, groupID: groupID, start: start, properties: properties)
    }

    // MARK: decode

    static let fieldKeys: [FieldType: [String]] = [
        .number: ["path", "type", "optional"],
        .label: ["path", "type", "optional", "bad_values", "good_values"],
        .category: ["path", "type", "optional"],
        .vector: ["path", "type", "optional", "dim"],
        .tokens: ["path", "type", "optional", "tokenizer"],
        .numbers: ["path", "type", "optional"],
    ]

    func decode(_ node: Node) -> DecodeSpec? {
        guard let entries = reader.mapping(node, "decode") else { return nil }
        let keys = reader.checkKeys(entries, allowed: ["format", "key", "event_time", "max_record_bytes", "fields"],
                                    in: "decode")
        var spec = DecodeSpec()
        if let f = keys["format"]?.value, let format = reader.choice(f, "format", DecodeSpec.Format.self) {
            spec.format = format
        }
        spec.keyPath = keys["key"].flatMap { path($0.value, "key") }
        spec.eventTimePath = keys["event_time"].flatMap { path($0.value, "event_time") }
        if let m = keys["max_record_bytes"]?.value, let v = reader.int(m, "max_record_bytes", min: 2) {
            spec.maxRecordBytes = v
        }
        guard let fieldsNode = reader.require("fields", in: keys, at: node, "decode"),
              let fieldEntries = reader.mapping(fieldsNode, "fields")
        else { return spec }
        if fieldEntries.isEmpty { reader.error(fieldsNode.mark, "`fields` must declare at least one field") }
        for entry in fieldEntries {
            reader.declaredFieldNames.append(entry.key)
            if let field = field(entry) {
                spec.fields.append(field)
            } else {
                reader.invalidFieldNames.insert(entry.key)
            }
        }
        return spec
    }

    /// A dotted path: non-empty segments.
    func path(_ node: Node, _ what: String) -> String? {
        guard let p = reader.string(node, what) else { return nil }
        if p.isEmpty || p.split(separator: ".", omittingEmptySubsequences: false).contains(where: \.isEmpty) {
            reader.error(node.mark, "`\(what)`: `\(p)` is not a field path",
                         hint: "dotted keys and array indices, e.g. `applicant.age_band` or `scores.0`")
            return nil
        }
        return p
    }

    func field(_ entry: NodeReader.Entry) -> FieldSpec? {
        let name = entry.key
        let what = "field `\(name)`"
        guard let entries = reader.mapping(entry.value, "fields.\(name)") else { return nil }
        var byKey: [String: NodeReader.Entry] = [:]
        for e in entries { byKey[e.key] = e }
        guard let typeNode = reader.require("type", in: byKey, at: entry.value, what),
              let type = reader.choice(typeNode, "type", FieldType.self)
        else {
            _ = reader.checkKeys(entries, allowed: Array(Set(Self.fieldKeys.values.joined())).sorted(), in: what)
            return nil
        }
        let keys = reader.checkKeys(entries, allowed: Self.fieldKeys[type]!, in: "\(what) (type \(type.rawValue))")
        guard let pathNode = reader.require("path", in: keys, at: entry.value, what),
              let path = path(pathNode, "path")
        else { return nil }
        var field = FieldSpec(name: name, path: path, type: type)
        if let o = keys["optional"]?.value, let b = reader.bool(o, "optional") { field.optional = b }
        switch type {
        case .vector:
            if let d = reader.require("dim", in: keys, at: entry.value, what), let dim = reader.int(d, "dim") {
                if dim <= 0 {
                    reader.error(d.mark, "`dim` must be > 0, found \(dim)")
                } else {
                    field.dim = dim
                }
            }
        case .tokens:
            if let t = keys["tokenizer"]?.value, let tok = reader.choice(t, "tokenizer", Tokenizer.self) {
                field.tokenizer = tok
            }
        case .label:
            if let b = keys["bad_values"]?.value, let items = reader.list(b, "bad_values") {
                field.badValues = items.compactMap { reader.labelValue($0, "bad_values") }
                if items.isEmpty { reader.error(b.mark, "`bad_values` must list at least one value") }
            } else {
                field.badValues = [.number(1), .bool(true)]
                if keys["good_values"] == nil { field.goodValues = [.number(0), .bool(false)] }
            }
            if let g = keys["good_values"]?.value, let items = reader.list(g, "good_values") {
                field.goodValues = items.compactMap { reader.labelValue($0, "good_values") }
            }
        case .number, .category, .numbers:
            break
        }
        return field
    }

    // MARK: workers, sinks, checkpoint

    /// `workers: N`, 1 ≤ N ≤ `maxWorkers`.
    func workers(_ node: Node) -> Int? {
        guard let n = reader.int(node, "workers", min: 1) else { return nil }
        guard n <= PipelineSpec.maxWorkers else {
            reader.error(node.mark, "`workers` must be ≤ \(PipelineSpec.maxWorkers), found \(n)",
                         hint: "one worker per core is enough; more only wait for partitions")
            return nil
        }
        return n
    }

    func sinks(_ node: Node) -> SinksSpec {
        var spec = SinksSpec()
        guard let entries = reader.mapping(node, "sinks") else { return spec }
        let keys = reader.checkKeys(entries, allowed: ["alerts", "dead_letter", "windows"], in: "sinks")
        if let a = keys["alerts"] { spec.alerts = topicSink(a.value, "sinks.alerts") ?? spec.alerts }
        if let d = keys["dead_letter"] { spec.deadLetter = topicSink(d.value, "sinks.dead_letter") }
        if let w = keys["windows"] { spec.windows = topicSink(w.value, "sinks.windows") }
        return spec
    }

    func topicSink(_ node: Node, _ what: String) -> TopicSink? {
        guard let entries = reader.mapping(node, what) else { return nil }
        let keys = reader.checkKeys(entries, allowed: ["topic"], in: what)
        guard let t = reader.require("topic", in: keys, at: node, what), let topic = reader.string(t, "topic")
        else { return nil }
        return TopicSink(topic: topic)
    }

    func checkpoint(_ node: Node) -> CheckpointSpec {
        var spec = CheckpointSpec()
        guard let entries = reader.mapping(node, "checkpoint") else { return spec }
        let keys = reader.checkKeys(entries, allowed: ["every_records", "every_seconds", "keep", "changelog"], in: "checkpoint")
        if let n = keys["every_records"]?.value, let v = reader.int(n, "every_records", min: 1) { spec.everyRecords = v }
        if let n = keys["every_seconds"]?.value,
           let v = reader.double(n, "every_seconds", min: 0, exclusiveMin: true) { spec.everySeconds = v }
        if let n = keys["keep"]?.value, let v = reader.int(n, "keep", min: 1) { spec.keep = v }
        if let n = keys["changelog"]?.value { spec.changelog = changelog(n) }
        return spec
    }
}
