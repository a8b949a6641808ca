#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Online generic event-boundary detection (On-GEBD) on a stream of D-dimensional vectors.
///
/// Per record: an anticipator predicts the vector from the current event's past, the prediction
/// error is tested against the errors seen so far in this event, and a boundary is emitted when
/// the error is improbably large for this event. The threshold therefore adapts to each event's
/// own noise. On a boundary the error memory and the anticipator context are cleared: the
/// boundary record is the first record of the new event.
///
/// All buffers are allocated at init; `update` allocates nothing and is O(D) for every
/// anticipator (running sums, EventBoundaryDetector+Anticipator.swift), i.e. O(1) in the length
/// of the stream and in the anticipator's context length.
public struct EventBoundaryDetector: Sendable {
    public let dimension: Int
    public let parameters: BoundaryParameters
    /// Records seen.
    public internal(set) var position = 0
    /// Position of the current event's first record.
    public internal(set) var eventStart = 0
    /// Position of the last boundary (-1 before the first).
    public internal(set) var lastBoundary = -1

    /// Context ring: `contextLength` vectors of D values, row-major; for `ewma` one row holding
    /// the running mean.
    var context: [Double]
    var contextCount = 0
    var contextHead = 0
    /// Running Σ y_i and Σ i·y_i over the context per dimension (`mean` and `linear` only; zero
    /// otherwise), and pushes since they were last summed exactly from the ring.
    var sum0: [Double]
    var sum1: [Double]
    var pushesSinceExact = 0
    /// Running mean of squared first differences per dimension (the scale s_d², never reset).
    var scale: [Double]
    var scaleCount = 0
    /// The last (cleaned) vector: first differences and carrying missing values forward.
    var previous: [Double]
    var hasPrevious = false
    var memory: ErrorMemory
    /// The CUSUM of the current event's z scores (0 without a CUSUM).
    var cusumSum = 0.0
    /// Scratch for the cleaned input and the prediction (not state).
    var current: [Double]
    var prediction: [Double]

    /// The largest per-dimension standardised error, keeping the memory's moments finite.
    static let errorCap = 1000.0

    /// The unit s_d is never taken below this fraction of the magnitude of the values compared
    /// (max(|f_d|, |f^_d|)): a residual of a few Float ulps of the value (≈ 6e-8 relative each)
    /// is representation or arithmetic noise, not a change. Without it, a stream constant so far
    /// (s_d = 0) turned any rounding residual of the prediction into the capped error, and what
    /// the detector found depended on how the prediction happened to round.
    static let relativeScaleFloor = 1e-6

    /// σ_floor as the test applies it. A standardised error is the mean of D per-dimension terms,
    /// so its spread shrinks as 1/√D on a stationary stream: the floor, given in the units of one
    /// dimension, is scaled by 1/√D (D = 1 unchanged). The cosine error is one number whatever D
    /// is, so its floor is used as given.
    var sigmaFloor: Double {
        parameters.error == .cosine ? parameters.sigmaFloor : parameters.sigmaFloor / Double(dimension).squareRoot()
    }

    public init(dimension: Int, parameters: BoundaryParameters = .default) {
        precondition(dimension >= 1, "dimension must be at least 1")
        if let problem = parameters.problem { preconditionFailure(problem) }
        self.dimension = dimension
        self.parameters = parameters
        context = [Double](repeating: 0, count: parameters.anticipator.contextLength * dimension)
        sum0 = [Double](repeating: 0, count: dimension)
        sum1 = [Double](repeating: 0, count: dimension)
        scale = [Double](repeating: 0, count: dimension)
        previous = [Double](repeating: 0, count: dimension)
        memory = ErrorMemory(capacity: parameters.kMax)
        current = [Double](repeating: 0, count: dimension)
        prediction = [Double](repeating: 0, count: dimension)
    }

    /// Feeds one vector. Non-finite components (missing values) are replaced by the last value
    /// of that dimension (0 before any).
    /// - Returns: the boundary this record starts, if any.
    public mutating func update(_ v: UnsafeBufferPointer<Float>) -> Boundary? {
        precondition(v.count == dimension, "vector has \(v.count) components, expected \(dimension)")
        let carry = hasPrevious
        previous.withUnsafeBufferPointer { prev in
            current.withUnsafeMutableBufferPointer { cur in
                for d in 0..<cur.count {
                    let x = v[d]
                    cur[d] = x.isFinite ? Double(x) : (carry ? prev[d] : 0)
                }
            }
        }
        return step()
    }

    /// Convenience for arrays.
    public mutating func update(_ v: [Float]) -> Boundary? {
        v.withUnsafeBufferPointer { update($0) }
    }

    private mutating func step() -> Boundary? {
        // The scale includes this record's own first difference, so it is known from the second
        // record on and a residual can only be non-zero where the scale is non-zero (a stream
        // constant so far predicts that constant exactly).
        if hasPrevious {
            let n = Double(scaleCount + 1)
            current.withUnsafeBufferPointer { cur in
                previous.withUnsafeBufferPointer { prev in
                    scale.withUnsafeMutableBufferPointer { sc in
                        if parameters.scale == .meanAbsolute {
                            for d in 0..<sc.count { sc[d] += (abs(cur[d] - prev[d]) - sc[d]) / n }
                        } else {
                            for d in 0..<sc.count {
                                let diff = cur[d] - prev[d]
                                sc[d] += (diff * diff - sc[d]) / n
                            }
                        }
                    }
                }
            }
            scaleCount += 1
        }
        let e: Double? = contextCount > 0 ? predictionError() : nil
        current.withUnsafeBufferPointer { cur in
            previous.withUnsafeMutableBufferPointer { prev in
                for d in 0..<prev.count { prev[d] = cur[d] }
            }
        }
        hasPrevious = true

        var boundary: Boundary?
        if let e {
            let armed = lastBoundary < 0 || position - lastBoundary > parameters.refractoryGap
            if memory.count >= parameters.nMin && armed {
                boundary = test(e)
            }
            if boundary != nil {
                cusumSum = 0
                if !parameters.keepErrors { memory.clear() }
                clearContext()
                lastBoundary = position
                eventStart = position
            }
            if boundary == nil || parameters.keepErrors { memory.add(e) }
        }
        pushContext()
        position += 1
        return boundary
    }

    /// The single-record test, then (if it did not fire) the CUSUM of the z scores.
    private mutating func test(_ e: Double) -> Boundary? {
        let mu = memory.mean
        let sigma = memory.sd
        let denom = Swift.max(sigma, sigmaFloor)
        let z = (e - mu) / denom
        switch parameters.test {
        case let .gaussian(tau):
            if z <= tau {
                guard let c = parameters.cusum else { return nil }
                cusumSum = Swift.max(0, cusumSum + z - c.drift)
                guard cusumSum > c.threshold else { return nil }
            }
            return Boundary(position: position, error: e, z: z, mu: mu, sigma: sigma,
                            eventLength: position - eventStart, pValue: nil)
        case let .studentT(alpha):
            let n = Double(memory.count)
            let t = z / (1 + 1 / n).squareRoot()
            let p = StudentT.survival(t, degreesOfFreedom: n - 1)
            if !(p < alpha) {
                guard let c = parameters.cusum else { return nil }
                cusumSum = Swift.max(0, cusumSum + t - c.drift)
                guard cusumSum > c.threshold else { return nil }
            }
            return Boundary(position: position, error: e, z: t, mu: mu, sigma: sigma,
                            eventLength: position - eventStart, pValue: p)
        }
    }

    private mutating func predictionError() -> Double {
        predict()
        switch parameters.error {
        case .cosine:
            return Self.cosineError(current, prediction)
        case .standardisedAbsolute:
            return standardisedError(squared: false)
        case .standardisedSquared:
            return standardisedError(squared: true)
        }
    }

    /// Branch-free per dimension (so it vectorises) and summed in four interleaved partial sums
    /// (so the adds do not wait on each other); for D ≤ 4 that is the plain sum. The unit s_d is
    /// the RMS first difference, or √(π/2)·(mean |first difference|) — linear in the steps, so
    /// no square root.
    private func standardisedError(squared: Bool) -> Double {
        let dim = dimension
        let known = scaleCount > 0
        let rms = parameters.scale == .rootMeanSquare
        let unit = (Double.pi / 2).squareRoot()
        return current.withUnsafeBufferPointer { cur in
            prediction.withUnsafeBufferPointer { pred in
                scale.withUnsafeBufferPointer { sc in
                    let rel = Self.relativeScaleFloor
                    if squared {
                        return Self.sumTerms(dim) { d in
                            let r = cur[d] - pred[d]
                            let s = known ? (rms ? sc[d].squareRoot() : sc[d] * unit) : 0
                            let f = Swift.max(s, rel * Swift.max(abs(cur[d]), abs(pred[d])))
                            return Self.clampTerm(r * r / (f * f), residual: r, cap: Self.errorCap * Self.errorCap)
                        } / Double(dim)
                    }
                    return Self.sumTerms(dim) { d in
                        let r = cur[d] - pred[d]
                        let s = known ? (rms ? sc[d].squareRoot() : sc[d] * unit) : 0
                        let f = Swift.max(s, rel * Swift.max(abs(cur[d]), abs(pred[d])))
                        return Self.clampTerm(abs(r) / f, residual: r, cap: Self.errorCap)
                    } / Double(dim)
                }
            }
        }
    }

    /// A zero residual is error 0 (even where the scale is 0: 0/0); anything else above the cap,
    /// infinite (scale 0) or NaN becomes the cap.
    @inline(__always) static func clampTerm(_ t: Double, residual r: Double, cap: Double) -> Double {
        let bounded = t < cap ? t : cap
        return r == 0 ? 0 : bounded
    }

    @inline(__always) static func sumTerms(_ n: Int, _ term: (Int) -> Double) -> Double {
        var a0 = 0.0, a1 = 0.0, a2 = 0.0, a3 = 0.0
        var d = 0
        while d + 4 <= n {
            a0 += term(d)
            a1 += term(d + 1)
            a2 += term(d + 2)
            a3 += term(d + 3)
            d += 4
        }
        while d < n {
            a0 += term(d)
            d += 1
        }
        return (a0 + a1) + (a2 + a3)
    }

    /// (1 − cos(f, p))/2 in [0, 1]; 0 when both are zero vectors, 1 when only one is.
    static func cosineError(_ f: [Double], _ p: [Double]) -> Double {
        var dot = 0.0, nf = 0.0, np = 0.0
        for d in 0..<f.count {
            dot += f[d] * p[d]
            nf += f[d] * f[d]
            np += p[d] * p[d]
        }
        if nf == 0 && np == 0 { return 0 }
        if nf == 0 || np == 0 { return 1 }
        let cosine = Swift.min(1, Swift.max(-1, dot / (nf.squareRoot() * np.squareRoot())))
        return (1 - cosine) / 2
    }

}
