import Foundation
import Yams

/// Stages: identity, references to declared fields, windows, typed params and alert rules.
extension SpecBuilder {
    static let stageKeys = ["id", "type", "input", "label", "group", "key_by", "window", "params", "alert"]
    static let paramKeys: [StageType: [String]] = [
        .psi: ["reference", "bins", "smoothing", "fixed_reference", "missing_bin", "confidence"],
        .iv: ["bins", "edges", "reference", "smoothing", "confidence"],
        .groupDivergence: ["groups", "bins", "reference", "smoothing", "confidence"],
        .entropy: ["estimator", "unit", "max_distinct", "vocabulary_size", "min_tokens", "logprobs"],
        .jsDivergence: ["reference", "unit", "max_distinct"],
        .boundary: ["anticipator", "lookback", "alpha", "error", "n_min", "k_max", "sigma_floor", "tau",
                    "refractory", "test", "test_alpha"],
    ]
    static let alertKeys = ["when", "metric", "direction", "threshold", "p_value", "z", "baseline", "severity",
                            "cooldown", "resolve"] + Self.alertConventionKeys

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
        var label: String?
        var group: String?
        if type == .iv {
            if let l = reader.require("label", in: keys, at: node, "\(what) (iv)") {
                label = fieldRef(l, "label", fields: fields, types: [.label], decodeKnown: decode != nil)
            }
        } else if let l = keys["label"] {
            reader.error(l.keyNode.mark, "`label` is only used by iv stages", hint: "remove it from \(what)")
        }
        if type == .groupDivergence {
            if let g = reader.require("group", in: keys, at: node, "\(what) (group_divergence)") {
                group = fieldRef(g, "group", fields: fields, types: [.category], decodeKnown: decode != nil)
            }
        } else if let g = keys["group"] {
            reader.error(g.keyNode.mark, "`group` is only used by group_divergence stages", hint: "remove it from \(what)")
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
        let paramsNode = keys["params"]?.value
        let params = self.params(type, paramsNode, at: node)
        let alert = keys["alert"].flatMap { self.alert($0.value, type: type, params: params) }
        guard var params else { return nil }
        if case var .entropy(p) = params, p.logprobs != nil, let paramsNode,
           let entry = reader.mapping(paramsNode, "params")?.first(where: { $0.key == "logprobs" }) {
            // Checked here, where the declared fields are known.
            p.logprobs = fieldRef(entry.value, "logprobs", fields: fields, types: [.numbers], decodeKnown: decode != nil)
            params = .entropy(p)
        }
        return StageSpec(id: id, type: type, input: input, label: label, group: group, keyBy: keyBy, window: window,
                         params: params, alert: alert)
    }

    /// A reference to a declared field, of one of `types`.
    private func fieldRef(_ node: Node, _ what: String, fields: [FieldSpec], types: [FieldType],
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

    func params(_ type: StageType, _ node: Node?, at stageNode: Node) -> StageParams? {
        var keys: [String: NodeReader.Entry] = [:]
        if let node {
            guard let entries = reader.mapping(node, "params") else { return nil }
            keys = reader.checkKeys(entries, allowed: Self.paramKeys[type]!, in: "\(type.rawValue) params")
        }
        func v(_ k: String) -> Node? { keys[k]?.value }
        func bins() -> Int? {
            guard let n = v("bins"), let b = reader.int(n, "bins") else { return nil }
            if b < 2 { reader.error(n.mark, "`bins` must be ≥ 2, found \(b)"); return nil }
            return b
        }
        func smoothing() -> Double? { v("smoothing").flatMap { reader.double($0, "smoothing", min: 0) } }
        func confidence() -> Double? {
            v("confidence").flatMap { reader.double($0, "confidence", min: 0, max: 0.999999, exclusiveMin: true) }
        }
        switch type {
        case .psi:
            var p = PSIParams(reference: .firstWindow)
            if let r = v("reference") {
                if let ref = reference(r, allowFirstWindow: false) { p.reference = ref }
            } else {
                reader.error(node?.mark ?? stageNode.mark, "missing required field `reference` in psi params",
                             hint: "reference: { file: data/reference.csv, field: score } or { edges: [...] } or { histogram: {...} }")
            }
            let explicitBins = bins()
            p.bins = explicitBins ?? p.bins
            p.smoothing = smoothing() ?? p.smoothing
            p.fixedReference = v("fixed_reference").flatMap { reader.bool($0, "fixed_reference") } ?? p.fixedReference
            p.missingBin = v("missing_bin").flatMap { reader.bool($0, "missing_bin") } ?? p.missingBin
            p.confidence = confidence() ?? p.confidence
            switch p.reference {
            case .edges(let e), .histogram(let e, _): checkBins(explicitBins, at: v("bins"), edges: e)
            default: break
            }
            if v("bins") == nil {
                switch p.reference {
                case .edges(let e), .histogram(let e, _): p.bins = e.count + 1
                default: break
                }
            }
            return .psi(p)
        case .iv:
            var p = IVParams()
            let explicitBins = bins()
            p.bins = explicitBins ?? p.bins
            if let e = v("edges") { p.edges = edges(e, "edges") }
            if let r = v("reference") { p.reference = reference(r, allowFirstWindow: false) }
            p.smoothing = smoothing() ?? p.smoothing
            p.confidence = confidence() ?? p.confidence
            checkBins(explicitBins, at: v("bins"), edges: p.edges)
            if v("bins") == nil, let e = p.edges { p.bins = e.count + 1 }
            if v("edges") == nil && v("reference") == nil {
                reader.error(node?.mark ?? stageNode.mark, "an iv stage needs `edges` or `reference` in its params",
                             hint: "the bins must be fixed before the first window: edges: [..] or reference: { file: data/reference.csv, field: score }")
            }
            return .iv(p)
        case .groupDivergence:
            var p = GroupDivergenceParams(groups: [])
            if let g = v("groups") {
                if let groups = reader.strings(g, "groups") {
                    if groups.count != 2 || groups[0] == groups[1] {
                        reader.error(g.mark, "`groups` must name two different groups, found \(groups.count)",
                                     hint: "e.g. groups: [\"18-24\", \"45-54\"]")
                    }
                    p.groups = groups
                }
            } else {
                reader.error(node?.mark ?? stageNode.mark, "missing required field `groups` in group_divergence params",
                             hint: "name the two values of the group field to compare, e.g. groups: [a, b]")
            }
            p.bins = bins() ?? p.bins
            if let r = v("reference") { p.reference = reference(r, allowFirstWindow: false) }
            p.smoothing = smoothing() ?? p.smoothing
            p.confidence = confidence() ?? p.confidence
            if v("reference") == nil {
                reader.error(node?.mark ?? stageNode.mark, "a group_divergence stage needs `reference` in its params",
                             hint: "the bins must be fixed before the first window: reference: { file: data/reference.csv, field: score } or { edges: [..] }")
            }
            return .groupDivergence(p)
        case .entropy:
            var p = EntropyParams()
            if let n = v("estimator"), let e = reader.choice(n, "estimator", EntropyParams.Estimator.self) { p.estimator = e }
            if let n = v("unit"), let u = reader.choice(n, "unit", EntropyUnit.self) { p.unit = u }
            if let n = v("max_distinct"), let m = reader.int(n, "max_distinct", min: 2) { p.maxDistinct = m }
            if let n = v("vocabulary_size"), let m = reader.int(n, "vocabulary_size", min: 2) { p.vocabularySize = m }
            if let n = v("min_tokens"), let m = reader.int(n, "min_tokens", min: 1) { p.minTokens = m }
            if let n = v("logprobs") { p.logprobs = reader.string(n, "logprobs") }
            return .entropy(p)
        case .jsDivergence:
            var p = JSDivergenceParams()
            if let r = v("reference"), let ref = reference(r, allowFirstWindow: true) { p.reference = ref }
            if let n = v("unit"), let u = reader.choice(n, "unit", EntropyUnit.self) { p.unit = u }
            if let n = v("max_distinct"), let m = reader.int(n, "max_distinct", min: 2) { p.maxDistinct = m }
            return .jsDivergence(p)
        case .boundary:
            var p = BoundaryParams()
            if let n = v("anticipator"), let a = reader.choice(n, "anticipator", BoundaryParams.Anticipator.self) {
                p.anticipator = a
            }
            if let n = v("lookback"), let x = reader.int(n, "lookback", min: 1) { p.lookback = x }
            if let n = v("alpha"), let x = reader.double(n, "alpha", min: 0, max: 1, exclusiveMin: true) { p.alpha = x }
            if let n = v("error"), let e = reader.choice(n, "error", BoundaryParams.ErrorKind.self) { p.error = e }
            if let n = v("n_min"), let x = reader.int(n, "n_min", min: 2) { p.nMin = x }
            if let n = v("k_max"), let x = reader.int(n, "k_max", min: 2) { p.kMax = x }
            if let n = v("sigma_floor"), let x = reader.double(n, "sigma_floor", min: 0) { p.sigmaFloor = x }
            if let n = v("tau"), let x = reader.double(n, "tau", min: 0, exclusiveMin: true) { p.tau = x }
            if let n = v("refractory"), let x = reader.int(n, "refractory", min: 0) { p.refractory = x }
            if let n = v("test"), let t = reader.choice(n, "test", BoundaryParams.Test.self) { p.test = t }
            if let n = v("test_alpha"), let x = reader.double(n, "test_alpha", min: 0, max: 0.5, exclusiveMin: true) {
                p.testAlpha = x
            }
            if p.kMax < p.nMin, let n = v("k_max") ?? v("n_min") {
                reader.error(n.mark, "`k_max` (\(p.kMax)) must be ≥ `n_min` (\(p.nMin))",
                             hint: "the error memory must hold at least n_min errors before the test can run")
            }
            return .boundary(p)
        }
    }

    /// Strictly increasing finite numbers.
    private func edges(_ node: Node, _ what: String) -> [Double]? {
        guard let values = reader.doubles(node, what) else { return nil }
        if values.isEmpty { reader.error(node.mark, "`\(what)` must list at least one edge"); return nil }
        if zip(values, values.dropFirst()).contains(where: { $0 >= $1 }) {
            reader.error(node.mark, "`\(what)` must be strictly increasing")
            return nil
        }
        return values
    }

    func reference(_ node: Node, allowFirstWindow: Bool) -> ReferenceSpec? {
        guard let entries = reader.mapping(node, "reference") else { return nil }
        var allowed = ["file", "field", "edges", "histogram"]
        if allowFirstWindow { allowed.append("first_window") }
        let keys = reader.checkKeys(entries, allowed: allowed, in: "reference")
        let forms = ["file", "edges", "histogram", "first_window"].filter { keys[$0] != nil }
        guard forms.count == 1 else {
            reader.error(node.mark, forms.isEmpty ? "`reference` needs one of: " + allowed.filter { $0 != "field" }.joined(separator: ", ")
                                                  : "`reference` must use one form, found " + forms.joined(separator: " and "))
            return nil
        }
        if forms[0] != "file", let f = keys["field"] {
            reader.error(f.keyNode.mark, "`field` goes with `file` only")
        }
        switch forms[0] {
        case "file":
            guard let path = reader.string(keys["file"]!.value, "file"),
                  let f = reader.require("field", in: keys, at: node, "reference (file)"),
                  let field = reader.string(f, "field") else { return nil }
            let resolved = path.hasPrefix("/") ? path : (baseDirectory as NSString).appendingPathComponent(path)
            checkReferenceFile(resolved, written: path, field: field, fileNode: keys["file"]!.value, fieldNode: f)
            return .file(path: path, resolvedPath: resolved, field: field)
        case "edges":
            return edges(keys["edges"]!.value, "edges").map(ReferenceSpec.edges)
        case "histogram":
            let h = keys["histogram"]!.value
            guard let he = reader.mapping(h, "histogram") else { return nil }
            let hk = reader.checkKeys(he, allowed: ["edges", "counts"], in: "histogram")
            guard let en = reader.require("edges", in: hk, at: h, "histogram"),
                  let cn = reader.require("counts", in: hk, at: h, "histogram"),
                  let e = edges(en, "edges"), let c = reader.doubles(cn, "counts") else { return nil }
            if c.count != e.count + 1 {
                reader.error(cn.mark, "`counts` must have one more entry than `edges` (\(e.count + 1)), found \(c.count)",
                             hint: "the first bin is (-inf, edges[0]), the last [edges[last], +inf)")
                return nil
            }
            if c.contains(where: { $0 < 0 }) { reader.error(cn.mark, "`counts` must not be negative"); return nil }
            return .histogram(edges: e, counts: c)
        default:
            guard let b = reader.bool(keys["first_window"]!.value, "first_window") else { return nil }
            if !b { reader.error(keys["first_window"]!.value.mark, "`first_window: false` names no reference") }
            return .firstWindow
        }
    }

    /// The file must exist and its header must name `field` (reading only the first line).
    private func checkReferenceFile(_ resolved: String, written: String, field: String, fileNode: Node,
                                    fieldNode: Node) {
        guard let handle = FileHandle(forReadingAtPath: resolved) else {
            reader.error(fileNode.mark, "reference file `\(written)` not found",
                         hint: "looked for \(resolved); paths are relative to the pipeline file")
            return
        }
        defer { try? handle.close() }
        let head = (try? handle.read(upToCount: 64 * 1024)) ?? Data()
        let firstLine = String(decoding: head.prefix { $0 != 0x0a }, as: UTF8.self)
        let columns = firstLine.split(separator: ",", omittingEmptySubsequences: false).map {
            $0.trimmingCharacters(in: CharacterSet(charactersIn: " \t\r\""))
        }
        if !columns.contains(field) {
            var hint = "columns: " + columns.joined(separator: ", ")
            if let near = Suggest.nearest(field, among: columns) { hint = "did you mean `\(near)`? " + hint }
            reader.error(fieldNode.mark, "reference file `\(written)` has no column `\(field)`", hint: hint)
        }
    }

    /// `bins` written next to explicit edges must agree with them (B = edges + 1).
    private func checkBins(_ bins: Int?, at node: Node?, edges: [Double]?) {
        guard let bins, let node, let edges, bins != edges.count + 1 else { return }
        reader.error(node.mark, "`bins` (\(bins)) disagrees with the \(edges.count) edges given (\(edges.count + 1) bins)",
                     hint: "remove `bins`, or give \(bins - 1) edges")
    }

    // MARK: alert

    func alert(_ node: Node, type: StageType, params: StageParams?) -> AlertSpec? {
        guard let entries = reader.mapping(node, "alert") else { return nil }
        let keys = reader.checkKeys(entries, allowed: Self.alertKeys, in: "alert")
        var spec = AlertSpec(metric: type.headlineMetric)
        if let n = keys["when"]?.value, let w = reader.choice(n, "when", AlertSpec.Rule.self) { spec.when = w }
        if let n = keys["metric"]?.value, let m = reader.string(n, "metric") {
            if type.metrics.contains(m) {
                spec.metric = m
            } else {
                var hint = "\(type.rawValue) metrics: " + type.metrics.joined(separator: ", ")
                if let near = Suggest.nearest(m, among: type.metrics) { hint = "did you mean `\(near)`? " + hint }
                reader.error(n.mark, "`metric`: `\(m)` is not a metric of \(type.rawValue) stages", hint: hint)
            }
        }
        if let n = keys["direction"]?.value, let d = reader.choice(n, "direction", AlertSpec.Direction.self) {
            spec.direction = d
        }
        spec.threshold = keys["threshold"].flatMap { reader.double($0.value, "threshold") } ?? Self.defaultThreshold(type, params)
        if let n = keys["p_value"]?.value, let p = reader.double(n, "p_value", min: 0, max: 0.5, exclusiveMin: true) {
            spec.pValue = p
        }
        if let n = keys["z"]?.value, let z = reader.double(n, "z", min: 0, exclusiveMin: true) { spec.z = z }
        if let b = keys["baseline"]?.value, let be = reader.mapping(b, "baseline") {
            let bk = reader.checkKeys(be, allowed: ["alpha", "min_windows"], in: "baseline")
            if let n = bk["alpha"]?.value, let a = reader.double(n, "alpha", min: 0, max: 1, exclusiveMin: true) {
                spec.baseline.alpha = a
            }
            if let n = bk["min_windows"]?.value, let m = reader.int(n, "min_windows", min: 1) {
                spec.baseline.minWindows = m
            }
        }
        if let s = keys["severity"]?.value, let items = reader.list(s, "severity") {
            var levels: [AlertSpec.Severity] = []
            for item in items {
                guard let ie = reader.mapping(item, "severity[]") else { continue }
                let ik = reader.checkKeys(ie, allowed: ["level", "at"], in: "a severity level")
                guard let l = reader.require("level", in: ik, at: item, "a severity level"),
                      let a = reader.require("at", in: ik, at: item, "a severity level"),
                      let level = reader.string(l, "level"), let at = reader.double(a, "at") else { continue }
                if let last = levels.last, at <= last.at {
                    reader.error(a.mark, "severity levels must be in increasing order of `at`")
                }
                levels.append(AlertSpec.Severity(level: level, at: at))
            }
            if items.isEmpty { reader.error(s.mark, "`severity` must list at least one level") }
            if !levels.isEmpty { spec.severity = levels }
        }
        if let n = keys["cooldown"]?.value, let c = reader.int(n, "cooldown", min: 0) { spec.cooldown = c }
        if let n = keys["resolve"]?.value, let r = reader.bool(n, "resolve") { spec.resolve = r }
        alertConventions(keys, type: type, into: &spec)

        if (spec.when == .threshold || spec.when == .both) && spec.threshold == nil {
            reader.error(node.mark, "missing required field `threshold` for `when: \(spec.when.rawValue)`",
                         hint: "\(type.rawValue) has no default threshold; add `threshold: <value of \(spec.metric)>`")
        }
        if (spec.when == .significance || spec.when == .both) && !Self.hasPValue(type) {
            reader.error(keys["when"]?.value.mark ?? node.mark,
                         "`when: \(spec.when.rawValue)` needs a p-value, which \(type.rawValue) stages do not compute",
                         hint: "use `threshold` or `zscore`")
        }
        return spec
    }

    static func hasPValue(_ type: StageType) -> Bool {
        switch type {
        case .psi, .iv, .groupDivergence, .boundary: return true
        case .entropy, .jsDivergence: return false
        }
    }

    /// Conventional readings (docs/statistics.md): PSI major shift 0.25, IV weak 0.1 (as a fairness
    /// limit), JS 0.1 bits; boundaries fire on their own test (tau).
    static func defaultThreshold(_ type: StageType, _ params: StageParams?) -> Double? {
        switch type {
        case .psi: return 0.25
        case .iv, .groupDivergence, .jsDivergence: return 0.1
        case .entropy: return nil
        case .boundary:
            if case .boundary(let p)? = params { return p.tau }
            return BoundaryParams().tau
        }
    }
}
