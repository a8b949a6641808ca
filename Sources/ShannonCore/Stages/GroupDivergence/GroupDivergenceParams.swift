/// `params:` of a `group_divergence` stage: Jeffreys divergence of a score between two groups of
/// a protected attribute (docs/statistics-drift.md).
public struct GroupDivergenceParams: Sendable, Equatable {
    /// The two values of the group field compared.
    public var groups: [String]
    public var bins: Int = 10
    public var reference: ReferenceSpec?
    public var smoothing: Double = 0.5
    public var confidence: Double = 0.95
}

extension GroupDivergenceParams: StageKind {
    static let paramKeys = ["groups", "bins", "reference", "smoothing", "confidence"]
    static let headlineMetric = "divergence"
    static let metrics = ["divergence", "statistic", "p_value"]
    static let inputTypes: [FieldType] = [.number]
    static let secondField: SecondField? = SecondField(key: "group", types: [.category])
    static let hasPValue = true
    static let defaultThreshold: Double? = 0.1

    static func parse(_ r: ParamsReader) -> StageParams? {
        var p = GroupDivergenceParams(groups: [])
        if let g = r.value("groups") {
            if let groups = r.reader.strings(g, "groups") {
                if groups.count != 2 || groups[0] == groups[1] {
                    r.reader.error(g.mark, "`groups` must name two different groups, found \(groups.count)",
                                   hint: "e.g. groups: [\"18-24\", \"45-54\"]")
                }
                p.groups = groups
            }
        } else {
            r.error("missing required field `groups` in group_divergence params",
                    hint: "name the two values of the group field to compare, e.g. groups: [a, b]")
        }
        p.bins = r.bins() ?? p.bins
        p.reference = r.reference(allowFirstWindow: false)
        p.smoothing = r.smoothing() ?? p.smoothing
        p.confidence = r.confidence() ?? p.confidence
        if r.value("reference") == nil {
            r.error("a group_divergence stage needs `reference` in its params",
                    hint: "the bins must be fixed before the first window: reference: { file: data/reference.csv, field: score } or { edges: [..] }")
        }
        return .groupDivergence(p)
    }

    var fingerprint: String {
        "group_divergence(groups=[\(groups.joined(separator: ","))],bins=\(bins),"
            + "reference=\(FingerprintText.render(reference)),smoothing=\(FingerprintText.render(smoothing)),"
            + "confidence=\(FingerprintText.render(confidence)))"
    }
}
