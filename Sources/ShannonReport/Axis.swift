import Foundation

/// A linear map from data to pixels.
struct LinearScale {
    var domain: (Double, Double)
    var range: (Double, Double)

    func map(_ v: Double) -> Double {
        let (d0, d1) = domain
        let (r0, r1) = range
        guard d1 != d0 else { return (r0 + r1) / 2 }
        return r0 + (v - d0) / (d1 - d0) * (r1 - r0)
    }
}

/// One tick mark: where it goes (data value) and what it says.
struct Tick {
    var value: Double
    var label: String
}

enum Ticks {
    /// A step of 1, 2 or 5 × 10^k giving about `target` ticks over [lo, hi].
    static func niceStep(_ lo: Double, _ hi: Double, target: Int) -> Double {
        let span = hi - lo
        guard span > 0, span.isFinite else { return 1 }
        let raw = span / Double(max(1, target))
        let mag = pow(10, floor(log10(raw)))
        let f = raw / mag
        return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * mag
    }

    /// The domain widened to whole steps, and the ticks on it.
    static func linear(_ lo: Double, _ hi: Double, target: Int = 5) -> (domain: (Double, Double), ticks: [Tick]) {
        var (lo, hi) = (lo, hi)
        if lo == hi { (lo, hi) = lo == 0 ? (-1, 1) : (lo - abs(lo) * 0.1, hi + abs(hi) * 0.1) }
        let step = niceStep(lo, hi, target: target)
        let d0 = floor(lo / step) * step, d1 = ceil(hi / step) * step
        var ticks: [Tick] = []
        var i = 0
        while true {
            let v = d0 + Double(i) * step
            if v > d1 + step * 1e-9 || i > 100 { break }
            let clean = abs(v) < step * 1e-9 ? 0 : v
            ticks.append(Tick(value: clean, label: Format.tick(clean, step: step)))
            i += 1
        }
        return ((d0, d1), ticks)
    }

    /// Whole-number ticks for a window index axis (no "2.5th window").
    static func index(_ lo: Double, _ hi: Double, target: Int = 8) -> [Tick] {
        let step = max(1, niceStep(lo, hi, target: target).rounded(.up))
        var v = (lo / step).rounded(.up) * step
        var ticks: [Tick] = []
        while v <= hi && ticks.count < 100 {
            ticks.append(Tick(value: v, label: Format.count(Int(v))))
            v += step
        }
        return ticks
    }

    private static let timeSteps: [Int64] = [
        1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200,
        86400, 172_800, 604_800, 1_209_600, 2_592_000, 7_776_000, 31_536_000,
    ].map { $0 * 1000 }

    /// Ticks on round UTC times (every 5 minutes, every 6 hours, …) for a time axis in epoch ms.
    static func time(_ lo: Double, _ hi: Double, target: Int = 7) -> [Tick] {
        let span = hi - lo
        let step = timeSteps.first { Double($0) * Double(target) >= span } ?? timeSteps.last!
        let showDate = hi - lo > 86_400_000 || Format.utc(Int64(lo)).prefix(10) != Format.utc(Int64(hi)).prefix(10)
        var t = (Int64(lo.rounded(.up)) + step - 1) / step * step
        var ticks: [Tick] = []
        while Double(t) <= hi && ticks.count < 100 {
            let full = Format.utc(t, seconds: step < 60_000)
            let label = step >= 86_400_000 ? String(full.prefix(10))
                : showDate ? String(full.dropFirst(5)) : String(full.dropFirst(11))
            ticks.append(Tick(value: Double(t), label: label))
            t += step
        }
        return ticks
    }
}
