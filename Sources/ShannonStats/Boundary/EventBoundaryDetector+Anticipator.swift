/// The anticipators' per-record work, O(D) for every kind.
///
/// `mean(L)` and `linear(L)` keep two running sums per dimension over the context ring —
/// S0 = Σ y_i and S1 = Σ i·y_i, with i = 0 for the oldest held vector — instead of summing the
/// ring on every record (which was O(L·D)). A least-squares line over k points i = 0…k−1 needs
/// only those: with x̄ = (k−1)/2 and Sxx = k(k²−1)/12, slope b = (S1 − x̄·S0)/Sxx and the
/// one-step-ahead value ŷ = S0/k + b·(k − x̄).
///
/// Sliding a full window of L: S1 ← S1 − (S0 − y_old) + (L−1)·y_new, S0 ← S0 − y_old + y_new.
/// The inputs are Floats (24-bit mantissas) times small integers, so these sums are usually exact
/// in Double; where they are not the rounding would accumulate, so they are recomputed exactly
/// from the ring once per L pushes (amortised O(D)). The detector does not depend on the
/// rounding either way: a residual below the relative floor of the unit (see
/// `EventBoundaryDetector.relativeScaleFloor`) is noise, whatever arithmetic produced it.
extension EventBoundaryDetector {
    /// Fills `prediction` from the context.
    mutating func predict() {
        let dim = dimension
        let k = contextCount
        switch parameters.anticipator {
        case .last, .ewma:
            let l = parameters.anticipator.contextLength
            let r = ((contextHead - 1 + l) % l) * dim
            context.withUnsafeBufferPointer { ctx in
                prediction.withUnsafeMutableBufferPointer { pred in
                    for d in 0..<dim { pred[d] = ctx[r + d] }
                }
            }
        case .mean:
            let inv = 1 / Double(k)
            sum0.withUnsafeBufferPointer { s0 in
                prediction.withUnsafeMutableBufferPointer { pred in
                    for d in 0..<dim { pred[d] = s0[d] * inv }
                }
            }
        case .linear:
            let kd = Double(k)
            let xBar = (kd - 1) / 2
            let sxx = kd * (kd * kd - 1) / 12
            let inv = 1 / kd
            // k = 1: no slope (Sxx = 0), the prediction is the one value held.
            let slope = k > 1 ? (kd - xBar) / sxx : 0
            sum0.withUnsafeBufferPointer { s0 in
                sum1.withUnsafeBufferPointer { s1 in
                    prediction.withUnsafeMutableBufferPointer { pred in
                        for d in 0..<dim { pred[d] = s0[d] * inv + (s1[d] - xBar * s0[d]) * slope }
                    }
                }
            }
        }
    }

    /// Appends `current` to the context (and updates the running sums).
    mutating func pushContext() {
        let dim = dimension
        if case let .ewma(alpha) = parameters.anticipator {
            let first = contextCount == 0
            current.withUnsafeBufferPointer { cur in
                context.withUnsafeMutableBufferPointer { ctx in
                    if first {
                        for d in 0..<dim { ctx[d] = cur[d] }
                    } else {
                        for d in 0..<dim { ctx[d] = alpha * cur[d] + (1 - alpha) * ctx[d] }
                    }
                }
            }
            contextCount = 1
            contextHead = 0
            return
        }
        let l = parameters.anticipator.contextLength
        let r = contextHead * dim
        let full = contextCount == l
        let n = Double(contextCount)
        let sums: Bool
        switch parameters.anticipator {
        case .mean, .linear: sums = true
        default: sums = false
        }
        current.withUnsafeBufferPointer { cur in
            context.withUnsafeMutableBufferPointer { ctx in
                if sums {
                    sum0.withUnsafeMutableBufferPointer { s0 in
                        sum1.withUnsafeMutableBufferPointer { s1 in
                            if full {
                                // The slot being overwritten holds the oldest vector.
                                let last = n - 1
                                for d in 0..<dim {
                                    let rest = s0[d] - ctx[r + d]
                                    s1[d] = s1[d] - rest + last * cur[d]
                                    s0[d] = rest + cur[d]
                                }
                            } else {
                                for d in 0..<dim {
                                    s1[d] += n * cur[d]
                                    s0[d] += cur[d]
                                }
                            }
                        }
                    }
                }
                for d in 0..<dim { ctx[r + d] = cur[d] }
            }
        }
        contextHead += 1
        if contextHead == l { contextHead = 0 }
        if contextCount < l { contextCount += 1 }
        if sums {
            pushesSinceExact += 1
            if pushesSinceExact >= l { recomputeSums() }
        }
    }

    /// S0 and S1 summed afresh from the ring (oldest vector first).
    mutating func recomputeSums() {
        pushesSinceExact = 0
        switch parameters.anticipator {
        case .mean, .linear: break
        case .last, .ewma: return
        }
        let dim = dimension
        let l = parameters.anticipator.contextLength
        let k = contextCount
        let first = contextHead - k + l
        context.withUnsafeBufferPointer { ctx in
            sum0.withUnsafeMutableBufferPointer { s0 in
                sum1.withUnsafeMutableBufferPointer { s1 in
                    for d in 0..<dim { s0[d] = 0; s1[d] = 0 }
                    for i in 0..<k {
                        let r = ((first + i) % l) * dim
                        let w = Double(i)
                        for d in 0..<dim {
                            s0[d] += ctx[r + d]
                            s1[d] += w * ctx[r + d]
                        }
                    }
                }
            }
        }
        pushesSinceExact = 0
    }

    /// Empties the context (a boundary: the new event starts with no past).
    mutating func clearContext() {
        contextCount = 0
        contextHead = 0
        pushesSinceExact = 0
        for d in 0..<sum0.count { sum0[d] = 0; sum1[d] = 0 }
    }
}
