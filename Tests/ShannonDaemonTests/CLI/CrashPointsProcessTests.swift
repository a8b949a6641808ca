import Foundation
import Testing
import ShannonKafka
import ShannonStats
import ShannonTestSupport
@testable import ShannonCore
@testable import ShannonDaemon

/// The crash guarantee as a process promise: `shannon run` killed with SIGKILL (no shutdown path:
/// no final checkpoint, no flush, no commit) at many points of a stream and restarted each time
/// ends in the state an uninterrupted run reaches, and publishes every alert that run publishes,
/// with the same values (some twice: delivery is at-least-once). EndToEnd/RestartE2ETests.swift
/// checks the same in process at three chosen points; this drives the real binary, its consumer
/// group and its checkpoint files, at seeded random points.
///
/// A kill point is "the checkpoints cover at least T records, then d ms more" (T, d from the
/// seed), so the kills land at different places of the stream, between checkpoint rounds and
/// sometimes inside one. Set SHANNON_CRASH_SEED to replay another sequence; the seed in use is
/// printed, with every point.
@Suite(.serialized) struct CrashPointsProcessTests {
    static let partitions: Int32 = 3
    static let perPartition = 15_000
    static let daemons = 3
    static let killsEach = 4

    /// Two stages over `x`: a tumbling window of 500 (its alert changes state at nearly every
    /// window, see `value(_:_:)`) and a sliding one (1500, hop 500) whose state spans checkpoints.
    /// Checkpoints every 500 records of a partition (in practice once per poll batch), so many
    /// rounds fall inside every run. 45 000 records: a debug build reads them in about half a second,
    /// long enough for the kill points to fall inside the stream rather than after it.
    static let yaml = """
    version: 1
    name: NAME
    source:
      topics: [TOPIC]
      group_id: "${CRASH_GROUP}"
      start: earliest
      properties:
        bootstrap.servers: ${KAFKA_BOOTSTRAP}
    decode:
      fields:
        x: { path: x, type: number }
    stages:
      - id: flip
        type: psi
        input: x
        window: { type: count, size: 500 }
        params: { reference: { histogram: { edges: [0.5], counts: [50, 50] } } }
        alert: { when: threshold, threshold: 0.5, resolve: true }
      - id: drift
        type: psi
        input: x
        window: { type: count, size: 1500, hop: 500 }
        params: { reference: { histogram: { edges: [0.25, 0.5, 0.75], counts: [25, 25, 25, 25] } } }
        alert: { when: threshold, threshold: 0.3, resolve: true }
    sinks:
      alerts: { topic: "${CRASH_ALERTS}" }
    checkpoint: { every_records: 500, every_seconds: 3600 }
    """

    /// Record `j` of a partition: near-uniform on [0, 1) in even blocks of 500, 91 % below 0.5 in
    /// odd ones (PSI ≈ 0.9 against the 50/50 reference).
    static func value(_ partition: Int32, _ j: Int) -> Double {
        let u = Double((j * 7_919 + Int(partition) * 131) % 1_000) / 1_000
        return (j / 500) % 2 == 0 ? u : u * 0.55
    }

    /// One `shannon run` child on the tests' broker. The session timeout must exceed the mock's
    /// 3 s first-join wait (below it, the member expires while it waits and never joins).
    static func start(_ binary: String, file: String, dir: String, group: String, alerts: String,
                      untilCaughtUp: Bool) throws -> (Process, DaemonProcessTests.Collected) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: binary)
        p.arguments = ["run", "--checkpoint-dir", dir, "--log-format", "json", "--shutdown-timeout", "20",
                       "-X", "fetch.wait.max.ms=10", "-X", "session.timeout.ms=4000", "-X", "heartbeat.interval.ms=300"]
            + (untilCaughtUp ? ["--until-caught-up"] : []) + [file]
        p.environment = ProcessInfo.processInfo.environment.merging(
            ["KAFKA_BOOTSTRAP": e2eBroker.bootstrapServers, "CRASH_GROUP": group, "CRASH_ALERTS": alerts]) { $1 }
        let out = Pipe(), log = DaemonProcessTests.Collected()
        p.standardOutput = out
        p.standardError = out
        out.fileHandleForReading.readabilityHandler = { log.append($0.availableData) }
        try p.run()
        return (p, log)
    }

    static func wait(_ p: Process, seconds: Int) -> Bool {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while p.isRunning && ContinuousClock.now < deadline { Thread.sleep(forTimeInterval: 0.02) }
        return !p.isRunning
    }

    /// Records covered by the newest checkpoint of each partition (what a restart skips).
    static func covered(_ spec: PipelineSpec, _ dir: String) -> Int64 {
        ((try? E2E.latestCheckpoints(spec, directory: dir, partitions: partitions)) ?? [])
            .reduce(0) { $0 + ($1?.nextOffset ?? 0) }
    }

    @Test func killedAtRandomPointsAndRestartedEqualsOneUninterruptedRun() throws {
        let seed = UInt64(ProcessInfo.processInfo.environment["SHANNON_CRASH_SEED"] ?? "") ?? 20_261_202
        print("crash points: SHANNON_CRASH_SEED=\(seed)")
        let started = ContinuousClock.now
        let total = Int(Self.partitions) * Self.perPartition
        let topic = E2E.unique("src"), alertsA = E2E.unique("alerts")
        try e2eBroker.createTopic(topic, partitions: Self.partitions)
        try e2eBroker.createTopic(alertsA, partitions: 1)
        let records = (0..<total).map { i in
            let p = Int32(i % Int(Self.partitions))
            return DemoStreams.Record(key: Array("k\(p)".utf8), value: Array(#"{"x":\#(Self.value(p, i / Int(Self.partitions)))}"#.utf8))
        }
        try E2E.produce(records, to: topic, partition: { Int32($0 % Int(Self.partitions)) })
        let file = try CommandLineTests.temp("crash.yaml", Self.yaml.replacingOccurrences(of: "NAME", with: E2E.unique("crash"))
            .replacingOccurrences(of: "TOPIC", with: topic))
        let spec = try PipelineLoader.load(path: file, environment: ["KAFKA_BOOTSTRAP": e2eBroker.bootstrapServers,
                                                                     "CRASH_GROUP": "g", "CRASH_ALERTS": alertsA])
        let binary = ProcessInfo.processInfo.environment["SHANNON_BIN"]
            ?? CommandLineTests.root.appendingPathComponent(".build/debug/shannon").path
        let dirA = E2E.tempDirectory("crash-points-whole")
        defer { E2E.remove(dirA) }

        // The uninterrupted run, side by side with the crashing ones (its own group, directory
        // and alerts topic; the same pipeline name, so the same alert ids).
        let (whole, wholeLog) = try Self.start(binary, file: file, dir: dirA, group: E2E.unique("whole"), alerts: alertsA,
                                               untilCaughtUp: true)
        defer { if whole.isRunning { whole.terminate() } }

        // Three crashing daemons side by side, `killsEach` kills each. The k-th kill point of a
        // daemon lies in the k-th of `killsEach + 1` equal slices of the stream, jittered by up
        // to ±40 % of a slice, so its targets increase and every run has work to do.
        var rng = SplitMix64(seed: seed)
        let slice = Double(total) / Double(Self.killsEach + 1)
        var daemons = (0..<Self.daemons).map { d in
            CrashingDaemon(dir: E2E.tempDirectory("crash-points-\(d)"), alerts: E2E.unique("alerts"),
                           points: (1...Self.killsEach).map { k in
                               (Int64(slice * (Double(k) + 0.8 * rng.uniform() - 0.4)), Int(rng.uniform() * 25))
                           })
        }
        defer { for d in daemons { d.process.map { if $0.isRunning { kill($0.processIdentifier, SIGKILL) } }; E2E.remove(d.dir) } }
        for d in daemons { try e2eBroker.createTopic(d.alerts, partitions: 1) }
        let deadline = ContinuousClock.now + .seconds(ProcessInfo.processInfo.environment["CRASH_DEADLINE"].flatMap(Int.init) ?? 120)
        while daemons.contains(where: { !$0.done }) && ContinuousClock.now < deadline {
            for i in daemons.indices where !daemons[i].done {
                try step(&daemons[i], index: i, spec: spec, binary: binary, file: file, total: total)
            }
            Thread.sleep(forTimeInterval: 0.005)
        }
        let finished = daemons.allSatisfy { $0.done }
        try #require(finished, "not finished in 120 s: \(daemons.map { "covered \(Self.covered(spec, $0.dir)) after kills \($0.killedAt): \($0.log.value.suffix(1200))" })")
        #expect(Self.wait(whole, seconds: 40), "the uninterrupted run did not catch up")
        #expect(whole.terminationStatus == 0, "log: \(wholeLog.value.suffix(2000))")

        let a = try E2E.finalState(spec, directory: dirA, partitions: Self.partitions)
        #expect(a.map(\.nextOffset) == Array(repeating: Int64(Self.perPartition), count: Int(Self.partitions)))
        let alertsWhole = try E2E.readAll(alertsA, partitions: 1).map { EndToEndTests.AlertFacts(try Alert.decode($0.value)) }
        #expect(Set(alertsWhole.map(\.state)) == [.firing, .resolved], "alerts fire and resolve")
        #expect(Set(alertsWhole.map(\.id)).count == alertsWhole.count, "the uninterrupted run emits each alert once")
        for (i, d) in daemons.enumerated() {
            let b = try E2E.finalState(spec, directory: d.dir, partitions: Self.partitions)
            #expect(a == b, "daemon \(i): the same windows and values after \(Self.killsEach) kills (covered at each: \(d.killedAt))")
            let crashed = try E2E.readAll(d.alerts, partitions: 1).map { EndToEndTests.AlertFacts(try Alert.decode($0.value)) }
            let missing = Set(alertsWhole.map(\.id)).subtracting(crashed.map(\.id))
            #expect(missing.isEmpty, "daemon \(i): \(missing.count) alert ids missing after the kills, e.g. \(missing.sorted().prefix(3))")
            #expect(Set(alertsWhole) == Set(crashed), "daemon \(i): every alert of the uninterrupted run, and only those, with the same values")
            print("crash points: daemon \(i): \(crashed.count) alerts (\(crashed.count - Set(crashed.map(\.id)).count) re-sent) "
                  + "for \(alertsWhole.count) uninterrupted")
        }
        print("crash points: \(Self.daemons * Self.killsEach) kills, \(ContinuousClock.now - started)")
    }

    /// One daemon of the test: its checkpoint directory and alerts topic, its kill points (records
    /// the checkpoints must cover, then milliseconds more), and where it is in them.
    struct CrashingDaemon {
        var dir: String
        var alerts: String
        var points: [(target: Int64, delayMs: Int)]
        var next = 0
        var process: Process?
        var log = DaemonProcessTests.Collected()
        var killAt: ContinuousClock.Instant?
        var startedAt = ContinuousClock.now
        var killedAt: [Int64] = []
        var done = false
    }

    /// Advances one daemon: starts its next run (each in a fresh consumer group: the mock makes a
    /// restart in the same group wait out the dead member's session, ~6 s, a fresh group ~3 s,
    /// and a restart resumes from its checkpoints either way), kills a run at its point, or sees
    /// the last, uninterrupted run to its end.
    func step(_ d: inout CrashingDaemon, index: Int, spec: PipelineSpec, binary: String, file: String, total: Int) throws {
        let last = d.next == d.points.count
        guard let p = d.process else {
            (d.process, d.log) = try Self.start(binary, file: file, dir: d.dir, group: E2E.unique("crashing"),
                                                alerts: d.alerts, untilCaughtUp: last)
            d.startedAt = .now
            return
        }
        if last {
            guard !p.isRunning else { return }
            #expect(p.terminationStatus == 0, "daemon \(index), final run: \(d.log.value.suffix(2000))")
            d.done = true
            return
        }
        try #require(p.isRunning, "daemon \(index), run \(d.next) ended before its kill point: \(d.log.value.suffix(1500))")
        let point = d.points[d.next]
        if d.killAt == nil && Self.covered(spec, d.dir) >= point.target {
            d.killAt = .now + .milliseconds(point.delayMs)
        }
        guard let at = d.killAt, ContinuousClock.now >= at else { return }
        kill(p.processIdentifier, SIGKILL)
        p.waitUntilExit()
        #expect(p.terminationReason == .uncaughtSignal && p.terminationStatus == SIGKILL)
        let covered = Self.covered(spec, d.dir)
        #expect(covered >= (d.killedAt.last ?? 0), "daemon \(index): checkpoints never go back")
        d.killedAt.append(covered)
        print("crash point: daemon \(index) kill \(d.next + 1)/\(d.points.count) at \(point.target) records + \(point.delayMs) ms, "
              + "checkpoints then covered \(covered) of \(total), "
              + "\((ContinuousClock.now - d.startedAt).formatted(.units(allowed: [.milliseconds]))) after its start")
        d.next += 1
        d.process = nil
        d.killAt = nil
    }
}
