import Foundation
import ShannonKafka
import Testing
@testable import ShannonCore
import ShannonTestSupport
@testable import ShannonDaemon

/// A stream salted with every kind of bad record: each lands on the dead-letter topic with its
/// reason, its original bytes and its source position; every good record is counted; the worker
/// reads to the end.
extension EndToEndTests {
    @Test("every kind of bad record is dead-lettered with reason, bytes and position; good ones all counted")
    func deadLetters() throws {
        let spec = try E2E.load(E2E.fixture("dead-letters.yaml"), partitions: 2)
        let topic = spec.source.topics[0]
        let t0: Int64 = 1_767_225_600_000
        func good(_ i: Int, ts: Int64? = nil) -> String {
            #"{"x":\#(Double(i % 100) / 100),"flag":0,"v":[\#(i % 7),1.5,-2],"name":"n\#(i % 5)","ts":\#(ts ?? t0 + Int64(i) * 100)}"#
        }
        // (reason, bytes) of each kind of bad record; the late one is valid but 30 s behind.
        let bad: [(DeadLetterReason, [UInt8])] = [
            (.malformedJSON, Array(#"{"x":0.5,"flag":0,"v":[1,2,3],"name":"a","ts":1767225600000"#.utf8)),
            (.malformedJSON, [0xFF, 0xFE, 0x7B, 0x00, 0x22]), // not even UTF-8: dead-lettered as base64
            (.notAnObject, Array("[1,2,3]".utf8)),
            (.notAnObject, Array("42".utf8)),
            (.missingField, Array(#"{"flag":0,"v":[1,2,3],"name":"a","ts":1767225600000}"#.utf8)),
            (.wrongType, Array(#"{"x":"abc","flag":0,"v":[1,2,3],"name":"a","ts":1767225600000}"#.utf8)),
            (.wrongType, Array(#"{"x":0.5,"flag":0,"v":"1,2,3","name":"a","ts":1767225600000}"#.utf8)),
            (.notFinite, Array(#"{"x":1e999,"flag":0,"v":[1,2,3],"name":"a","ts":1767225600000}"#.utf8)),
            (.notFinite, Array(#"{"x":0.5,"flag":0,"v":[1e39,0,0],"name":"a","ts":1767225600000}"#.utf8)),
            (.wrongDimension, Array(#"{"x":0.5,"flag":0,"v":[1,2],"name":"a","ts":1767225600000}"#.utf8)),
            (.wrongDimension, Array(#"{"x":0.5,"flag":0,"v":[1,2,3,4],"name":"a","ts":1767225600000}"#.utf8)),
            (.oversized, Array((#"{"x":0.5,"flag":0,"v":[1,2,3],"name":"a","ts":1767225600000,"pad":""#
                + String(repeating: "p", count: 500) + #""}"#).utf8)),
            (.badLabel, Array(#"{"x":0.5,"flag":7,"v":[1,2,3],"name":"a","ts":1767225600000}"#.utf8)),
            (.late, Array(good(0, ts: t0 + 1_000).utf8)),
        ]
        // 600 good records, a bad one every 19 from position 340 (the late one comes last, when
        // the event-time windows of its time are long closed: some 55 s of records later).
        var records: [(bytes: [UInt8], reason: DeadLetterReason?)] = (0..<600).map { (Array(good($0).utf8), nil) }
        for (k, b) in bad.enumerated() { records.insert((b.1, b.0), at: 340 + 19 * k) }
        let demo = records.enumerated().map { i, r in DemoStreams.Record(key: Array("k\(i)".utf8), value: r.bytes) }
        try E2E.produce(demo, to: topic, partition: { Int32($0 % 2) })
        let dir = E2E.tempDirectory("dead")
        defer { E2E.remove(dir) }
        let summary = try E2E.run(try PipelinePlan(spec: spec), checkpoints: dir, partitions: 2)

        // Where each record landed, read back from the source.
        let source = try E2E.readAll(topic, partitions: 2)
        #expect(source.count == records.count)
        var expectedReason: [String: DeadLetterReason] = [:] // "p/offset"
        var bytesAt: [String: [UInt8]] = [:]
        var next: [Int32: Int64] = [0: 0, 1: 0]
        for (i, r) in records.enumerated() {
            let p = Int32(i % 2)
            let position = "\(p)/\(next[p]!)"
            next[p]! += 1
            bytesAt[position] = r.bytes
            if let reason = r.reason { expectedReason[position] = reason }
        }
        for s in source { #expect(bytesAt["\(s.partition)/\(s.offset)"] == s.value, "the broker kept the order") }

        // The run: to the end, every good record decoded (the late one decodes, then is too late).
        #expect(summary.records == records.count)
        #expect(summary.nextOffsets[TopicPartition(topic, 0)] == next[0])
        #expect(summary.nextOffsets[TopicPartition(topic, 1)] == next[1])
        #expect(summary.decoded == 600 + 1)
        var byReason: [String: Int] = [:]
        for (reason, _) in bad { byReason[reason.rawValue, default: 0] += 1 }
        #expect(summary.deadLetters == byReason)
        var decodedIn: [Int: Int] = [:]
        for (i, r) in records.enumerated() where r.reason == nil || r.reason == .late { decodedIn[i % 2, default: 0] += 1 }
        #expect(summary.windows["x-psi"] == decodedIn.values.reduce(0) { $0 + $1 / 50 }, "count windows count decoded records")

        // The dead-letter topic: one record per bad one, reason, bytes and position intact.
        let letters = try E2E.readAll(spec.sinks.deadLetter!.topic, partitions: 1, headers: ["shannon.reason"])
        #expect(letters.count == bad.count)
        var seen: Set<String> = []
        for letter in letters {
            let o = try #require(Plain.object(letter.value), "a dead letter is JSON: \(letter.text)")
            let p = try #require(Plain.number(o["partition"]).map { Int32($0) })
            let offset = try #require(Plain.number(o["offset"]).map { Int64($0) })
            let position = "\(p)/\(offset)"
            let reason = try #require(o["reason"] as? String)
            #expect(expectedReason[position]?.rawValue == reason, "\(position): \(reason) \(o["detail"] ?? "")")
            #expect(letter.headers["shannon.reason"] == reason)
            #expect(o["pipeline"] as? String == spec.name)
            #expect(o["topic"] as? String == topic)
            #expect(!((o["detail"] as? String) ?? "").isEmpty)
            let original: [UInt8]? = if let text = o["value_text"] as? String { Array(text.utf8) } else {
                (o["value_base64"] as? String).flatMap { Data(base64Encoded: $0) }.map { [UInt8]($0) }
            }
            #expect(original == bytesAt[position], "\(position): original bytes")
            let key = (o["key_base64"] as? String).flatMap { Data(base64Encoded: $0) }.map { [UInt8]($0) }
            #expect(key == source.first { $0.partition == p && $0.offset == offset }?.key)
            seen.insert(position)
        }
        #expect(seen == Set(expectedReason.keys), "every bad record dead-lettered exactly once")
    }
}
