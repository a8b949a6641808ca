import ArgumentParser
import Foundation
import Logging
import ShannonKafka
import ShannonCore
import ShannonTestSupport
import ShannonDaemon
import ShannonStats

/// `shannon demo`: the three example pipelines on generated streams, on an embedded broker.
struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run the example pipelines on realistic generated streams (no external services).",
        discussion: """
        Starts an embedded Kafka-protocol broker, creates the topics, produces three streams — \
        credit scores whose distribution shifts half-way (with default labels and an age band), \
        128-d feature vectors of video cameras with known event boundaries, and LLM completions \
        with an episode of entropy collapse — then runs pipelines/credit-psi.yaml, \
        pipelines/video-boundaries.yaml and pipelines/llm-token-entropy.yaml until they have \
        read everything, printing alerts as they arrive on the alerts topic and a summary of \
        what was detected against what was injected. Exits by itself.

        Example:
          shannon demo
          shannon demo --pipelines-dir ./my-pipelines --keep-state ./demo-state
        """
    )

    @Option(help: "Directory holding the example pipeline files.")
    var pipelinesDir = "pipelines"

    @Option(help: "Keep the checkpoints here (default: a temporary directory, removed at the end).")
    var keepState: String?

    @Option(help: "Print at most this many alert lines (the summary counts them all).")
    var maxLines = 40

    func run() throws {
        LoggingSystem.bootstrap { StreamLogHandler.standardError(label: $0) }
        var logger = Logger(label: "shannon.demo")
        logger.logLevel = .warning
        let started = ContinuousClock.now
        let dir = try Self.findPipelines(pipelinesDir)

        print("Shannon demo — streaming statistics on an embedded Kafka-protocol broker\n")
        let broker = try EmbeddedBroker(brokers: 1, logger: logger)
        let topics: [(String, Int32)] = [("credit-scores", 3), ("video-features", 3), ("llm-tokens", 2),
                                         ("shannon-alerts", 1), ("shannon-dead-letter", 1), ("shannon-windows", 1)]
        for (t, p) in topics { try broker.createTopic(t, partitions: p) }
        print("broker   \(broker.bootstrapServers)  topics: \(topics.map { "\($0.0)(\($0.1))" }.joined(separator: " "))")

        let streams = [DemoStreams.creditScores(), DemoStreams.videoFeatures(), DemoStreams.tokenLogs()]
        do { // the producer goes away here, long before the broker does
            let producer = try KafkaProducer(configuration: ["bootstrap.servers": broker.bootstrapServers,
                                                             "compression.codec": "zstd", "linger.ms": "20"], logger: logger)
            for s in streams {
                for r in s.records { try producer.produce(topic: s.topic, key: r.key, value: r.value) }
                try producer.flush(timeout: .seconds(60))
                print("produced \(String(s.records.count).padLeft(6)) records to \(s.topic)")
                for i in s.injections { print("           injected: \(i)") }
            }
        }

        var environment = ProcessInfo.processInfo.environment
        environment["KAFKA_BOOTSTRAP"] = broker.bootstrapServers
        let files = ["credit-psi.yaml", "video-boundaries.yaml", "llm-token-entropy.yaml"].map { dir + "/" + $0 }
        let plans = try RunCommand.loadPlans(files, environment: environment)
        let stateDir = keepState ?? NSTemporaryDirectory() + "shannon-demo-\(getpid())"
        defer { if keepState == nil { try? FileManager.default.removeItem(atPath: stateDir) } }

        // Alerts are read back from the alerts topic, exactly as a user would see them.
        print("\nrunning \(plans.map(\.spec.name).joined(separator: ", ")) — alerts as they arrive on shannon-alerts:\n")
        print(AlertFormatting.header)
        let collector = AlertCollector(maxLines: maxLines)
        let tailStop = StopSignal()
        let tailDone = DispatchSemaphore(value: 0)
        let bootstrap = broker.bootstrapServers
        let tail = Thread {
            _ = try? AlertsCommand.tail(configuration: ["bootstrap.servers": bootstrap, "group.id": "shannon-demo-tail"],
                                        topic: "shannon-alerts", fromBeginning: true, follow: true, stop: tailStop) { alert, _ in
                collector.add(alert)
                return true
            }
            tailDone.signal()
        }
        tail.start()

        var options = RunOptions(checkpointDirectory: stateDir)
        // The mock holds an empty fetch for fetch.wait.max.ms (500 ms by default): most of a
        // short run's "are we caught up?" time. A real broker answers as soon as data arrives.
        options.propertyOverrides = ["bootstrap.servers": broker.bootstrapServers, "fetch.wait.max.ms": "20"]
        options.progressInterval = .seconds(3600)
        let results = Daemon.run(plans, options: options, limit: .untilCaughtUp, metrics: nil, logger: logger)
        let summaries = try results.map { try $0.get() }
        let expected = summaries.reduce(0) { $0 + $1.alertsFiring + $1.alertsResolved }
        let deadline = ContinuousClock.now + .seconds(10)
        while collector.count < expected && ContinuousClock.now < deadline { Thread.sleep(forTimeInterval: 0.05) }
        tailStop.stop()
        tailDone.wait()
        Self.printSummary(summaries, collector.all(), streams: streams, seconds: (ContinuousClock.now - started))
        withExtendedLifetime(broker) {}
    }

    static func findPipelines(_ dir: String) throws -> String {
        var candidates = [dir]
        // From .build/<config>/shannon, the repository root is three levels up.
        let exe = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        candidates.append(exe.deletingLastPathComponent().appendingPathComponent("../../../pipelines").standardized.path)
        for c in candidates where FileManager.default.fileExists(atPath: c + "/credit-psi.yaml") { return c }
        throw ValidationError("cannot find the example pipelines (looked in \(candidates.joined(separator: ", "))); pass --pipelines-dir")
    }

    static func pText(_ p: Double?) -> String {
        guard let p else { return "n/a" }
        return p == 0 ? "< 1e-300" : "= " + AlertFormatting.short(p)
    }

    static func printSummary(_ summaries: [RunSummary], _ alerts: [Alert], streams: [DemoStreams.Stream], seconds: Duration) {
        print("\n── summary " + String(repeating: "─", count: 70))
        let header: [String] = ["records".padLeft(9), "dead letters".padLeft(14), "windows".padLeft(9),
                                "firing".padLeft(8), "resolved".padLeft(10)]
        print("pipeline".padding(22) + header.joined())
        for s in summaries {
            let deadLetters: Int = s.deadLetters.values.reduce(0, +)
            let windows: Int = s.windows.values.reduce(0, +)
            let cells: [String] = [String(s.records).padLeft(9), String(deadLetters).padLeft(14), String(windows).padLeft(9),
                                   String(s.alertsFiring).padLeft(8), String(s.alertsResolved).padLeft(10)]
            print(s.pipeline.padding(22) + cells.joined())
        }
        for s in summaries where !s.deadLetters.isEmpty {
            print("  \(s.pipeline) dead letters by reason: " + s.deadLetters.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
        }

        print("\ndetected vs injected")
        // Credit: PSI on the shifted score law, the age-band gap.
        let firing = alerts.filter { $0.state == .firing }
        let psi = firing.filter { $0.pipeline == "credit-psi" && $0.stage == "score-psi" }
        let perPartition = Dictionary(grouping: psi, by: \.window.partition).mapValues { $0.map(\.window.startOffset).min()! }
        print("  credit-psi        injected: score law Beta(2,5) → Beta(3,4) from record 30000 of 90000 (≈ offset 10000 per partition)")
        print("                    detected: score-psi fired on \(perPartition.count) of 3 partitions, first window starting at offset "
              + perPartition.sorted { $0.key < $1.key }.map { "p\($0.key):\($0.value)" }.joined(separator: " ")
              + (psi.first.map { "; e.g. PSI \(AlertFormatting.short($0.value)) ± \(AlertFormatting.short($0.se ?? .nan)), p \(Self.pText($0.pValue))" } ?? ""))
        let gap = firing.filter { $0.pipeline == "credit-psi" && $0.stage == "age-gap" }
        let iv = alerts.filter { $0.pipeline == "credit-psi" && $0.stage == "score-iv" && $0.state == .firing }
        print("                    score-iv (model decay) fired \(iv.count) time(s)" + (iv.first.map { ", IV \(AlertFormatting.short($0.value)) < 0.1 over offsets \($0.window.startOffset)..\($0.window.endOffset)" } ?? ""))
        print("                    age-gap (18-24 vs 45-54) fired \(gap.count) time(s)" + (gap.first.map { ", Jeffreys divergence \(AlertFormatting.short($0.value)), p \(Self.pText($0.pValue))" } ?? ""))

        // Video: boundaries against the truth, TCPD F1 with margin 5.
        if let video = streams.first(where: { $0.topic == "video-features" }) {
            var f1s: [Double] = []
            var found = 0, truth = 0
            for (camera, bounds) in video.boundaries.sorted(by: { $0.key < $1.key }) {
                let predicted = firing.filter { $0.pipeline == "video-boundaries" && $0.key == camera }
                    .compactMap { $0.detail["position"]?.int64Value.map(Int.init) }
                found += predicted.count
                truth += bounds.count
                f1s.append(ChangePointScore.f1(predictions: predicted, annotations: [bounds], margin: 5).f1)
            }
            print("  video-boundaries  injected: \(truth) event boundaries over \(video.boundaries.count) cameras")
            print("                    detected: \(found) boundary alerts; F1 (margin 5) per camera "
                  + f1s.map { AlertFormatting.short($0) }.joined(separator: ", "))
        }

        // Tokens: entropy collapse and drift on chat-b.
        let entropy = alerts.filter { $0.pipeline == "llm-token-entropy" && $0.stage == "entropy-by-model" }
        let js = firing.filter { $0.pipeline == "llm-token-entropy" && $0.stage == "token-drift" }
        print("  llm-token-entropy injected: chat-b repeats a 5-word loop for 600 of its records from its record 2500")
        for a in entropy {
            let z = a.detail["baseline"]?["z"]?.doubleValue.map { " (z = \(AlertFormatting.short($0)))" } ?? ""
            print("                    entropy-by-model \(a.state.rawValue) on \(a.key): \(AlertFormatting.short(a.value)) bits\(z), offsets \(a.window.startOffset)..\(a.window.endOffset)")
        }
        print("                    token-drift (JS vs the first window) fired \(js.count) time(s)"
              + (js.first.map { " on \($0.key), JS \(AlertFormatting.short($0.value)) bits" } ?? ""))
        print("\n\(alerts.count) alerts read back from shannon-alerts in \(String(format: "%.1f", seconds.kafkaSeconds)) s. "
              + "Watch a live one with `shannon alerts --follow`; run your own with `shannon run FILE.yaml`.")
    }
}

/// Alerts arriving on the tail thread, printed as they come.
private final class AlertCollector: @unchecked Sendable {
    // @unchecked: every access holds `lock`.
    private let lock = NSLock()
    private var alerts: [Alert] = []
    private let maxLines: Int

    init(maxLines: Int) { self.maxLines = maxLines }

    func add(_ a: Alert) {
        lock.lock()
        alerts.append(a)
        let n = alerts.count
        lock.unlock()
        if n <= maxLines { print(AlertFormatting.line(a)) } else if n == maxLines + 1 { print("… (more alerts; see the summary)") }
        fflush(nil)
    }

    var count: Int { lock.lock(); defer { lock.unlock() }; return alerts.count }
    func all() -> [Alert] { lock.lock(); defer { lock.unlock() }; return alerts }
}
