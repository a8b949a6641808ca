#if canImport(Glibc)
import Glibc
#endif
import ShannonStats

/// Generated but realistic input streams for `shannon demo` and the end-to-end tests.
///
/// Each stream knows what it injected (a drift, event boundaries, an entropy collapse), so the
/// demo can print what was detected next to what was there to detect. All streams are
/// deterministic for a seed: the same seed gives the same bytes and therefore the same alerts.
public enum DemoStreams {
    /// One Kafka record to produce.
    public struct Record: Sendable {
        public var key: [UInt8]
        public var value: [UInt8]
        public init(key: [UInt8], value: [UInt8]) {
            self.key = key
            self.value = value
        }
    }

    /// Something a stream injected on purpose, for the demo's summary.
    public struct Injection: Sendable, CustomStringConvertible {
        public var key: String
        public var what: String
        /// Position (0-based, among that key's records) where it starts.
        public var at: Int
        public var description: String { "\(key): \(what) from record \(at)" }
    }

    public struct Stream: Sendable {
        public var topic: String
        public var records: [Record]
        public var injections: [Injection]
        /// True event boundaries per key (positions among that key's records), where known.
        public var boundaries: [String: [Int]] = [:]
    }
}

extension SplitMix64 {
    /// Beta(a, b) for whole a, b: the a-th smallest of a + b − 1 uniforms.
    mutating func beta(_ a: Int, _ b: Int) -> Double {
        var u = (0..<(a + b - 1)).map { _ in uniform() }
        u.sort()
        return u[a - 1]
    }
}

extension DemoStreams {
    /// Credit scores as `pipelines/credit-psi.yaml` reads them: a default-probability score in
    /// [0, 1] drawn from the reference law Beta(2, 5) (the law of pipelines/data/credit-reference.csv),
    /// then from `shiftAt` on from Beta(3, 4) — a new applicant channel — which PSI must flag.
    /// The default flag is drawn with probability = score, so IV is meaningful, until the shift,
    /// after which defaults no longer follow the score (model decay); after the shift the 18-24
    /// band's scores also come from Beta(4, 3), a group gap the fairness stage must flag.
    /// About 0.3% of records are malformed in the ways real producers get wrong.
    public static func creditScores(records: Int = 90_000, shiftAt: Int = 30_000, seed: UInt64 = 1) -> Stream {
        var rng = SplitMix64(seed: seed)
        let segments = ["retail", "sme", "card"]
        let bands = ["18-24", "25-34", "35-44", "45-54", "55-64", "65+"]
        let weights = [0.12, 0.24, 0.22, 0.18, 0.14, 0.10]
        var out: [Record] = []
        out.reserveCapacity(records)
        let t0: Int64 = 1_767_225_600_000 // 2026-01-01T00:00:00Z
        for i in 0..<records {
            let segment = segments[i % segments.count]
            var u = rng.uniform(), b = 0
            while b < bands.count - 1 && u >= weights[b] { u -= weights[b]; b += 1 }
            let band = bands[b]
            let shifted = i >= shiftAt
            let score = shifted ? (band == "18-24" ? rng.beta(4, 3) : rng.beta(3, 4)) : rng.beta(2, 5)
            // Before the shift the score is the default probability; after it, defaults in the
            // new channel no longer follow the score (model decay: IV falls towards 0).
            let bad = rng.uniform() < (shifted ? 0.3 : score) ? 1 : 0
            let id = "A-\(String(repeating: "0", count: max(0, 6 - String(i).count)))\(i)"
            let ts = t0 + Int64(i) * 50
            let scoreText = String(Double(Int(score * 1_000_000)) / 1_000_000)
            var json = #"{"applicant_id":"\#(id)","ts":\#(ts),"score":\#(scoreText),"default_flag":\#(bad),"applicant":{"age_band":"\#(band)"},"segment":"\#(segment)"}"#
            if i % 331 == 17 { json = malformed(json, kind: i / 331) }
            out.append(Record(key: Array(id.utf8), value: Array(json.utf8)))
        }
        let injected = [Injection(key: "all partitions", what: "score law Beta(2,5) → Beta(3,4), 18-24 → Beta(4,3), defaults stop following the score", at: shiftAt)]
        return Stream(topic: "credit-scores", records: out, injections: injected)
    }

    /// A few ways real producers break records; each must land in the dead-letter topic.
    static func malformed(_ json: String, kind: Int) -> String {
        switch kind % 5 {
        case 0: return String(json.dropLast(5))                                   // truncated
        case 1: return json.replacingFirst(#""score":"#, with: #""scor":"#)        // missing field
        case 2: return json.replacingFirst(#""score":"#, with: #""score":"n/a","x":"#) // wrong type
        case 3: return json.replacingFirst(#""default_flag":"#, with: #""default_flag":7,"was":"#) // bad label
        default: return "not json at all"
        }
    }

    /// Feature vectors per camera: segments (events) of 60–180 frames, each with its own mean
    /// direction plus noise; the true boundaries are the segment starts.
    public static func videoFeatures(cameras: Int = 3, framesPerCamera: Int = 1_500, dimension: Int = 128, seed: UInt64 = 2) -> Stream {
        var rng = SplitMix64(seed: seed)
        var perCamera: [[Record]] = []
        var injections: [Injection] = []
        var truth: [String: [Int]] = [:]
        let t0: Int64 = 1_767_225_600_000
        for c in 0..<cameras {
            let camera = "cam-\(c + 1)"
            var records: [Record] = []
            var frame = 0
            var boundaries: [Int] = []
            while frame < framesPerCamera {
                let length = 60 + Int(rng.next() % 121)
                if frame > 0 { boundaries.append(frame) }
                let center = (0..<dimension).map { _ in rng.normal() }
                let noise = 0.25 + 0.25 * rng.uniform()
                for _ in 0..<length where frame < framesPerCamera {
                    let v = center.map { $0 + noise * rng.normal() }
                    let features = v.map { formatFloat($0) }.joined(separator: ",")
                    let json = #"{"camera":"\#(camera)","frame":\#(frame),"ts":\#(t0 + Int64(frame) * 40),"features":[\#(features)]}"#
                    records.append(Record(key: Array(camera.utf8), value: Array(json.utf8)))
                    frame += 1
                }
            }
            perCamera.append(records)
            truth[camera] = boundaries
            injections.append(Injection(key: camera, what: "\(boundaries.count) event boundaries at \(boundaries.prefix(6).map(String.init).joined(separator: ","))…", at: boundaries.first ?? 0))
        }
        // Interleave cameras as a real multiplexed feed would.
        var out: [Record] = []
        out.reserveCapacity(cameras * framesPerCamera)
        for i in 0..<framesPerCamera { for c in 0..<cameras { out.append(perCamera[c][i]) } }
        return Stream(topic: "video-features", records: out, injections: injections, boundaries: truth)
    }

    /// Completions of an LLM service per model: Zipf-distributed words, and from `collapseAt`
    /// on, for `collapseLength` records, model `chat-b` gets stuck repeating a short phrase —
    /// the entropy collapse the pipeline must flag — then recovers.
    public static func tokenLogs(records: Int = 12_000, collapseAt: Int = 2_500, collapseLength: Int = 600, seed: UInt64 = 3) -> Stream {
        var rng = SplitMix64(seed: seed)
        let models = ["chat-a", "chat-b"]
        let vocabulary = (0..<3000).map { "w\($0)" }
        // Zipf(1.1) cumulative weights for inverse-CDF sampling.
        var cumulative: [Double] = []
        var total = 0.0
        for r in 1...vocabulary.count { total += 1 / pow(Double(r), 1.1); cumulative.append(total) }
        let loop = ["I", "am", "sorry", "I", "cannot"]
        var out: [Record] = []
        let t0: Int64 = 1_767_225_600_000
        var perModel = [0, 0]
        for i in 0..<records {
            let m = i % models.count
            let model = models[m]
            let position = perModel[m]
            perModel[m] += 1
            let collapsed = model == "chat-b" && position >= collapseAt && position < collapseAt + collapseLength
            let length = 20 + Int(rng.next() % 21)
            var words: [String] = []
            var logprobs: [String] = []
            for j in 0..<length {
                if collapsed {
                    words.append(loop[j % loop.count])
                    logprobs.append(formatFloat(-0.05 - 0.05 * rng.uniform()))
                } else {
                    let u = rng.uniform() * total
                    var lo = 0, hi = cumulative.count - 1
                    while lo < hi { let mid = (lo + hi) / 2; if cumulative[mid] < u { lo = mid + 1 } else { hi = mid } }
                    words.append(vocabulary[lo])
                    let p = (1 / pow(Double(lo + 1), 1.1)) / total
                    logprobs.append(formatFloat(log(p)))
                }
            }
            let json = #"{"session":"s-\#(i / 40)","model":"\#(model)","ts":\#(t0 + Int64(i) * 100),"completion":"\#(words.joined(separator: " "))","logprobs":[\#(logprobs.joined(separator: ","))]}"#
            out.append(Record(key: Array(model.utf8), value: Array(json.utf8)))
        }
        let injected = [Injection(key: "chat-b", what: "entropy collapse (repeating a 5-word loop) for \(collapseLength) records", at: collapseAt)]
        return Stream(topic: "llm-tokens", records: out, injections: injected)
    }

    static func formatFloat(_ x: Double) -> String {
        // Three decimals are plenty for synthetic features and keep records small.
        let scaled = (x * 1_000).rounded() / 1_000
        return "\(scaled)"
    }
}

extension String {
    func replacingFirst(_ target: String, with replacement: String) -> String {
        replacing(target, with: replacement, maxReplacements: 1)
    }
}
