import ArgumentParser
import Foundation
import ShannonKafka
import ShannonPipeline

/// `shannon bench pipeline`: end-to-end throughput and peak memory of a pipeline against the
/// consume-only rate of the same consumer on the same topic, measured in the same run.
struct PipelineBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pipeline",
        abstract: "Measure end-to-end records/s and peak RSS of a pipeline vs consume only (release build).",
        discussion: """
        Generates --records credit-score records (the shape pipelines/credit-psi.yaml reads, \
        score law shifting a third of the way in, 0.3% malformed), times the pipeline's own \
        RecordDecoder over them in memory (decode only), starts an embedded broker, produces \
        them zstd-compressed round-robin over --partitions and checks that every one was kept. \
        Then, alternating for --runs rounds, each in a child process so that its peak RSS \
        (VmHWM) is its own: (a) consume only — the Swift consumer, assigned, touching each \
        value; (b) end to end — PipelineWorker with a manual assignment, until caught up: \
        consume, decode, every stage of --pipeline, alerts and dead letters produced, \
        checkpoints to a temporary directory. Both use the same consumer properties and stop \
        the same way. Prints the medians, the ratio (b)/(a) and where a record's time goes. \
        With --python, also runs ops/bench/python_baseline.py (confluent-kafka, orjson, numpy) \
        on the same topic and prints Shannon / Python.

        Example:
          swift build -c release
          .build/release/shannon bench pipeline --records 1000000
          ops/bench/pipeline.sh          (adds the Python baseline when it can install it)
        """
    )

    @Option(help: "Records to generate, produce and read.")
    var records = 1_000_000

    @Option(help: "Partitions of the source topic (default: one per 150 000 records, at least 2; the mock keeps ~5 MiB each).")
    var partitions: Int32?

    @Option(help: "The pipeline file (its first source topic is the benchmark topic).")
    var pipeline = "pipelines/credit-psi.yaml"

    @Option(help: "Rounds of (consume only, end to end); the medians are reported.")
    var runs = 3

    @Option(help: "Largest batch per poll (both measurements).")
    var batch = 4_096

    @Option(help: "Also run the Python baseline with this interpreter (needs confluent_kafka, orjson, numpy).")
    var python: String?

    @Option(help: "The Python baseline script.")
    var pythonScript = "ops/bench/python_baseline.py"

    @Option(help: "Child mode: measure one figure (consume | pipeline) against --bootstrap and print a result line.")
    var measure: String?

    @Option(help: "Child mode: the cluster holding the pre-filled topic.")
    var bootstrap: String?

    @Option(name: .customShort("X"), help: "Consumer property KEY=VALUE for both measurements and the Python baseline (repeatable), e.g. -X queued.min.messages=20000.")
    var properties: [String] = []

    @Flag(help: "Produce, print `bootstrap: HOST:PORT` and keep the broker up until killed (for profiling a child run by hand).")
    var serve = false

    mutating func validate() throws {
        guard records > 0 else { throw ValidationError("--records must be positive") }
        guard runs > 0 else { throw ValidationError("--runs must be positive") }
        if let p = partitions, p < 1 { throw ValidationError("--partitions must be at least 1") }
        if measure != nil && bootstrap == nil { throw ValidationError("--measure needs --bootstrap") }
        for p in properties where !p.contains("=") { throw ValidationError("-X \(p): expected KEY=VALUE") }
    }

    func run() throws {
        let path = try Self.locate(pipeline)
        if let measure, let bootstrap {
            try childMeasure(measure, path: path, bootstrap: bootstrap)
            return
        }
        let spec = try PipelineLoader.load(path: path, environment: ["KAFKA_BOOTSTRAP": "127.0.0.1:1"])
        guard let topic = spec.source.topics.first else { throw ValidationError("\(path) has no source topic") }
        let partitionCount = partitions ?? Int32(max(2, (records + 149_999) / 150_000))
        let stages = spec.stages.map { "\($0.id) (\($0.type.rawValue))" }.joined(separator: ", ")
        print("pipeline bench: \(path) — \(spec.stages.count) stages: \(stages)")
        print("  \(records) records on \(topic), \(partitionCount) partitions, zstd; median of \(runs) run(s); load \(Self.loadAverage())")

        var t0 = ContinuousClock.now
        var data: CreditBenchRecords? = CreditBenchRecords(records: records, shiftAt: records / 3)
        let meanBytes = Double(data!.bytes.count) / Double(records)
        print("  generated \(records) records, \(Self.f(meanBytes, 1)) B each on average, in \(Self.f((ContinuousClock.now - t0).kafkaSeconds)) s")

        var decodes: [PipelineBenchMeasure.Result] = []
        for _ in 0..<runs { decodes.append(try PipelineBenchMeasure.decodeOnly(spec: spec.decode, records: data!)) }
        let decode = Self.median(decodes)

        let broker = try EmbeddedBroker(brokers: 1)
        try broker.createTopic(topic, partitions: partitionCount)
        for sink in [spec.sinks.alerts, spec.sinks.deadLetter, spec.sinks.windows].compactMap({ $0 }) {
            try broker.createTopic(sink.topic, partitions: 1)
        }
        t0 = .now
        try Self.produce(data!, topic: topic, partitions: partitionCount, bootstrap: broker.bootstrapServers)
        data = nil
        let produceSeconds = (ContinuousClock.now - t0).kafkaSeconds
        let kept = try Self.countKept(topic: topic, partitions: partitionCount, bootstrap: broker.bootstrapServers)
        guard kept == records else {
            throw ValidationError("the broker kept \(kept) of \(records) records (the mock drops data past ~5 MiB per partition): use more --partitions")
        }
        print("  produced in \(Self.f(produceSeconds)) s; the broker holds all \(kept) (watermarks)")
        if serve {
            print("bootstrap: \(broker.bootstrapServers)")
            print("ready: `shannon bench pipeline --measure pipeline|consume --bootstrap \(broker.bootstrapServers) --records \(records)`")
            fflush(nil)
            while true { sleep(3600) }
        }

        var consumes: [PipelineBenchMeasure.Result] = []
        var pipelines: [PipelineBenchMeasure.Result] = []
        for _ in 0..<runs {
            consumes.append(try child(["--measure", "consume"], path: path, bootstrap: broker.bootstrapServers))
            pipelines.append(try child(["--measure", "pipeline"], path: path, bootstrap: broker.bootstrapServers))
        }
        var python: PipelineBenchMeasure.Result?
        var pythonNote: String?
        if let interpreter = self.python {
            do {
                python = try runPython(interpreter, topic: topic, spec: spec, bootstrap: broker.bootstrapServers)
            } catch {
                pythonNote = "skipped: the Python baseline failed: \(error)"
            }
        }
        withExtendedLifetime(broker) {}

        report(decode: decode, consumes: consumes, pipelines: pipelines, python: python, pythonNote: pythonNote)
    }

    // MARK: Report

    private func report(decode: PipelineBenchMeasure.Result, consumes: [PipelineBenchMeasure.Result],
                        pipelines: [PipelineBenchMeasure.Result], python: PipelineBenchMeasure.Result?,
                        pythonNote: String?) {
        let consume = Self.median(consumes)
        let e2e = Self.median(pipelines)
        let all = { (rs: [PipelineBenchMeasure.Result]) in rs.map { Self.f($0.rate / 1e6, 3) }.joined(separator: " ") }
        let peak = { (rs: [PipelineBenchMeasure.Result]) in rs.map(\.peakMiB).max() ?? 0 }
        print("")
        print("decode only (RecordDecoder, in memory)   \(Self.f(decode.rate / 1e6, 3)) M rec/s  \(Self.f(1e9 / decode.rate, 0)) ns/rec  (ok \(decode.extra["ok"] ?? "?"), bad \(decode.extra["bad"] ?? "?"))")
        print("consume only (Swift consumer, assign)    \(Self.f(consume.rate / 1e6, 3)) M rec/s  peak RSS \(Self.f(peak(consumes), 1)) MiB  (runs: \(all(consumes)); first→last record \(Self.f(Double(consume.records) / consume.streamingSeconds / 1e6, 3)))")
        print("end to end (\(e2e.extra["windows"] ?? "?") windows, \(e2e.extra["alerts"] ?? "?") alerts, \(e2e.extra["dead_letters"] ?? "?") dead letters, \(e2e.extra["checkpoints"] ?? "?") checkpoints)")
        print("                                         \(Self.f(e2e.rate / 1e6, 3)) M rec/s  peak RSS \(Self.f(peak(pipelines), 1)) MiB  (runs: \(all(pipelines)))")
        print("ratio end to end / consume only          \(Self.f(e2e.rate / consume.rate, 2))")
        let nsConsume = 1e9 / consume.rate, nsE2E = 1e9 / e2e.rate, nsDecode = 1e9 / decode.rate
        print("time per record (ns): end to end \(Self.f(nsE2E, 0)) = consume \(Self.f(nsConsume, 0)) + decode \(Self.f(nsDecode, 0)) + stages, alerts, checkpoints \(Self.f(nsE2E - nsConsume - nsDecode, 0)) (by difference; librdkafka's fetch threads overlap)")
        if let python {
            print("python baseline (\(python.extra["client"] ?? "confluent-kafka") + orjson + numpy; PSI only)  \(Self.f(python.rate / 1e6, 3)) M rec/s  peak RSS \(Self.f(python.peakMiB, 1)) MiB  (windows \(python.extra["windows"] ?? "?"), bad \(python.extra["bad"] ?? "?"))")
            print("ratio shannon / python (end to end)      \(Self.f(e2e.rate / python.rate, 2))")
        } else if let pythonNote {
            print("python baseline: \(pythonNote)")
        }
        let rateMet = e2e.rate >= 1e6, memMet = peak(pipelines) < 60
        print("goal 1 M rec/s end to end in < 60 MiB:   rate \(Self.f(e2e.rate / 1e6, 3)) M (\(rateMet ? "met" : "not met")), peak RSS \(Self.f(peak(pipelines), 1)) MiB (\(memMet ? "met" : "not met"))")
    }

    // MARK: Child processes

    private func child(_ args: [String], path: String, bootstrap: String) throws -> PipelineBenchMeasure.Result {
        let out = try Self.runProcess(Self.executablePath(), ["bench", "pipeline"] + args + ["--bootstrap", bootstrap, "--records", "\(records)",
                                                                   "--pipeline", path, "--batch", "\(batch)"]
                                      + properties.flatMap { ["-X", $0] })
        guard let result = out.split(separator: "\n").lazy.compactMap({ PipelineBenchMeasure.Result(line: String($0)) }).first else {
            throw ValidationError("child \(args.joined(separator: " ")) printed no result:\n\(out)")
        }
        return result
    }

    private func childMeasure(_ what: String, path: String, bootstrap: String) throws {
        let result: PipelineBenchMeasure.Result
        switch what {
        case "consume":
            let spec = try PipelineLoader.load(path: path, environment: ["KAFKA_BOOTSTRAP": bootstrap])
            result = try PipelineBenchMeasure.consumeOnly(bootstrap: bootstrap, topic: spec.source.topics[0],
                                                          expected: records, batch: batch, extra: consumerExtra)
        case "pipeline":
            result = try PipelineBenchMeasure.pipeline(path: path, bootstrap: bootstrap, expected: records, batch: batch,
                                                       extra: consumerExtra)
        default:
            throw ValidationError("--measure must be consume or pipeline")
        }
        print(result.line)
    }

    private func runPython(_ interpreter: String, topic: String, spec: PipelineSpec, bootstrap: String) throws -> PipelineBenchMeasure.Result {
        let script = try Self.locate(pythonScript)
        guard let psi = spec.stages.first(where: { $0.type == .psi }), case let .psi(params) = psi.params,
              case let .file(_, reference, field) = params.reference else {
            throw ValidationError("the pipeline has no psi stage with a reference file for the Python baseline")
        }
        guard case let .countTumbling(window) = psi.window else {
            throw ValidationError("the Python baseline mirrors a count-tumbling psi window only")
        }
        var args = [script, "--bootstrap", bootstrap, "--topic", topic, "--records", "\(records)",
                    "--reference", reference, "--field", field, "--bins", "\(params.bins)",
                    "--smoothing", "\(params.smoothing)", "--window", "\(window)"]
        let consumer = PipelineBenchMeasure.consumerProperties.merging(consumerExtra) { $1 }
        for (k, v) in consumer.sorted(by: { $0.key < $1.key }) { args += ["-X", "\(k)=\(v)"] }
        var results: [PipelineBenchMeasure.Result] = []
        for _ in 0..<runs {
            let out = try Self.runProcess(interpreter, args)
            guard let r = out.split(separator: "\n").lazy.compactMap({ PipelineBenchMeasure.Result(line: String($0)) }).first,
                  r.records == records else {
                throw ValidationError("the Python baseline printed no complete result:\n\(out)")
            }
            results.append(r)
        }
        return Self.median(results)
    }

    // MARK: Helpers

    /// -X properties as a dictionary (validated to hold `=`).
    var consumerExtra: [String: String] {
        var d: [String: String] = [:]
        for p in properties {
            let eq = p.firstIndex(of: "=")!
            d[String(p[..<eq])] = String(p[p.index(after: eq)...])
        }
        return d
    }

    /// Produces the records round-robin (the score shift reaches every partition at once) with
    /// the demo's bulk producer settings (zstd, large batches).
    static func produce(_ data: CreditBenchRecords, topic: String, partitions: Int32, bootstrap: String) throws {
        var config = DemoRecords.bulkProducerProperties
        config["bootstrap.servers"] = bootstrap
        let producer = try KafkaProducer(configuration: config)
        var key: [UInt8] = []
        key.reserveCapacity(16)
        try data.bytes.withUnsafeBytes { all in
            var begin = 0
            for i in 0..<data.count {
                let end = data.ends[i]
                key.removeAll(keepingCapacity: true)
                CreditBenchRecords.writeKey(i, into: &key)
                try key.withUnsafeBytes { k in
                    try producer.produce(topic: topic, key: k, value: UnsafeRawBufferPointer(rebasing: all[begin..<end]),
                                         partition: Int32(i % Int(partitions)), id: UInt64(i))
                }
                begin = end
                if i % 10_000 == 0 { producer.poll() }
            }
        }
        try producer.flush(timeout: .seconds(120))
        guard producer.failedCount == 0 else {
            throw ValidationError("\(producer.failedCount) of \(data.count) records failed delivery")
        }
    }

    /// Records the broker still holds (the mock drops old data silently past its limits).
    static func countKept(topic: String, partitions: Int32, bootstrap: String) throws -> Int {
        let consumer = try KafkaConsumer(configuration: ["bootstrap.servers": bootstrap, "group.id": "shannon-bench-count"])
        defer { try? consumer.close() }
        var kept = 0
        for p in 0..<partitions {
            let (low, high) = try consumer.watermarks(TopicPartition(topic, p))
            kept += Int(high - low)
        }
        return kept
    }

    static func median(_ rs: [PipelineBenchMeasure.Result]) -> PipelineBenchMeasure.Result {
        rs.sorted { $0.seconds < $1.seconds }[(rs.count - 1) / 2]
    }

    static func runProcess(_ executable: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        guard process.terminationStatus == 0 else {
            throw ValidationError("\(executable) \(arguments.prefix(3).joined(separator: " ")) … exited with \(process.terminationStatus):\n\(text)")
        }
        return text
    }

    static func executablePath() throws -> String {
        let path = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
        return path
    }

    /// The path as given, else relative to the repository root found from the executable
    /// (.build/<config>/shannon is three levels below it).
    static func locate(_ path: String) throws -> String {
        if FileManager.default.fileExists(atPath: path) { return path }
        if let exe = try? executablePath() {
            let root = URL(fileURLWithPath: exe).deletingLastPathComponent().appendingPathComponent("../../..").standardized
            let candidate = root.appendingPathComponent(path).path
            if FileManager.default.fileExists(atPath: candidate) { return candidate }
        }
        throw ValidationError("cannot find \(path)")
    }

    static func loadAverage() -> String {
        (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?.split(separator: " ").prefix(3).joined(separator: " ") ?? "?"
    }

    static func f(_ x: Double, _ digits: Int = 2) -> String { String(format: "%.\(digits)f", x) }
}
