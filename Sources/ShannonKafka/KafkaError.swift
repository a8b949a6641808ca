import CRdKafka

/// A librdkafka failure: its error code, name and human text.
public struct KafkaError: Error, Equatable, CustomStringConvertible {
    /// librdkafka's `rd_kafka_resp_err_t` value.
    public let code: Int32
    public let message: String

    public init(code: Int32, message: String) {
        self.code = code
        self.message = message
    }

    init(_ err: rd_kafka_resp_err_t, context: String? = nil) {
        let text = String(cString: rd_kafka_err2str(err))
        self.init(code: err.rawValue, message: context.map { "\($0): \(text)" } ?? text)
    }

    /// The fatal error a client handle (consumer or producer alike) has raised, nil while it has
    /// none; after one the client is unusable and must be recreated.
    init?(fatalOf handle: OpaquePointer) {
        var buffer = [CChar](repeating: 0, count: 512)
        let err = rd_kafka_fatal_error(handle, &buffer, buffer.count)
        guard err != RD_KAFKA_RESP_ERR_NO_ERROR else { return nil }
        self.init(code: err.rawValue, message: string(fromCBuffer: buffer))
    }

    /// librdkafka's symbolic name for the code, e.g. `_TRANSPORT` or `UNKNOWN_TOPIC_OR_PART`.
    public var name: String { String(cString: rd_kafka_err2name(rd_kafka_resp_err_t(rawValue: code))) }

    public var description: String { "kafka error \(name) (\(code)): \(message)" }
}
