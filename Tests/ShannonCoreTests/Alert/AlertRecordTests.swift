import Foundation
import Testing
@testable import ShannonCore

private func sampleAlert(state: AlertState = .firing) -> Alert {
    let reading = MetricReading(value: 0.3127, se: 0.021, pValue: 1.5e-9, statistic: 88.25, ciLow: 0.2715, ciHigh: 0.3539)
    let decision = AlertDecision(state: state, severity: "critical", rule: .both, threshold: 0.25,
                                 baselineMean: nil, baselineSD: nil, z: nil)
    let window = AlertWindow(topic: "credit-scores", partition: 2, startOffset: 5000, endOffset: 9999,
                             startTime: 1_764_000_000_000, endTime: 1_764_000_360_000, records: 5000)
    return Alert(pipeline: "credit-psi", stage: "score-psi", stageType: "psi", key: "segment \"A\"", metric: "psi",
                 reading: reading, decision: decision, window: window, windowIsEventTime: false,
                 detail: .object([JSONMember("bins", .int(10)), JSONMember("p", .array([.number(0.1), .number(0.9)]))]),
                 emittedAt: 1_764_000_360_123)
}

@Suite struct AlertRecordTests {
    @Test func sha256MatchesPublishedVectors() {
        func hex(_ d: [UInt8]) -> String { d.map { String(format: "%02x", $0) }.joined() }
        #expect(hex(SHA256.hash([UInt8]())) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(hex(SHA256.hash(Array("abc".utf8))) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(hex(SHA256.hash(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)))
            == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        // Padding edges and a multi-block input (reference: Python hashlib).
        #expect(hex(SHA256.hash([UInt8](repeating: 0x61, count: 55))) == "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318")
        #expect(hex(SHA256.hash([UInt8](repeating: 0x61, count: 56))) == "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a")
        #expect(hex(SHA256.hash([UInt8](repeating: 0x61, count: 64))) == "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb")
        #expect(hex(SHA256.hash((0..<1000).map { UInt8(truncatingIfNeeded: $0 * 7) }))
            == "89f4ff56a25dd1db06a4ce6033603775d705fb96f30f8693733fef602a1ca532")
    }

    @Test func idsAreStableAndDistinguishEveryPart() {
        func id(_ p: String = "p", _ s: String = "s", _ k: String = "k", _ t: String = "t", _ part: Int32 = 0,
                _ w: Alert.WindowIdentity = .offset(100), _ st: AlertState = .firing) -> String {
            Alert.stableID(pipeline: p, stage: s, key: k, topic: t, partition: part, window: w, state: st)
        }
        let base = id()
        #expect(base.count == 32 && base.allSatisfy { $0.isHexDigit && !$0.isUppercase })
        #expect(id() == base)
        let variants = [id("q"), id("p", "s2"), id("p", "s", "k2"), id("p", "s", "k", "t2"), id("p", "s", "k", "t", 1),
                        id("p", "s", "k", "t", 0, .offset(101)), id("p", "s", "k", "t", 0, .eventTime(100)),
                        id("p", "s", "k", "t", 0, .offset(100), .resolved),
                        // Field boundaries matter: ("ab","c") is not ("a","bc").
                        id("pa", "b"), id("p", "ab"), id("p", "", "sk")]
        #expect(Set(variants + [base]).count == variants.count + 1)
        // The id is fixed forever for the same inputs (consumers de-duplicate on it across releases).
        #expect(sampleAlert().id == sampleAlert().id)
        #expect(sampleAlert().id != sampleAlert(state: .resolved).id)
    }

    @Test func idsAreUniqueOverManyWindowsAndKeys() {
        var seen = Set<String>()
        for key in 0..<50 {
            for partition in Int32(0)..<4 {
                for window in 0..<50 {
                    seen.insert(Alert.stableID(pipeline: "p", stage: "s", key: "key-\(key)", topic: "t", partition: partition,
                                               window: .offset(Int64(window) * 5000), state: .firing))
                }
            }
        }
        #expect(seen.count == 50 * 4 * 50)
    }

    @Test func jsonHasTheExactShape() {
        let a = sampleAlert()
        let expected = #"{"id":"\#(a.id)","pipeline":"credit-psi","stage":"score-psi","stage_type":"psi","key":"segment \"A\"","state":"firing","severity":"critical","metric":"psi","value":0.3127,"se":0.021,"ci_low":0.2715,"ci_high":0.3539,"p_value":1.5e-09,"statistic":88.25,"threshold":0.25,"rule":"both","labels":{},"fingerprint":"\#(a.fingerprint)","window":{"topic":"credit-scores","partition":2,"start_offset":5000,"end_offset":9999,"start_time":1764000000000,"end_time":1764000360000,"records":5000},"detail":{"bins":10,"p":[0.1,0.9]},"emitted_at":1764000360123}"#
        #expect(String(decoding: a.jsonBytes(), as: UTF8.self) == expected)
    }

    @Test func decodeRoundTrips() throws {
        let a = sampleAlert()
        #expect(try Alert.decode(a.jsonBytes()) == a)
        var b = sampleAlert(state: .resolved)
        b.se = nil; b.ciLow = nil; b.ciHigh = nil; b.pValue = nil; b.statistic = nil; b.threshold = nil
        b.window.startTime = nil; b.window.endTime = nil
        b.detail = .object([])
        #expect(try Alert.decode(b.jsonBytes()) == b)
        #expect(String(decoding: b.jsonBytes(), as: UTF8.self).contains(#""se":null,"ci_low":null"#))
    }

    @Test func foundationReadsTheSameFigures() throws {
        let a = sampleAlert()
        let obj = try #require(try JSONSerialization.jsonObject(with: Data(a.jsonBytes())) as? [String: Any])
        #expect(obj["id"] as? String == a.id)
        #expect(obj["key"] as? String == "segment \"A\"")
        #expect((obj["value"] as? NSNumber)?.doubleValue == 0.3127)
        #expect((obj["p_value"] as? NSNumber)?.doubleValue == 1.5e-9)
        let window = try #require(obj["window"] as? [String: Any])
        #expect((window["end_offset"] as? NSNumber)?.int64Value == 9999)
        #expect((obj["emitted_at"] as? NSNumber)?.int64Value == 1_764_000_360_123)
        #expect(obj.count == 21)
    }

    @Test func decodeRejectsWhatIsNotAnAlert() {
        #expect(throws: (any Error).self) { try Alert.decode(Array("[]".utf8)) }
        #expect(throws: Alert.DecodingError.self) { try Alert.decode(Array(#"{"id":"x"}"#.utf8)) }
        var text = String(decoding: sampleAlert().jsonBytes(), as: UTF8.self)
        text = text.replacingOccurrences(of: #""state":"firing""#, with: #""state":"exploded""#)
        #expect(throws: Alert.DecodingError(message: #"unknown state "exploded""#)) { try Alert.decode(Array(text.utf8)) }
    }

    @Test func eventTimeWindowsAreIdentifiedByTheirStart() {
        let decision = AlertDecision(state: .firing, severity: "warning", rule: .threshold, threshold: 1,
                                     baselineMean: nil, baselineSD: nil, z: nil)
        func make(startOffset: Int64) -> Alert {
            Alert(pipeline: "p", stage: "s", stageType: "entropy", key: "*", metric: "entropy",
                  reading: MetricReading(value: 2), decision: decision,
                  window: AlertWindow(topic: "t", partition: 0, startOffset: startOffset, endOffset: 99,
                                      startTime: 60_000, endTime: 120_000, records: 10),
                  windowIsEventTime: true, emittedAt: 0)
        }
        // Arrival order can change a time window's offsets, not its identity.
        #expect(make(startOffset: 10).id == make(startOffset: 12).id)
    }
}
