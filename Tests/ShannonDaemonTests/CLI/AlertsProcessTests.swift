import Foundation
import Testing
@testable import ShannonDaemon

/// `shannon alerts --follow` as a process: it waits for new alerts until a signal stops it.
@Suite struct AlertsProcessTests {
    @Test func sigtermStopsAFollowingReaderCleanly() throws {
        let topic = E2E.unique("alerts")
        try e2eBroker.createTopic(topic, partitions: 2)
        let binary = ProcessInfo.processInfo.environment["SHANNON_BIN"]
            ?? CommandLineTests.root.appendingPathComponent(".build/debug/shannon").path
        let p = Process()
        p.executableURL = URL(fileURLWithPath: binary)
        p.arguments = ["alerts", "--follow", "--bootstrap", e2eBroker.bootstrapServers, "--topic", topic]
        let out = Pipe(), log = DaemonProcessTests.Collected()
        p.standardOutput = out
        p.standardError = out
        out.fileHandleForReading.readabilityHandler = { log.append($0.availableData) }
        try p.run()
        defer { if p.isRunning { kill(p.processIdentifier, SIGKILL) } }

        Thread.sleep(forTimeInterval: 1.5) // connected and polling: --follow never ends on its own
        #expect(p.isRunning, "a following reader ended by itself: \(log.value.suffix(1000))")
        let t0 = ContinuousClock.now
        kill(p.processIdentifier, SIGTERM)
        while p.isRunning && ContinuousClock.now - t0 < .seconds(10) { Thread.sleep(forTimeInterval: 0.02) }
        #expect(!p.isRunning, "still running 10 s after SIGTERM")
        p.waitUntilExit()
        #expect(p.terminationReason == .exit && p.terminationStatus == 0,
                "SIGTERM should end the reader's loop, not kill it: \(p.terminationReason.rawValue)/\(p.terminationStatus) \(log.value.suffix(1000))")
    }
}
