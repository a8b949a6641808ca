import Foundation
import Yams

/// Stages: identity, references to declared fields, windows, typed params and alert rules.
extension SpecBuilder {
    static let stageKeys = ["id", "type", "input", "label", "group", "key_by", "window", "params", "alert", "keys"]

    func stages(_ node: Node, decode: DecodeSpec?) -> [StageSpec] {
        guard let items = reader.list(node, "stages") else { return [] }
        if items.isEmpty { reader.error(node.mark, "`stages` must list at least one stage") }
        var seen: [String: Int] = [:]
        var result: [StageSpec] = []
        for item in items {
            guard let stage = stage(item, decode: decode, seen: &seen) else { continue }
            result.append(stage)
        }
        return result
    }

    private func stage(_ node: Node, decode: DecodeSpec?, seen: inout [String: Int]) -> StageSpec? {
        guard let entries = reader.mapping(node, "stages[]") else { return nil }
        let keys = reader.checkKeys(entries, allowed: Self.stageKeys, in: "a stage")
        var id = "?"
        if let idNode = reader.require("id", in: keys, at: node, "a stage"), let v = reader.string(idNode, "id") {
            id = v
            if !Self.isName(v.replacingOccurrences(of: "_", with: "-")) {
                reader.error(idNode.mark, "`id`: `\(v)` must match [a-z0-9_-]+")
            }
            if let first = seen[v] {
                reader.error(idNode.mark, "duplicate stage id `\(v)`",
                             hint: "first declared at line \(first); stage ids must be unique within a pipeline")
            } else {
                seen[v] = idNode.mark?.line ?? 0
            }
        }
        let what = "stage `\(id)`"
        guard let typeNode = reader.require("type", in: keys, at: node, what),
              let type = reader.choice(typeNode, "type", StageType.self)
        else { return nil }
        let fields = decode?.fields ?? []

        var input = ""
        if let i = reader.require("input", in: keys, at: node, what),
           let name = fieldRef(i, "input", fields: fields, types: type.inputTypes, decodeKnown: decode != nil) {
            input = name
        }
        // `label` (iv) and `group` (group_divergence): the second field of the kinds that read one.
        var second: [String: String] = [:]
        for key in ["label", "group"] {
            if let field = type.kind.secondField, field.key == key {
                if let n = reader.require(key, in: keys, at: node, "\(what) (\(type.rawValue))") {
                    second[key] = fieldRef(n, key, fields: fields, types: field.types, decodeKnown: decode != nil)
                }
            } else if let entry = keys[key] {
                let users = StageType.allCases.filter { $0.kind.secondField?.key == key }.map(\.rawValue)
                reader.error(entry.keyNode.mark, "`\(key)` is only used by \(users.joined(separator: " and ")) stages",
                             hint: "remove it from \(what)")
            }
        }

        var keyBy = KeyBy.partition
        if let k = keys["key_by"]?.value, let text = reader.string(k, "key_by") {
            switch text {
            case "*": keyBy = .partition
            case "record_key": keyBy = .recordKey
            default:
                if let name = fieldRef(k, "key_by", fields: fields, types: [.category], decodeKnown: decode != nil,
                                       extra: ["record_key", "*"]) {
                    keyBy = .field(name)
                }
            }
        }
        let window = keys["window"].flatMap { self.window($0.value) } ?? .countTumbling(size: 10_000)
        let params = self.params(type, keys["params"]?.value, at: node, fields: fields, decodeKnown: decode != nil)
        let alert = keys["alert"].flatMap { self.alert($0.value, type: type, params: params) }
        let limits = keys["keys"].flatMap { keyLimits($0.value) } ?? KeyLimits()
        guard let params else { return nil }
        return StageSpec(id: id, type: type, input: input, label: second["label"], group: second["group"], keyBy: keyBy, window: window,
                         params: params, alert: alert, keys: limits)
    }

    /// A reference to a declared field, of one of `types`.
    func fieldRef(_ node: Node, _ what: String, fields: [FieldSpec], types: [FieldType],
                          decodeKnown: Bool, extra: [String] = []) -> String? {
        guard let name = reader.string(node, what) else { return nil }
        guard decodeKnown, !reader.invalidFieldNames.contains(name) else { return name }
        guard let field = fields.first(where: { $0.name == name }) else {
            let declared = reader.declaredFieldNames
            var hint = "declared fields: " + (declared.isEmpty ? "(none)" : declared.joined(separator: ", "))
            if !extra.isEmpty { hint += "; or " + extra.map { "`\($0)`" }.joined(separator: ", ") }
            if let near = Suggest.nearest(name, among: declared + extra) { hint = "did you mean `\(near)`? " + hint }
            reader.error(node.mark, "`\(what)`: unknown field `\(name)`", hint: hint)
            return nil
        }
        guard types.contains(field.type) else {
            reader.error(node.mark, "`\(what)`: field `\(name)` is of type \(field.type.rawValue)",
                         hint: "expected a field of type " + types.map(\.rawValue).joined(separator: " or "))
            return nil
        }
        return name
    }

    // MARK: window

    func window(_ node: Node) -> WindowSpec? {
        guard let entries = reader.mapping(node, "window") else { return nil }
        var byKey: [String: NodeReader.Entry] = [:]
        for e in entries { byKey[e.key] = e }
        guard let t = reader.require("type", in: byKey, at: node, "window") else { return nil }
        guard let type = reader.string(t, "window.type") else { return nil }
        switch type {
        case "count":
            let keys = reader.checkKeys(entries, allowed: ["type", "size", "hop"], in: "a count window")
            guard let s = reader.require("size", in: keys, at: node, "window"),
                  let size = reader.int(s, "size", min: 1) else { return nil }
            guard let h = keys["hop"]?.value else { return .countTumbling(size: size) }
            guard let hop = reader.int(h, "hop", min: 1) else { return nil }
            if hop > size {
                reader.error(h.mark, "`hop` (\(hop)) must not exceed the window `size` (\(size))",
                             hint: "a sliding window emits every `hop` records over the last `size`")
                return nil
            }
            return hop == size ? .countTumbling(size: size) : .countSliding(size: size, hop: hop)
        case "time":
            let keys = reader.checkKeys(entries, allowed: ["type", "size", "allowed_lateness"], in: "a time window")
            guard let s = reader.require("size", in: keys, at: node, "window"),
                  let size = reader.durationMs(s, "size") else { return nil }
            if size <= 0 {
                reader.error(s.mark, "`size` must be a positive duration")
                return nil
            }
            let lateness = keys["allowed_lateness"].flatMap { reader.durationMs($0.value, "allowed_lateness") } ?? 0
            return .eventTimeTumbling(sizeMs: size, allowedLatenessMs: lateness)
        default:
            var hint = "allowed: count, time"
            if let near = Suggest.nearest(type, among: ["count", "time"]) { hint = "did you mean `\(near)`? " + hint }
            reader.error(t.mark, "`window.type`: `\(type)` is not one of the allowed values", hint: hint)
            return nil
        }
    }

    // MARK: params

    /// The typed `params:` of a stage of `type`: the keys it allows, then the kind's own parse.
    func params(_ type: StageType, _ node: Node?, at stageNode: Node, fields: [FieldSpec],
                decodeKnown: Bool) -> StageParams? {
        var keys: [String: NodeReader.Entry] = [:]
        if let node {
            guard let entries = reader.mapping(node, "params") else { return nil }
            keys = reader.checkKeys(entries, allowed: type.kind.paramKeys, in: "\(type.rawValue) params")
        }
        return type.kind.parse(ParamsReader(builder: self, keys: keys, node: node, stageNode: stageNode,
                                            fields: fields, decodeKnown: decodeKnown))
    }
}
