import ShannonStats

/// The candidate grid and leave-one-series-out cross-validation of choosing from it.
///
/// For each held-out series: the set with the best mean F1 on the other 18 (ties to the earlier
/// set in grid order) scores the held-out series; the mean of those 19 held-out scores is the
/// honest estimate of what "pick the best set on the development series" yields on a new series.
enum CrossValidation {
    static func grid() -> [BoundaryParameters] {
        let anticipators: [Anticipator] = [.last, .mean(length: 5), .mean(length: 10), .ewma(alpha: 0.3),
                                           .linear(length: 10), .linear(length: 20)]
        let scales: [DifferenceScale] = [.rootMeanSquare, .meanAbsolute]
        let taus: [Double] = [4, 5, 6, 8]
        let nMins = [3, 5, 10, 20]
        let kMaxes = [32, 512]
        let floors = [0.1, 0.3, 1]
        let cusums: [Cusum?] = [nil, Cusum(drift: 0.5, threshold: 4), Cusum(drift: 0.5, threshold: 8),
                                Cusum(drift: 1, threshold: 4), Cusum(drift: 1, threshold: 8)]
        var out: [BoundaryParameters] = []
        for keep in [false, true] {
        for a in anticipators { for s in scales { for t in taus { for n in nMins { for k in kMaxes { for f in floors { for c in cusums {
            out.append(BoundaryParameters(anticipator: a, error: .standardisedAbsolute, test: .gaussian(tau: t),
                                          nMin: n, kMax: k, sigmaFloor: f, refractoryGap: 0, scale: s, cusum: c,
                                          keepErrors: keep))
        } } } } } } }
        }
        return out
    }

    struct Result {
        var heldOut: [Double]
        /// Index into the grid chosen for each held-out series.
        var chosen: [Int]
        var mean: Double { heldOut.reduce(0, +) / Double(heldOut.count) }
    }

    /// `scores[set][series]`.
    static func leaveOneSeriesOut(_ scores: [[Double]]) -> Result {
        let n = scores.first?.count ?? 0
        var held: [Double] = [], chosen: [Int] = []
        for j in 0..<n {
            var best = 0, bestMean = -Double.infinity
            for (i, row) in scores.enumerated() {
                var sum = 0.0
                for (k, v) in row.enumerated() where k != j { sum += v }
                if sum / Double(n - 1) > bestMean { bestMean = sum / Double(n - 1); best = i }
            }
            held.append(scores[best][j])
            chosen.append(best)
        }
        return Result(heldOut: held, chosen: chosen)
    }
}
