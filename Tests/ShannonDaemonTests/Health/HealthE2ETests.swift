import Foundation
import Logging
import Synchronization
import Testing
import ShannonKafka
import ShannonTestSupport
@testable import ShannonCore
@testable import ShannonDaemon

/// The probes and the lag/latency/keys/checkpoint metrics of a real run: pipelines/credit-psi.yaml
/// wired as the daemon wires it (`Daemon.runPipeline`, a consumer-group member) against the
/// in-process broker, scraped over TCP while it runs and after it stops.
@Suite(.serialized) struct HealthE2ETests {
    @Test func probesAndMetricsTellTheTruthAboutACreditPSIRun() throws {
        var spec = try E2E.load(E2E.pipelineFile("credit-psi.yaml"), partitions: 3)
        spec.source.groupID = E2E.unique("g")
        spec.checkpoint.everyRecords = 5_000 // checkpoints while it runs, not only at the stop
        let topic = spec.source.topics[0]
        let stream = DemoStreams.creditScores(records: 48_000, shiftAt: 18_000, seed: 11)
        try E2E.produce(stream.records, to: topic)
        let dir = E2E.tempDirectory("health")
        defer { E2E.remove(dir) }

        let metrics = ShannonMetrics()
        let health = DaemonHealth()
        let server = MetricsServer(host: "127.0.0.1", port: 0, metrics: { metrics.exposition() }, health: health,
                                   logger: E2E.quietLogger("e2e.metrics"))
        try server.start()
        defer { server.stop() }
        func get(_ path: String) throws -> HTTPGet.Response { try HTTPGet.get(port: server.port, path) }
        func scrape() throws -> Exposition { Exposition(text: try get("/metrics").body) }

        #expect(try get("/readyz").status == 503, "no worker yet")

        var options = RunOptions(checkpointDirectory: dir)
        options.propertyOverrides = ["bootstrap.servers": e2eBroker.bootstrapServers, "fetch.wait.max.ms": "10",
                                     "session.timeout.ms": "6000", "heartbeat.interval.ms": "500"]
        options.pollTimeout = .milliseconds(20)
        options.progressInterval = .seconds(3600)
        let plan = try PipelinePlan(spec: spec)
        let stop = StopSignal()
        let outcome = Mutex<Result<RunSummary, any Error>?>(nil)
        let thread = Thread { [options] in
            let r = Result { try Daemon.runPipeline(plan, options: options, limit: .untilStopped, stop: stop, metrics: metrics,
                                                    health: health, logger: E2E.quietLogger("e2e.worker")) }
            outcome.withLock { $0 = r }
        }
        thread.start()
        defer { stop.stop() }

        // Not ready until the group has assigned the partitions and their state is loaded.
        var readiness: [String] = []
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            let r = try get("/readyz")
            readiness.append("\(r.status) \(r.body)")
            if r.status == 200 { break }
            Thread.sleep(forTimeInterval: 0.05)
        }
        #expect(readiness.last == "200 ready\n", "\(readiness.suffix(5))")
        #expect(readiness.contains { $0.hasPrefix("503 not ready: credit-psi: waiting for a partition assignment") },
                "the group join takes seconds: readiness must say so meanwhile; saw \(Set(readiness))")
        #expect(try get("/healthz").status == 200)

        // Caught up: every record read, the lag of every partition 0 (a lag series appears only
        // once computed from a watermark), the alerts acknowledged.
        let p = #"pipeline="credit-psi""#
        func lag(_ partition: Int) -> (Exposition) -> Double? {
            { $0.value(#"shannon_consumer_lag_records{\#(p),topic="\#(topic)",partition="\#(partition)"}"#) }
        }
        var m = try scrape()
        let caughtUp = ContinuousClock.now + .seconds(90)
        while ContinuousClock.now < caughtUp {
            m = try scrape()
            let read = m.value("shannon_records_total{\(p)}") ?? 0
            let acked = m.value(#"shannon_alert_delivery_latency_seconds_count{\#(p),stage="score-psi"}"#) ?? 0
            // Checkpoints are written on their own thread: the first may land after the last record.
            let written = m.value("shannon_checkpoint_write_duration_seconds_count{\(p)}") ?? 0
            if read > 47_000, (0..<3).allSatisfy({ lag($0)(m) == 0 }), acked > 0, written >= 1 { break }
            Thread.sleep(forTimeInterval: 0.2)
        }
        for partition in 0..<3 { #expect(lag(partition)(m) == 0, "partition \(partition): \(m.samples("shannon_consumer_lag_records"))") }
        #expect(try get("/healthz").status == 200)
        #expect(try get("/readyz").status == 200)

        // One key per partition per stage (`key_by: "*"` is the default): 3 each.
        for stage in ["score-psi", "score-iv", "age-gap"] {
            #expect(m.value(#"shannon_keys_held{\#(p),stage="\#(stage)"}"#) == 3, "\(m.samples("shannon_keys_held"))")
            #expect(m.value(#"shannon_keys_evicted_total{\#(p),stage="\#(stage)"}"#) == 0, "three keys stay far below keys.max")
        }
        // 16 000 records a partition: score-psi closes 3 windows of 5 000 in each.
        let closes = m.value(#"shannon_window_close_latency_seconds_count{\#(p),stage="score-psi"}"#) ?? 0
        let closeSum = m.value(#"shannon_window_close_latency_seconds_sum{\#(p),stage="score-psi"}"#) ?? -1
        #expect(closes == 9)
        // The records were produced just before the run: their windows closed within a minute.
        #expect(closeSum >= 0 && closeSum / max(closes, 1) < 60, "mean close latency \(closeSum / max(closes, 1)) s")
        let acks = m.value(#"shannon_alert_delivery_latency_seconds_count{\#(p),stage="score-psi"}"#) ?? 0
        let ackSum = m.value(#"shannon_alert_delivery_latency_seconds_sum{\#(p),stage="score-psi"}"#) ?? -1
        #expect(acks > 0, "PSI fires after the shift: its alerts' acknowledgements are timed")
        #expect(ackSum >= 0 && ackSum / max(acks, 1) < 60, "mean delivery latency \(ackSum / max(acks, 1)) s")
        #expect((m.value("shannon_restore_duration_seconds_count{\(p)}") ?? 0) >= 1)
        #expect((m.value("shannon_checkpoint_write_duration_seconds_count{\(p)}") ?? 0) >= 1)
        #expect((m.value("shannon_checkpoint_written_bytes_total{\(p)}") ?? 0) > 0)
        let lastPoll = m.value(#"shannon_worker_last_poll_timestamp_seconds{\#(p),worker="0"}"#) ?? 0
        #expect(abs(lastPoll - Date().timeIntervalSince1970) < 10)
        // Dead letters by reason: the stream's ~0.3% malformed records.
        let deadLetters = m.samples("shannon_dead_letters_total").compactMap { $0.split(separator: " ").last.flatMap { Double($0) } }
        #expect(deadLetters.reduce(0, +) == Double(stream.records.count) - (m.value("shannon_records_total{\(p)}") ?? 0))

        // Stopped: not live, not ready, and the probes say why.
        stop.stop()
        thread.cancel()
        let ended = ContinuousClock.now + .seconds(60)
        while outcome.withLock({ $0 == nil }) && ContinuousClock.now < ended { Thread.sleep(forTimeInterval: 0.05) }
        let summary = try #require(try outcome.withLock { $0 }?.get())
        #expect(summary.records == stream.records.count)
        let live = try get("/healthz")
        #expect(live.status == 503)
        // Every worker of the pipeline is listed (credit-psi, credit-psi#1, … with several).
        let workers = (0..<PipelineWorkers.count(spec, options: options)).map { $0 == 0 ? "credit-psi" : "credit-psi#\($0)" }
        #expect(live.body == "unhealthy: " + workers.map { "\($0): worker stopped: finished (caught up or asked to stop)" }
            .joined(separator: "; ") + "\n")
        #expect(try get("/readyz").status == 503)
    }
}
