import Testing
import ShannonTestSupport
@testable import ShannonCore

/// A key evicted while its alert is firing (Stages/StageRunner+Keys.swift): no window of it is
/// judged again, so the eviction resolves the firing, with the reason, instead of leaving it
/// open for ever.
@Suite struct KeyEvictionAlertTests {
    /// PSI by `g` over count windows of 2 against a 50/50 reference, alerting above 0.1: two
    /// records below the edge make a window of PSI ≈ 3.9 (fires), one of each ≈ 0 (quiet).
    static let yaml = """
        version: 1
        name: keyed
        source: { topics: [t] }
        decode:
          fields:
            x: { path: x, type: number }
            g: { path: g, type: category }
        stages:
          - id: s
            type: psi
            input: x
            key_by: g
            window: { type: count, size: 2 }
            params: { reference: { histogram: { edges: [0.5], counts: [50, 50] } } }
            alert: { when: threshold, threshold: 0.1 }
            keys: { max: 2 }
        """

    static func driver() throws -> PipelineDriver {
        try PipelineDriver(plan: PipelinePlan(spec: PipelineLoader.parse(yaml: yaml)))
    }

    static func send(_ d: PipelineDriver, _ key: String, x: Double = 0.2) {
        d.send(json: "{\"x\": \(x), \"g\": \"\(key)\"}")
    }

    static func alerts(_ d: PipelineDriver, key: String) -> [Alert] { d.alerts.filter { $0.key == key && $0.rule != "notice" } }

    @Test func aFiringKeyEvictedWithAPartialWindowIsResolvedOnIt() throws {
        let d = try Self.driver()
        Self.send(d, "a"); Self.send(d, "a") // offsets 0, 1: a's first window fires
        Self.send(d, "a")                     // offset 2: a partial window
        #expect(Self.alerts(d, key: "a").map(\.state) == [.firing])
        Self.send(d, "b"); Self.send(d, "c")  // offset 4: c evicts a, the least recently used
        let a = Self.alerts(d, key: "a")
        #expect(a.map(\.state) == [.firing, .resolved])
        guard a.count == 2 else { return }
        let resolved = a[1]
        #expect(resolved.detail["resolved_by"]?.stringValue == "eviction")
        #expect(resolved.detail["eviction"]?.stringValue == "max_keys")
        #expect(resolved.severity == a[0].severity && resolved.id != a[0].id)
        #expect(resolved.window.startOffset == 2 && resolved.window.records == 1, "the partial window carries it")
        let evicted = d.windows(stage: "s").filter { $0["evicted"] != nil }
        #expect(evicted.map { $0["key"]?.stringValue } == ["a"])
    }

    @Test func aFiringKeyEvictedWithoutAPartialWindowIsResolvedAtTheEviction() throws {
        let d = try Self.driver()
        Self.send(d, "a"); Self.send(d, "a")  // fires; no record of a after its window
        Self.send(d, "b"); Self.send(d, "c")  // offset 3: c evicts a
        let a = Self.alerts(d, key: "a")
        #expect(a.map(\.state) == [.firing, .resolved])
        #expect(a.last?.detail["resolved_by"]?.stringValue == "eviction")
        #expect(a.last?.window.startOffset == 3 && a.last?.window.records == 0)
        // An empty window is not published as an evicted window record.
        #expect(d.windows(stage: "s").filter { $0["evicted"] != nil }.isEmpty)
    }

    @Test func aQuietKeyEvictedSendsNoResolved() throws {
        let d = try Self.driver()
        Self.send(d, "a", x: 0.2); Self.send(d, "a", x: 0.8) // PSI 0: quiet
        Self.send(d, "b"); Self.send(d, "c")                // c evicts a
        #expect(Self.alerts(d, key: "a").isEmpty)
        #expect(d.counts.keysEvicted == [1])
    }

    @Test func aResolvedFiringIsNotResolvedAgainByTheEviction() throws {
        let d = try Self.driver()
        Self.send(d, "a"); Self.send(d, "a")             // fires
        Self.send(d, "a", x: 0.2); Self.send(d, "a", x: 0.8) // clears: resolved by the rule
        Self.send(d, "b"); Self.send(d, "c")             // evicts a, not firing
        let a = Self.alerts(d, key: "a")
        #expect(a.map(\.state) == [.firing, .resolved])
        #expect(a.last?.detail["resolved_by"] == nil)
    }
}
