/// The TCPD F1 score of predicted change points against several annotators (van den Burg &
/// Williams 2020), for tests and benchmarks.
///
/// Index 0 is added to the predictions and to every annotator's set. Precision: predictions
/// matched, within the margin, to the *union* of the annotations (each union point matched at
/// most once), over all predictions. Recall: per annotator, the fraction of its points matched
/// (each once), averaged. Matching is greedy: true points in ascending order, each taking the
/// closest still-unmatched prediction (ties to the smaller index).
public enum ChangePointScore {
    public struct Result: Sendable, Equatable {
        public var f1: Double
        public var precision: Double
        public var recall: Double
    }

    public static func f1(predictions: [Int], annotations: [[Int]], margin: Int = 5) -> Result {
        let x = Set(predictions + [0])
        let sets = annotations.map { Set($0 + [0]) }
        var union = Set<Int>()
        for s in sets { union.formUnion(s) }
        let precision = Double(truePositives(union, x, margin)) / Double(x.count)
        let recall = sets.isEmpty ? 0 : sets.map { Double(truePositives($0, x, margin)) / Double($0.count) }
            .reduce(0, +) / Double(sets.count)
        let f1 = precision + recall > 0 ? 2 * precision * recall / (precision + recall) : 0
        return Result(f1: f1, precision: precision, recall: recall)
    }

    /// True points matched to distinct predictions within the margin.
    static func truePositives(_ truth: Set<Int>, _ predictions: Set<Int>, _ margin: Int) -> Int {
        var free = predictions.sorted()
        var matched = 0
        for t in truth.sorted() {
            var best = -1
            for (i, p) in free.enumerated() where abs(p - t) <= margin {
                if best < 0 || abs(p - t) < abs(free[best] - t) { best = i }
            }
            if best >= 0 {
                matched += 1
                free.remove(at: best)
            }
        }
        return matched
    }
}
