import Testing
import ShannonStats
@testable import ShannonCore

/// `for`, `keep_firing_for` and `labels`: Prometheus' pending and keep-firing states over
/// windows, and Alertmanager's label fingerprint.
@Suite struct AlertConventionTests {
    /// The states a rule state publishes for a series of metric values.
    private func run(_ policy: AlertPolicy, _ values: [Double]) -> [AlertState?] {
        var s = AlertRuleState()
        return values.map { s.evaluate(MetricReading(value: $0), policy: policy)?.state }
    }

    @Test func pendingFiresOnlyAfterForWindows() {
        let policy = AlertPolicy(rule: .threshold, threshold: 1, forWindows: 2)
        // Two windows over the line are pending; the third fires. One window under resets it.
        #expect(run(policy, [2, 2, 2, 2, 0]) == [nil, nil, .firing, nil, .resolved])
        #expect(run(policy, [2, 2, 0, 2, 2, 0, 2, 2, 2]) == [nil, nil, nil, nil, nil, nil, nil, nil, .firing])
        // for: 0 fires on the first window, as before the option existed.
        #expect(run(AlertPolicy(rule: .threshold, threshold: 1), [2, 0]) == [.firing, .resolved])
    }

    @Test func keepFiringForSuppressesFlapping() {
        let values: [Double] = [2, 0, 2, 0, 0, 2, 0, 0, 0]
        // Without it a flapping condition fires and resolves over and over.
        #expect(run(AlertPolicy(rule: .threshold, threshold: 1), values)
            == [.firing, .resolved, .firing, .resolved, nil, .firing, .resolved, nil, nil])
        // With keep_firing_for: 2 the gaps of one and two windows stay one firing, which
        // resolves on the third clear window in a row.
        #expect(run(AlertPolicy(rule: .threshold, threshold: 1, keepFiringFor: 2), values)
            == [.firing, nil, nil, nil, nil, nil, nil, nil, .resolved])
    }

    @Test func forAndCooldownTogether() {
        // Cooldown 3 after a firing; for: 1. A condition that has been pending long enough
        // while the cooldown runs fires as soon as it ends.
        let policy = AlertPolicy(rule: .threshold, threshold: 1, cooldown: 3, forWindows: 1)
        #expect(run(policy, [2, 2, 0, 2, 2, 2, 2]) == [nil, .firing, .resolved, nil, nil, .firing, nil])
    }

    @Test func lifecycleSurvivesACheckpointAnywhere() throws {
        let policy = AlertPolicy(rule: .threshold, threshold: 1, forWindows: 2, keepFiringFor: 1)
        let values: [Double] = [2, 2, 0, 2, 2, 2, 0, 2, 0, 0, 2, 2, 2]
        let whole = run(policy, values)
        for cut in 0...values.count {
            var s = AlertRuleState()
            var got = values[..<cut].map { s.evaluate(MetricReading(value: $0), policy: policy)?.state }
            var restored = try AlertRuleState(encodedState: s.encodedState())
            #expect(restored == s)
            got += values[cut...].map { restored.evaluate(MetricReading(value: $0), policy: policy)?.state }
            #expect(got == whole, "cut at \(cut)")
        }
    }

    @Test func stateCodecVersion2AndCorruptInput() throws {
        var s = AlertRuleState()
        let policy = AlertPolicy(rule: .threshold, threshold: 1, forWindows: 3)
        _ = s.evaluate(MetricReading(value: 2), policy: policy)
        #expect(s.pendingWindows == 1)
        let bytes = s.encodedState()
        #expect(try AlertRuleState(encodedState: bytes) == s)
        // Every truncation and every single-byte flip is refused, never misread.
        for n in 0..<bytes.count {
            #expect(throws: (any Error).self) { try AlertRuleState(encodedState: Array(bytes.prefix(n))) }
        }
        for i in bytes.indices {
            var b = bytes
            b[i] ^= 0x01
            #expect(throws: (any Error).self, "flip at \(i)") { try AlertRuleState(encodedState: b) }
        }
        // A well-sealed record that is pending and firing at once is corrupt, not a state.
        func record(version: UInt16, firing: Bool, pending: Int, clear: Int) -> [UInt8] {
            var w = StateWriter()
            w.beginRecord(AlertRuleState.tag, version: version)
            w.write(firing)
            w.write("warning")
            w.write(0)
            if version >= 2 {
                w.write(pending)
                w.write(clear)
            }
            w.write(0)
            w.write(0.0)
            w.write(0.0)
            w.endRecord()
            return w.bytes
        }
        #expect(throws: StateDecodingError.self) { try AlertRuleState(encodedState: record(version: 2, firing: true, pending: 1, clear: 0)) }
        #expect(throws: StateDecodingError.self) { try AlertRuleState(encodedState: record(version: 2, firing: false, pending: 0, clear: 1)) }
        #expect(throws: StateDecodingError.self) { try AlertRuleState(encodedState: record(version: 3, firing: false, pending: 0, clear: 0)) }
        #expect(try AlertRuleState(encodedState: record(version: 2, firing: true, pending: 0, clear: 1)).clearWindows == 1)
        // Checkpoints written before `for`/`keep_firing_for` (version 1) still read, with both counters 0.
        let old = try AlertRuleState(encodedState: record(version: 1, firing: true, pending: 0, clear: 0))
        #expect(old.firing && old.pendingWindows == 0 && old.clearWindows == 0)
    }

    @Test func labelsAndFingerprintInTheAlert() throws {
        let labels = ["team": "risk", "runbook": "https://wiki/psi"]
        var s = AlertRuleState()
        let policy = AlertPolicy(rule: .threshold, threshold: 1, labels: labels)
        let fired = s.evaluate(MetricReading(value: 2), policy: policy)
        let d = try #require(fired)
        #expect(d.labels == labels)
        let window = AlertWindow(topic: "t", partition: 0, startOffset: 0, endOffset: 9, startTime: nil, endTime: nil, records: 10)
        let a = Alert(pipeline: "p", stage: "s", stageType: "psi", key: "*", metric: "psi", reading: MetricReading(value: 2),
                      decision: d, window: window, windowIsEventTime: false, emittedAt: 0)
        let text = String(decoding: a.jsonBytes(), as: UTF8.self)
        #expect(text.contains(#""labels":{"runbook":"https://wiki/psi","team":"risk"},"fingerprint":"\#(a.fingerprint)""#))
        #expect(try Alert.decode(a.jsonBytes()) == a)
        // Same series, same fingerprint: the resolution carries the firing's fingerprint.
        let cleared = s.evaluate(MetricReading(value: 0), policy: policy)
        let r = try #require(cleared)
        let resolved = Alert(pipeline: "p", stage: "s", stageType: "psi", key: "*", metric: "psi", reading: MetricReading(value: 0),
                             decision: r, window: window, windowIsEventTime: false, emittedAt: 0)
        #expect(resolved.fingerprint == a.fingerprint && resolved.id != a.id)
        // Another key or label value is another series; labels do not change the alert id.
        var other = a
        other.key = "k2"
        #expect(other.fingerprint != a.fingerprint)
        var relabelled = a
        relabelled.labels["team"] = "ops"
        #expect(relabelled.fingerprint != a.fingerprint && relabelled.id == a.id)
        // A fingerprint that does not match its labels is not ours.
        let forged = text.replacingOccurrences(of: a.fingerprint, with: "0000000000000000")
        #expect(throws: Alert.DecodingError.self) { try Alert.decode(Array(forged.utf8)) }
    }

    /// Prometheus' own test vectors (prometheus/common, model/signature_test.go): the label-set
    /// signature Alertmanager fingerprints alerts with.
    @Test func fingerprintIsPrometheusLabelSetSignature() {
        #expect(AlertLabels.fnv1a64([:]) == 14_695_981_039_346_656_037)
        #expect(AlertLabels.fnv1a64(["name": "garland, briggs", "fear": "love is not enough"]) == 5_799_056_148_416_392_346)
        #expect(AlertLabels.fnv1a64(["first-label": "first-label-value"]) == 5_146_282_821_936_882_169)
        #expect(AlertLabels.fnv1a64(["first-label": "first-label-value", "second-label": "second-label-value"])
            == 3_195_800_080_984_914_717)
        #expect(AlertLabels.fnv1a64(["first-label": "first-label-value", "second-label": "second-label-value",
                                     "third-label": "third-label-value"]) == 13_843_036_195_897_128_121)
        #expect(AlertLabels.fingerprint(pipeline: "p", stage: "s", key: "k", labels: ["a": "b"])
            == AlertLabels.hex(AlertLabels.fnv1a64(["a": "b", "pipeline": "p", "stage": "s", "key": "k"])))
    }

    @Test func labelNamesFollowPrometheus() {
        #expect(AlertLabels.isValidName("team") && AlertLabels.isValidName("_x1") && AlertLabels.isValidName("Team_2"))
        #expect(!AlertLabels.isValidName("") && !AlertLabels.isValidName("1x") && !AlertLabels.isValidName("a-b")
            && !AlertLabels.isValidName("__name__") && !AlertLabels.isValidName("é"))
    }
}
