import Foundation
import Testing
import ShannonKafka
import ShannonTestSupport
@testable import ShannonCore
@testable import ShannonDaemon

/// `shannon run --metrics-port` as a process: the probes and the new metric families as a
/// scraper and a kubelet see them, over TCP, against the tests' in-process broker.
@Suite(.serialized) struct DaemonProbeProcessTests {
    /// A port nobody listens on right now (the kernel's pick for a socket bound to port 0).
    static func freePort() throws -> UInt16 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr)
        let bound = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        try #require(bound == 0)
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) }
        }
        return UInt16(bigEndian: addr.sin_port)
    }

    @Test func readyOnceAssignedLiveWhilePollingAndTheScrapeHasLagAndLatency() throws {
        let (name, topic, file, dir, binary) = try DaemonProcessTests.setUp("probe", partitions: 2, records: 2000, keys: 7)
        defer { E2E.remove(dir) }
        let port = try Self.freePort()

        let p = Process()
        p.executableURL = URL(fileURLWithPath: binary)
        p.arguments = ["run", "--checkpoint-dir", dir, "--metrics-port", "\(port)", "--log-format", "json",
                       "-X", "fetch.wait.max.ms=10", "-X", "session.timeout.ms=4000", "-X", "heartbeat.interval.ms=300", file]
        p.environment = ProcessInfo.processInfo.environment.merging(["KAFKA_BOOTSTRAP": e2eBroker.bootstrapServers]) { $1 }
        let out = Pipe(), log = DaemonProcessTests.Collected()
        p.standardOutput = out
        p.standardError = out
        out.fileHandleForReading.readabilityHandler = { log.append($0.availableData) }
        try p.run()
        defer { if p.isRunning { p.terminate() } }

        // Ready once the group has assigned both partitions; live all along.
        var seen: [String] = []
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline && p.isRunning {
            if let r = try? HTTPGet.get(port: port, "/readyz") {
                seen.append("\(r.status) \(r.body)")
                if r.status == 200 { break }
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
        #expect(seen.last == "200 ready\n", "readyz: \(Set(seen)); log: \(log.value.suffix(2000))")
        #expect(seen.contains { $0.hasPrefix("503 not ready: \(name):") }, "\(Set(seen))")
        #expect(try HTTPGet.get(port: port, "/healthz").body == "ok\n")

        // Caught up: both partitions' lag measured and 0; 2 000 records in windows of 500.
        var m = Exposition(text: "")
        let caughtUp = ContinuousClock.now + .seconds(60)
        func lag(_ partition: Int) -> Double? {
            m.value(#"shannon_consumer_lag_records{pipeline="\#(name)",topic="\#(topic)",partition="\#(partition)"}"#)
        }
        while ContinuousClock.now < caughtUp {
            m = Exposition(text: try HTTPGet.get(port: port, "/metrics").body)
            if m.value(#"shannon_records_total{pipeline="\#(name)"}"#) == 2_000, lag(0) == 0, lag(1) == 0 { break }
            Thread.sleep(forTimeInterval: 0.2)
        }
        #expect(lag(0) == 0 && lag(1) == 0, "\(m.samples("shannon_consumer_lag_records"))")
        #expect(m.value(#"shannon_window_close_latency_seconds_count{pipeline="\#(name)",stage="psi"}"#) == 4)
        #expect(m.value(#"shannon_keys_held{pipeline="\#(name)",stage="psi"}"#) == 2)
        #expect((m.value(#"shannon_restore_duration_seconds_count{pipeline="\#(name)"}"#) ?? 0) >= 1)
        for family in ["shannon_alert_delivery_latency_seconds", "shannon_checkpoint_write_duration_seconds",
                       "shannon_checkpoint_written_bytes_total", "shannon_worker_last_poll_timestamp_seconds"] {
            #expect(m.families.contains(family), "\(m.families)")
        }

        kill(p.processIdentifier, SIGTERM)
        p.waitUntilExit()
        #expect(p.terminationStatus == 0, "log: \(log.value.suffix(2000))")
    }
}
