import Testing
import ShannonStats
@testable import ShannonCore

/// Every stage kind, driven through the same per-record path as the run loop (without Kafka):
/// its state must survive a checkpoint exactly, and damaged state must be refused.
@Suite struct StageStateTests {
    static let yaml = """
    version: 1
    name: stages
    source: { topics: [t] }
    decode:
      event_time: ts
      fields:
        x:   { path: x, type: number }
        bad: { path: bad, type: label }
        g:   { path: g, type: category }
        k:   { path: k, type: category }
        v:   { path: v, type: vector, dim: 3 }
        tok: { path: tok, type: tokens, tokenizer: whitespace }
        lp:  { path: lp, type: numbers }
    stages:
      - { id: psi, type: psi, input: x, key_by: k, window: { type: count, size: 40, hop: 10 },
          params: { reference: { histogram: { edges: [0.25, 0.5, 0.75], counts: [10, 20, 30, 40] } } },
          alert: { when: threshold, threshold: 0.01 } }
      - { id: iv, type: iv, input: x, label: bad, window: { type: count, size: 30 }, params: { edges: [0.3, 0.6] } }
      - { id: gap, type: group_divergence, input: x, group: g, window: { type: count, size: 30, hop: 15 },
          params: { groups: [a, b], reference: { edges: [0.3, 0.6] } } }
      - { id: ent, type: entropy, input: tok, key_by: k, window: { type: count, size: 20, hop: 5 },
          params: { min_tokens: 10 }, alert: { when: zscore, direction: both, z: 3 } }
      - { id: surprise, type: entropy, input: tok, window: { type: count, size: 30 }, params: { logprobs: lp } }
      - { id: capped, type: entropy, input: tok, window: { type: count, size: 30 }, params: { max_distinct: 3 } }
      - { id: js, type: js_divergence, input: tok, window: { type: count, size: 25 } }
      - { id: cut, type: boundary, input: v, key_by: k, window: { type: count, size: 50 },
          params: { error: cosine, sigma_floor: 0.001, n_min: 5, tau: 4 } }
      - { id: late, type: entropy, input: tok, window: { type: time, size: 1s, allowed_lateness: 200ms } }
    """

    /// A deterministic record stream touching every field, with a level shift half-way.
    static func records(_ n: Int, seed: UInt64) -> [String] {
        var rng = SplitMix64(seed: seed)
        let words = ["alpha", "beta", "gamma", "delta", "eps", "zeta", "eta", "theta"]
        return (0..<n).map { i in
            let shifted = i > n / 2
            let x = shifted ? 0.5 + 0.5 * rng.uniform() : rng.uniform()
            let tokens = (0..<6).map { _ in words[Int(rng.next() % (shifted ? 3 : 8))] }.joined(separator: " ")
            let v = (0..<3).map { d in String((shifted ? Double(d) : -Double(d)) + 0.1 * rng.normal()) }.joined(separator: ",")
            let ts = 1_000 * Int64(i) / 7 - Int64(rng.next() % 900)
            let lp = (0..<6).map { _ in String(-3 * rng.uniform()) }.joined(separator: ",")
            return #"{"x":\#(x),"bad":\#(rng.uniform() < x ? 1 : 0),"g":"\#(i % 3 == 0 ? "a" : "b")","k":"k\#(i % 2)","v":[\#(v)],"tok":"\#(tokens)","lp":[\#(lp)],"ts":\#(ts)}"#
        }
    }

    struct Run {
        let plan: PipelinePlan
        let decoder: RecordDecoder
        var state: PartitionState
        var emissions: [StageEmission] = []
        var late = 0

        init(plan: PipelinePlan, state: PartitionState) {
            self.plan = plan
            self.decoder = RecordDecoder(spec: plan.spec.decode)!
            self.state = state
        }

        mutating func feed(_ records: ArraySlice<String>, from offset: Int) {
            for (i, r) in records.enumerated() {
                #expect(decoder.decode(r) == .ok, "record \(offset + i) should decode")
                let p = RecordPosition(topic: "t", partition: 0, offset: Int64(offset + i), eventTime: decoder.eventTimeMs)
                for s in state.stages where !s.process(decoder, at: p, now: 0, emissions: &emissions) { late += 1 }
                state.nextOffset = Int64(offset + i + 1)
            }
        }

        func entries() -> [CheckpointEntry] { state.stages.flatMap { $0.checkpointEntries() } }
    }

    func plan() throws -> PipelinePlan {
        try PipelinePlan(spec: PipelineLoader.parse(yaml: Self.yaml))
    }

    /// Stop after `cut` records, checkpoint, restore into a fresh partition, continue: the
    /// figures reported afterwards and the final state are those of a run that never stopped.
    @Test(arguments: [1, 37, 150, 299])
    func restoredStateContinuesIdentically(cut: Int) throws {
        let plan = try plan()
        let stream = Self.records(400, seed: 7)
        var whole = Run(plan: plan, state: plan.makePartition(topic: "t", partition: 0, nextOffset: 0))
        whole.feed(stream[...], from: 0)

        var first = Run(plan: plan, state: plan.makePartition(topic: "t", partition: 0, nextOffset: 0))
        first.feed(stream[..<cut], from: 0)
        let checkpoint = Checkpoint(pipeline: "stages", topic: "t", partition: 0, nextOffset: Int64(cut), generation: 1,
                                    createdAtMs: 0, fingerprints: plan.fingerprints, entries: first.entries())
        let decoded = try CheckpointFile.decode(CheckpointFile.encode(checkpoint))
        var second = Run(plan: plan, state: try plan.restorePartition(decoded))
        second.feed(stream[cut...], from: cut)

        #expect(second.entries() == whole.entries())
        // The same records in the same order: the uninterrupted run's emissions are the first
        // run's followed by the restored run's.
        #expect(first.emissions.count + second.emissions.count == whole.emissions.count)
        let tail = whole.emissions.dropFirst(first.emissions.count)
        for (a, b) in zip(second.emissions, tail) {
            #expect(a.stage == b.stage && a.key == b.key && a.window == b.window)
            #expect(a.report.figures.map(\.value.bitPattern) == b.report.figures.map(\.value.bitPattern))
            #expect(a.alert?.id == b.alert?.id)
        }
        #expect(first.late + second.late == whole.late)
    }

    @Test func everyStageKindReportsAndAlerts() throws {
        let plan = try plan()
        var run = Run(plan: plan, state: plan.makePartition(topic: "t", partition: 0, nextOffset: 0))
        run.feed(Self.records(400, seed: 3)[...], from: 0)
        let stages = Set(run.emissions.map(\.stage))
        #expect(stages == ["psi", "iv", "gap", "ent", "surprise", "capped", "js", "cut", "late"])
        // The distinct-token cap is said once, as a notice, not once per window.
        let notices = run.emissions.flatMap(\.notices)
        #expect(notices.count == 1 && notices.first?.stage == "capped" && notices.first?.rule == "notice")
        #expect(Set(run.emissions.compactMap(\.alert?.id)).isDisjoint(with: notices.map(\.id)))
        // Log-probabilities uniform on [-3, 0] nats: mean surprisal 1.5 nats = 2.164 bits/token.
        let surprise = run.emissions.filter { $0.stage == "surprise" }
        let means = surprise.compactMap { e in e.report.figures.first { $0.name == "mean_surprisal" }?.value }
        #expect(means.count == surprise.count && !means.isEmpty)
        #expect(means.allSatisfy { abs($0 - 1.5 / 0.693_147_180_559_945_3) < 0.25 }, "\(means)")
        #expect(run.emissions.contains { $0.stage == "psi" && $0.alert != nil }, "the shift must move PSI past 0.01")
        #expect(run.emissions.contains { $0.stage == "cut" && $0.report.figures.contains { $0.name == "z" } },
                "the vector level shift is a boundary")
        #expect(run.late > 0, "out-of-order event times past the lateness are late")
        // Sliding windows report every hop once full: PSI per key k0/k1 (200 records each).
        let psiWindows = run.emissions.filter { $0.stage == "psi" && $0.key == "k0" }
        #expect(psiWindows.count == (200 - 40) / 10 + 1)
    }

    @Test func damagedStageStateIsRefused() throws {
        let plan = try plan()
        var run = Run(plan: plan, state: plan.makePartition(topic: "t", partition: 0, nextOffset: 0))
        run.feed(Self.records(120, seed: 11)[...], from: 0)
        var rng = SplitMix64(seed: 5)
        for entry in run.entries() {
            let fresh = plan.makePartition(topic: "t", partition: 0, nextOffset: 0)
            let index = plan.spec.stages.firstIndex { $0.id == entry.stageId }!
            try fresh.stages[index].restore(entry) // intact: accepted
            for cut in stride(from: 0, to: entry.state.count, by: max(1, entry.state.count / 50)) {
                var bad = entry
                bad.state = Array(entry.state[..<cut])
                #expect(throws: (any Error).self) { try fresh.stages[index].restore(bad) }
            }
            for _ in 0..<100 {
                var bad = entry
                let i = Int(rng.next() % UInt64(bad.state.count))
                bad.state[i] ^= UInt8(truncatingIfNeeded: rng.next() | 1)
                #expect(throws: (any Error).self) { try fresh.stages[index].restore(bad) }
            }
        }
    }
}
