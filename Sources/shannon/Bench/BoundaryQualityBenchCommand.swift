import ArgumentParser
import Foundation
import ShannonStats

/// `shannon bench boundaries`: boundary quality on the TCPD development series.
struct BoundaryQualityBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "boundaries",
        abstract: "F1 of the boundary detector on the TCPD development series vs published methods.",
        discussion: """
        Runs the online detector over every series in the data directory and scores it with the TCPD F1 (margin 5, index 0 counted in both sets, precision against the union of the annotators, recall averaged over annotators), beside the published default-parameter F1 of TCPDBench. --sweep explores a grid of parameter sets (one set for all series) and ranks them by mean F1 and by the mean over each set's neighbourhood (robustness).

        Example:
          shannon bench boundaries ../shared/data/changepoints
          SHANNON_CHANGEPOINTS_DIR=/data/tcpd shannon bench boundaries --tau 5
        """
    )

    @Argument(help: "Directory with the series and annotations.json (default: $SHANNON_CHANGEPOINTS_DIR or ../shared/data/changepoints).")
    var path: String?
    @Option(help: "Same as the argument.") var dataDir: String?
    @Flag(help: "Sweep a parameter grid instead of scoring one set.") var sweep = false
    @Option(help: "With --sweep: how many top sets to print.") var top = 25
    @OptionGroup var detector: BoundaryOptions

    func run() throws {
        let dir = BoundaryDataset.locate(path ?? dataDir)
        let dataset = try BoundaryDataset.load(directory: dir)
        if sweep { return runSweep(dataset) }
        let parameters = try detector.parameters()
        let f1 = dataset.scores(parameters)
        print("boundary quality, TCPD F1 (margin 5), data: \(dir)")
        print("parameters: \(parameters.summary)")
        var header = "series          shannon"
        for m in BoundaryDataset.published { header += m.method.padding(toLength: 8, withPad: " ", startingAt: 0).padLeft(9) }
        print(header)
        for (i, item) in dataset.items.enumerated() {
            var line = item.name.padding(toLength: 15, withPad: " ", startingAt: 0) + String(format: "%8.3f", f1[i])
            for m in BoundaryDataset.published { line += m.f1[i].map { String(format: "%9.3f", $0) } ?? "        –" }
            print(line)
        }
        let mean = f1.reduce(0, +) / Double(f1.count)
        var line = "mean".padding(toLength: 15, withPad: " ", startingAt: 0) + String(format: "%8.3f", mean)
        for m in BoundaryDataset.published { line += String(format: "%9.3f", BoundaryDataset.publishedMeans[m.method]!) }
        print(line)
        let best = BoundaryDataset.publishedMeans.values.max()!
        print(String(format: "shannon mean F1 %.3f vs best published default %.3f: %@", mean, best, mean > best ? "above" : "NOT above"))
    }

    /// The grid: anticipators × errors × tau × nMin × kMax × floor × gap. Neighbourhood = the sets
    /// differing from a point by one step in one numeric knob.
    func runSweep(_ dataset: BoundaryDataset) {
        let anticipators: [Anticipator] = [.last, .mean(length: 5), .mean(length: 10), .mean(length: 20),
                                           .ewma(alpha: 0.1), .ewma(alpha: 0.3), .linear(length: 5), .linear(length: 10), .linear(length: 20)]
        let errors: [PredictionErrorKind] = [.standardisedAbsolute, .standardisedSquared]
        let taus: [Double] = [3, 4, 5, 6, 8, 10]
        let nMins = [3, 5, 10, 20]
        let kMaxes = [32, 128, 512]
        let floors = [0.1, 0.3, 1, 2]
        let gaps = [0, 5]
        struct Key: Hashable { var a: Int; var e: Int; var t: Int; var n: Int; var k: Int; var f: Int; var g: Int }
        var results: [Key: (Double, [Double])] = [:]
        for (ai, a) in anticipators.enumerated() {
            for (ei, e) in errors.enumerated() {
                for (ti, t) in taus.enumerated() {
                    for (ni, n) in nMins.enumerated() {
                        for (ki, k) in kMaxes.enumerated() {
                            for (fi, f) in floors.enumerated() {
                                for (gi, g) in gaps.enumerated() {
                                    let p = BoundaryParameters(anticipator: a, error: e, test: .gaussian(tau: t), nMin: n,
                                                               kMax: k, sigmaFloor: f, refractoryGap: g)
                                    let s = dataset.scores(p)
                                    results[Key(a: ai, e: ei, t: ti, n: ni, k: ki, f: fi, g: gi)] = (s.reduce(0, +) / Double(s.count), s)
                                }
                            }
                        }
                    }
                }
            }
        }
        func neighbourhood(_ key: Key) -> (mean: Double, min: Double) {
            var vals: [Double] = [results[key]!.0]
            for delta in [-1, 1] {
                var ks: [Key] = []
                var k = key; k.t += delta; ks.append(k)
                k = key; k.n += delta; ks.append(k)
                k = key; k.k += delta; ks.append(k)
                k = key; k.f += delta; ks.append(k)
                for n in ks { if let r = results[n] { vals.append(r.0) } }
            }
            return (vals.reduce(0, +) / Double(vals.count), vals.min()!)
        }
        let ranked = results.map { ($0.key, $0.value, neighbourhood($0.key)) }
        let above = results.values.filter { $0.0 > 0.628 }.count
        print("swept \(results.count) parameter sets; \(above) have mean F1 > 0.628 (best published default)")
        func describe(_ k: Key) -> String {
            BoundaryParameters(anticipator: anticipators[k.a], error: errors[k.e], test: .gaussian(tau: taus[k.t]), nMin: nMins[k.n],
                               kMax: kMaxes[k.k], sigmaFloor: floors[k.f], refractoryGap: gaps[k.g]).summary
        }
        print("\nby mean F1:")
        for (k, r, nb) in ranked.sorted(by: { $0.1.0 > $1.1.0 }).prefix(top) {
            print(String(format: "%.3f  nbhd %.3f (min %.3f)  ", r.0, nb.mean, nb.min) + describe(k) + "  " + r.1.map { String(format: "%.2f", $0) }.joined(separator: " "))
        }
        print("\nby neighbourhood mean (plateaus):")
        for (k, r, nb) in ranked.sorted(by: { $0.2.mean > $1.2.mean }).prefix(top) {
            print(String(format: "%.3f  nbhd %.3f (min %.3f)  ", r.0, nb.mean, nb.min) + describe(k) + "  " + r.1.map { String(format: "%.2f", $0) }.joined(separator: " "))
        }
        print("\nbest mean F1 per anticipator × error (and its neighbourhood):")
        for (ai, a) in anticipators.enumerated() {
            for (ei, _) in errors.enumerated() {
                if let (k, r, nb) = ranked.filter({ $0.0.a == ai && $0.0.e == ei }).max(by: { $0.2.mean < $1.2.mean }) {
                    _ = a
                    print(String(format: "%.3f  nbhd %.3f (min %.3f)  ", r.0, nb.mean, nb.min) + describe(k))
                }
            }
        }
    }
}

