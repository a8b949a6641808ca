import Testing
import CRdKafka
@testable import ShannonKafka

@Test func kafkaErrorCarriesCodeNameAndText() {
    let e = KafkaError(RD_KAFKA_RESP_ERR__TRANSPORT, context: "produce")
    #expect(e.code == RD_KAFKA_RESP_ERR__TRANSPORT.rawValue)
    #expect(e.name == "_TRANSPORT")
    #expect(e.message.hasPrefix("produce: "))
}
