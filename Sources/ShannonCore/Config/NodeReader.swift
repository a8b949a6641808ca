import Yams

/// Reads typed values out of a composed YAML tree while collecting positioned errors.
///
/// Every getter returns nil after recording an error, so the loader keeps walking and reports
/// every problem of the file in one run. Scalars are interpolated (`${VAR}`) as they are read.
final class NodeReader {
    let file: String
    let environment: [String: String]
    private(set) var errors: [PipelineError] = []
    /// Fields declared in `decode.fields` whose own declaration had an error: references to them
    /// are not reported again.
    var invalidFieldNames: Set<String> = []
    /// Every name under `decode.fields`, valid or not, in file order (for "declared fields" hints).
    var declaredFieldNames: [String] = []

    init(file: String, environment: [String: String]) {
        self.file = file
        self.environment = environment
    }

    /// One entry of a mapping, with the key node kept for its position.
    struct Entry {
        var key: String
        var keyNode: Node
        var value: Node
    }

    /// A 1-based position (Yams' `Mark` cannot be built outside Yams).
    struct Position {
        var line: Int
        var column: Int
    }

    func error(_ mark: Mark?, _ message: String, hint: String? = nil) {
        error(at: Position(line: mark?.line ?? 1, column: mark?.column ?? 1), message, hint: hint)
    }

    func error(at position: Position, _ message: String, hint: String? = nil) {
        errors.append(PipelineError(file: file, line: position.line, column: position.column,
                                    message: message, hint: hint))
    }

    // MARK: Shapes

    /// "a mapping", "a string", …: the phrase used in "expected …, found …".
    func describe(_ node: Node) -> String {
        switch node {
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        case .scalar(let s):
            switch scalarKind(s) {
            case .null: return "null"
            case .bool: return "a boolean"
            case .number: return "a number"
            case .string: return "a string"
            }
        }
    }

    enum ScalarKind { case null, bool, number, string }

    /// YAML 1.2 core-schema resolution of plain scalars; quoted scalars are always strings.
    func scalarKind(_ s: Node.Scalar) -> ScalarKind {
        guard s.style == .plain || s.style == .any else { return .string }
        return Self.plainKind(s.string)
    }

    static func plainKind(_ text: String) -> ScalarKind {
        switch text {
        case "", "~", "null", "Null", "NULL": return .null
        case "true", "True", "TRUE", "false", "False", "FALSE": return .bool
        default: return parseNumber(text) != nil ? .number : .string
        }
    }

    static func parseNumber(_ text: String) -> Double? {
        var t = Substring(text)
        if t.hasPrefix("+") { t = t.dropFirst() }
        switch t {
        case ".inf", ".Inf", ".INF": return .infinity
        case "-.inf", "-.Inf", "-.INF": return -.infinity
        case ".nan", ".NaN", ".NAN": return .nan
        default: break
        }
        guard let first = t.first, first == "-" || first == "." || first.isNumber else { return nil }
        if t.hasPrefix("0x") { return UInt64(t.dropFirst(2), radix: 16).map(Double.init) }
        return Double(String(t.filter { $0 != "_" }))
    }

    /// The entries of a mapping node (error if it is something else).
    func mapping(_ node: Node, _ what: String) -> [Entry]? {
        guard case .mapping(let m) = node else {
            error(node.mark, "`\(what)` must be a mapping, found \(describe(node))")
            return nil
        }
        return m.map { Entry(key: $0.key.scalar?.string ?? "", keyNode: $0.key, value: $0.value) }
    }

    /// Reports keys outside `allowed` (with the nearest allowed key as a hint); returns the
    /// entries as a dictionary for lookups.
    func checkKeys(_ entries: [Entry], allowed: [String], in what: String) -> [String: Entry] {
        var byKey: [String: Entry] = [:]
        for entry in entries {
            if !allowed.contains(entry.key) {
                let hint: String
                if let near = Suggest.nearest(entry.key, among: allowed) {
                    hint = "did you mean `\(near)`?"
                } else {
                    hint = "allowed keys in \(what): " + allowed.joined(separator: ", ")
                }
                error(entry.keyNode.mark, "unknown key `\(entry.key)` in \(what)", hint: hint)
            }
            byKey[entry.key] = entry
        }
        return byKey
    }

    /// Reports a missing required key at the mapping's position.
    func require(_ key: String, in entries: [String: Entry], at node: Node, _ what: String) -> Node? {
        if let entry = entries[key] { return entry.value }
        error(node.mark, "missing required field `\(key)` in \(what)")
        return nil
    }

    // MARK: Scalars

    /// The interpolated text of a scalar node, and whether it was written plain (unquoted).
    func scalar(_ node: Node, _ what: String, expected: String) -> (text: String, plain: Bool)? {
        guard case .scalar(let s) = node else {
            error(node.mark, "`\(what)`: expected \(expected), found \(describe(node))")
            return nil
        }
        switch Interpolation.apply(s.string, environment: environment) {
        case .success(let text):
            // A value that came from the environment is typed by its content even when quoted:
            // `${N}` must be quoted inside flow collections (`{` is a flow indicator), and the
            // user meant the number it stands for.
            return (text, s.style == .plain || s.style == .any || s.string.contains("${"))
        case .failure(let failure):
            let offset: Int
            let message: String
            var hint: String?
            switch failure {
            case .unset(let name, let o):
                offset = o
                message = "environment variable `\(name)` is not set and has no default"
                hint = "set it, or give a default: ${\(name):-value}"
            case .malformed(let o):
                offset = o
                message = "malformed `${…}` reference"
                hint = "write ${NAME} or ${NAME:-default}; $${ for a literal ${"
            }
            error(at: Self.offsetPosition(s, offset), message, hint: hint)
            return nil
        }
    }

    /// The mark of a byte offset inside a single-line scalar (the scalar's own mark otherwise).
    private static func offsetPosition(_ s: Node.Scalar, _ offset: Int) -> Position {
        guard let mark = s.mark else { return Position(line: 1, column: 1) }
        let start = Position(line: mark.line, column: mark.column)
        let prefix = s.string.utf8.prefix(offset)
        guard !prefix.contains(UInt8(ascii: "\n")), s.style == .plain || s.style == .singleQuoted
            || s.style == .doubleQuoted || s.style == .any
        else { return start }
        let quote = s.style == .plain || s.style == .any ? 0 : 1
        return Position(line: mark.line,
                        column: mark.column + quote + String(decoding: prefix, as: UTF8.self).unicodeScalars.count)
    }

    func string(_ node: Node, _ what: String) -> String? {
        guard let (text, plain) = scalar(node, what, expected: "a string") else { return nil }
        if plain, Self.plainKind(text) == .null {
            error(node.mark, "`\(what)`: expected a string, found null")
            return nil
        }
        return text
    }

    /// A plain scalar that parses to a finite number, with its text; otherwise one error saying
    /// what was `expected` (a number or an integer) and what was found.
    private func finiteNumber(_ node: Node, _ what: String, expected: String) -> (value: Double, text: String)? {
        guard let (text, plain) = scalar(node, what, expected: expected) else { return nil }
        guard plain, let v = Self.parseNumber(text), v.isFinite else {
            let found = plain ? Self.describePlain(text) : "a string"
            error(node.mark, "`\(what)`: expected \(expected), found \(found)",
                  hint: plain ? nil : "remove the quotes around the number")
            return nil
        }
        return (v, text)
    }

    func double(_ node: Node, _ what: String, min: Double? = nil, max: Double? = nil,
                exclusiveMin: Bool = false) -> Double? {
        guard let (v, _) = finiteNumber(node, what, expected: "a number") else { return nil }
        if let min, exclusiveMin ? v <= min : v < min {
            error(node.mark, "`\(what)` must be \(exclusiveMin ? ">" : "≥") \(Self.format(min)), found \(Self.format(v))")
            return nil
        }
        if let max, v > max {
            error(node.mark, "`\(what)` must be ≤ \(Self.format(max)), found \(Self.format(v))")
            return nil
        }
        return v
    }

    func int(_ node: Node, _ what: String, min: Int? = nil) -> Int? {
        guard let (v, text) = finiteNumber(node, what, expected: "an integer") else { return nil }
        guard v == v.rounded(), abs(v) < 9e15 else {
            error(node.mark, "`\(what)`: expected an integer, found \(text)")
            return nil
        }
        if let min, Int(v) < min {
            error(node.mark, "`\(what)` must be ≥ \(min), found \(Int(v))")
            return nil
        }
        return Int(v)
    }

    func bool(_ node: Node, _ what: String) -> Bool? {
        guard let (text, plain) = scalar(node, what, expected: "true or false") else { return nil }
        if plain {
            switch text {
            case "true", "True", "TRUE": return true
            case "false", "False", "FALSE": return false
            default: break
            }
        }
        error(node.mark, "`\(what)`: expected true or false, found \(plain ? Self.describePlain(text) : "a string")")
        return nil
    }

    /// A value of a string enum; the error lists the allowed values.
    func choice<E: RawRepresentable & CaseIterable>(_ node: Node, _ what: String, _ type: E.Type) -> E?
    where E.RawValue == String {
        guard let text = string(node, what) else { return nil }
        if let v = E(rawValue: text) { return v }
        let allowed = E.allCases.map(\.rawValue)
        var hint = "allowed: " + allowed.joined(separator: ", ")
        if let near = Suggest.nearest(text, among: allowed) { hint = "did you mean `\(near)`? " + hint }
        error(node.mark, "`\(what)`: `\(text)` is not one of the allowed values", hint: hint)
        return nil
    }

    // MARK: Lists

    func list(_ node: Node, _ what: String) -> [Node]? {
        guard case .sequence(let s) = node else {
            error(node.mark, "`\(what)`: expected a list, found \(describe(node))")
            return nil
        }
        return Array(s)
    }

    /// A list of strings; a single string is accepted as a one-element list.
    func strings(_ node: Node, _ what: String) -> [String]? {
        if case .scalar = node { return string(node, what).map { [$0] } }
        guard let items = list(node, what) else { return nil }
        let values = items.compactMap { string($0, what) }
        return values.count == items.count ? values : nil
    }

    func doubles(_ node: Node, _ what: String) -> [Double]? {
        guard let items = list(node, what) else { return nil }
        let values = items.compactMap { double($0, what) }
        return values.count == items.count ? values : nil
    }

    /// A scalar of any kind as a label value.
    func labelValue(_ node: Node, _ what: String) -> LabelValue? {
        guard let (text, plain) = scalar(node, what, expected: "a number, string or boolean") else { return nil }
        guard plain else { return .string(text) }
        switch Self.plainKind(text) {
        case .bool: return .bool(text.lowercased() == "true")
        case .number: return .number(Self.parseNumber(text)!)
        case .string: return .string(text)
        case .null:
            error(node.mark, "`\(what)`: expected a number, string or boolean, found null")
            return nil
        }
    }

    // MARK: Durations

    /// `500ms`, `30s`, `5m`, `1h`, `1d`, or a bare number of milliseconds.
    func durationMs(_ node: Node, _ what: String) -> Int64? {
        guard let (text, plain) = scalar(node, what, expected: "a duration") else { return nil }
        if plain, let v = Self.parseNumber(text), v.isFinite, v >= 0, v == v.rounded() { return Int64(v) }
        let units: [(String, Double)] = [("ms", 1), ("s", 1e3), ("m", 60e3), ("h", 3600e3), ("d", 86400e3)]
        for (suffix, scale) in units where text.hasSuffix(suffix) {
            if let v = Double(text.dropLast(suffix.count)), v.isFinite, v >= 0 {
                return Int64((v * scale).rounded())
            }
        }
        error(node.mark, "`\(what)`: `\(text)` is not a duration",
              hint: "write a number with a unit: 500ms, 30s, 5m, 1h, 1d")
        return nil
    }

    // MARK: Formatting

    static func describePlain(_ text: String) -> String {
        switch plainKind(text) {
        case .null: return "null"
        case .bool: return "a boolean"
        case .number: return "a number"
        case .string: return "a string"
        }
    }

    static func format(_ v: Double) -> String {
        v == v.rounded() && abs(v) < 1e15 ? String(Int64(v)) : String(v)
    }
}

/// "Did you mean": the allowed word nearest by edit distance, if it is near enough to be a typo.
enum Suggest {
    static func nearest(_ word: String, among candidates: [String]) -> String? {
        let limit = max(2, word.count / 3)
        var best: (String, Int)?
        for c in candidates {
            let d = distance(word, c)
            if d <= limit, d < (best?.1 ?? .max) { best = (c, d) }
        }
        return best?.0
    }

    /// Levenshtein distance over Unicode characters.
    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                current[j] = Swift.min(previous[j] + 1, current[j - 1] + 1,
                                       previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}
