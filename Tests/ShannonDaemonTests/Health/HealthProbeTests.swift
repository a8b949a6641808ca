import Foundation
import Logging
import Testing
import ShannonKafka
@testable import ShannonDaemon

/// `/healthz` and `/readyz` over TCP, driven through a worker's `WorkerHealth` the way the
/// worker drives it (polls, an assignment, a restore, a stop), with a stall bound small enough
/// to pass in a test.
@Suite struct HealthProbeTests {
    static let bound = Duration.milliseconds(300)

    @Test func livenessFailsWhenAWorkerStopsPollingAndReadinessFollowsRestoration() throws {
        let health = DaemonHealth()
        let server = MetricsServer(host: "127.0.0.1", port: 0, metrics: { [] }, health: health, logger: Logger(label: "test"))
        try server.start()
        defer { server.stop() }
        func probe(_ path: String) throws -> (Int, String) {
            let r = try HTTPGet.get(port: server.port, path)
            return (r.status, r.body)
        }

        let worker = health.register(pipeline: "p", stallBound: Self.bound)
        #expect(try probe("/healthz") == (200, "ok\n"))
        #expect(try probe("/readyz") == (503, "not ready: p: waiting for a partition assignment\n"))

        let tps = [TopicPartition("t", 1), TopicPartition("t", 0)]
        worker.restoring(tps)
        #expect(try probe("/readyz") == (503, "not ready: p: restoring t[0],t[1]\n"))
        // Restoring takes as long as it takes: not a stall.
        Thread.sleep(forTimeInterval: 0.5)
        #expect(try probe("/healthz") == (200, "ok\n"))

        worker.running(partitions: 2)
        #expect(try probe("/readyz") == (200, "ready\n"))
        #expect(try probe("/healthz") == (200, "ok\n"))

        // Polling keeps it live past the bound…
        for _ in 0..<5 {
            Thread.sleep(forTimeInterval: 0.1)
            worker.polled()
        }
        #expect(try probe("/healthz") == (200, "ok\n"))
        // …a stall beyond it does not.
        Thread.sleep(forTimeInterval: 0.5)
        let (status, body) = try probe("/healthz")
        #expect(status == 503)
        #expect(body.hasPrefix("unhealthy: p: no poll for 0.") && body.hasSuffix(" s (bound 0.3 s)\n"), "\(body)")
        #expect(try probe("/readyz").0 == 503)

        worker.polled()
        #expect(try probe("/healthz") == (200, "ok\n"))
        worker.stopped("broker unreachable\nfor a while")
        #expect(try probe("/healthz") == (503, "unhealthy: p: worker stopped: broker unreachable for a while\n"))
        worker.running(partitions: 2) // a late revocation after the stop does not revive it
        #expect(try probe("/readyz") == (503, "not ready: p: worker stopped: broker unreachable for a while\n"))
    }

    @Test func everyWorkerCountsAndTheBodyNamesEachProblem() {
        let health = DaemonHealth()
        let a = health.register(pipeline: "a", stallBound: .seconds(30))
        let b = health.register(pipeline: "a", stallBound: .seconds(30))
        let c = health.register(pipeline: "c", stallBound: .seconds(30))
        #expect(a.name == "a" && b.name == "a#1" && c.name == "c")
        a.running(partitions: 1)
        b.running(partitions: 0) // a group member that owns nothing is ready: nothing to restore
        c.restoring([TopicPartition("t", 3)])
        #expect(health.readiness() == .init(ok: false, body: "not ready: c: restoring t[3]\n"))
        c.running(partitions: 1)
        #expect(health.readiness().ok)
        // With an injected clock: 31 s after the last poll, every worker is stalled.
        let later = MonotonicClock.nanoseconds() + 31_000_000_000
        let report = health.liveness(now: later)
        #expect(!report.ok)
        #expect(report.body.contains("a: no poll for 31.") && report.body.contains("; a#1: no poll for")
                && report.body.contains("; c: no poll for"), "\(report.body)")
        #expect(report.body.hasSuffix("(bound 30.0 s)\n"))
    }

    @Test func theDefaultBoundIsThirtySecondsOrThreePollTimeouts() {
        #expect(WorkerHealth.stallBound(pollTimeout: .milliseconds(100)) == .seconds(30))
        #expect(WorkerHealth.stallBound(pollTimeout: .seconds(20)) == .seconds(60))
    }
}
