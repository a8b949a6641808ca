import Testing
import ShannonStats
@testable import ShannonCore

/// Feeds values (and optional p-values) through one rule state; returns the decisions' states.
private func run(_ policy: AlertPolicy, _ values: [Double], p: [Double?]? = nil) -> [AlertState?] {
    var s = AlertRuleState()
    return values.indices.map { i in s.evaluate(MetricReading(value: values[i], pValue: p?[i] ?? nil), policy: policy)?.state }
}

@Suite struct AlertRuleTests {
    @Test func thresholdFiresOnceAndResolves() {
        let policy = AlertPolicy(rule: .threshold, threshold: 0.25)
        #expect(run(policy, [0.1, 0.3, 0.4, 0.2, 0.3, 0.25]) == [nil, .firing, nil, .resolved, .firing, .resolved])
        var noResolve = policy
        noResolve.resolve = false
        #expect(run(noResolve, [0.1, 0.3, 0.4, 0.2, 0.3]) == [nil, .firing, nil, nil, .firing])
    }

    @Test func decisionCarriesRuleThresholdAndSeverity() throws {
        var s = AlertRuleState()
        let policy = AlertPolicy(rule: .threshold, threshold: 0.25,
                                 severity: [.init(level: "critical", at: 0.25), .init(level: "warning", at: 0.1)])
        let first = s.evaluate(MetricReading(value: 0.31, se: 0.02), policy: policy)
        let d = try #require(first)
        #expect(d == AlertDecision(state: .firing, severity: "critical", rule: .threshold, threshold: 0.25,
                                   baselineMean: nil, baselineSD: nil, z: nil))
        // The resolution reports the severity of the firing it ends.
        let second = s.evaluate(MetricReading(value: 0.01), policy: policy)
        let r = try #require(second)
        #expect(r.state == .resolved && r.severity == "critical")
    }

    @Test func significanceNeedsAPValueBelowTheLevel() {
        let policy = AlertPolicy(rule: .significance, pValue: 0.01)
        #expect(run(policy, [9, 9, 9, 9, 9], p: [0.5, 0.001, 0.009, 0.01, nil]) == [nil, .firing, nil, .resolved, nil])
    }

    @Test func bothNeedsThresholdAndSignificance() {
        let policy = AlertPolicy(rule: .both, threshold: 0.25, pValue: 0.01)
        // big but not significant; significant but small; both; both; only big again.
        #expect(run(policy, [0.4, 0.1, 0.3, 0.5, 0.5], p: [0.2, 0.0001, 0.001, 0.002, 0.3])
            == [nil, nil, .firing, nil, .resolved])
    }

    @Test func directionBelowCatchesAnEntropyCollapse() {
        let policy = AlertPolicy(rule: .threshold, direction: .below, threshold: 1.0,
                                 severity: [.init(level: "warning", at: 1.0), .init(level: "critical", at: 0.5)])
        var s = AlertRuleState()
        let decisions = [3.1, 2.5, 0.8, 0.4, 2.0, 0.3].map { s.evaluate(MetricReading(value: $0), policy: policy) }
        #expect(decisions.map { $0?.state } == [nil, nil, .firing, nil, .resolved, .firing])
        #expect(decisions[2]?.severity == "warning")
        #expect(decisions[5]?.severity == "critical")
        let both = AlertPolicy(rule: .threshold, direction: .both, threshold: 2)
        #expect(run(both, [1, -2.5, 0, 3, 0]) == [nil, .firing, .resolved, .firing, .resolved])
    }

    @Test func severityMapping() {
        let above = AlertPolicy(rule: .threshold, threshold: 0,
                                severity: [.init(level: "critical", at: 0.25), .init(level: "warning", at: 0.1)])
        #expect(above.severity(for: 0.3) == "critical")
        #expect(above.severity(for: 0.25) == "critical")
        #expect(above.severity(for: 0.2) == "warning")
        #expect(above.severity(for: 0.05) == "warning") // fired, so at least the mildest level
        let below = AlertPolicy(rule: .threshold, direction: .below, threshold: 5,
                                severity: [.init(level: "warning", at: 2), .init(level: "critical", at: 1)])
        #expect(below.severity(for: 0.5) == "critical")
        #expect(below.severity(for: 1.5) == "warning")
        #expect(below.severity(for: 3) == "warning")
        #expect(AlertPolicy(rule: .threshold, threshold: 0).severity(for: 9) == "warning")
        let twoSided = AlertPolicy(rule: .threshold, direction: .both, threshold: 0,
                                   severity: [.init(level: "minor", at: 1), .init(level: "major", at: 3)])
        #expect(twoSided.severity(for: -4) == "major")
    }

    @Test func cooldownBlocksRefiringForSomeWindows() {
        let policy = AlertPolicy(rule: .threshold, threshold: 0.25, cooldown: 2)
        #expect(run(policy, [0.3, 0.1, 0.3, 0.3, 0.1, 0.3, 0.3, 0.3])
            == [.firing, .resolved, nil, .firing, .resolved, nil, .firing, nil])
        // Without cooldown the flapping condition fires every time it comes back.
        var none = policy
        none.cooldown = 0
        #expect(run(none, [0.3, 0.1, 0.3, 0.3, 0.1, 0.3]) == [.firing, .resolved, .firing, nil, .resolved, .firing])
    }

    @Test func zscoreUsesAnEWMABaselineOfEarlierWindows() {
        let f = EWMABaselineFixture.self
        let policy = AlertPolicy(rule: .zscore, direction: .below, z: 3, baselineAlpha: f.alpha, baselineMinWindows: 5)
        var s = AlertRuleState()
        var expectedCondition: [Bool] = []
        var decisions: [AlertDecision?] = []
        for (i, v) in f.values.enumerated() {
            decisions.append(s.evaluate(MetricReading(value: v), policy: policy))
            // The state now holds the baseline through window i: compare with numpy's explicit weights.
            #expect(abs(s.baselineMean - f.means[i]) <= 1e-12 * abs(f.means[i]))
            #expect(abs(s.baselineVariance - f.variances[i]) <= 1e-10 * f.variances[i] + 1e-15)
            if i >= 5 {
                let z = (v - f.means[i - 1]) / f.variances[i - 1].squareRoot()
                expectedCondition.append(z < -3)
                if let d = decisions[i], d.state == .firing {
                    #expect(abs(d.z! - z) <= 1e-9 * abs(z))
                    #expect(abs(d.threshold! - (f.means[i - 1] - 3 * f.variances[i - 1].squareRoot())) <= 1e-12)
                }
            } else {
                expectedCondition.append(false)
                #expect(decisions[i] == nil) // warm-up: no z-score yet
            }
        }
        // Lifecycle from the reference condition: fire on false→true, resolve on true→false.
        var expected: [AlertState?] = []
        var firing = false
        for c in expectedCondition {
            if c && !firing { expected.append(.firing) } else if !c && firing { expected.append(.resolved) } else { expected.append(nil) }
            firing = c
        }
        #expect(decisions.map { $0?.state } == expected)
        #expect(expected[24] == .firing) // the collapse is caught
        #expect(expected.filter { $0 == .firing }.count >= 1)
    }

    @Test func zscoreWithAFlatBaselineFiresOnAnyMove() {
        let policy = AlertPolicy(rule: .zscore, direction: .above, z: 3, baselineAlpha: 0.5, baselineMinWindows: 3)
        #expect(run(policy, [1, 1, 1, 1, 1.001, 1]) == [nil, nil, nil, nil, .firing, .resolved])
    }

    @Test func nanSaysNothingAndChangesNothing() {
        let policy = AlertPolicy(rule: .threshold, threshold: 0.25)
        #expect(run(policy, [0.3, .nan, 0.4, .nan, 0.1]) == [.firing, nil, nil, nil, .resolved])
        // Infinite PSI (zero smoothing, empty bin) is above any threshold, and stays out of the baseline.
        var s = AlertRuleState()
        #expect(s.evaluate(MetricReading(value: .infinity), policy: policy)?.state == .firing)
        #expect(s.baselineWindows == 0)
    }

    @Test func stateRoundTripsAndContinuesIdentically() throws {
        let policy = AlertPolicy(rule: .zscore, direction: .both, z: 2, baselineAlpha: 0.3, baselineMinWindows: 3, cooldown: 1)
        var a = AlertRuleState()
        let values = EWMABaselineFixture.values
        for v in values.prefix(25) { _ = a.evaluate(MetricReading(value: v), policy: policy) }
        var b = try AlertRuleState(encodedState: a.encodedState())
        #expect(a == b)
        for v in values.dropFirst(25) {
            #expect(a.evaluate(MetricReading(value: v), policy: policy) == b.evaluate(MetricReading(value: v), policy: policy))
        }
        let bytes = a.encodedState()
        for i in bytes.indices {
            var bad = bytes
            bad[i] ^= 0x22
            #expect(throws: (any Error).self) { try AlertRuleState(encodedState: bad) }
        }
    }
}
