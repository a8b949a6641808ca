import ArgumentParser
import Dispatch
import Foundation
import ShannonKafka

/// `shannon dev-broker`: librdkafka's mock cluster in the foreground, for local work and tests
/// that need a second process (kcat, another daemon).
struct DevBrokerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dev-broker",
        abstract: "Run an embedded Kafka-protocol broker (librdkafka's mock cluster) until Ctrl-C.",
        discussion: """
        Prints one line `bootstrap: HOST:PORT[,…]` as soon as the brokers listen; point any \
        Kafka client at that address. With --produce-demo it then fills the first topic with \
        small JSON records and prints `ready: N records in TOPIC`.

        Example:
          shannon dev-broker --topic events:3 --produce-demo 100000
          kcat -L -b 127.0.0.1:40123                  # brokers and topics
          kcat -C -b 127.0.0.1:40123 -t events -o beginning -e -c 5

        Limits: data lives in memory and vanishes on exit; each partition keeps only ~5 MiB \
        (older data is dropped silently, so produce compressed); CreateTopics is not supported \
        (use --topic; unknown topics are auto-created with 4 partitions); transactions are \
        accepted but not honoured.
        """
    )

    @Option(help: "Number of brokers (ids 1…N).")
    var brokers = 1

    @Option(name: .customLong("topic"), help: "Create a topic, as NAME:PARTITIONS (repeatable).")
    var topics: [String] = []

    @Option(help: "Produce this many demo JSON records (zstd) into the first --topic (default topic demo:3).")
    var produceDemo = 0

    @Option(help: "Replication factor for --topic (at most --brokers).")
    var replicationFactor: Int32 = 1

    mutating func validate() throws {
        guard brokers >= 1 else { throw ValidationError("--brokers must be at least 1") }
        guard replicationFactor >= 1 && Int(replicationFactor) <= brokers else {
            throw ValidationError("--replication-factor must be between 1 and --brokers")
        }
        for t in topics where Self.parse(t) == nil {
            throw ValidationError("--topic \(t): expected NAME:PARTITIONS, e.g. events:3")
        }
    }

    static func parse(_ spec: String) -> (name: String, partitions: Int32)? {
        guard let colon = spec.lastIndex(of: ":"), let p = Int32(spec[spec.index(after: colon)...]), p > 0 else { return nil }
        let name = String(spec[..<colon])
        return name.isEmpty ? nil : (name, p)
    }

    func run() throws {
        // Block the signals before any thread starts so that only the dispatch source sees them.
        let stop = DispatchSemaphore(value: 0)
        let sources = [SIGINT, SIGTERM].map { sig -> DispatchSourceSignal in
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler { stop.signal() }
            source.resume()
            return source
        }

        let broker = try EmbeddedBroker(brokers: brokers)
        var specs = topics.compactMap(Self.parse)
        if produceDemo > 0 && specs.isEmpty { specs = [("demo", 3)] }
        for (name, partitions) in specs {
            try broker.createTopic(name, partitions: partitions, replicationFactor: replicationFactor)
        }
        print("bootstrap: \(broker.bootstrapServers)")
        for (name, partitions) in specs { print("topic: \(name) (\(partitions) partitions)") }
        fflush(nil)

        if produceDemo > 0, let (name, partitions) = specs.first {
            let start = ContinuousClock.now
            let n = try DemoRecords.produce(count: produceDemo, topic: name, partitions: partitions,
                                            bootstrap: broker.bootstrapServers)
            let seconds = (ContinuousClock.now - start).kafkaSeconds
            print("ready: \(n) records in \(name) (produced in \(String(format: "%.2f", seconds)) s)")
        } else {
            print("ready")
        }
        print("Ctrl-C to stop")
        fflush(nil)

        stop.wait()
        sources.forEach { $0.cancel() }
        print("stopping")
        fflush(nil)
        withExtendedLifetime(broker) {}
    }
}
