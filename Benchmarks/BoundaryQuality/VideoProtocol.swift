import ShannonStats

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A synthetic stand-in for frame features of videos (the Kinetics-GEBD setting), seeded and
/// deterministic, scored with the Kinetics-GEBD metric.
///
/// Each video: 300–700 frames, events of 30–150 frames. An event has a prototype vector (i.i.d.
/// N(0, 1) components); inside the event the prototype drifts by a random walk (step SD 0.02 per
/// component per frame, "slow drift"); each frame is the prototype plus N(0, σ²) noise (σ = 0.5,
/// "noisy features"). Between events the prototype blends linearly over 4–10 frames (a gradual
/// transition); the true boundary is the transition's middle frame.
enum VideoProtocol {
    struct Video {
        var frames: [[Float]]
        var boundaries: [Int]
    }

    /// SplitMix64: small, seedable, identical on every platform.
    struct Random {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func uniform() -> Double { Double(next() >> 11) / Double(1 << 53) }
        mutating func int(_ range: ClosedRange<Int>) -> Int { range.lowerBound + Int(next() % UInt64(range.count)) }
        mutating func normal() -> Double {
            let u = Swift.max(uniform(), 1e-300), v = uniform()
            return (-2 * log(u)).squareRoot() * cos(2 * Double.pi * v)
        }
    }

    static func videos(count: Int, dimension: Int, seed: UInt64) -> [Video] {
        var rng = Random(state: seed)
        return (0..<count).map { _ in video(dimension: dimension, rng: &rng) }
    }

    static func video(dimension dim: Int, rng: inout Random) -> Video {
        let length = rng.int(300...700)
        var frames: [[Float]] = []
        var boundaries: [Int] = []
        var proto = (0..<dim).map { _ in rng.normal() }
        var eventEnd = rng.int(30...150)
        while frames.count < length {
            if frames.count == eventEnd {
                let next = (0..<dim).map { _ in rng.normal() }
                let width = rng.int(4...10)
                boundaries.append(frames.count + width / 2)
                for i in 1...width where frames.count < length {
                    let w = Double(i) / Double(width + 1)
                    frames.append((0..<dim).map { d in Float((1 - w) * proto[d] + w * next[d] + 0.5 * rng.normal()) })
                }
                proto = next
                eventEnd = frames.count + rng.int(30...150)
                continue
            }
            for d in 0..<dim { proto[d] += 0.02 * rng.normal() }
            frames.append((0..<dim).map { d in Float(proto[d] + 0.5 * rng.normal()) })
        }
        return Video(frames: frames, boundaries: boundaries.filter { $0 < length })
    }

    /// Kinetics-GEBD F1 at relative distance `rel`: a detection within rel × (video length) frames
    /// of a true boundary is correct, each true boundary matched once (nearest unmatched
    /// detection); precision and recall pooled over all videos (tp / detections, tp / truths).
    static func f1(_ predicted: [[Int]], _ truth: [[Int]], lengths: [Int], rel: Double) -> Double {
        var tp = 0, detections = 0, positives = 0
        for v in 0..<truth.count {
            let threshold = rel * Double(lengths[v])
            var used = [Bool](repeating: false, count: predicted[v].count)
            for t in truth[v] {
                var best = -1
                for (i, p) in predicted[v].enumerated() where !used[i] && Double(abs(p - t)) <= threshold {
                    if best < 0 || abs(p - t) < abs(predicted[v][best] - t) { best = i }
                }
                if best >= 0 { used[best] = true; tp += 1 }
            }
            detections += predicted[v].count
            positives += truth[v].count
        }
        let p = detections > 0 ? Double(tp) / Double(detections) : 0
        let r = positives > 0 ? Double(tp) / Double(positives) : 0
        return p + r > 0 ? 2 * p * r / (p + r) : 0
    }

    static func run(parameters: BoundaryParameters, label: String) {
        for dim in [128, 512] {
            let set = videos(count: 40, dimension: dim, seed: 2024 &+ UInt64(dim))
            let predicted = set.map { Dataset.detect($0.frames, parameters) }
            let truth = set.map(\.boundaries)
            let lengths = set.map(\.frames.count)
            let at05 = f1(predicted, truth, lengths: lengths, rel: 0.05)
            let thresholds = (1...10).map { Double($0) * 0.05 }
            let average = thresholds.map { f1(predicted, truth, lengths: lengths, rel: $0) }.reduce(0, +) / 10
            let found = predicted.map(\.count).reduce(0, +), real = truth.map(\.count).reduce(0, +)
            print(pad("\(label) D=\(dim)", 28) + fmt(at05, 8) + fmt(average, 10) + "   \(found) found / \(real) true boundaries, 40 videos")
        }
    }
}
