import ArgumentParser
import Foundation
import ShannonStats

/// `shannon bench boundaries-kernel`: detector updates per second at D = 1 and D = 128.
struct BoundaryKernelBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "boundaries-kernel",
        abstract: "Event-boundary detector updates per second (default parameters, D = 1 and 128).",
        discussion: """
        Feeds piecewise-constant noisy vectors (fixed seed, a new segment every 500 records) to the detector and reports updates/s and boundaries found.

        Example:
          shannon bench boundaries-kernel --updates 2000000 --dimensions 1,128
        """
    )

    @Option(help: "Records per dimension setting.") var updates = 2_000_000
    @Option(help: "Comma-separated dimensions.") var dimensions = "1,128"
    @Option(help: "Prediction error: abs or cosine.") var error = "abs"

    func run() throws {
        var p = BoundaryParameters.default
        if error == "cosine" { p.error = .cosine; p.sigmaFloor = 1e-3 }
        for d in dimensions.split(separator: ",").compactMap({ Int($0) }) {
            // 64 prebuilt vectors per segment level, cycled: the loop measures the detector only.
            let pool = 4096
            var data = [Float](repeating: 0, count: pool * d)
            var rng: UInt64 = 42
            func uniform() -> Float {
                rng = rng &* 6364136223846793005 &+ 1442695040888963407
                return Float(rng >> 40) / Float(1 << 24) - 0.5
            }
            var level = [Float](repeating: 0, count: d)
            for i in 0..<pool {
                if i % 500 == 0 { for j in 0..<d { level[j] = uniform() * 10 } }
                for j in 0..<d { data[i * d + j] = level[j] + uniform() }
            }
            var det = EventBoundaryDetector(dimension: d, parameters: p)
            var found = 0
            let start = DispatchTime.now().uptimeNanoseconds
            data.withUnsafeBufferPointer { buf in
                for t in 0..<updates {
                    let row = UnsafeBufferPointer(rebasing: buf[(t % pool) * d ..< (t % pool) * d + d])
                    if det.update(row) != nil { found += 1 }
                }
            }
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            print(String(format: "D=%4d: %.2f M updates/s (%.1f ns/update, %.3f s), %d boundaries [%@]", d, Double(updates) / seconds / 1e6, seconds * 1e9 / Double(updates), seconds, found, p.summary))
        }
    }
}
