import ArgumentParser
import Foundation
import Logging
import ShannonKafka
import ShannonCore
import ShannonDaemon

/// `shannon run`: the daemon.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run pipelines: consume, compute windowed statistics, produce alerts.",
        discussion: """
        Each pipeline file (see pipelines/ and docs/pipelines.md) names a source topic, how to \
        decode its JSON records, the stages to compute and where alerts go. All files run side \
        by side, each on its own worker threads (--workers or the file's `workers:`), every \
        worker owning some of the pipeline's partitions. State is checkpointed per partition under --checkpoint-dir \
        and restored on restart or rebalance, so a restart resumes exactly where it stopped.

        SIGTERM or Ctrl-C stops gracefully: stop fetching, final checkpoint, flush alerts, \
        commit, leave the group, exit 0; after --shutdown-timeout it exits non-zero at once.

        Examples:
          shannon run pipelines/credit-psi.yaml
          KAFKA_BOOTSTRAP=kafka-1:9092 shannon run \\
            --checkpoint-dir /var/lib/shannon pipelines/*.yaml
          shannon run --embedded-broker --until-caught-up pipelines/credit-psi.yaml
          shannon alerts --follow          # in another terminal: watch what fires
        """
    )

    @Argument(help: "Pipeline files (YAML).", completion: .file(extensions: ["yaml", "yml"]))
    var pipelines: [String]

    @Option(help: "Directory of the per-partition checkpoints.")
    var checkpointDir = "./shannon-state"

    @Flag(help: "Discard saved state whose stage configuration no longer matches the file.")
    var resetState = false

    @Flag(help: "Run an in-process Kafka-protocol broker (librdkafka's mock cluster) and use it.")
    var embeddedBroker = false

    @Flag(help: "Stop once every owned partition has been read to its end (backfills).")
    var untilCaughtUp = false

    @Option(help: "Serve Prometheus metrics, /healthz and /readyz on this port (0: off).")
    var metricsPort: UInt16 = 0

    @Option(help: "Seconds a graceful stop may take before the daemon exits non-zero without waiting further.")
    var shutdownTimeout: Double = 30

    @Option(help: "Worker threads per pipeline, each owning some of its partitions (overrides the files' `workers:`; default: 1, see docs/pipelines.md).")
    var workers: Int?

    @Option(name: .customShort("X"), help: "Extra librdkafka property KEY=VALUE for every pipeline (repeatable).")
    var property: [String] = []

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: Logger.Level = .info

    @Option(help: "Log lines as readable text or as one JSON object per line (for log collectors).")
    var logFormat: LogFormat = .text

    func run() throws {
        logFormat.bootstrap()
        var logger = Logger(label: "shannon")
        logger.logLevel = logLevel
        var overrides = try Self.parseProperties(property)
        var environment = ProcessInfo.processInfo.environment
        var broker: EmbeddedBroker?
        if embeddedBroker {
            let b = try EmbeddedBroker(brokers: 1, logger: logger)
            environment["KAFKA_BOOTSTRAP"] = b.bootstrapServers
            overrides["bootstrap.servers"] = b.bootstrapServers
            // The mock coordinator waits up to the session timeout for members to rejoin a
            // rebalance: keep it short so a restart against it does not stall for 45 s.
            overrides["session.timeout.ms"] = overrides["session.timeout.ms"] ?? "6000"
            overrides["heartbeat.interval.ms"] = overrides["heartbeat.interval.ms"] ?? "500"
            overrides["fetch.wait.max.ms"] = overrides["fetch.wait.max.ms"] ?? "20" // the mock holds empty fetches
            logger.info("embedded broker started", metadata: ["bootstrap": "\(b.bootstrapServers)"])
            broker = b
        }
        let plans = try Self.loadPlans(pipelines, environment: environment)
        if let broker {
            for plan in plans {
                for t in plan.spec.source.topics { try? broker.createTopic(t, partitions: 3) }
            }
        }
        let metrics = ShannonMetrics()
        let health = DaemonHealth()
        let server = metricsPort == 0 ? nil
            : MetricsServer(port: metricsPort, metrics: { metrics.exposition() }, health: health, logger: logger)
        var options = RunOptions(checkpointDirectory: checkpointDir)
        options.resetState = resetState
        options.propertyOverrides = overrides
        options.workers = workers
        let results = Daemon.run(plans, options: options, limit: untilCaughtUp ? .untilCaughtUp : .untilStopped,
                                 metrics: metrics, health: health, metricsServer: server,
                                 shutdownTimeout: .seconds(shutdownTimeout),
                                 logger: logger)
        withExtendedLifetime(broker) {}
        var failed = false
        for r in results {
            switch r {
            case let .success(s):
                logger.info("summary", metadata: [
                    "pipeline": "\(s.pipeline)", "records": "\(s.records)", "decoded": "\(s.decoded)",
                    "dead_letters": "\(s.deadLetters.values.reduce(0, +))",
                    "alerts": "\(s.alertsFiring) firing, \(s.alertsResolved) resolved",
                    "checkpoints": "\(s.checkpoints)", "seconds": "\(String(format: "%.1f", s.seconds))",
                ])
            case let .failure(error):
                if error is CancellationError {
                    logger.error("graceful shutdown did not finish within --shutdown-timeout; exiting without waiting further")
                }
                failed = true
            }
        }
        if failed { throw ExitCode(1) }
    }

    func validate() throws {
        guard shutdownTimeout > 0 else { throw ValidationError("--shutdown-timeout must be a positive number of seconds") }
        if let workers, !(1...PipelineSpec.maxWorkers).contains(workers) {
            throw ValidationError("--workers must be between 1 and \(PipelineSpec.maxWorkers), found \(workers)")
        }
    }

    static func parseProperties(_ items: [String]) throws -> [String: String] {
        var out: [String: String] = [:]
        for item in items {
            guard let eq = item.firstIndex(of: "="), eq != item.startIndex else {
                throw ValidationError("-X \(item): expected KEY=VALUE, e.g. -X security.protocol=SSL")
            }
            out[String(item[..<eq])] = String(item[item.index(after: eq)...])
        }
        return out
    }

    /// Loads and plans every file; prints every error (file:line:column) and exits 2 on any.
    static func loadPlans(_ paths: [String], environment: [String: String]) throws -> [PipelinePlan] {
        var plans: [PipelinePlan] = []
        var bad = false
        for path in paths {
            do {
                let spec = try PipelineLoader.load(path: path, environment: environment)
                plans.append(try PipelinePlan(spec: spec))
            } catch let errors as PipelineErrors {
                FileHandle.standardError.write(Data((errors.description + "\n").utf8))
                bad = true
            } catch {
                FileHandle.standardError.write(Data("\(path): error: \(error)\n".utf8))
                bad = true
            }
        }
        if bad { throw ExitCode(2) }
        let names = plans.map(\.spec.name)
        if Set(names).count != names.count {
            FileHandle.standardError.write(Data("error: two pipeline files share a name; names must be unique per daemon\n".utf8))
            throw ExitCode(2)
        }
        return plans
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}
