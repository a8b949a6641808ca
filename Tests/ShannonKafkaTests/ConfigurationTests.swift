import Testing
@testable import ShannonKafka

@Suite struct ConfigurationTests {
    @Test func unknownPropertyFailsWithLibrdkafkasText() {
        #expect {
            _ = try KafkaConsumer(configuration: ["bootstrap.servers": "localhost:1", "no.such.property": "x"])
        } throws: { error in
            guard let e = error as? KafkaError else { return false }
            return e.message.contains("No such configuration property") && e.message.contains("no.such.property")
        }
        #expect {
            _ = try KafkaProducer(configuration: ["enable.idempotence": "maybe"])
        } throws: { error in
            guard let e = error as? KafkaError else { return false }
            return e.message.contains("enable.idempotence") && e.message.contains("Expected bool value")
        }
    }

    @Test func producerDefaultsAreIdempotentAndOverridable() throws {
        #expect(KafkaProducer.defaultProperties["enable.idempotence"] == "true")
        #expect(KafkaConsumer.defaultProperties["enable.auto.commit"] == "false")
        #expect(KafkaConsumer.defaultProperties["enable.auto.offset.store"] == "false")
        // A caller's value wins over the default (librdkafka accepts both; no throw).
        _ = try KafkaProducer(configuration: ["bootstrap.servers": sharedBroker.bootstrapServers, "enable.idempotence": "false"])
    }

    @Test func syslogLevelsMapOntoSwiftLog() {
        #expect(logLevel(syslog: 0) == .critical)
        #expect(logLevel(syslog: 3) == .error)
        #expect(logLevel(syslog: 4) == .warning)
        #expect(logLevel(syslog: 5) == .notice)
        #expect(logLevel(syslog: 6) == .info)
        #expect(logLevel(syslog: 7) == .debug)
    }

    @Test func durationsRoundUpToMilliseconds() {
        #expect(Duration.milliseconds(250).milliseconds == 250)
        #expect(Duration.microseconds(1).milliseconds == 1)
        #expect(Duration.zero.milliseconds == 0)
        #expect(Duration.seconds(3).milliseconds == 3_000)
    }
}
