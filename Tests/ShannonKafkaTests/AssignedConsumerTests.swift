import Testing
@testable import ShannonKafka

/// Manual assignment (no group join) and the flow-control calls around it.
@Suite struct AssignedConsumerTests {
    @Test func watermarksLagSeekPauseAndResume() throws {
        let topic = uniqueName("flow")
        try sharedBroker.createTopic(topic, partitions: 1)
        _ = try produce(0..<50, to: topic, broker: sharedBroker, partition: 0)
        let tp = TopicPartition(topic, 0)
        let consumer = try KafkaConsumer(configuration: consumerConfig(sharedBroker, group: uniqueName("unjoined")))
        try consumer.assign([tp: .beginning])
        #expect(try consumer.assignment() == [tp])
        #expect(try consumer.watermarks(tp) == (low: 0, high: 50))

        var got: [Received] = []
        let end = ContinuousClock.now.advanced(by: .seconds(30))
        while got.count < 10 && ContinuousClock.now < end {
            for m in try consumer.poll(maxMessages: 10 - got.count, timeout: .milliseconds(100)) { got.append(m.received) }
        }
        #expect(got.map(\.offset) == Array(0..<10))
        #expect(try consumer.position([tp]) == [tp: 10])
        #expect(try consumer.lag() == [tp: 40])

        try consumer.seek([tp: .offset(45)])
        got = []
        try pollUntil(consumer, into: &got) { $0.count >= 5 }
        #expect(got.map(\.offset) == Array(45..<50))

        // Paused: nothing arrives even though records exist; resumed: they do.
        try consumer.seek([tp: .offset(20)])
        try consumer.pause([tp])
        var whilePaused: [Received] = []
        let pauseEnd = ContinuousClock.now.advanced(by: .milliseconds(600))
        while ContinuousClock.now < pauseEnd {
            for m in try consumer.poll(timeout: .milliseconds(100)) { whilePaused.append(m.received) }
        }
        #expect(whilePaused.isEmpty)
        try consumer.resume([tp])
        got = []
        try pollUntil(consumer, into: &got) { $0.count >= 30 }
        #expect(got.first?.offset == 20)
        #expect(got.count == 30)
        try consumer.close()
    }

    /// The lag gauge's source: librdkafka's cached high watermark follows fetch responses,
    /// without a request of its own, also once the reader is at the end.
    @Test func cachedWatermarksFollowFetches() throws {
        let topic = uniqueName("cached")
        try sharedBroker.createTopic(topic, partitions: 1)
        _ = try produce(0..<50, to: topic, broker: sharedBroker, partition: 0)
        let tp = TopicPartition(topic, 0)
        let consumer = try KafkaConsumer(configuration: consumerConfig(sharedBroker, group: uniqueName("unjoined")))
        defer { try? consumer.close() }
        #expect(consumer.lastFetchedWatermarks(TopicPartition(topic, 7)) == nil, "not assigned: nothing cached")
        try consumer.assign([tp: .beginning])
        var got: [Received] = []
        try pollUntil(consumer, into: &got) { $0.count >= 50 }
        #expect(consumer.lastFetchedWatermarks(tp)?.high == 50)
        _ = try produce(50..<55, to: topic, broker: sharedBroker, partition: 0)
        try pollUntil(consumer, into: &got) { $0.count >= 55 }
        #expect(consumer.lastFetchedWatermarks(tp)?.high == 55)
    }

    @Test func headersAndNilKeysRoundTrip() throws {
        let topic = uniqueName("headers")
        try sharedBroker.createTopic(topic, partitions: 1)
        let producer = try KafkaProducer(configuration: producerConfig(sharedBroker))
        try producer.produce(topic: topic, key: nil, value: Array("v0".utf8),
                             headers: [KafkaHeader("trace", "abc"), KafkaHeader("empty", nil)], id: 7)
        try producer.produce(topic: topic, key: [], value: Array("v1".utf8), id: 8)
        try producer.flush(timeout: .seconds(30))
        #expect(producer.drainDeliveryReports().map(\.id).sorted() == [7, 8])

        let consumer = try KafkaConsumer(configuration: consumerConfig(sharedBroker, group: uniqueName("unjoined")))
        try consumer.assign([TopicPartition(topic, 0): .beginning])
        var checked = 0
        let end = ContinuousClock.now.advanced(by: .seconds(30))
        while checked < 2 && ContinuousClock.now < end {
            for m in try consumer.poll(timeout: .milliseconds(100)) {
                if m.offset == 0 {
                    #expect(m.key == nil)
                    #expect(m.header("trace").map { String(decoding: $0, as: UTF8.self) } == "abc")
                    #expect(m.header("missing") == nil)
                    #expect(m.headers.map(\.name) == ["trace", "empty"])
                    #expect(m.headers.last?.value == nil)
                } else {
                    #expect(m.key?.count == 0, "an empty key is not a missing key")
                    #expect(m.headers.isEmpty)
                }
                #expect(m.topic == topic)
                #expect(m.timestamp != nil)
                checked += 1
            }
        }
        #expect(checked == 2)
        try consumer.close()
    }
}
