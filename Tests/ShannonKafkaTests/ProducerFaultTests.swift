import Foundation
import Testing
@testable import ShannonKafka

@Suite struct ProducerFaultTests {
    @Test func brokerDownAndBackMidProduceLosesNothing() throws {
        // A private 3-broker cluster: taking a broker down must not disturb other tests.
        let broker = try EmbeddedBroker(brokers: 3)
        let topic = uniqueName("faults")
        try broker.createTopic(topic, partitions: 3, replicationFactor: 3)
        // One leader per broker, so the broker taken down surely leads a partition.
        for p in Int32(0)..<3 { try broker.setPartitionLeader(TopicPartition(topic, p), broker: p + 1) }
        let producer = try KafkaProducer(configuration: producerConfig(broker, [
            "statistics.interval.ms": "100", "retry.backoff.ms": "50", "reconnect.backoff.ms": "50",
            "reconnect.backoff.max.ms": "200",
        ]))
        let total = 3_000
        func send(_ range: Range<Int>) throws {
            for seq in range {
                let r = SentRecord(seq: seq)
                try producer.produce(topic: topic, key: Array(r.key.utf8), value: Array(r.value.utf8), id: UInt64(seq))
            }
        }
        try send(0..<1_000)
        // Delivered first, so the producer holds a connection to every leader when one dies.
        try producer.flush(timeout: .seconds(30))
        try broker.setBrokerDown(1)
        // Retriable failures on the surviving brokers too (NOT_ENOUGH_REPLICAS, 19).
        broker.pushRequestErrors(apiKey: KafkaAPIKey.produce, [19, 19, 19])
        try send(1_000..<2_000)
        // Let the producer run into the dead broker before it comes back.
        let downUntil = ContinuousClock.now.advanced(by: .milliseconds(1_500))
        while ContinuousClock.now < downUntil { producer.poll(timeout: .milliseconds(50)) }
        try broker.setBrokerUp(1)
        try send(2_000..<total)
        try producer.flush(timeout: .seconds(40))

        let reports = producer.drainDeliveryReports()
        #expect(reports.count == total)
        #expect(reports.allSatisfy { $0.error == nil })
        #expect(Set(reports.map(\.id)) == Set((0..<total).map(UInt64.init)))
        let errors = producer.drainErrors()
        #expect(!errors.isEmpty, "the outage reaches the error callback")
        // Retries show in librdkafka's statistics: more messages transmitted than produced.
        let before = producer.latestStatistics
        let statsDeadline = ContinuousClock.now.advanced(by: .seconds(10))
        while producer.latestStatistics == before && ContinuousClock.now < statsDeadline {
            producer.poll(timeout: .milliseconds(50))
        }
        let stats = try #require(producer.latestStatistics)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(stats.utf8)) as? [String: Any])
        let transmitted = try #require(json["txmsgs"] as? Int)
        #expect(transmitted > total, "retried messages are transmitted again")

        // Every record is in the log exactly once.
        let consumer = try KafkaConsumer(configuration: ["bootstrap.servers": broker.bootstrapServers,
                                                     "group.id": uniqueName("unused")])
        try consumer.assign(Dictionary(uniqueKeysWithValues: (0..<3).map { (TopicPartition(topic, $0), StartOffset.beginning) }))
        var got: [Received] = []
        try pollUntil(consumer, into: &got) { $0.count >= total }
        #expect(got.count == total)
        #expect(Set(got.compactMap { seq(of: $0.value) }) == Set(0..<total))
    }
}
