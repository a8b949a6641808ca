/// Typed `params:` of each stage type, with the defaults of docs/pipelines.md.
public enum StageParams: Sendable, Equatable {
    case psi(PSIParams)
    case iv(IVParams)
    case groupDivergence(GroupDivergenceParams)
    case entropy(EntropyParams)
    case jsDivergence(JSDivergenceParams)
    case boundary(BoundaryParams)
}

/// Where a stage's reference distribution comes from.
public enum ReferenceSpec: Sendable, Equatable {
    /// A CSV (header row) whose column `field` holds the reference sample.
    /// `path` is as written in the file; `resolvedPath` is relative to the pipeline file.
    case file(path: String, resolvedPath: String, field: String)
    /// Bin edges only (interior cut points, strictly increasing); the reference counts are then
    /// learnt from the first window.
    case edges([Double])
    /// A frozen histogram: `counts.count == edges.count + 1` (first and last bins open).
    case histogram(edges: [Double], counts: [Double])
    /// The first complete window is the reference (js_divergence).
    case firstWindow
}

public enum EntropyUnit: String, Sendable, Equatable, CaseIterable { case bits, nats }

public struct PSIParams: Sendable, Equatable {
    public var reference: ReferenceSpec
    public var bins: Int = 10
    public var smoothing: Double = 0.5
    public var fixedReference: Bool = false
    public var missingBin: Bool = false
    /// Level of the reported confidence interval.
    public var confidence: Double = 0.95
}

public struct IVParams: Sendable, Equatable {
    public var bins: Int = 10
    /// Explicit interior edges; otherwise the deciles (`bins`) of `reference`. One of the two is required.
    public var edges: [Double]?
    public var reference: ReferenceSpec?
    public var smoothing: Double = 0.5
    public var confidence: Double = 0.95
}

public struct GroupDivergenceParams: Sendable, Equatable {
    /// The two values of the group field compared.
    public var groups: [String]
    public var bins: Int = 10
    public var reference: ReferenceSpec?
    public var smoothing: Double = 0.5
    public var confidence: Double = 0.95
}

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

public struct JSDivergenceParams: Sendable, Equatable {
    public var reference: ReferenceSpec = .firstWindow
    public var unit: EntropyUnit = .bits
    public var maxDistinct: Int = 10_000
}

public struct BoundaryParams: Sendable, Equatable {
    public enum Anticipator: String, Sendable, Equatable, CaseIterable { case last, mean, ewma, linear }
    public enum ErrorKind: String, Sendable, Equatable, CaseIterable { case cosine, standardized }
    public enum Test: String, Sendable, Equatable, CaseIterable {
        case gaussian
        case studentT = "student_t"
    }
    // Defaults: the parameter set measured on the TCPD development series (mean F1 0.717 against
    // 0.628 for the best published default; docs/statistics-entropy-boundaries.md), the same as
    // ShannonStats' `BoundaryParameters.default`. For `error: cosine` on embeddings, set
    // `sigma_floor` near 1e-3 (cosine errors live in [0, 1]).
    public var anticipator: Anticipator = .mean
    /// L: vectors the `mean`/`linear` anticipators look back over.
    public var lookback: Int = 5
    /// `ewma` factor in (0, 1].
    public var alpha: Double = 0.3
    public var error: ErrorKind = .standardized
    public var nMin: Int = 20
    public var kMax: Int = 512
    public var sigmaFloor: Double = 0.1
    public var tau: Double = 5.0
    public var refractory: Int = 0
    public var test: Test = .gaussian
    public var testAlpha: Double = 0.001
}
