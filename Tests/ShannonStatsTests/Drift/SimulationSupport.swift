import Foundation

/// Bin probabilities of a discretised bell over `bins` bins, tilted by exp(tilt · position).
func bellProbabilities(bins: Int, tilt: Double) -> [Double] {
    let mid = Double(bins - 1) / 2
    let w = (0..<bins).map { i -> Double in
        let z = (Double(i) - mid) / (Double(bins) / 3)
        return exp(-(z * z) / 2 + tilt * (Double(i) - mid) / mid)
    }
    let s = w.reduce(0, +)
    return w.map { $0 / s }
}

func cumulative(_ p: [Double]) -> [Double] {
    var c = [Double]()
    var s = 0.0
    for v in p {
        s += v
        c.append(s)
    }
    c[c.count - 1] = 1
    return c
}
