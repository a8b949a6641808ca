import Foundation
import Synchronization
import Testing
import ShannonKafka
import ShannonTestSupport
@testable import ShannonCore
@testable import ShannonDaemon

/// The daemon as a process: `shannon run` against the tests' in-process broker over TCP,
/// stopped with a real signal.
@Suite(.serialized) struct DaemonProcessTests {
    static let yaml = """
    version: 1
    name: NAME
    source:
      topics: [TOPIC]
      group_id: GROUP
      start: earliest
      properties:
        bootstrap.servers: ${KAFKA_BOOTSTRAP}
    decode:
      fields:
        x: { path: x, type: number }
    stages:
      - id: psi
        type: psi
        input: x
        window: { type: count, size: 500 }
        params: { reference: { histogram: { edges: [0.5], counts: [50, 50] } } }
        alert: { when: threshold, threshold: 0.05 }
    sinks:
      alerts: { topic: ALERTS }
    checkpoint: { every_records: 100000000, every_seconds: 3600 }
    """

    /// What a test of a `shannon run` child needs: a fresh source topic (`partitions`, holding
    /// `records` records `{"x": …}` over `keys` keys, round-robin), its alerts topic, the pipeline
    /// file above pointed at them, a checkpoint directory (the caller removes it) and the binary.
    static func setUp(_ prefix: String, partitions: Int32, records count: Int, keys: Int) throws
        -> (name: String, topic: String, file: String, dir: String, binary: String) {
        let name = E2E.unique(prefix), topic = E2E.unique("src"), alerts = E2E.unique("alerts")
        try e2eBroker.createTopic(topic, partitions: partitions)
        try e2eBroker.createTopic(alerts, partitions: 1)
        let records = (0..<count).map { i in
            DemoStreams.Record(key: Array("k\(i % keys)".utf8), value: Array(#"{"x":\#(Double(i % 100) / 100)}"#.utf8))
        }
        try E2E.produce(records, to: topic, partition: { Int32($0 % Int(partitions)) })
        let file = try CommandLineTests.temp("p.yaml", yaml.replacingOccurrences(of: "NAME", with: name)
            .replacingOccurrences(of: "TOPIC", with: topic).replacingOccurrences(of: "GROUP", with: E2E.unique("g"))
            .replacingOccurrences(of: "ALERTS", with: alerts))
        let binary = ProcessInfo.processInfo.environment["SHANNON_BIN"]
            ?? CommandLineTests.root.appendingPathComponent(".build/debug/shannon").path
        return (name, topic, file, E2E.tempDirectory(prefix), binary)
    }

    /// Output of a child process, read as it comes.
    final class Collected: Sendable {
        private let text = Mutex("")
        func append(_ d: Data) { text.withLock { $0 += String(decoding: d, as: UTF8.self) } }
        var value: String { text.withLock { $0 } }
    }

    @Test func sigtermEndsPromptlyWithAFinalCheckpointOfEveryPartition() throws {
        let (name, topic, file, dir, binary) = try DaemonProcessTests.setUp("sigterm", partitions: 3, records: 6000, keys: 17)
        defer { E2E.remove(dir) }

        let p = Process()
        p.executableURL = URL(fileURLWithPath: binary)
        p.arguments = ["run", "--checkpoint-dir", dir, "--log-format", "json", "--shutdown-timeout", "20",
                       "-X", "fetch.wait.max.ms=10", "-X", "session.timeout.ms=4000", "-X", "heartbeat.interval.ms=300", file]
        p.environment = ProcessInfo.processInfo.environment.merging(["KAFKA_BOOTSTRAP": e2eBroker.bootstrapServers]) { $1 }
        let out = Pipe(), log = Collected()
        p.standardOutput = out
        p.standardError = out
        out.fileHandleForReading.readabilityHandler = { log.append($0.availableData) }
        try p.run()
        defer { if p.isRunning { p.terminate() } }

        // Wait until it owns the three partitions and has read all of them.
        let store = CheckpointStore(directory: dir)
        let deadline = ContinuousClock.now + .seconds(60)
        while log.value.components(separatedBy: "partition assigned").count - 1 < 3 && p.isRunning
                && ContinuousClock.now < deadline {
            Thread.sleep(forTimeInterval: 0.05)
        }
        #expect(log.value.components(separatedBy: "partition assigned").count - 1 == 3, "log: \(log.value.suffix(2000))")
        Thread.sleep(forTimeInterval: 2) // 6 000 small records: far less than this in a debug build
        #expect(try (0..<3).allSatisfy { try store.loadLatest(pipeline: name, topic: topic, partition: $0, expectedFingerprints: nil).checkpoint == nil },
                "the periodic checkpoints are off: whatever is on disk comes from the stop")

        let t0 = ContinuousClock.now
        kill(p.processIdentifier, SIGTERM)
        while p.isRunning && ContinuousClock.now - t0 < .seconds(25) { Thread.sleep(forTimeInterval: 0.02) }
        let took = ContinuousClock.now - t0
        #expect(!p.isRunning, "still running \(took) after SIGTERM")
        p.waitUntilExit()
        #expect(p.terminationStatus == 0, "log: \(log.value.suffix(2000))")
        #expect(took < .seconds(10), "graceful stop took \(took)")
        for partition: Int32 in 0..<3 {
            let c = try store.loadLatest(pipeline: name, topic: topic, partition: partition, expectedFingerprints: nil).checkpoint
            #expect(c?.nextOffset == 2_000, "partition \(partition): final checkpoint at \(String(describing: c?.nextOffset))")
        }
    }
}
