import Testing
import ShannonTestSupport
@testable import ShannonCore

/// Bounded keys (`keys: { max, idle_timeout }`): the cap, idle eviction in records and in event
/// time, what an evicted key reports, the once-per-partition notice, the gauges, checkpoints.
@Suite struct KeyLimitsTests {
    /// PSI by `g` over count windows of `size`, with the stage's `keys:` block as given.
    static func pipeline(keys: String?, size: Int = 3, eventTime: Bool = false, window: String? = nil) -> String {
        """
        version: 1
        name: keyed
        source: { topics: [t] }
        decode:
          \(eventTime ? "event_time: ts" : "")
          fields:
            x:  { path: x, type: number }
            g:  { path: g, type: category }
            ts: { path: ts, type: number, optional: true }
        stages:
          - id: s
            type: psi
            input: x
            key_by: g
            window: \(window ?? "{ type: count, size: \(size) }")
            params: { reference: { histogram: { edges: [0.5], counts: [50, 50] } } }
            \(keys.map { "keys: \($0)" } ?? "")
        """
    }

    static func driver(_ yaml: String) throws -> PipelineDriver {
        try PipelineDriver(plan: PipelinePlan(spec: PipelineLoader.parse(yaml: yaml)))
    }

    static func send(_ d: PipelineDriver, _ key: String, x: Double = 0.2, ts: Int64? = nil) {
        d.send(json: "{\"x\": \(x), \"g\": \"\(key)\"" + (ts.map { ", \"ts\": \($0)" } ?? "") + "}")
    }

    @Test func parsesTheBlockAndDefaults() throws {
        let plain = try PipelineLoader.parse(yaml: Self.pipeline(keys: nil))
        #expect(plain.stages[0].keys == KeyLimits(max: 100_000, idleTimeout: nil))
        let both = try PipelineLoader.parse(yaml: Self.pipeline(keys: "{ max: 10, idle_timeout: 1h }"))
        #expect(both.stages[0].keys == KeyLimits(max: 10, idleTimeout: .eventTime(ms: 3_600_000)))
        let records = try PipelineLoader.parse(yaml: Self.pipeline(keys: "{ idle_timeout: 5000 }"))
        #expect(records.stages[0].keys == KeyLimits(max: 100_000, idleTimeout: .records(5000)))
    }

    @Test func badBlocksAreReportedWhereTheyAre() {
        let zero = StageDriver.problems(Self.pipeline(keys: "{ max: 0 }"))
        #expect(zero.contains("`keys.max` must be ≥ 1, found 0"), "\(zero)")
        #expect(zero.contains("<memory>:17:18:"), "the line and column of the value: \(zero)")
        let typo = StageDriver.problems(Self.pipeline(keys: "{ maxx: 3 }"))
        #expect(typo.contains("maxx") && typo.contains("did you mean `max`"), "\(typo)")
        let word = StageDriver.problems(Self.pipeline(keys: "{ idle_timeout: soon }"))
        #expect(word.contains("`keys.idle_timeout`: `soon` is not a duration"), "\(word)")
        let quoted = StageDriver.problems(Self.pipeline(keys: "{ idle_timeout: \"\" }"))
        #expect(quoted.contains("expected a count of records or a duration"), "\(quoted)")
        let none = StageDriver.problems(Self.pipeline(keys: "{ idle_timeout: 0 }"))
        #expect(none.contains("must be ≥ 1 record"), "\(none)")
    }

    @Test func keysBeyondTheCapEvictTheLeastRecentlyUsed() throws {
        let d = try Self.driver(Self.pipeline(keys: "{ max: 2 }"))
        Self.send(d, "a")
        Self.send(d, "b")
        Self.send(d, "a") // a is now the most recent: c evicts b
        Self.send(d, "c")
        #expect(d.counts.keysHeld == [2] && d.counts.keysEvicted == [1])
        let evicted = d.windows(stage: "s").filter { $0["evicted"] != nil }
        #expect(evicted.count == 1)
        #expect(evicted.first?["key"]?.stringValue == "b" && evicted.first?["evicted"]?.stringValue == "max_keys")
        #expect(evicted.first?["window"]?["records"]?.int64Value == 1)
        #expect(evicted.first?["window"]?["start_offset"]?.int64Value == 1)
        // The notice, once: a fourth and fifth key evict again without another one.
        Self.send(d, "d")
        Self.send(d, "e")
        let notices = d.alerts.filter { $0.rule == "notice" }
        #expect(notices.count == 1 && notices.first?.metric == "keys" && notices.first?.value == 2)
        #expect(d.counts.keysEvicted == [3] && d.counts.keysHeld == [2])
        // Evicted windows are not windows of the stage (they are partial) and never alert.
        #expect(d.counts.windows == [0])
        #expect(d.alerts.allSatisfy { $0.rule == "notice" })
        // The checkpoint holds the keys that stayed, so the changelog tombstones the others.
        let c = try #require(d.checkpoint())
        #expect(c.entries.map(\.key) == ["d", "e"])
    }

    @Test func anEvictedKeyThatComesBackStartsAfresh() throws {
        let d = try Self.driver(Self.pipeline(keys: "{ max: 1 }", size: 2))
        Self.send(d, "a")
        Self.send(d, "b") // evicts a with one record
        Self.send(d, "a") // evicts b; a starts a new window
        Self.send(d, "a") // closes a's window of two records: the two after its return
        let whole = d.windows(stage: "s").filter { $0["evicted"] == nil }
        #expect(whole.count == 1 && whole.first?["window"]?["start_offset"]?.int64Value == 2)
        #expect(d.counts.keysEvicted == [2] && d.counts.keysHeld == [1])
    }

    @Test func aKeyWithNothingUnreportedStillCarriesTheNotice() throws {
        let d = try Self.driver(Self.pipeline(keys: "{ max: 1 }", size: 1))
        Self.send(d, "a") // closes its window of one record: nothing is left open
        Self.send(d, "b")
        #expect(d.counts.keysEvicted == [1])
        #expect(d.alerts.filter { $0.rule == "notice" }.count == 1)
        #expect(d.windows(stage: "s").allSatisfy { $0["evicted"] == nil }, "no empty evicted window is published")
    }

    @Test func idleInRecords() throws {
        let d = try Self.driver(Self.pipeline(keys: "{ idle_timeout: 3 }", size: 100))
        Self.send(d, "quiet")
        for _ in 0..<3 { Self.send(d, "busy") }
        #expect(d.counts.keysEvicted == [0], "three records later the key is not yet idle")
        Self.send(d, "busy")
        #expect(d.counts.keysEvicted == [1] && d.counts.keysHeld == [1])
        let w = try #require(d.windows(stage: "s").first)
        #expect(w["key"]?.stringValue == "quiet" && w["evicted"]?.stringValue == "idle")
        #expect(d.alerts.isEmpty, "idle evictions carry no notice: only the cap does")
    }

    @Test func idleInEventTime() throws {
        let d = try Self.driver(Self.pipeline(keys: "{ idle_timeout: 10s }", size: 100, eventTime: true))
        Self.send(d, "quiet", ts: 1_000)
        Self.send(d, "busy", ts: 5_000)
        Self.send(d, "busy", ts: 11_000)
        #expect(d.counts.keysEvicted == [0], "10 s behind, not more")
        Self.send(d, "busy", ts: 11_001)
        #expect(d.counts.keysEvicted == [1] && d.counts.keysHeld == [1])
        #expect(d.windows(stage: "s").first?["key"]?.stringValue == "quiet")
    }

    @Test func eventTimeWindowsOfAnEvictedKeyCloseMarked() throws {
        let d = try Self.driver(Self.pipeline(keys: "{ max: 1 }", eventTime: true, window: "{ type: time, size: 1m }"))
        Self.send(d, "a", ts: 1_000)
        Self.send(d, "a", ts: 2_000)
        Self.send(d, "b", ts: 3_000)
        let w = try #require(d.windows(stage: "s").first)
        #expect(w["key"]?.stringValue == "a" && w["evicted"]?.stringValue == "max_keys")
        #expect(w["window"]?["records"]?.int64Value == 2 && w["window"]?["start_time"]?.int64Value == 0)
    }

    @Test func restoredKeysCountAndGetAFullTimeout() throws {
        let d = try Self.driver(Self.pipeline(keys: "{ idle_timeout: 2 }", size: 100))
        Self.send(d, "a")
        Self.send(d, "b")
        let c = try #require(d.checkpoint())
        let r = try d.restarted(from: [c])
        #expect(r.counts.keysHeld == [2])
        Self.send(r, "b")
        Self.send(r, "b")
        #expect(r.counts.keysEvicted == [0])
        Self.send(r, "b")
        #expect(r.counts.keysEvicted == [1] && r.windows(stage: "s").first?["key"]?.stringValue == "a")
    }

    @Test func aLoweredCapTrimsRestoredKeysOnTheNextNewKey() throws {
        let d = try Self.driver(Self.pipeline(keys: nil))
        for k in ["a", "b", "c", "d"] { Self.send(d, k) }
        let c = try #require(d.checkpoint())
        let lowered = try Self.driver(Self.pipeline(keys: "{ max: 2 }"))
        let r = try lowered.restarted(from: [c])
        #expect(r.counts.keysHeld == [4])
        Self.send(r, "e")
        #expect(r.counts.keysHeld == [2] && r.counts.keysEvicted == [3])
        #expect(r.alerts.filter { $0.rule == "notice" }.count == 1)
    }

    /// The daemon's `shannon_keys_held` gauge reads the engine's count: a revoked partition
    /// must take its keys off it (the runners give them back when they go).
    @Test func aRevokedPartitionTakesItsKeysOff() throws {
        let d = try Self.driver(Self.pipeline(keys: nil, size: 100))
        for k in ["a", "b", "c"] { d.send(json: "{\"x\": 0.2, \"g\": \"\(k)\"}", partition: 0) }
        for k in ["a", "b"] { d.send(json: "{\"x\": 0.2, \"g\": \"\(k)\"}", partition: 1) }
        #expect(d.counts.keysHeld == [5])
        d.revoke(partition: 0)
        #expect(d.counts.keysHeld == [2])
        d.revoke(partition: 1)
        #expect(d.counts.keysHeld == [0] && d.counts.keysEvicted == [0])
    }
}
