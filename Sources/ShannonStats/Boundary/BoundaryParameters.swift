/// How the next feature vector is predicted from the current event's past.
public enum Anticipator: Sendable, Equatable {
    /// f^_t = f_{t−1}.
    case last
    /// Mean of the last `length` vectors since the boundary.
    case mean(length: Int)
    /// Exponentially weighted mean with factor `alpha` (weight of the newest vector).
    case ewma(alpha: Double)
    /// Per-dimension least-squares line over the last `length` vectors, one step ahead.
    case linear(length: Int)

    /// Vectors of context kept (the ring buffer's length).
    var contextLength: Int {
        switch self {
        case .last, .ewma: 1
        case let .mean(l), let .linear(l): l
        }
    }
}

/// How far a vector is from its prediction.
public enum PredictionErrorKind: Sendable, Equatable {
    /// (1 − cos(f, f^))/2 in [0, 1]; 0 if both are zero vectors, 1 if only one is. Direction
    /// only: right for embeddings (D ≫ 1), useless for D = 1 (every error is 0 or 1).
    case cosine
    /// Mean over dimensions of |f_d − f^_d| / s_d, where s_d² is the running mean of squared
    /// first differences of dimension d over the whole stream. Scale-free (invariant to each
    /// dimension's unit), works for D = 1 and raw measurements; see the doc for why.
    case standardisedAbsolute
    /// Mean over dimensions of (f_d − f^_d)² / s_d² (same s_d): heavier-tailed, more sensitive to
    /// single outliers.
    case standardisedSquared
}

/// The per-dimension unit s_d that residuals are divided by (a whole-stream statistic of first
/// differences, never reset).
public enum DifferenceScale: Sendable, Equatable {
    /// s_d = √(mean of (f_{t,d} − f_{t−1,d})²).
    case rootMeanSquare
    /// s_d = √(π/2) · mean of |f_{t,d} − f_{t−1,d}|: the same value for Gaussian steps, but one
    /// outlier moves it linearly instead of quadratically, so heavy-tailed series keep a unit
    /// that reflects their typical step; and no square root per dimension.
    case meanAbsolute
}

/// A one-sided CUSUM on the test's z scores, beside the single-record test: S ← max(0, S + z − k),
/// boundary when S > h. A single z > τ catches abrupt jumps; the CUSUM catches a run of
/// moderately raised errors (a level or slope change of one or two σ) that no single record
/// reveals. The sum restarts at every boundary.
public struct Cusum: Sendable, Equatable {
    /// k ≥ 0, subtracted per record (in σ units of the event's errors).
    public var drift: Double
    /// h > 0.
    public var threshold: Double

    public init(drift: Double, threshold: Double) {
        self.drift = drift
        self.threshold = threshold
    }
}

/// The test that turns an error into a boundary decision.
public enum BoundaryTest: Sendable, Equatable {
    /// z = (e − μ)/max(σ, σ_floor) > tau (one-sided Gaussian).
    case gaussian(tau: Double)
    /// Student-t prediction test: t = (e − μ)/(max(σ, σ_floor)·√(1 + 1/n)) with n − 1 d.o.f.;
    /// boundary when its one-sided p-value is below `alpha`.
    case studentT(alpha: Double)
}

/// Every knob of the detector. `default` was chosen on the TCPD development series (see
/// docs/statistics-entropy-boundaries.md for the sweep and why this point).
public struct BoundaryParameters: Sendable, Equatable {
    public var anticipator: Anticipator
    public var error: PredictionErrorKind
    public var test: BoundaryTest
    /// Errors held before any test (n_min ≥ 2).
    public var nMin: Int
    /// Most errors held in the memory (K_max ≥ n_min); older ones slide out.
    public var kMax: Int
    /// Lower bound on σ in the test (> 0), in the error's units.
    public var sigmaFloor: Double
    /// Records after a boundary during which no boundary is emitted (g ≥ 0).
    public var refractoryGap: Int
    /// The unit of the standardised errors.
    public var scale: DifferenceScale
    /// The optional CUSUM beside the single-record test.
    public var cusum: Cusum?
    /// Whether the error memory survives a boundary (only the anticipator's context and the CUSUM
    /// restart). Off: each event is judged against its own errors alone, so the first errors of
    /// an event set its threshold. On: the memory is the last K_max errors of the stream, so a
    /// series whose errors are heavy-tailed everywhere (a jump every few records) keeps that
    /// knowledge past each boundary instead of re-learning it, and firing, after every jump.
    public var keepErrors: Bool

    public init(anticipator: Anticipator, error: PredictionErrorKind, test: BoundaryTest,
                nMin: Int, kMax: Int, sigmaFloor: Double, refractoryGap: Int,
                scale: DifferenceScale = .rootMeanSquare, cusum: Cusum? = nil, keepErrors: Bool = false) {
        self.anticipator = anticipator
        self.error = error
        self.test = test
        self.nMin = nMin
        self.kMax = kMax
        self.sigmaFloor = sigmaFloor
        self.refractoryGap = refractoryGap
        self.scale = scale
        self.cusum = cusum
        self.keepErrors = keepErrors
    }

    /// linear(20), standardised absolute error in mean-absolute-step units, z > 5 or CUSUM
    /// (k 0.5, h 8), n_min 20, K_max 512, σ_floor 1, no gap, error memory kept across boundaries.
    /// The set the leave-one-series-out procedure picks on all 19 TCPD series in
    /// shared/data/changepoints (mean F1 0.797 there — a tuning-set figure; the cross-validated
    /// mean of that selection is 0.744, see docs/statistics-entropy-boundaries.md).
    public static let `default` = BoundaryParameters(
        anticipator: .linear(length: 20), error: .standardisedAbsolute, test: .gaussian(tau: 5),
        nMin: 20, kMax: 512, sigmaFloor: 1, refractoryGap: 0,
        scale: .meanAbsolute, cusum: Cusum(drift: 0.5, threshold: 8), keepErrors: true)

    /// The default of codec version 1 and earlier releases: mean(5), τ 5, n_min 20, σ_floor 0.1,
    /// RMS scale, no CUSUM (mean F1 0.703 on the 19 series).
    public static let previousDefault = BoundaryParameters(
        anticipator: .mean(length: 5), error: .standardisedAbsolute, test: .gaussian(tau: 5),
        nMin: 20, kMax: 512, sigmaFloor: 0.1, refractoryGap: 0)

    /// Why these parameters cannot run, or `nil` when they can.
    public var problem: String? {
        switch anticipator {
        case let .mean(l), let .linear(l): if l < 1 || l > 1 << 16 { return "anticipator length must be in 1...65536" }
        case let .ewma(a): if !(a > 0 && a <= 1) { return "ewma alpha must be in (0, 1]" }
        case .last: break
        }
        switch test {
        case let .gaussian(tau): if !tau.isFinite { return "tau must be finite" }
        case let .studentT(alpha): if !(alpha > 0 && alpha < 1) { return "alpha must be in (0, 1)" }
        }
        if nMin < 2 { return "nMin must be at least 2" }
        if kMax < nMin || kMax > 1 << 20 { return "kMax must be in nMin...1048576" }
        if !(sigmaFloor > 0) || !sigmaFloor.isFinite { return "sigmaFloor must be positive" }
        if refractoryGap < 0 { return "refractory gap must be non-negative" }
        if let cusum {
            if !(cusum.drift >= 0) || !cusum.drift.isFinite { return "cusum drift must be non-negative and finite" }
            if !(cusum.threshold > 0) || !cusum.threshold.isFinite { return "cusum threshold must be positive and finite" }
        }
        return nil
    }
}

/// One detected boundary: the event that ended and the evidence.
public struct Boundary: Sendable, Equatable {
    /// 0-based index of the record that starts the new event.
    public var position: Int
    /// Its prediction error e_t.
    public var error: Double
    /// Its z score (for the t-test: the t statistic).
    public var z: Double
    /// Mean and SD of the ended event's error memory.
    public var mu: Double
    public var sigma: Double
    /// Records in the event that ended (from the previous boundary, or the stream start).
    public var eventLength: Int
    /// One-sided p-value (Student-t test only; `nil` for the Gaussian test).
    public var pValue: Double?
}
