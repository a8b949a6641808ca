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

    public init(anticipator: Anticipator, error: PredictionErrorKind, test: BoundaryTest,
                nMin: Int, kMax: Int, sigmaFloor: Double, refractoryGap: Int) {
        self.anticipator = anticipator
        self.error = error
        self.test = test
        self.nMin = nMin
        self.kMax = kMax
        self.sigmaFloor = sigmaFloor
        self.refractoryGap = refractoryGap
    }

    /// mean(5), standardised absolute error, z > 5, n_min 20, K_max 512, σ_floor 0.1, no gap.
    /// Mean TCPD F1 0.717 on the 7 development series (best published default 0.628); every
    /// set one step away in tau (4–6), n_min, K_max or σ_floor stays ≥ 0.669; and on 10^5
    /// records of white noise or of a random walk it raises ~12 false alarms. Sharper sets
    /// exist on these 7 series (linear(20) with squared errors reaches 0.771) but raise 7–20×
    /// more false alarms on noise: see docs/statistics-entropy-boundaries.md.
    public static let `default` = BoundaryParameters(
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
