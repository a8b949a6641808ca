/// The discriminator's memory: the last (at most K_max) prediction errors of the current event
/// with their running mean and sum of squared deviations (Welford, with the reverse update when
/// the oldest error slides out). Preallocated; O(1) per error.
struct ErrorMemory: Sendable, Equatable {
    var values: [Double]
    var count = 0
    /// Next slot to write.
    var head = 0
    var mean = 0.0
    var m2 = 0.0
    /// Removals since the moments were last recomputed from the ring.
    var removals = 0

    init(capacity: Int) { values = [Double](repeating: 0, count: capacity) }

    var capacity: Int { values.count }

    /// Sample standard deviation (n − 1), 0 below two errors.
    var sd: Double { count > 1 ? (Swift.max(m2, 0) / Double(count - 1)).squareRoot() : 0 }

    mutating func add(_ e: Double) {
        if count == capacity {
            let old = values[head]
            let n = Double(count)
            let newMean = (n * mean - old) / (n - 1)
            m2 -= (old - mean) * (old - newMean)
            mean = newMean
            count -= 1
            removals += 1
        }
        values[head] = e
        head += 1
        if head == capacity { head = 0 }
        count += 1
        let d = e - mean
        mean += d / Double(count)
        m2 += d * (e - mean)
        // The reverse update accumulates rounding: recompute exactly once per lap of the ring.
        if removals >= capacity { recompute() }
    }

    mutating func recompute() {
        let (m, s) = exactMoments()
        mean = m
        m2 = s
        removals = 0
    }

    /// Mean and Σ(e − mean)² from the ring itself.
    func exactMoments() -> (Double, Double) {
        guard count > 0 else { return (0, 0) }
        var sum = 0.0
        for i in 0..<count { sum += values[(head - count + i + capacity) % capacity] }
        let m = sum / Double(count)
        var s = 0.0
        for i in 0..<count {
            let d = values[(head - count + i + capacity) % capacity] - m
            s += d * d
        }
        return (m, s)
    }

    mutating func clear() {
        count = 0
        head = 0
        mean = 0
        m2 = 0
        removals = 0
    }
}
