import Foundation
import ShannonStats

// boundary-quality [DATA_DIR] [--tcpd] [--gebd] [--kernel] [--updates N]
// With no mode flag, all three run. DATA_DIR defaults to $SHANNON_CHANGEPOINTS_DIR, else
// ../shared/data/changepoints next to the package root.

func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s + " " : s + String(repeating: " ", count: n - s.count) }
func fmt(_ x: Double?, _ width: Int) -> String {
    let s = x.map { String(format: "%.3f", $0) } ?? "–"
    return String(repeating: " ", count: max(0, width - s.count)) + s
}

func describe(_ p: BoundaryParameters) -> String {
    let a: String
    switch p.anticipator {
    case .last: a = "last"
    case let .mean(l): a = "mean(\(l))"
    case let .ewma(x): a = "ewma(\(x))"
    case let .linear(l): a = "linear(\(l))"
    }
    let t: String
    switch p.test {
    case let .gaussian(tau): t = "tau=\(tau)"
    case let .studentT(alpha): t = "t-alpha=\(alpha)"
    }
    let c = p.cusum.map { "cusum(k=\($0.drift),h=\($0.threshold))" } ?? "no-cusum"
    let s = p.scale == .meanAbsolute ? "mad-step" : "rms-step"
    return "\(a) \(s) \(t) \(c) nMin=\(p.nMin) kMax=\(p.kMax) floor=\(p.sigmaFloor) gap=\(p.refractoryGap)" + (p.keepErrors ? " keep-errors" : "")
}

func tcpd(directory: String) throws {
    let data = try Dataset.load(directory: directory)
    let chosen = BoundaryParameters.default
    let f1 = data.scores(chosen)
    let old = data.scores(.previousDefault)
    print("TCPD F1 (margin 5), data: \(directory)")
    print("defaults: \(describe(chosen))")
    print(pad("series", 20) + "  shannon  previous     zero    bocpd   binseg     pelt")
    for (i, p) in Dataset.published.enumerated() {
        print(pad(p.name, 20) + fmt(f1[i], 9) + fmt(old[i], 10) + fmt(p.zero, 9) + fmt(p.bocpd, 9) + fmt(p.binseg, 9) + fmt(p.pelt, 9))
    }
    func mean(_ x: [Double?]) -> Double { let v = x.map { $0 ?? 0 }; return v.reduce(0, +) / Double(v.count) }
    let pub = Dataset.published
    print(pad("mean (19)", 20) + fmt(mean(f1), 9) + fmt(mean(old), 10) + fmt(mean(pub.map(\.zero)), 9)
          + fmt(mean(pub.map(\.bocpd)), 9) + fmt(mean(pub.map(\.binseg)), 9) + fmt(mean(pub.map(\.pelt)), 9)
          + "   (failed runs count 0, as TCPDBench does)")
    let below = zip(f1, pub).filter { $0.0 < $0.1.zero - 5e-4 }.map(\.1.name)
    print("below zero: \(below.isEmpty ? "none" : below.joined(separator: ", "))")

    let grid = CrossValidation.grid()
    let scores = grid.map { data.scores($0) }
    let cv = CrossValidation.leaveOneSeriesOut(scores)
    let means = scores.map { $0.reduce(0, +) / Double($0.count) }
    let bestIndex = means.indices.max { means[$0] < means[$1] || (means[$0] == means[$1] && $0 > $1) }!
    print("\nleave-one-series-out over \(grid.count) candidate sets (pick the best mean on 18, score the 19th; then the F1 of the best set on all 19):")
    for (j, s) in data.series.enumerated() {
        print(pad(s.name, 20) + fmt(cv.heldOut[j], 9) + fmt(scores[bestIndex][j], 9) + "   chosen: " + describe(grid[cv.chosen[j]]))
    }
    print(String(format: "cross-validated mean F1 %.4f; tuning-set mean of the best set %.4f (%@); defaults %.4f",
                 cv.mean, means[bestIndex], describe(grid[bestIndex]), mean(f1)))
}

var arguments = Array(CommandLine.arguments.dropFirst())
var updates = 5_000_000
if let i = arguments.firstIndex(of: "--updates"), i + 1 < arguments.count, let n = Int(arguments[i + 1]) {
    updates = n
    arguments.removeSubrange(i...i + 1)
}
let modes = Set(arguments.filter { $0.hasPrefix("--") })
let directory = Dataset.locate(arguments.first { !$0.hasPrefix("--") })
let all = modes.isEmpty
do {
    if all || modes.contains("--tcpd") { try tcpd(directory: directory) }
    if all || modes.contains("--gebd") {
        print("\nsynthetic video features, Kinetics-GEBD F1 (rel. distance 0.05, and the average over 0.05…0.5):")
        print(pad("", 28) + "  F1@0.05  avg F1")
        VideoProtocol.run(parameters: .default, label: "defaults")
        var cosine = BoundaryParameters.default
        cosine.error = .cosine
        cosine.sigmaFloor = 1e-3
        VideoProtocol.run(parameters: cosine, label: "defaults, cosine error")
        // pipelines/video-boundaries.yaml's settings (cosine, ewma 0.3, per-event memory, gap 5).
        let demo = BoundaryParameters(anticipator: .ewma(alpha: 0.3), error: .cosine, test: .gaussian(tau: 4),
                                      nMin: 10, kMax: 256, sigmaFloor: 0.001, refractoryGap: 5,
                                      scale: .meanAbsolute, cusum: Cusum(drift: 0.5, threshold: 8), keepErrors: false)
        VideoProtocol.run(parameters: demo, label: "video demo settings")
    }
    if all || modes.contains("--kernel") {
        print("\nkernel, defaults (\(updates) updates per dimension):")
        Kernel.run(parameters: .default, updates: updates, dimensions: [1, 128, 512])
        print("kernel, previous defaults:")
        Kernel.run(parameters: .previousDefault, updates: updates, dimensions: [1, 128])
    }
} catch {
    FileHandle.standardError.write(Data("boundary-quality: \(error)\n".utf8))
    exit(1)
}
