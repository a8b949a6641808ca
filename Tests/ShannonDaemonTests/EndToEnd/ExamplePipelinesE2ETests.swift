import Foundation
import ShannonKafka
import ShannonStats
import Testing
@testable import ShannonCore
import ShannonTestSupport
@testable import ShannonDaemon

/// The three example pipelines of `pipelines/`, unchanged but for their topics, on generated
/// streams through the embedded broker: the injected effects must be found, and every figure
/// must equal what the statistics core computes directly on the same records — read back from
/// the source topic, so each record's partition and offset are the broker's, not assumed.
extension EndToEndTests {
    // MARK: credit-psi

    @Test("credit-psi: PSI fires after the shift on every partition; every window equals PSIAccumulator")
    func creditPSI() throws {
        var spec = try E2E.load(E2E.pipelineFile("credit-psi.yaml"), partitions: 3)
        // Every window's figures, not only the alerting ones, are compared.
        spec.sinks.windows = TopicSink(topic: E2E.unique("windows"))
        try e2eBroker.createTopic(spec.sinks.windows!.topic, partitions: 1)
        let topic = spec.source.topics[0]
        // ~16 000 records per partition: a window before the shift (~6 000), one across it, one after.
        let shiftAt = 18_000
        let stream = DemoStreams.creditScores(records: 48_000, shiftAt: shiftAt, seed: 11)
        try E2E.produce(stream.records, to: topic)
        let dir = E2E.tempDirectory("credit")
        defer { E2E.remove(dir) }
        let plan = try PipelinePlan(spec: spec)
        let summary = try E2E.run(plan, checkpoints: dir, partitions: 3)

        // Counts end to end: everything produced was read, good and bad told apart like Foundation does.
        let source = try E2E.readAll(topic, partitions: 3)
        #expect(source.count == stream.records.count)
        #expect(summary.records == stream.records.count)
        let good = source.filter { CreditRecord($0) != nil }
        #expect(good.count > 47_000)
        #expect(summary.decoded == good.count)
        #expect(summary.deadLetters.values.reduce(0, +) == source.count - good.count)
        let deadLetters = try E2E.readAll(spec.sinks.deadLetter!.topic, partitions: 1)
        #expect(deadLetters.count == source.count - good.count)

        // The reference computation: the pipeline's bins are the deciles of the reference CSV.
        let csv = try String(contentsOfFile: E2E.root.appendingPathComponent("pipelines/data/credit-reference.csv").path,
                             encoding: .utf8)
        let lines = csv.split(whereSeparator: \.isNewline)
        let column = try #require(lines[0].split(separator: ",").firstIndex { $0.trimmingCharacters(in: .whitespaces) == "score" })
        let sample = lines.dropFirst().map { Double($0.split(separator: ",")[column].trimmingCharacters(in: .whitespaces))! }
        let binning = try Binning(quantilesOf: sample, bins: 10)
        let prototype = PSIAccumulator(binning: binning, referenceSample: sample)

        struct Expected { var end: Int64; var result: PSIResult; var firstIndex: Int; var lastIndex: Int }
        var expected: [Int32: [Int64: Expected]] = [:]
        for p in Int32(0)..<3 {
            let records = good.filter { $0.partition == p }.map { ($0, CreditRecord($0)!) }
            var start = 0
            while start + 5_000 <= records.count {
                var acc = prototype
                var binned = 0
                for (_, r) in records[start..<start + 5_000] where acc.add(r.score) { binned += 1 }
                #expect(binned == 5_000)
                let window = records[start..<start + 5_000]
                expected[p, default: [:]][window.first!.0.offset] = Expected(
                    end: window.last!.0.offset, result: acc.result(smoothing: 0.5, fixedReference: false, confidence: 0.95),
                    firstIndex: window.map(\.1.index).min()!, lastIndex: window.map(\.1.index).max()!)
                start += 5_000
            }
            #expect(expected[p]?.count == records.count / 5_000 && records.count >= 15_000)
        }

        // Every closed window's figures, from the windows topic.
        let windows = try E2E.readAll(spec.sinks.windows!.topic, partitions: 1).map { try JSONParser.parse($0.value) }
        let psiWindows = windows.filter { $0["stage"]?.stringValue == "score-psi" }
        #expect(psiWindows.count == expected.values.reduce(0) { $0 + $1.count })
        for w in psiWindows {
            let p = Int32(try #require(w["window"]?["partition"]?.int64Value))
            let start = try #require(w["window"]?["start_offset"]?.int64Value)
            let e = try #require(expected[p]?[start], "window p\(p)@\(start) is not a 5000-record window of the reference")
            #expect(w["window"]?["end_offset"]?.int64Value == e.end)
            #expect(w["window"]?["records"]?.int64Value == 5_000)
            let f = try #require(w["figures"])
            #expect(abs(f["psi"]!.doubleValue! - e.result.psi) <= 1e-12)
            #expect(abs(f["se"]!.doubleValue! - e.result.se) <= 1e-12)
            #expect(abs(f["p_value"]!.doubleValue! - e.result.pValue) <= 1e-12)
            #expect(abs(f["statistic"]!.doubleValue! - e.result.statistic) <= 1e-9 * max(1, e.result.statistic))
        }

        // The alerts: PSI fires on the post-shift window of every partition, never before the shift.
        let alerts = try E2E.alerts(of: spec).filter { $0.stage == "score-psi" }
        #expect(!alerts.isEmpty)
        for a in alerts {
            let e = try #require(expected[a.window.partition]?[a.window.startOffset])
            #expect(abs(a.value - e.result.psi) <= 1e-12)
            #expect(abs(a.se! - e.result.se) <= 1e-12)
            #expect(abs(a.pValue! - e.result.pValue) <= 1e-12)
            #expect(a.window.endOffset == e.end)
            if a.state == .firing {
                #expect(e.lastIndex >= shiftAt, "fired on a window entirely before the shift")
                #expect(e.result.psi > 0.25 && e.result.pValue < 0.01)
            }
        }
        for p in Int32(0)..<3 {
            let post = try #require(expected[p]?.values.first { $0.firstIndex >= shiftAt })
            #expect(post.result.psi > 0.25, "the shift is large")
            // The alert fires once per episode (it stays firing while PSI stays high): on the window
            // across the shift or, at the latest, on the first window entirely after it.
            #expect(alerts.contains { $0.window.partition == p && $0.state == .firing && $0.window.endOffset <= post.end },
                    "partition \(p): no PSI alert by its first post-shift window")
            let pre = try #require(expected[p]?.values.first { $0.lastIndex < shiftAt })
            #expect(!alerts.contains { $0.window.partition == p && $0.window.endOffset == pre.end })
        }
    }

    // MARK: video-boundaries

    @Test("video-boundaries: alerts are exactly an EventBoundaryDetector's boundaries per camera, near the true ones")
    func videoBoundaries() throws {
        let spec = try E2E.load(E2E.pipelineFile("video-boundaries.yaml"), partitions: 3)
        let topic = spec.source.topics[0]
        let stream = DemoStreams.videoFeatures(cameras: 3, framesPerCamera: 600, dimension: 128, seed: 5)
        try E2E.produce(stream.records, to: topic)
        let dir = E2E.tempDirectory("video")
        defer { E2E.remove(dir) }
        let summary = try E2E.run(try PipelinePlan(spec: spec), checkpoints: dir, partitions: 3)
        let source = try E2E.readAll(topic, partitions: 3)
        #expect(source.count == 1_800)
        #expect(summary.records == 1_800 && summary.decoded == 1_800)

        // Independently: one detector per camera over its vectors in offset order, with the
        // parameters the YAML file states.
        let parameters = BoundaryParameters(anticipator: .ewma(alpha: 0.3), error: .cosine, test: .gaussian(tau: 4),
                                            nMin: 10, kMax: 256, sigmaFloor: 0.001, refractoryGap: 5)
        var byCamera: [String: [E2E.Consumed]] = [:]
        for r in source { byCamera[String(decoding: r.key!, as: UTF8.self), default: []].append(r) }
        #expect(byCamera.count == 3)
        let alerts = try E2E.alerts(of: spec).filter { $0.stage == "scene-cuts" }
        #expect(alerts.allSatisfy { $0.state == .firing })
        for (camera, records) in byCamera {
            #expect(Set(records.map(\.partition)).count == 1, "one camera, one partition (keyed)")
            var detector = EventBoundaryDetector(dimension: 128, parameters: parameters)
            var found: [Boundary] = []
            var offsetOf: [Int: Int64] = [:]
            for (i, r) in records.enumerated() {
                let o = try #require(Plain.object(r.value))
                let v = try #require(o["features"] as? [Any]).map { Float(Plain.number($0)!) }
                offsetOf[i] = r.offset
                if let b = detector.update(v) { found.append(b) }
            }
            let mine = alerts.filter { $0.key == camera }.sorted { $0.window.startOffset < $1.window.startOffset }
            #expect(mine.count == found.count, "\(camera): \(mine.count) alerts, the detector finds \(found.count)")
            for (a, b) in zip(mine, found) {
                #expect(a.detail["position"]?.int64Value == Int64(b.position))
                #expect(a.window.startOffset == offsetOf[b.position])
                #expect(abs(a.value - b.z) <= 1e-12 * max(1, abs(b.z)))
                #expect(abs(a.detail["error"]!.doubleValue! - b.error) <= 1e-12)
            }
            // Near the truth: most true boundaries found within 5 frames, few spurious ones.
            let truth = try #require(stream.boundaries[camera])
            let score = ChangePointScore.f1(predictions: found.map(\.position), annotations: [truth], margin: 5)
            #expect(score.recall >= 0.8 && score.precision >= 0.5, "\(camera): \(score) truth \(truth) found \(found.map(\.position))")
        }
    }

    // MARK: llm-token-entropy

    @Test("llm-token-entropy: collapse on chat-b fires; every window's entropy equals a TokenCounter's, its JS the divergence of word counts")
    func tokenEntropy() throws {
        let spec = try E2E.load(E2E.pipelineFile("llm-token-entropy.yaml"), partitions: 2)
        let topic = spec.source.topics[0]
        let collapseAt = 2_500, collapseLength = 600
        let stream = DemoStreams.tokenLogs(records: 8_000, collapseAt: collapseAt, collapseLength: collapseLength, seed: 3)
        try E2E.produce(stream.records, to: topic)
        let dir = E2E.tempDirectory("tokens")
        defer { E2E.remove(dir) }
        let summary = try E2E.run(try PipelinePlan(spec: spec), checkpoints: dir, partitions: 2)
        let source = try E2E.readAll(topic, partitions: 2)
        #expect(source.count == 8_000)
        #expect(summary.records == 8_000 && summary.decoded == 8_000)

        struct TokenRecord { var partition: Int32; var offset: Int64; var model: String; var index: Int; var words: [String] }
        let records: [TokenRecord] = try source.map { r in
            let o = try #require(Plain.object(r.value))
            let ts = Int64(try #require(Plain.number(o["ts"])))
            return TokenRecord(partition: r.partition, offset: r.offset, model: o["model"] as! String,
                               index: Int((ts - 1_767_225_600_000) / 100), words: words(o["completion"] as! String))
        }

        // Every entropy-by-model window against a TokenCounter over the same records' words.
        let windows = try E2E.readAll(spec.sinks.windows!.topic, partitions: 1).map { try JSONParser.parse($0.value) }
        let entropyWindows = windows.filter { $0["stage"]?.stringValue == "entropy-by-model" }
        #expect(entropyWindows.count == 40, "4000 records per model, 200 per window")
        var windowIndex: [String: [Int64: (first: Int, last: Int)]] = [:]
        for w in entropyWindows {
            let key = try #require(w["key"]?.stringValue)
            let p = Int32(try #require(w["window"]?["partition"]?.int64Value))
            let start = try #require(w["window"]?["start_offset"]?.int64Value)
            let end = try #require(w["window"]?["end_offset"]?.int64Value)
            let inWindow = records.filter { $0.partition == p && $0.model == key && $0.offset >= start && $0.offset <= end }
            #expect(inWindow.count == 200)
            let before = records.filter { $0.partition == p && $0.model == key && $0.offset < start }.count
            #expect(before % 200 == 0, "windows are aligned on the key's records")
            var counter = TokenCounter(maxDistinct: 20_000, initialCapacity: 256)
            for r in inWindow { for word in r.words { _ = counter.add(TokenHash.fnv1a64(word)) } }
            counter.recount()
            let result = counter.result(vocabularySize: nil)
            let f = try #require(w["figures"])
            #expect(abs(f["entropy"]!.doubleValue! - result.millerMadowBits) <= 1e-12)
            #expect(abs(f["se"]!.doubleValue! - result.seBits) <= 1e-12)
            #expect(f["n"]?.doubleValue == Double(result.n))
            #expect(f["distinct"]?.doubleValue == Double(result.distinct))
            windowIndex[key, default: [:]][start] = (inWindow.map(\.index).min()!, inWindow.map(\.index).max()!)
        }

        // token-drift: Jensen–Shannon divergence (bits) of each 1000-record window of a model
        // against that model's first window, from plain word counts.
        let driftWindows = windows.filter { $0["stage"]?.stringValue == "token-drift" }
        #expect(driftWindows.count == 8, "4000 records per model, 1000 per window")
        var referenceCounts: [String: [String: Double]] = [:]
        for w in driftWindows.sorted(by: { ($0["window"]!["start_offset"]!.int64Value!) < ($1["window"]!["start_offset"]!.int64Value!) }) {
            let key = try #require(w["key"]?.stringValue)
            let p = Int32(try #require(w["window"]?["partition"]?.int64Value))
            let start = try #require(w["window"]?["start_offset"]?.int64Value)
            let end = try #require(w["window"]?["end_offset"]?.int64Value)
            let inWindow = records.filter { $0.partition == p && $0.model == key && $0.offset >= start && $0.offset <= end }
            #expect(inWindow.count == 1_000)
            var counts: [String: Double] = [:]
            for r in inWindow { for word in r.words { counts[word, default: 0] += 1 } }
            guard let reference = referenceCounts[key] else {
                referenceCounts[key] = counts
                #expect(w["figures"]?["js"] == nil, "the first window is the reference, not a figure")
                continue
            }
            let vocabulary = Array(Set(counts.keys).union(reference.keys))
            let pTotal = counts.values.reduce(0, +), qTotal = reference.values.reduce(0, +)
            let js = JensenShannon.divergenceBits(vocabulary.map { (counts[$0] ?? 0) / pTotal },
                                                  vocabulary.map { (reference[$0] ?? 0) / qTotal })
            let reported = try #require(w["figures"]?["js"]?.doubleValue)
            #expect(abs(reported - js) <= 1e-12, "\(key)@\(start): \(reported) vs \(js)")
        }

        // The collapse: chat-b's positions collapseAt ..< collapseAt + collapseLength, i.e. stream
        // indices 2·position + 1.
        let alerts = try E2E.alerts(of: spec).filter { $0.stage == "entropy-by-model" }
        let firing = alerts.filter { $0.state == .firing && $0.key == "chat-b" }
        let first = try #require(firing.min { $0.window.startOffset < $1.window.startOffset }, "no collapse alert on chat-b")
        let span = try #require(windowIndex["chat-b"]?[first.window.startOffset])
        let collapse = (2 * collapseAt + 1)...(2 * (collapseAt + collapseLength - 1) + 1)
        #expect(collapse.contains(span.first) || collapse.contains(span.last), "the first chat-b alert is on a collapsed window")
        #expect(first.detail["baseline"]?["z"]?.doubleValue.map { $0 < -4 } == true, "a collapse is a fall in entropy")
        #expect(!alerts.contains { $0.state == .firing && $0.key == "chat-a" }, "chat-a never collapses")
    }

    /// The `words` tokenizer as the file documents it: runs of ASCII letters and digits (and any
    /// non-ASCII byte), ASCII letters folded to lower case.
    private func words(_ text: String) -> [String] {
        var out: [String] = []
        var current: [UInt8] = []
        for b in text.utf8 {
            let isWord = (b >= 0x30 && b <= 0x39) || (b | 0x20 >= 0x61 && b | 0x20 <= 0x7a) || b >= 0x80
            if isWord { current.append(b >= 0x41 && b <= 0x5a ? b | 0x20 : b) } else if !current.isEmpty {
                out.append(String(decoding: current, as: UTF8.self))
                current = []
            }
        }
        if !current.isEmpty { out.append(String(decoding: current, as: UTF8.self)) }
        return out
    }
}

/// A credit-score record as the pipeline must accept it, decoded with Foundation; nil when any
/// required field is missing, of the wrong type, or the label is neither good nor bad.
struct CreditRecord {
    var index: Int
    var score: Double

    init?(_ r: E2E.Consumed) { self.init(bytes: r.value) }

    init?(bytes: [UInt8]) {
        guard let o = Plain.object(bytes), let id = o["applicant_id"] as? String, Plain.number(o["ts"]) != nil,
              let score = Plain.number(o["score"]), score.isFinite,
              let flag = Plain.number(o["default_flag"]), flag == 0 || flag == 1,
              (o["applicant"] as? [String: Any])?["age_band"] is String,
              let index = Int(id.dropFirst(2)) else { return nil }
        self.index = index
        self.score = score
    }
}
