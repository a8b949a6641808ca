import Yams

/// A stage's `alert:` block (docs/alerts.md). Kept in a file of its own: what each stage kind
/// contributes (headline, metrics, default threshold, p-value) comes from its `StageKind`.
extension SpecBuilder {
    static let alertKeys = ["when", "metric", "direction", "threshold", "p_value", "z", "baseline", "severity",
                            "cooldown", "resolve"]

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

    static func hasPValue(_ type: StageType) -> Bool { type.kind.hasPValue }

    /// The kind's conventional reading (docs/statistics-drift.md, docs/statistics-entropy-boundaries.md).
    static func defaultThreshold(_ type: StageType, _ params: StageParams?) -> Double? {
        params.map { $0.kind.defaultThreshold } ?? type.kind.defaultThreshold
    }
}
