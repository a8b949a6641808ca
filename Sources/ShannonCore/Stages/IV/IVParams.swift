/// `params:` of an `iv` stage: information value of a score on a good/bad label
/// (docs/statistics-drift.md).
public struct IVParams: Sendable, Equatable {
    public var bins: Int = 10
    /// Explicit interior edges; otherwise the deciles (`bins`) of `reference`. One of the two is required.
    public var edges: [Double]?
    public var reference: ReferenceSpec?
    public var smoothing: Double = 0.5
    public var confidence: Double = 0.95
}

extension IVParams: StageKind {
    static let paramKeys = ["bins", "edges", "reference", "smoothing", "confidence"]
    static let headlineMetric = "iv"
    static let metrics = ["iv", "statistic", "p_value"]
    static let inputTypes: [FieldType] = [.number]
    static let secondField: SecondField? = SecondField(key: "label", types: [.label])
    static let hasPValue = true
    /// "Weak" predictive power, read as a fairness limit.
    static let defaultThreshold: Double? = 0.1

    static func parse(_ r: ParamsReader) -> StageParams? {
        var p = IVParams()
        let explicitBins = r.bins()
        p.bins = explicitBins ?? p.bins
        p.edges = r.edges("edges")
        p.reference = r.reference(allowFirstWindow: false)
        p.smoothing = r.smoothing() ?? p.smoothing
        p.confidence = r.confidence() ?? p.confidence
        r.checkBins(explicitBins, edges: p.edges)
        if r.value("bins") == nil, let e = p.edges { p.bins = e.count + 1 }
        if r.value("edges") == nil && r.value("reference") == nil {
            r.error("an iv stage needs `edges` or `reference` in its params",
                    hint: "the bins must be fixed before the first window: edges: [..] or reference: { file: data/reference.csv, field: score }")
        }
        return .iv(p)
    }

    var fingerprint: String {
        "iv(bins=\(bins),edges=\(edges.map(FingerprintText.render) ?? "none"),reference=\(FingerprintText.render(reference)),"
            + "smoothing=\(FingerprintText.render(smoothing)),confidence=\(FingerprintText.render(confidence)))"
    }
}
