/// Thins a long series for drawing: the points split into equal runs ("buckets") and each run
/// keeps its lowest and highest value, so spikes and dips stay visible, plus every point that
/// carries an alert, so no alert ever leaves the picture. The band of a kept point widens to
/// the run's envelope (lowest low, highest high) so the band never looks narrower than it was.
enum Downsample {
    static func thin(_ points: [SeriesPoint], maxPoints: Int) -> [SeriesPoint] {
        guard maxPoints >= 4, points.count > maxPoints else { return points }
        let buckets = maxPoints / 2
        var kept: [SeriesPoint] = []
        kept.reserveCapacity(maxPoints + 16)
        for b in 0..<buckets {
            let lo = b * points.count / buckets
            let hi = (b + 1) * points.count / buckets
            guard lo < hi else { continue }
            var iMin = lo, iMax = lo
            var low: Double?, high: Double?
            for i in lo..<hi {
                let p = points[i]
                if p.value < points[iMin].value { iMin = i }
                if p.value > points[iMax].value { iMax = i }
                if let l = p.low { low = min(low ?? l, l) }
                if let h = p.high { high = max(high ?? h, h) }
            }
            var chosen = Set([iMin, iMax])
            if b == 0 { chosen.insert(lo) }
            if b == buckets - 1 { chosen.insert(hi - 1) }
            for i in lo..<hi where !points[i].alerts.isEmpty { chosen.insert(i) }
            for i in chosen.sorted() {
                var p = points[i]
                if p.low != nil { p.low = low }
                if p.high != nil { p.high = high }
                kept.append(p)
            }
        }
        return kept
    }
}
