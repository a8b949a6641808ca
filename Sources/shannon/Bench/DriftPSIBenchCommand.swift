import ArgumentParser
import Foundation
import ShannonStats

/// `shannon bench psi`: throughput of the drift kernels, and (optionally) a Monte Carlo
/// calibration of the PSI standard error and test that is too heavy for the test suite.
struct DriftPSIBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "psi",
        abstract: "Updates/s of the PSI and IV accumulators (10 bins) and the time of result().",
        discussion: """
        Run with a release build (swift build -c release). --calibrate R adds R Monte Carlo draws \
        of n = m records over 10 bins, at P = Q and at PSI ≈ 0.2, and prints mean SE / SD of \
        PSI (reported and delta-only) and the false-alarm rate of the chi-square test at 1%.

        Example:
          .build/release/shannon bench psi --updates 100000000
          .build/release/shannon bench psi --updates 1000000 --calibrate 20000 --n 2000
        """
    )

    @Option(help: "Number of accumulator updates to time.")
    var updates: Int = 50_000_000

    @Option(help: "Number of result() calls to time.")
    var results: Int = 100_000

    @Option(help: "Monte Carlo draws for the SE / false-alarm calibration (0 = skip).")
    var calibrate: Int = 0

    @Option(help: "Sample size n = m of each calibration draw.")
    var n: Int = 2000

    func run() throws {
        var rng = SplitMix64(seed: 42)
        let pool = (0..<(1 << 20)).map { _ in rng.normal() }
        let mask = pool.count - 1
        let binning = try Binning(quantilesOf: Array(pool.prefix(100_000)), bins: 10)

        var psi = PSIAccumulator(binning: binning, referenceSample: pool.prefix(100_000))
        var t = Stopwatch.measure {
            for i in 0..<updates { psi.add(pool[i & mask] + 0.1) }
        }
        report("PSI add", count: updates, time: t, check: Double(psi.currentTotal))

        // Sliding window: each update adds one record and removes the one 65,536 records older.
        psi.reset()
        for i in 0..<65_536 { psi.add(pool[i]) }
        t = Stopwatch.measure {
            for i in 65_536..<(65_536 + updates) {
                psi.add(pool[i & mask])
                psi.remove(pool[(i - 65_536) & mask])
            }
        }
        report("PSI add+remove (sliding)", count: updates, time: t, check: Double(psi.currentTotal))

        var woe = WoEAccumulator(binning: binning)
        t = Stopwatch.measure {
            for i in 0..<updates { woe.add(pool[i & mask], isBad: i & 7 == 0) }
        }
        report("IV add", count: updates, time: t, check: Double(woe.badTotal))

        var sink = 0.0
        t = Stopwatch.measure {
            for _ in 0..<results { sink += psi.result().psi }
        }
        report("PSI result()", count: results, time: t, check: sink)
        sink = 0
        t = Stopwatch.measure {
            for _ in 0..<results { sink += woe.result().iv }
        }
        report("IV result()", count: results, time: t, check: sink)

        if calibrate > 0 { try calibration(reps: calibrate, rng: &rng) }
    }

    /// Rates from CPU time (the machine is shared: wall time counts other processes' turns),
    /// wall time alongside.
    private func report(_ name: String, count: Int, time: Stopwatch.Reading, check: Double) {
        let perOp = time.cpu / Double(max(count, 1)) * 1e9
        print("\(name.padding(toLength: 26, withPad: " ", startingAt: 0)) \(String(format: "%12.0f", Double(count) / time.cpu))/s  \(String(format: "%9.1f", perOp)) ns/op CPU  (wall \(String(format: "%.3f", time.wall)) s, check \(check))")
    }

    /// SE / SD and false alarms by simulation, bins drawn from discretised populations.
    private func calibration(reps: Int, rng: inout SplitMix64) throws {
        let bins = 10
        let binning = try Binning(edges: (1..<bins).map(Double.init))
        func bell(_ tilt: Double) -> [Double] {
            let mid = Double(bins - 1) / 2
            let w = (0..<bins).map { i -> Double in
                let z = (Double(i) - mid) / (Double(bins) / 3)
                return exp(-(z * z) / 2 + tilt * (Double(i) - mid) / mid)
            }
            let s = w.reduce(0, +)
            return w.map { $0 / s }
        }
        func cdf(_ p: [Double]) -> [Double] {
            var s = 0.0
            var c = p.map { s += $0; return s }
            c[c.count - 1] = 1
            return c
        }
        print("\ncalibration: n = m = \(n), B = \(bins), \(reps) draws, smoothing 0.5")
        for (label, tilt) in [("P = Q", 0.0), ("PSI ≈ 0.2", 0.8)] {
            let p = bell(0), q = bell(tilt)
            let cp = cdf(p), cq = cdf(q)
            var psis = [Double](), ses = [Double](), deltas = [Double]()
            var alarms = 0
            for _ in 0..<reps {
                var ref = [Double](repeating: 0, count: bins)
                for _ in 0..<n { ref[rng.category(cp)] += 1 }
                var acc = try PSIAccumulator(binning: binning, referenceCounts: ref)
                for _ in 0..<n { acc.add(bin: rng.category(cq)) }
                let r = acc.result()
                psis.append(r.psi)
                ses.append(r.se)
                deltas.append(r.seDelta)
                if r.pValue < 0.01 { alarms += 1 }
            }
            let mean = psis.reduce(0, +) / Double(reps)
            let sd = (psis.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(reps - 1)).squareRoot()
            let population = JeffreysTest(counts: q, reference: p, smoothing: 0).divergence
            print("  \(label): population PSI \(population), mean PSI \(mean), MC SD \(sd)")
            print("    mean SE / SD = \(ses.reduce(0, +) / Double(reps) / sd), mean SE_delta / SD = \(deltas.reduce(0, +) / Double(reps) / sd)")
            print("    rejections at 1%: \(Double(alarms) / Double(reps))")
        }
    }
}

/// CPU time of this process and wall time around a block.
enum Stopwatch {
    struct Reading {
        var cpu: Double
        var wall: Double
    }

    static func measure(_ body: () -> Void) -> Reading {
        func now(_ clock: clockid_t) -> Double {
            var ts = timespec()
            clock_gettime(clock, &ts)
            return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
        }
        let c0 = now(CLOCK_PROCESS_CPUTIME_ID), w0 = now(CLOCK_MONOTONIC)
        body()
        return Reading(cpu: now(CLOCK_PROCESS_CPUTIME_ID) - c0, wall: now(CLOCK_MONOTONIC) - w0)
    }
}

