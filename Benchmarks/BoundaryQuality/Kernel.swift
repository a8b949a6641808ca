import Foundation
import ShannonStats

/// Detector updates per second, the way `shannon bench boundaries-kernel` measured them:
/// 4096 prebuilt piecewise-constant noisy vectors (fixed seed, a new level every 500), cycled.
enum Kernel {
    static func run(parameters: BoundaryParameters, updates: Int, dimensions: [Int]) {
        for d in dimensions {
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
            var detector = EventBoundaryDetector(dimension: d, parameters: parameters)
            var found = 0
            let start = DispatchTime.now().uptimeNanoseconds
            data.withUnsafeBufferPointer { buf in
                for t in 0..<updates {
                    let row = UnsafeBufferPointer(rebasing: buf[(t % pool) * d ..< (t % pool) * d + d])
                    if detector.update(row) != nil { found += 1 }
                }
            }
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            print(String(format: "D=%4d: %6.2f M updates/s (%7.1f ns/update), %d boundaries", d,
                         Double(updates) / seconds / 1e6, seconds * 1e9 / Double(updates), found))
        }
    }
}
