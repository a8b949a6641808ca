/// `params:` of a `psi` stage: the current window's histogram against a reference
/// (docs/statistics-drift.md).
public struct PSIParams: Sendable, Equatable {
    public var reference: ReferenceSpec
    public var bins: Int = 10
    public var smoothing: Double = 0.5
    public var fixedReference: Bool = false
    public var missingBin: Bool = false
    /// Level of the reported confidence interval.
    public var confidence: Double = 0.95
}

extension PSIParams: StageKind {
    static let paramKeys = ["reference", "bins", "smoothing", "fixed_reference", "missing_bin", "confidence"]
    static let headlineMetric = "psi"
    static let metrics = ["psi", "psi_delta_se", "statistic", "p_value"]
    static let inputTypes: [FieldType] = [.number]
    static let hasPValue = true
    /// The conventional "major shift".
    static let defaultThreshold: Double? = 0.25

    static func parse(_ r: ParamsReader) -> StageParams? {
        var p = PSIParams(reference: .firstWindow)
        if r.value("reference") != nil {
            if let ref = r.reference(allowFirstWindow: false) { p.reference = ref }
        } else {
            r.error("missing required field `reference` in psi params",
                    hint: "reference: { file: data/reference.csv, field: score } or { edges: [...] } or { histogram: {...} }")
        }
        let explicitBins = r.bins()
        p.bins = explicitBins ?? p.bins
        p.smoothing = r.smoothing() ?? p.smoothing
        p.fixedReference = r.bool("fixed_reference") ?? p.fixedReference
        p.missingBin = r.bool("missing_bin") ?? p.missingBin
        p.confidence = r.confidence() ?? p.confidence
        switch p.reference {
        case .edges(let e), .histogram(let e, _):
            r.checkBins(explicitBins, edges: e)
            if r.value("bins") == nil { p.bins = e.count + 1 }
        default: break
        }
        return .psi(p)
    }

    var fingerprint: String {
        "psi(reference=\(FingerprintText.render(reference)),bins=\(bins),smoothing=\(FingerprintText.render(smoothing)),"
            + "fixed_reference=\(fixedReference),missing_bin=\(missingBin),confidence=\(FingerprintText.render(confidence)))"
    }
}
