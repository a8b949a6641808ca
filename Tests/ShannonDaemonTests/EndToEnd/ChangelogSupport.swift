import Foundation
import ShannonKafka
import Testing
@testable import ShannonCore
import ShannonTestSupport
@testable import ShannonDaemon

/// Pipelines with a state changelog, and `shannon run` child processes that share the
/// in-process mock cluster over TCP (each with its own checkpoint directory: no shared disk).
enum ChangelogE2E {
    struct Setup {
        var file: String
        var spec: PipelineSpec
        var changelogTopic: String
        var partitions: Int32
    }

    /// A keyed PSI pipeline (three segment keys per partition, windows of 100 records) that
    /// checkpoints every 300 records or second, to fresh topics; the changelog is created with
    /// as many partitions as the source (the mock has no CreateTopics).
    static func setup(partitions: Int32, everyRecords: Int = 300) throws -> Setup {
        let dir = E2E.tempDirectory("changelog-spec")
        let src = E2E.unique("src"), alerts = E2E.unique("alerts"), dead = E2E.unique("dead")
        let windows = E2E.unique("windows"), changelog = E2E.unique("state")
        try e2eBroker.createTopic(src, partitions: partitions)
        try e2eBroker.createTopic(changelog, partitions: partitions)
        for t in [alerts, dead, windows] { try e2eBroker.createTopic(t, partitions: 1) }
        let reference = E2E.root.appendingPathComponent("pipelines/data/credit-reference.csv").path
        let text = """
        version: 1
        name: \(E2E.unique("cl"))
        source:
          topics: [\(src)]
          group_id: \(E2E.unique("group"))
          start: earliest
          properties:
            bootstrap.servers: \(e2eBroker.bootstrapServers)
            session.timeout.ms: "4000"
            heartbeat.interval.ms: "300"
            topic.metadata.refresh.interval.ms: "1000"
            fetch.wait.max.ms: "10"
            fetch.error.backoff.ms: "10"
        decode:
          format: json
          key: applicant_id
          event_time: ts
          fields:
            score: { path: score, type: number }
            segment: { path: segment, type: category, optional: true }
        stages:
          - id: score-psi
            type: psi
            input: score
            key_by: segment
            window: { type: count, size: 100 }
            params:
              reference: { file: \(reference), field: score }
              bins: 10
            alert: { when: threshold, threshold: 0.05 }
        sinks:
          alerts: { topic: \(alerts) }
          dead_letter: { topic: \(dead) }
          windows: { topic: \(windows) }
        checkpoint:
          every_records: \(everyRecords)
          every_seconds: 1
          changelog: { topic: \(changelog) }
        """
        let file = dir + "/pipeline.yaml"
        try text.write(toFile: file, atomically: true, encoding: .utf8)
        let spec = try PipelineLoader.load(path: file, environment: [:])
        return Setup(file: file, spec: spec, changelogTopic: changelog, partitions: partitions)
    }

    /// One window as the windows topic shows it: identity and figures.
    struct Window: Hashable {
        var identity: String
        var figures: String
    }

    static func windows(_ spec: PipelineSpec) throws -> [Window] {
        try E2E.readAll(spec.sinks.windows!.topic, partitions: 1).compactMap { r in
            guard let o = Plain.object(r.value), let w = o["window"] as? [String: Any] else { return nil }
            let identity = "\(o["stage"] ?? "")|\(o["key"] ?? "")|\(w["partition"] ?? "")|\(w["start_offset"] ?? "")|\(w["end_offset"] ?? "")"
            let figures = (try? JSONSerialization.data(withJSONObject: o["figures"] ?? [], options: [.sortedKeys]))
                .map { String(decoding: $0, as: UTF8.self) } ?? ""
            return Window(identity: identity, figures: figures)
        }
    }

    /// The windows of one uninterrupted in-process run of the same pipeline (no changelog).
    static func reference(_ setup: Setup) throws -> (windows: [Window], alerts: [Alert]) {
        var spec = setup.spec
        spec.checkpoint.changelog.enabled = false
        E2E.retargetSinks(&spec)
        let dir = E2E.tempDirectory("changelog-ref")
        defer { E2E.remove(dir) }
        _ = try E2E.run(try PipelinePlan(spec: spec), checkpoints: dir, partitions: setup.partitions)
        return (try windows(spec), try E2E.alerts(of: spec))
    }

    /// The markers in the changelog, in log order per partition.
    static func markers(_ setup: Setup) throws -> [ChangelogMarker] {
        try E2E.readAll(setup.changelogTopic, partitions: setup.partitions).compactMap { r in
            guard let k = r.key, case .marker = ChangelogKey(bytes: k), !r.value.isEmpty else { return nil }
            return try? ChangelogMarker(encoded: r.value)
        }
    }

    /// `shannon run` in a child process, its log in a file.
    final class Daemon {
        let process = Process()
        let log: String
        let directory: String

        init(_ setup: Setup, name: String, metricsPort: UInt16? = nil) throws {
            directory = E2E.tempDirectory("daemon-\(name)")
            log = directory + ".log"
            FileManager.default.createFile(atPath: log, contents: nil)
            let binary = ProcessInfo.processInfo.environment["SHANNON_BIN"]
                ?? E2E.root.appendingPathComponent(".build/debug/shannon").path
            process.executableURL = URL(fileURLWithPath: binary)
            // One worker per daemon: the tests count partitions per daemon (3 of 6 each), which with
            // several workers per daemon would depend on how the assignor orders the members.
            process.arguments = ["run", setup.file, "--workers", "1", "--checkpoint-dir", directory, "--log-level", "info"]
                + (metricsPort.map { ["--metrics-port", "\($0)"] } ?? [])
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
            process.standardOutput = handle
            process.standardError = handle
            try process.run()
        }

        var pid: Int32 { process.processIdentifier }
        var owner: String { "\(ProcessInfo.processInfo.hostName)/\(pid)" }
        var logText: String { (try? String(contentsOfFile: log, encoding: .utf8)) ?? "" }

        func kill() { Foundation.kill(pid, SIGKILL); process.waitUntilExit() }

        /// SIGTERM: final checkpoint, leave the group. Returns the exit status.
        func stop() -> Int32 {
            process.terminate()
            process.waitUntilExit()
            return process.terminationStatus
        }

        func cleanUp() {
            if process.isRunning { kill() }
            E2E.remove(directory)
            E2E.remove(log)
        }
    }

    static func waitFor(_ what: String, seconds: Double = 40, _ condition: () throws -> Bool) throws {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while try !condition() {
            guard ContinuousClock.now < deadline else { throw TestFailure("timed out waiting for \(what)") }
            Thread.sleep(forTimeInterval: 0.2)
        }
    }

    /// Figures from the `changelog restore` log lines of a daemon's log.
    static func restores(in log: String) -> [(source: String, entries: Int, ms: Int)] {
        log.split(separator: "\n").filter { $0.contains("changelog restore") }.map { line in
            func value(_ key: String) -> String {
                guard let r = line.range(of: key + "=") else { return "" }
                return String(line[r.upperBound...].prefix { $0 != " " })
            }
            return (value("source"), Int(value("entries_read")) ?? -1, Int(value("restore_ms")) ?? -1)
        }
    }
}
