import Foundation
import Testing
@testable import ShannonKafka

/// One mock cluster for the whole test process: the first group join costs ~3 s, so tests
/// share the cluster and isolate themselves with fresh topic and group names.
let sharedBroker: EmbeddedBroker = {
    do { return try EmbeddedBroker(brokers: 1) } catch { fatalError("embedded broker: \(error)") }
}()

func uniqueName(_ prefix: String) -> String {
    "\(prefix)-\(UUID().uuidString.prefix(8).lowercased())"
}

/// Properties every test client uses: compressed batches keep the mock under its ~5 MiB per
/// partition, and short backoffs keep the tests quick.
func producerConfig(_ broker: EmbeddedBroker, _ extra: [String: String] = [:]) -> [String: String] {
    var c = ["bootstrap.servers": broker.bootstrapServers, "compression.codec": "zstd", "linger.ms": "5"]
    for (k, v) in extra { c[k] = v }
    return c
}

func consumerConfig(_ broker: EmbeddedBroker, group: String, _ extra: [String: String] = [:]) -> [String: String] {
    var c = ["bootstrap.servers": broker.bootstrapServers, "group.id": group,
             // The mock waits session.timeout.ms - 1 s for members to rejoin a rebalance.
             "session.timeout.ms": "4000", "heartbeat.interval.ms": "300",
             "topic.metadata.refresh.interval.ms": "1000"]
    for (k, v) in extra { c[k] = v }
    return c
}

/// A record as the tests produce it: the value carries the sequence number and the key, so
/// contents can be checked after the round trip without keeping the sent bytes.
struct SentRecord: Equatable {
    var seq: Int
    var key: String
    var value: String

    init(seq: Int) {
        self.seq = seq
        key = "key-\(seq % 97)"
        value = #"{"seq":\#(seq),"key":"key-\#(seq % 97)","amount":\#(Double(seq % 1000) / 10)}"#
    }
}

/// Produces records `range` and waits for every delivery report.
func produce(_ range: Range<Int>, to topic: String, broker: EmbeddedBroker,
             partition: Int32? = nil) throws -> [DeliveryReport] {
    let producer = try KafkaProducer(configuration: producerConfig(broker))
    for seq in range {
        let r = SentRecord(seq: seq)
        try producer.produce(topic: topic, key: Array(r.key.utf8), value: Array(r.value.utf8),
                             partition: partition, id: UInt64(seq))
        if seq % 1000 == 0 { producer.poll() }
    }
    try producer.flush(timeout: .seconds(30))
    return producer.drainDeliveryReports()
}

/// A consumed record copied out of the batch.
struct Received: Equatable {
    var partition: Int32
    var offset: Int64
    var key: String?
    var value: String
}

extension KafkaMessage {
    var received: Received {
        Received(partition: partition, offset: offset,
                 key: key.map { String(decoding: $0, as: UTF8.self) },
                 value: String(decoding: value, as: UTF8.self))
    }
}

/// Polls until `done` holds or the deadline passes; returns whether `done` held.
@discardableResult
func pollUntil(_ consumer: KafkaConsumer, deadline: Duration = .seconds(45),
               into sink: inout [Received], _ done: (_ received: [Received]) -> Bool) throws -> Bool {
    let end = ContinuousClock.now.advanced(by: deadline)
    while ContinuousClock.now < end {
        if done(sink) { return true }
        let batch = try consumer.poll(maxMessages: 1_000, timeout: .milliseconds(100))
        for m in batch { sink.append(m.received) }
    }
    return done(sink)
}

/// Extracts `"seq":N` from a produced value.
func seq(of value: String) -> Int? {
    guard let r = value.range(of: #""seq":"#) else { return nil }
    return Int(value[r.upperBound...].prefix(while: \.isNumber))
}
