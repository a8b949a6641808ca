import Yams

/// The Prometheus/Alertmanager conventions of an `alert:` block: `for`, `keep_firing_for` and
/// `labels`. Kept apart from the rest of the block's parsing so the stage parser stays small.
extension SpecBuilder {
    static let alertConventionKeys = ["for", "keep_firing_for", "labels"]

    func alertConventions(_ keys: [String: NodeReader.Entry], type: StageType, into spec: inout AlertSpec) {
        if let n = keys["for"]?.value, let f = reader.int(n, "for", min: 0) { spec.forWindows = f }
        if let n = keys["keep_firing_for"]?.value, let k = reader.int(n, "keep_firing_for", min: 0) { spec.keepFiringFor = k }
        if type == .boundary {
            // Boundaries are events, each judged on its own: nothing lasts across windows to wait on.
            for (name, value) in [("for", spec.forWindows), ("keep_firing_for", spec.keepFiringFor)] where value != 0 {
                if let e = keys[name] {
                    reader.error(e.keyNode.mark, "`\(name)` does not apply to boundary stages",
                                 hint: "a boundary is one event, not a condition that holds over windows; use `refractory` in params")
                }
            }
        }
        if let node = keys["labels"]?.value, let entries = reader.mapping(node, "labels") {
            var labels: [String: String] = [:]
            for e in entries {
                if AlertLabels.reserved.contains(e.key) {
                    reader.error(e.keyNode.mark, "label `\(e.key)` is reserved",
                                 hint: "every alert already carries `pipeline`, `stage` and `key`; pick another name")
                } else if !AlertLabels.isValidName(e.key) {
                    reader.error(e.keyNode.mark, "`\(e.key)` is not a label name",
                                 hint: "letters, digits and `_`, not starting with a digit or `__` (as in Prometheus)")
                } else if let v = reader.string(e.value, "labels.\(e.key)") {
                    labels[e.key] = v
                }
            }
            spec.labels = labels
        }
    }
}
