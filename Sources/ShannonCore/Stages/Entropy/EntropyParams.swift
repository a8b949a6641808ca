/// `params:` of an `entropy` stage: Shannon entropy of a key's tokens per window
/// (docs/statistics-entropy-boundaries.md §1).
public struct EntropyParams: Sendable, Equatable {
    public enum Estimator: String, Sendable, Equatable, CaseIterable {
        case plugin
        case millerMadow = "miller_madow"
        case chaoShen = "chao_shen"
    }
    public var estimator: Estimator = .millerMadow
    public var unit: EntropyUnit = .bits
    public var maxDistinct: Int = 10_000
    public var vocabularySize: Int?
    /// Windows with fewer tokens never alert.
    public var minTokens: Int = 100
    /// A `numbers` field of per-token log-probabilities (natural log): the window's mean
    /// surprisal (cross-entropy rate, bits/token) is then reported as `mean_surprisal`.
    public var logprobs: String?
}

public enum EntropyUnit: String, Sendable, Equatable, CaseIterable { case bits, nats }

extension EntropyParams: StageKind {
    static let paramKeys = ["estimator", "unit", "max_distinct", "vocabulary_size", "min_tokens", "logprobs"]
    static let headlineMetric = "entropy"
    static let metrics = ["entropy", "normalized_entropy", "distinct", "mean_surprisal"]
    static let inputTypes: [FieldType] = [.tokens, .category]
    static let hasPValue = false
    /// No convention: an entropy alert names its own threshold.
    static let defaultThreshold: Double? = nil

    static func parse(_ r: ParamsReader) -> StageParams? {
        var p = EntropyParams()
        p.estimator = r.choice("estimator", Estimator.self) ?? p.estimator
        p.unit = r.choice("unit", EntropyUnit.self) ?? p.unit
        p.maxDistinct = r.int("max_distinct", min: 2) ?? p.maxDistinct
        p.vocabularySize = r.int("vocabulary_size", min: 2) ?? p.vocabularySize
        p.minTokens = r.int("min_tokens", min: 1) ?? p.minTokens
        p.logprobs = r.fieldRef("logprobs", types: [.numbers])
        return .entropy(p)
    }

    var fingerprint: String {
        "entropy(estimator=\(estimator.rawValue),unit=\(unit.rawValue),max_distinct=\(maxDistinct),"
            + "vocabulary_size=\(vocabularySize.map(String.init) ?? "none"),min_tokens=\(minTokens))"
    }

    func runnerMaker(_ b: StageBuild) throws -> () -> AnyStageRunner {
        let ctx = b.context(second: b.fieldIndex(logprobs)) {
            EntropyEstimator(params: self, slots: b.slots, slidingRecords: b.sliding)
        }
        return { .entropy(StageRunner(context: ctx)) }
    }
}
