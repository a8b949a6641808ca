import Foundation
import Yams
@testable import ShannonCore

/// A JSON value, for checking YAML pipeline files and JSON documents against our schemas.
indirect enum SchemaJSON: Equatable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([SchemaJSON])
    case object([(key: String, value: SchemaJSON)])

    static func == (a: SchemaJSON, b: SchemaJSON) -> Bool {
        switch (a, b) {
        case (.null, .null): return true
        case (.bool(let x), .bool(let y)): return x == y
        case (.number(let x), .number(let y)): return x == y
        case (.string(let x), .string(let y)): return x == y
        case (.array(let x), .array(let y)): return x == y
        case (.object(let x), .object(let y)):
            return x.count == y.count && x.allSatisfy { pair in y.contains { $0.key == pair.key && $0.value == pair.value } }
        default: return false
        }
    }

    subscript(key: String) -> SchemaJSON? {
        if case .object(let pairs) = self { return pairs.first { $0.key == key }?.value }
        return nil
    }

    /// YAML (and JSON, which Yams reads as YAML) → JSON value, with the same scalar typing as the
    /// pipeline loader (YAML 1.2 core schema; quoted scalars are strings).
    static func parse(yaml: String) throws -> SchemaJSON {
        guard let node = try Yams.compose(yaml: yaml) else { return .null }
        return from(node)
    }

    static func from(_ node: Node) -> SchemaJSON {
        switch node {
        case .mapping(let m): return .object(m.map { ($0.key.scalar?.string ?? "", from($0.value)) })
        case .sequence(let s): return .array(s.map(from))
        case .alias: return .null
        case .scalar(let s):
            guard s.style == .plain || s.style == .any else { return .string(s.string) }
            switch NodeReader.plainKind(s.string) {
            case .null: return .null
            case .bool: return .bool(s.string.lowercased() == "true")
            case .number: return .number(NodeReader.parseNumber(s.string)!)
            case .string: return .string(s.string)
            }
        }
    }
}

/// The subset of JSON Schema 2020-12 our schemas use: type, enum, const, properties, required,
/// additionalProperties, minProperties, items, minItems, maxItems, minimum, maximum,
/// exclusiveMinimum, exclusiveMaximum, pattern, oneOf, anyOf, and `$ref` to `#/$defs/…`.
/// Any other keyword is reported as unsupported, so a schema can't silently outgrow the checker.
struct SchemaChecker {
    let root: SchemaJSON
    static let annotations: Set<String> = ["$schema", "$id", "$defs", "title", "description", "default", "examples",
                                           "$comment"]

    /// Problems as "JSON-pointer: message"; empty when the document is valid.
    func validate(_ value: SchemaJSON) -> [String] {
        var errors: [String] = []
        check(value, root, "", &errors)
        return errors
    }

    private func check(_ v: SchemaJSON, _ schema: SchemaJSON, _ at: String, _ errors: inout [String]) {
        if case .bool(let b) = schema {
            if !b { errors.append("\(at): not allowed") }
            return
        }
        guard case .object(let keywords) = schema else {
            errors.append("\(at): bad schema")
            return
        }
        for (keyword, arg) in keywords {
            switch keyword {
            case "$ref":
                guard case .string(let ref) = arg, ref.hasPrefix("#/$defs/"),
                      let target = root["$defs"]?[String(ref.dropFirst(8))] else {
                    errors.append("\(at): unresolvable $ref \(arg)")
                    continue
                }
                check(v, target, at, &errors)
            case "type":
                let types: [String]
                switch arg {
                case .string(let t): types = [t]
                case .array(let ts): types = ts.compactMap { if case .string(let t) = $0 { return t } else { return nil } }
                default: types = []
                }
                if !types.contains(where: { Self.isType(v, $0) }) {
                    errors.append("\(at): expected \(types.joined(separator: " or ")), found \(Self.typeName(v))")
                }
            case "enum":
                if case .array(let options) = arg, !options.contains(v) { errors.append("\(at): not one of \(options)") }
            case "const":
                if v != arg { errors.append("\(at): must be \(arg)") }
            case "properties":
                guard case .object(let pairs) = v, case .object(let props) = arg else { continue }
                for (key, value) in pairs {
                    if let sub = props.first(where: { $0.key == key })?.value { check(value, sub, "\(at)/\(key)", &errors) }
                }
            case "required":
                guard case .object(let pairs) = v, case .array(let names) = arg else { continue }
                for case .string(let name) in names where !pairs.contains(where: { $0.key == name }) {
                    errors.append("\(at): missing required property `\(name)`")
                }
            case "additionalProperties":
                guard case .object(let pairs) = v else { continue }
                let declared: [String] = {
                    if case .object(let props)? = schema["properties"] { return props.map(\.key) }
                    return []
                }()
                for (key, value) in pairs where !declared.contains(key) {
                    if case .bool(false) = arg {
                        errors.append("\(at): unknown property `\(key)`")
                    } else {
                        check(value, arg, "\(at)/\(key)", &errors)
                    }
                }
            case "minProperties":
                if case .object(let pairs) = v, case .number(let n) = arg, Double(pairs.count) < n {
                    errors.append("\(at): fewer than \(Int(n)) properties")
                }
            case "items":
                if case .array(let items) = v {
                    for (i, item) in items.enumerated() { check(item, arg, "\(at)/\(i)", &errors) }
                }
            case "minItems", "maxItems":
                if case .array(let items) = v, case .number(let n) = arg,
                   keyword == "minItems" ? Double(items.count) < n : Double(items.count) > n {
                    errors.append("\(at): \(keyword) \(Int(n)) violated (\(items.count) items)")
                }
            case "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum":
                guard case .number(let x) = v, case .number(let limit) = arg else { continue }
                let ok: Bool
                switch keyword {
                case "minimum": ok = x >= limit
                case "maximum": ok = x <= limit
                case "exclusiveMinimum": ok = x > limit
                default: ok = x < limit
                }
                if !ok { errors.append("\(at): \(keyword) \(limit) violated by \(x)") }
            case "pattern":
                guard case .string(let s) = v, case .string(let p) = arg else { continue }
                guard let regex = try? Regex(p) else {
                    errors.append("\(at): bad pattern \(p)")
                    continue
                }
                if s.firstMatch(of: regex) == nil { errors.append("\(at): `\(s)` does not match \(p)") }
            case "oneOf", "anyOf":
                guard case .array(let options) = arg else { continue }
                let passing = options.filter { option in
                    var sub: [String] = []
                    check(v, option, at, &sub)
                    return sub.isEmpty
                }.count
                if keyword == "oneOf" ? passing != 1 : passing == 0 {
                    errors.append("\(at): \(keyword) matched \(passing) of \(options.count) alternatives")
                }
            default:
                if !Self.annotations.contains(keyword) { errors.append("\(at): unsupported keyword \(keyword)") }
            }
        }
    }

    static func isType(_ v: SchemaJSON, _ t: String) -> Bool {
        switch (t, v) {
        case ("null", .null), ("boolean", .bool), ("number", .number), ("string", .string), ("array", .array),
             ("object", .object): return true
        case ("integer", .number(let x)): return x == x.rounded() && x.isFinite
        default: return false
        }
    }

    static func typeName(_ v: SchemaJSON) -> String {
        switch v {
        case .null: return "null"
        case .bool: return "boolean"
        case .number: return "number"
        case .string: return "string"
        case .array: return "array"
        case .object: return "object"
        }
    }
}
