import ShannonStats

/// `params:` of a `boundary` stage: online event-boundary detection on feature vectors
/// (docs/statistics-entropy-boundaries.md §2).
public struct BoundaryParams: Sendable, Equatable {
    public enum Anticipator: String, Sendable, Equatable, CaseIterable { case last, mean, ewma, linear }
    public enum ErrorKind: String, Sendable, Equatable, CaseIterable { case cosine, standardized }
    public enum Test: String, Sendable, Equatable, CaseIterable {
        case gaussian
        case studentT = "student_t"
    }
    /// The unit a standardised error is measured in: the RMS of first differences, or
    /// √(π/2) × their mean absolute value (robust: one outlier moves it much less).
    public enum Scale: String, Sendable, Equatable, CaseIterable {
        case rms
        case meanAbs = "mean_abs"
    }
    // Defaults: ShannonStats' `BoundaryParameters.default`, chosen on the 19 TCPD development
    // series — 0.744 leave-one-series-out cross-validated (0.797 on the tuning set itself),
    // against 0.659 for predicting no change (docs/statistics-entropy-boundaries.md). For `error: cosine` on
    // embeddings, set `sigma_floor` near 1e-3 (cosine errors live in [0, 1]).
    public var anticipator: Anticipator = .linear
    /// L: vectors the `mean`/`linear` anticipators look back over.
    public var lookback: Int = 20
    /// `ewma` factor in (0, 1].
    public var alpha: Double = 0.3
    public var error: ErrorKind = .standardized
    public var nMin: Int = 20
    public var kMax: Int = 512
    public var sigmaFloor: Double = 1
    public var tau: Double = 5.0
    public var refractory: Int = 0
    public var test: Test = .gaussian
    public var testAlpha: Double = 0.001
    public var scale: Scale = .meanAbs
    /// CUSUM beside the single-record test: S ← max(0, S + z − drift), a boundary when S >
    /// threshold. A threshold of 0 turns it off.
    public var cusumDrift: Double = 0.5
    public var cusumThreshold: Double = 8
    /// Whether the error memory survives a boundary (ShannonStats' `BoundaryParameters.keepErrors`).
    public var keepErrors = true

    /// The detector's parameters (ShannonStats' `BoundaryParameters`) these params name.
    var detectorParameters: BoundaryParameters {
        let anticipator: ShannonStats.Anticipator = switch self.anticipator {
        case .last: .last
        case .mean: .mean(length: lookback)
        case .ewma: .ewma(alpha: alpha)
        case .linear: .linear(length: lookback)
        }
        let error: PredictionErrorKind = self.error == .cosine ? .cosine : .standardisedAbsolute
        let test: BoundaryTest = self.test == .gaussian ? .gaussian(tau: tau) : .studentT(alpha: testAlpha)
        return BoundaryParameters(anticipator: anticipator, error: error, test: test, nMin: nMin, kMax: kMax,
                                  sigmaFloor: sigmaFloor, refractoryGap: refractory,
                                  scale: scale == .rms ? .rootMeanSquare : .meanAbsolute,
                                  cusum: cusumThreshold > 0 ? Cusum(drift: cusumDrift, threshold: cusumThreshold) : nil,
                                  keepErrors: keepErrors)
    }
}

extension BoundaryParams: StageKind {
    static let paramKeys = ["anticipator", "lookback", "alpha", "error", "n_min", "k_max", "sigma_floor", "tau",
                            "refractory", "test", "test_alpha", "scale", "cusum_drift", "cusum_threshold",
                            "keep_errors"]
    static let headlineMetric = "z"
    static let metrics = ["z", "error", "boundaries"]
    static let inputTypes: [FieldType] = [.vector]
    static let hasPValue = true
    /// Boundaries fire on their own test: the threshold is `tau`.
    static let defaultThreshold: Double? = BoundaryParams().tau
    var defaultThreshold: Double? { tau }

    static func parse(_ r: ParamsReader) -> StageParams? {
        var p = BoundaryParams()
        p.anticipator = r.choice("anticipator", Anticipator.self) ?? p.anticipator
        p.lookback = r.int("lookback", min: 1) ?? p.lookback
        p.alpha = r.double("alpha", min: 0, max: 1, exclusiveMin: true) ?? p.alpha
        p.error = r.choice("error", ErrorKind.self) ?? p.error
        p.nMin = r.int("n_min", min: 2) ?? p.nMin
        p.kMax = r.int("k_max", min: 2) ?? p.kMax
        p.sigmaFloor = r.double("sigma_floor", min: 0) ?? p.sigmaFloor
        p.tau = r.double("tau", min: 0, exclusiveMin: true) ?? p.tau
        p.refractory = r.int("refractory", min: 0) ?? p.refractory
        p.test = r.choice("test", Test.self) ?? p.test
        p.testAlpha = r.double("test_alpha", min: 0, max: 0.5, exclusiveMin: true) ?? p.testAlpha
        p.scale = r.choice("scale", Scale.self) ?? p.scale
        p.cusumDrift = r.double("cusum_drift", min: 0) ?? p.cusumDrift
        p.cusumThreshold = r.double("cusum_threshold", min: 0) ?? p.cusumThreshold
        p.keepErrors = r.bool("keep_errors") ?? p.keepErrors
        if p.kMax < p.nMin, let n = r.value("k_max") ?? r.value("n_min") {
            r.reader.error(n.mark, "`k_max` (\(p.kMax)) must be ≥ `n_min` (\(p.nMin))",
                           hint: "the error memory must hold at least n_min errors before the test can run")
        }
        return .boundary(p)
    }

    var fingerprint: String {
        "boundary(anticipator=\(anticipator.rawValue),lookback=\(lookback),alpha=\(FingerprintText.render(alpha)),"
            + "error=\(error.rawValue),n_min=\(nMin),k_max=\(kMax),sigma_floor=\(FingerprintText.render(sigmaFloor)),"
            + "tau=\(FingerprintText.render(tau)),refractory=\(refractory),test=\(test.rawValue),"
            + "test_alpha=\(FingerprintText.render(testAlpha)),scale=\(scale.rawValue),"
            + "cusum_drift=\(FingerprintText.render(cusumDrift)),cusum_threshold=\(FingerprintText.render(cusumThreshold)),"
            + "keep_errors=\(keepErrors))"
    }

    func runnerMaker(_ b: StageBuild) throws -> () -> AnyStageRunner {
        guard let dim = b.spec.decode.fields[b.input].dim else {
            throw b.failure("the input of a boundary stage must be a vector with a dim")
        }
        let parameters = detectorParameters
        if let problem = parameters.problem { throw b.failure(problem) }
        let ctx = b.context { BoundaryEstimator(dimension: dim, parameters: parameters) }
        return { .boundary(StageRunner(context: ctx)) }
    }
}
